use super::*;

/// What the record family writes.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordEffect<'a> {
    Notify {
        person_id: &'a str,
        kind: &'a str,
        booking_id: Option<&'a str>,
        resource_id: Option<&'a str>,
        detail: Value,
        at: i64,
    },
    Audit {
        actor_id: &'a str,
        action: &'a str,
        entity: &'a str,
        entity_id: &'a str,
        detail: Value,
        at: i64,
    },
}

/// The base of every family: the backend's error, whether a row exists, and the notices and
/// audit entries any command may write.
pub trait RecordLedger {
    /// The backend's own failure (a busy disk, a serialization failure to retry).
    type Error;
    fn exists(&mut self, entity: Entity, id: &str) -> Result<bool, Self::Error>;
    fn write_record(&mut self, effect: RecordEffect<'_>) -> Result<(), Self::Error>;
}
