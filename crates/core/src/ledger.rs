//! The port through which `apply` reads the facts a command needs and writes what it decided,
//! inside one open transaction of one backend (the desktop's and the server's SQLite file,
//! PostgreSQL, or memory in tests). A backend knows nothing of the rules; `apply` knows
//! nothing of SQL.

use chrono::NaiveDate;
use serde_json::Value;

use crate::command::{MentorProfile, NewEquipment, NewMentor, NewPerson};
use crate::decide::Actor;
use crate::domain::{Blackout, BookingStatus, DateOverride, Id, Makerspace, Policy, Role, WeeklyHours};
use crate::error::{CoreError, Refusal};
use crate::events::{NewEvent, Registration, StoredEvent};
use crate::interval::Span;
use crate::register::InstrumentRegister;
use crate::rules::ResourceRules;
use crate::startup::{NewStartup, Residency, StoredStartup};
use crate::usage::{Fen, Purpose, Rates, UsageRules, UserClass};

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

/// What a mentor resource adds to its rules: whose calendar it is, and who may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorFacts {
    pub person_id: Id,
    /// `district` or `makerspace`.
    pub visibility: String,
}

/// The formats a mentor offers and their default place for each.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MentorPlaces {
    pub formats: Vec<String>,
    pub defaults: crate::place::PlaceDefaults,
}

/// Rows whose existence a command checks by id. An id a client chose names one row for
/// good: these count deleted rows too, except `LivePerson`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Booking,
    /// Any person ever registered under the id.
    Person,
    /// A person not deleted.
    LivePerson,
    Waitlist,
    /// The founder's feedback on a booking.
    Feedback,
    /// An hour allocation (ever made under the id).
    Allocation,
    /// A top-up of an hour allocation.
    TopUp,
    /// The mentor's feedback on a booking.
    MentorFeedback,
    /// A mentor's or equipment's resource row.
    Resource,
    Lab,
    DateOverride,
    Blackout,
    /// The person (by id) is a mentor already.
    MentorPerson,
    UsageSession,
    /// The booker of the booking (by its id) was told its mentor's clock changes before it.
    ZoneChangeNotice,
    /// A startup (ever made under the id).
    Startup,
    Event,
    Residency,
}

/// A write `apply` decided. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect<'a> {
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
    SetKioskPin {
        person_id: &'a str,
        pin_hash: Option<&'a str>,
    },
    SetStatus {
        id: &'a str,
        status: BookingStatus,
        reason: Option<&'a str>,
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
    SetSessionNote {
        booking_id: &'a str,
        author_id: &'a str,
        body: &'a str,
        at: i64,
    },
    InsertFeedback {
        booking_id: &'a str,
        author_id: &'a str,
        side: crate::feedback::Side,
        rating: u8,
        comment: &'a str,
        pairing_fits: Option<bool>,
        /// The founder's startup when the feedback was given.
        startup_id: Option<&'a str>,
        at: i64,
    },
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
    SetWeeklyHours {
        resource_id: &'a str,
        hours: &'a [WeeklyHours],
    },
    SetPolicy {
        resource_id: &'a str,
        policy: &'a Policy,
    },
    InsertDateOverride {
        id: &'a str,
        resource_id: &'a str,
        date_override: &'a DateOverride,
        note: &'a str,
    },
    DeleteDateOverride {
        id: &'a str,
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
    InsertBlackout {
        blackout: &'a Blackout,
        created_by: &'a str,
        at: i64,
    },
    DeleteBlackout {
        id: &'a str,
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
    /// A person; `name` is already trimmed.
    InsertPerson {
        id: &'a str,
        name: &'a str,
        person: &'a NewPerson,
        at: i64,
    },
    GrantRole {
        person_id: &'a str,
        makerspace_id: &'a str,
        role: Role,
    },
    RevokeRole {
        person_id: &'a str,
        makerspace_id: &'a str,
        role: Role,
    },
    InsertLab {
        id: &'a str,
        makerspace_id: &'a str,
        name: &'a str,
        description: &'a str,
        manager_ids: &'a [Id],
    },
    /// A mentor whose lists are in their stored form (`command::validate_new_mentor`).
    InsertMentor {
        id: &'a str,
        makerspace_id: &'a str,
        name: &'a str,
        timezone: &'a str,
        mentor: &'a NewMentor,
    },
    UpdateMentorProfile {
        id: &'a str,
        profile: &'a MentorProfile,
    },
    InsertAllocation {
        id: &'a str,
        allocation: &'a crate::allocation::NewAllocation,
        created_by: &'a str,
        at: i64,
    },
    InsertTopUp {
        id: &'a str,
        allocation_id: &'a str,
        startup_id: &'a str,
        minutes: u32,
        reason: &'a str,
        created_by: &'a str,
        at: i64,
    },
    InsertBlock {
        id: &'a str,
        resource_id: &'a str,
        kind: crate::office::BlockKind,
        title: &'a str,
        span: Span,
        seat_minutes: u32,
        capacity: u32,
        at: i64,
    },
    CancelBlock {
        id: &'a str,
    },
    /// The seats held of a block, by number (and so how many).
    SetBlockHeld {
        id: &'a str,
        held: &'a [u32],
    },
    /// A founder's seat, place in line, or neither (`Left`).
    PutSeat {
        block_id: &'a str,
        person_id: &'a str,
        seat: Option<u32>,
        state: crate::office::SeatState,
        at: i64,
    },
    /// A booking's format and place (none: the format alone).
    SetPlace {
        booking_id: &'a str,
        format: crate::place::SessionFormat,
        place: Option<&'a crate::place::SessionPlace>,
        at: i64,
    },
    SetPlaceDefaults {
        mentor_id: &'a str,
        defaults: &'a crate::place::PlaceDefaults,
    },
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
    /// A startup whose fields are checked and trimmed (`NewStartup::validate`).
    InsertStartup {
        id: &'a str,
        startup: &'a NewStartup,
        at: i64,
    },
    UpdateStartup {
        id: &'a str,
        startup: &'a NewStartup,
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
    /// A lab manager's correction of a closed session, its fee charged again.
    CorrectUsageSession {
        id: &'a str,
        ran: Span,
        purpose: Purpose,
        samples: u32,
        fee_fen: Fen,
        waived_fen: Fen,
    },
}

/// One open transaction of a backend. Reads see the transaction's own writes.
pub trait Ledger {
    /// The backend's own failure (a busy disk, a serialization failure to retry).
    type Error;

    /// The person with their roles; `None` for nobody (or a deleted person).
    fn actor(&mut self, person_id: &str) -> Result<Option<Actor>, Self::Error>;
    /// A resource's rules, overrides and blackouts. With `lock`, changes to its calendar wait
    /// for this transaction (PostgreSQL locks the row; SQLite's writer holds the file).
    fn rules(&mut self, resource_id: &str, lock: bool) -> Result<Option<ResourceRules>, Self::Error>;
    /// Raw spans of the resource's bookings that hold capacity and overlap `window`,
    /// besides `except`.
    fn busy(&mut self, resource_id: &str, window: Span, except: Option<&str>) -> Result<Vec<Span>, Self::Error>;
    /// The expiry of the person's qualification for the resource: `None` without one,
    /// `Some(None)` when it never expires.
    fn qualification(&mut self, person_id: &str, resource_id: &str) -> Result<Option<Option<i64>>, Self::Error>;
    /// How many of the resource's bookings by the person hold capacity and end after
    /// `after`, besides `except`.
    fn holding(&mut self, person_id: &str, resource_id: &str, after: i64, except: Option<&str>) -> Result<u32, Self::Error>;
    fn mentor(&mut self, resource_id: &str) -> Result<Option<MentorFacts>, Self::Error>;
    /// How many sessions (confirmed or completed, not deleted) the founder had with the
    /// resource that started before `start`.
    fn pair_sessions_before(&mut self, booker_id: &str, resource_id: &str, start: i64) -> Result<u32, Self::Error>;
    /// An hour allocation's makerspace and startup.
    fn allocation(&mut self, id: &str) -> Result<Option<(Id, Id)>, Self::Error>;
    /// An office-hours block; `lock` holds it for the transaction where rows lock, so that
    /// two founders taking its last seat run one after another.
    fn office_block(&mut self, id: &str, lock: bool) -> Result<Option<crate::office::StoredBlock>, Self::Error>;
    /// Everyone who took a seat of a block or waits for one (and who left), in the order
    /// they came.
    fn seats(&mut self, block_id: &str) -> Result<Vec<crate::office::StoredSeat>, Self::Error>;
    /// The mentor's formats and default places; none for another resource.
    fn mentor_places(&mut self, resource_id: &str) -> Result<Option<MentorPlaces>, Self::Error>;
    /// The booking, locked for this transaction where the backend locks rows.
    fn booking(&mut self, id: &str) -> Result<Option<StoredBooking>, Self::Error>;
    fn exists(&mut self, entity: Entity, id: &str) -> Result<bool, Self::Error>;
    fn lab_managers(&mut self, makerspace_id: &str) -> Result<Vec<Id>, Self::Error>;
    /// The first entry (id, person) of the resource's waitlist, not yet told, whose window
    /// overlaps `freed`; first come, first told.
    fn first_waiting(&mut self, resource_id: &str, freed: Span) -> Result<Option<(Id, Id)>, Self::Error>;
    /// Live makerspace by its code, or by its id.
    fn makerspace(&mut self, code_or_id: MakerspaceKey<'_>) -> Result<Option<Makerspace>, Self::Error>;
    /// (makerspace id, its timezone) of a live lab.
    fn lab_home(&mut self, lab_id: &str) -> Result<Option<(Id, String)>, Self::Error>;
    /// The resource a date override (or a live blackout) belongs to.
    fn owner_of(&mut self, row: OwnedRow<'_>) -> Result<Option<Id>, Self::Error>;
    /// The name of a live person.
    fn person_name(&mut self, person_id: &str) -> Result<Option<String>, Self::Error>;
    /// The resource's bookings that hold capacity and end after `after`, by start.
    fn active_bookings(&mut self, resource_id: &str, after: i64) -> Result<Vec<StoredBooking>, Self::Error>;
    fn usage_session(&mut self, key: SessionKey<'_>) -> Result<Option<StoredSession>, Self::Error>;
    /// An instrument's rates; `None` for a resource that is not equipment.
    fn rates(&mut self, resource_id: &str) -> Result<Option<Rates>, Self::Error>;
    /// An instrument's check-in and release rules; `None` for a resource that is not equipment.
    fn usage_rules(&mut self, resource_id: &str) -> Result<Option<UsageRules>, Self::Error>;
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
    /// Bookings of mentors holding their time that start within `window`, with the mentor's
    /// zone and the booker's (their makerspace's), by start.
    fn mentor_sessions(&mut self, window: Span) -> Result<Vec<(StoredBooking, String, String)>, Self::Error>;
    /// Requests to mentors still unanswered that were made at or before `before`, oldest first.
    fn unanswered_requests(&mut self, before: i64) -> Result<Vec<StoredBooking>, Self::Error>;
    /// Every booking of the series the booking belongs to, by the time each was first
    /// booked for; empty when it belongs to none.
    fn series_of(&mut self, booking_id: &str) -> Result<Vec<SeriesMember>, Self::Error>;
    /// The event, locked for this transaction where the backend locks rows (so registrations
    /// for its last places run one at a time).
    fn event(&mut self, id: &str, lock: bool) -> Result<Option<StoredEvent>, Self::Error>;
    /// Every registration of the event.
    fn registrations(&mut self, event_id: &str) -> Result<Vec<Registration>, Self::Error>;
    /// A live startup with its members and residencies.
    fn startup(&mut self, id: &str) -> Result<Option<StoredStartup>, Self::Error>;
    /// The live startup the person is a member of.
    fn startup_of(&mut self, person_id: &str) -> Result<Option<Id>, Self::Error>;
    /// The live startup with this credit code (stored form), by (id, name).
    fn startup_by_credit_code(&mut self, code: &str) -> Result<Option<(Id, String)>, Self::Error>;
    fn write(&mut self, effect: Effect<'_>) -> Result<(), Self::Error>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MakerspaceKey<'a> {
    Code(&'a str),
    Id(&'a str),
}

/// A row that hangs off a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnedRow<'a> {
    DateOverride(&'a str),
    /// Not deleted.
    Blackout(&'a str),
}

/// Why `apply` did not apply a command: it decided not to (the sender is told, the command
/// is consumed), or the backend failed (the caller rolls back and may retry).
#[derive(Debug)]
pub enum ApplyError<E> {
    Decided(CoreError),
    Storage(E),
}

impl<E> From<CoreError> for ApplyError<E> {
    fn from(e: CoreError) -> Self {
        ApplyError::Decided(e)
    }
}

impl<E> From<Refusal> for ApplyError<E> {
    fn from(r: Refusal) -> Self {
        ApplyError::Decided(r.into())
    }
}

impl<E: Into<CoreError>> ApplyError<E> {
    /// One error type for callers that treat both alike (the desktop, the SQLite server).
    pub fn into_core(self) -> CoreError {
        match self {
            ApplyError::Decided(e) => e,
            ApplyError::Storage(e) => e.into(),
        }
    }
}

/// `?` on a ledger call inside `apply`: its error is the backend's.
pub(crate) trait Stored<T, E> {
    fn stored(self) -> Result<T, ApplyError<E>>;
}

impl<T, E> Stored<T, E> for Result<T, E> {
    fn stored(self) -> Result<T, ApplyError<E>> {
        self.map_err(ApplyError::Storage)
    }
}
