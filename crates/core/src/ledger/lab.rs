use super::*;

/// What the lab family writes.
#[derive(Debug, Clone, PartialEq)]
pub enum LabEffect<'a> {
    InsertLab {
        id: &'a str,
        makerspace_id: &'a str,
        name: &'a str,
        description: &'a str,
        manager_ids: &'a [Id],
    },
    /// Equipment with its fields already trimmed.
    InsertEquipment {
        id: &'a str,
        makerspace_id: &'a str,
        timezone: &'a str,
        equipment: &'a NewEquipment,
    },
    UpdateEquipment {
        id: &'a str,
        equipment: &'a NewEquipment,
    },
    SetQualification {
        person_id: &'a str,
        resource_id: &'a str,
        granted_by: &'a str,
        expires_at: Option<i64>,
        at: i64,
    },
    DeleteQualification {
        person_id: &'a str,
        resource_id: &'a str,
    },
    SetRates {
        resource_id: &'a str,
        rates: &'a Rates,
    },
    SetUsageRules {
        resource_id: &'a str,
        rules: &'a UsageRules,
    },
    SetRegister {
        resource_id: &'a str,
        register: &'a InstrumentRegister,
    },
}

/// Labs and their instruments: catalogue, qualifications, rates, usage rules, register.
pub trait LabLedger: RecordLedger {
    /// The expiry of the person's qualification for the resource: `None` without one,
    /// `Some(None)` when it never expires.
    fn qualification(&mut self, person_id: &str, resource_id: &str) -> Result<Option<Option<i64>>, Self::Error>;
    /// (makerspace id, its timezone) of a live lab.
    fn lab_home(&mut self, lab_id: &str) -> Result<Option<(Id, String)>, Self::Error>;
    /// An instrument's rates; `None` for a resource that is not equipment.
    fn rates(&mut self, resource_id: &str) -> Result<Option<Rates>, Self::Error>;
    /// An instrument's check-in and release rules; `None` for a resource that is not equipment.
    fn usage_rules(&mut self, resource_id: &str) -> Result<Option<UsageRules>, Self::Error>;
    fn write_lab(&mut self, effect: LabEffect<'_>) -> Result<(), Self::Error>;
}
