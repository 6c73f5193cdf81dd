use super::*;

/// What the startup family writes.
#[derive(Debug, Clone, PartialEq)]
pub enum StartupEffect<'a> {
    /// A startup whose fields are checked and trimmed (`NewStartup::validate`).
    InsertStartup {
        id: &'a str,
        startup: &'a NewStartup,
        code_verified: bool,
        at: i64,
    },
    UpdateStartup {
        id: &'a str,
        startup: &'a NewStartup,
        code_verified: bool,
    },
    /// A space admin has confirmed the credit code.
    ConfirmCreditCode {
        id: &'a str,
    },
    /// The person is a member of the startup (its lead or not), added or changed.
    SetStartupMember {
        startup_id: &'a str,
        person_id: &'a str,
        lead: bool,
        at: i64,
    },
    RemoveStartupMember {
        startup_id: &'a str,
        person_id: &'a str,
    },
    InsertResidency {
        startup_id: &'a str,
        residency: &'a Residency,
    },
    SetMoveOut {
        residency_id: &'a str,
        date: NaiveDate,
    },
    /// A move-in asked for is agreed to or declined.
    SetResidencyStatus {
        residency_id: &'a str,
        status: ResidencyStatus,
    },
}

/// Startups, their members and residencies.
pub trait StartupLedger: RecordLedger {
    /// A live startup with its members and residencies.
    fn startup(&mut self, id: &str) -> Result<Option<StoredStartup>, Self::Error>;
    /// The live startup the person is a member of.
    fn startup_of(&mut self, person_id: &str) -> Result<Option<Id>, Self::Error>;
    /// The live startup with this credit code (stored form), by (id, name).
    fn startup_by_credit_code(&mut self, code: &str) -> Result<Option<(Id, String)>, Self::Error>;
    fn write_startup(&mut self, effect: StartupEffect<'_>) -> Result<(), Self::Error>;
}
