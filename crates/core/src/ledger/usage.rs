use super::*;

/// A usage session of an instrument as the decisions about it see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    pub id: Id,
    pub resource_id: Id,
    pub booking_id: Id,
    pub person_id: Id,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub class: UserClass,
    pub purpose: Purpose,
    pub samples: u32,
    pub fee_fen: Fen,
    pub waived_fen: Fen,
    /// Started at the instrument without a booking made ahead: charged for what ran.
    pub walk_up: bool,
}

impl StoredSession {
    /// The booked time the charge basis may charge: none for a walk-up.
    pub fn booked(&self, booking: Span) -> Option<Span> {
        (!self.walk_up).then_some(booking)
    }
}

/// A usage session by its own id, or the one of a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKey<'a> {
    Id(&'a str),
    Booking(&'a str),
}

/// What the usage family writes.
#[derive(Debug, Clone, PartialEq)]
pub enum UsageEffect<'a> {
    InsertUsageSession {
        id: &'a str,
        resource_id: &'a str,
        booking_id: &'a str,
        person_id: &'a str,
        class: UserClass,
        purpose: Purpose,
        samples: u32,
        walk_up: bool,
        /// The startup the person used it for (theirs when the session started).
        startup_id: Option<&'a str>,
        at: i64,
    },
    CloseUsageSession {
        id: &'a str,
        ended_at: i64,
        fee_fen: Fen,
        /// Closed by the app, not by a check-out: for the lab manager to look at.
        flagged: bool,
    },
    /// A lab manager's correction of a closed session, its fee charged again.
    CorrectUsageSession {
        id: &'a str,
        ran: Span,
        purpose: Purpose,
        samples: u32,
        fee_fen: Fen,
        waived_fen: Fen,
    },
    SetKioskPin {
        person_id: &'a str,
        pin_hash: Option<&'a str>,
    },
}

/// Machine hours: usage sessions, no-shows and kiosk PINs.
pub trait UsageLedger: RecordLedger {
    fn usage_session(&mut self, key: SessionKey<'_>) -> Result<Option<StoredSession>, Self::Error>;
    /// Confirmed bookings of instruments that have started and not ended at `now`, with no
    /// usage session: the candidates for release as no-shows.
    fn unchecked_started(&mut self, now: i64) -> Result<Vec<StoredBooking>, Self::Error>;
    /// Usage sessions still open whose booking ended at or before `now`.
    fn open_after_end(&mut self, now: i64) -> Result<Vec<StoredSession>, Self::Error>;
    /// The instrument's usage sessions still open.
    fn open_sessions(&mut self, resource_id: &str) -> Result<Vec<StoredSession>, Self::Error>;
    /// The person's bookings, of any resource, released as no-shows that started at or after
    /// `since` (the server sees the whole district's).
    fn no_shows(&mut self, person_id: &str, since: i64) -> Result<u32, Self::Error>;
    fn write_usage(&mut self, effect: UsageEffect<'_>) -> Result<(), Self::Error>;
}
