use super::*;

/// A booking as the decisions about it see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBooking {
    pub id: Id,
    pub resource_id: Id,
    pub booker_id: Id,
    pub span: Span,
    pub status: BookingStatus,
}

/// A booking of a repeating series, with the start its rule gave it (it keeps that start
/// when moved alone: the ICS `RECURRENCE-ID`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesMember {
    pub booking: StoredBooking,
    pub recurrence_at: i64,
}

/// What the booking family writes.
#[derive(Debug, Clone, PartialEq)]
pub enum BookingEffect<'a> {
    /// `startup_id`: the startup the booker was a member of when they booked (the session is
    /// that startup's in its hours and the yearly figures, whatever the founder joins later).
    InsertBooking {
        id: &'a str,
        resource_id: &'a str,
        booker_id: &'a str,
        startup_id: Option<&'a str>,
        span: Span,
        status: BookingStatus,
        topic: &'a str,
        at: i64,
    },
    /// A new booking joins its series: the series' id and rule (RRULE), the time the rule
    /// gave it, and for an occurrence skipped as a conflict the refusal as JSON.
    JoinSeries {
        booking_id: &'a str,
        series_id: &'a str,
        rule: &'a str,
        recurrence: Span,
        rejection: Option<&'a str>,
    },
    SetStatus {
        id: &'a str,
        status: BookingStatus,
        reason: Option<&'a str>,
        at: i64,
    },
    /// A booking released as a no-show stands again (a check-in made in time arrived late):
    /// confirmed, and the no-show's reason is gone.
    Reinstate {
        id: &'a str,
        at: i64,
    },
    MoveBooking {
        id: &'a str,
        span: Span,
        status: BookingStatus,
        at: i64,
    },
    InsertWaitlist {
        id: &'a str,
        resource_id: &'a str,
        person_id: &'a str,
        span: Span,
        at: i64,
    },
    WaitlistNotified {
        id: &'a str,
        at: i64,
    },
}

/// Bookings, their series and the waitlist.
pub trait BookingLedger: RecordLedger {
    /// Raw spans of the resource's bookings that hold capacity and overlap `window`,
    /// besides `except`.
    fn busy(&mut self, resource_id: &str, window: Span, except: Option<&str>) -> Result<Vec<Span>, Self::Error>;
    /// How many of the resource's bookings by the person hold capacity and end after
    /// `after`, besides `except`.
    fn holding(&mut self, person_id: &str, resource_id: &str, after: i64, except: Option<&str>) -> Result<u32, Self::Error>;
    /// The booking, locked for this transaction where the backend locks rows.
    fn booking(&mut self, id: &str) -> Result<Option<StoredBooking>, Self::Error>;
    /// The first entry (id, person) of the resource's waitlist, not yet told, whose window
    /// overlaps `freed`; first come, first told.
    fn first_waiting(&mut self, resource_id: &str, freed: Span) -> Result<Option<(Id, Id)>, Self::Error>;
    /// The resource's bookings that hold capacity and end after `after`, by start.
    fn active_bookings(&mut self, resource_id: &str, after: i64) -> Result<Vec<StoredBooking>, Self::Error>;
    /// Every booking of the series the booking belongs to, by the time each was first
    /// booked for; empty when it belongs to none.
    fn series_of(&mut self, booking_id: &str) -> Result<Vec<SeriesMember>, Self::Error>;
    /// Requests to mentors still unanswered that were made at or before `before`, oldest first.
    fn unanswered_requests(&mut self, before: i64) -> Result<Vec<StoredBooking>, Self::Error>;
    fn write_booking(&mut self, effect: BookingEffect<'_>) -> Result<(), Self::Error>;
}
