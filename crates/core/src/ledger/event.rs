use super::*;

/// What the event family writes.
#[derive(Debug, Clone, PartialEq)]
pub enum EventEffect<'a> {
    /// An event whose fields are checked and trimmed (`NewEvent::validate`).
    InsertEvent {
        id: &'a str,
        event: &'a NewEvent,
        created_by: &'a str,
        at: i64,
    },
    CancelEvent {
        id: &'a str,
    },
    /// The person's registration, made, renewed or withdrawn; the event's count of places
    /// taken follows.
    SetRegistration {
        event_id: &'a str,
        person_id: &'a str,
        active: bool,
        at: i64,
    },
    SetAttendance {
        event_id: &'a str,
        person_id: &'a str,
        attended: bool,
    },
}

/// Events and their registrations.
pub trait EventLedger: RecordLedger {
    /// The event, locked for this transaction where the backend locks rows (so registrations
    /// for its last places run one at a time).
    fn event(&mut self, id: &str, lock: bool) -> Result<Option<StoredEvent>, Self::Error>;
    /// Every registration of the event.
    fn registrations(&mut self, event_id: &str) -> Result<Vec<Registration>, Self::Error>;
    fn write_event(&mut self, effect: EventEffect<'_>) -> Result<(), Self::Error>;
}
