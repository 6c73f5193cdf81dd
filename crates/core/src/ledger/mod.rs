//! The port through which `apply` reads the facts a command needs and writes what it decided,
//! inside one open transaction of one backend (the desktop's and the server's SQLite file,
//! PostgreSQL, or memory in tests). A backend knows nothing of the rules; `apply` knows
//! nothing of SQL.
//!
//! The port is cut by feature family, as matrix-rust-sdk cuts its stores by concern: each
//! family has its own effects and its own trait of reads plus one `write_<family>` whose match
//! is exhaustive, so a new effect costs one arm per backend in that family's file, and the
//! compiler finds the backend that forgot it. [`Ledger`] is every family at once, and
//! [`Ledger::write`] sends an effect to its family.

use chrono::NaiveDate;
use serde_json::Value;

use crate::calls::application::{ApplicationBrief, ApplicationDraft, StoredApplication, StoredCall};
use crate::calls::lifecycle::Event as ApplicationEvent;
use crate::calls::{NewCall, NewProgramme};
use crate::command::{MentorProfile, NewEquipment, NewMentor, NewPerson};
use crate::decide::Actor;
use crate::domain::{Blackout, BookingStatus, DateOverride, Id, Makerspace, Policy, Role, Visibility, WeeklyHours};
use crate::error::{CoreError, Refusal};
use crate::events::{NewEvent, Registration, StoredEvent};
use crate::interval::Span;
use crate::register::InstrumentRegister;
use crate::rules::ResourceRules;
use crate::startup::{NewStartup, Residency, ResidencyStatus, StoredStartup};
use crate::usage::{Fen, Purpose, Rates, UsageRules, UserClass};

mod booking;
mod calendar;
mod call;
mod directory;
mod event;
mod lab;
mod mentor;
mod money;
mod office;
mod record;
mod startup;
mod usage;

pub use booking::*;
pub use calendar::*;
pub use call::*;
pub use directory::*;
pub use event::*;
pub use lab::*;
pub use mentor::*;
pub use money::*;
pub use office::*;
pub use record::*;
pub use startup::*;
pub use usage::*;

/// A write `apply` decided, by family. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect<'a> {
    Record(RecordEffect<'a>),
    Booking(BookingEffect<'a>),
    Calendar(CalendarEffect<'a>),
    Mentor(MentorEffect<'a>),
    Lab(LabEffect<'a>),
    Usage(UsageEffect<'a>),
    Office(OfficeEffect<'a>),
    Event(EventEffect<'a>),
    Startup(StartupEffect<'a>),
    Money(MoneyEffect<'a>),
    Directory(DirectoryEffect<'a>),
    Call(CallEffect<'a>),
}

impl<'a> From<CallEffect<'a>> for Effect<'a> {
    fn from(e: CallEffect<'a>) -> Self {
        Effect::Call(e)
    }
}

impl<'a> From<RecordEffect<'a>> for Effect<'a> {
    fn from(e: RecordEffect<'a>) -> Self {
        Effect::Record(e)
    }
}

impl<'a> From<BookingEffect<'a>> for Effect<'a> {
    fn from(e: BookingEffect<'a>) -> Self {
        Effect::Booking(e)
    }
}

impl<'a> From<CalendarEffect<'a>> for Effect<'a> {
    fn from(e: CalendarEffect<'a>) -> Self {
        Effect::Calendar(e)
    }
}

impl<'a> From<MentorEffect<'a>> for Effect<'a> {
    fn from(e: MentorEffect<'a>) -> Self {
        Effect::Mentor(e)
    }
}

impl<'a> From<LabEffect<'a>> for Effect<'a> {
    fn from(e: LabEffect<'a>) -> Self {
        Effect::Lab(e)
    }
}

impl<'a> From<UsageEffect<'a>> for Effect<'a> {
    fn from(e: UsageEffect<'a>) -> Self {
        Effect::Usage(e)
    }
}

impl<'a> From<OfficeEffect<'a>> for Effect<'a> {
    fn from(e: OfficeEffect<'a>) -> Self {
        Effect::Office(e)
    }
}

impl<'a> From<EventEffect<'a>> for Effect<'a> {
    fn from(e: EventEffect<'a>) -> Self {
        Effect::Event(e)
    }
}

impl<'a> From<StartupEffect<'a>> for Effect<'a> {
    fn from(e: StartupEffect<'a>) -> Self {
        Effect::Startup(e)
    }
}

impl<'a> From<MoneyEffect<'a>> for Effect<'a> {
    fn from(e: MoneyEffect<'a>) -> Self {
        Effect::Money(e)
    }
}

impl<'a> From<DirectoryEffect<'a>> for Effect<'a> {
    fn from(e: DirectoryEffect<'a>) -> Self {
        Effect::Directory(e)
    }
}

/// One open transaction of a backend, every family at once. Reads see the transaction's own
/// writes.
pub trait Ledger:
    RecordLedger
    + BookingLedger
    + CalendarLedger
    + MentorLedger
    + LabLedger
    + UsageLedger
    + OfficeLedger
    + EventLedger
    + StartupLedger
    + MoneyLedger
    + DirectoryLedger
    + CallLedger
{
    /// Writes an effect of any family through that family's `write_*`.
    fn write<'e>(&mut self, effect: impl Into<Effect<'e>>) -> Result<(), Self::Error> {
        match effect.into() {
            Effect::Record(e) => self.write_record(e),
            Effect::Booking(e) => self.write_booking(e),
            Effect::Calendar(e) => self.write_calendar(e),
            Effect::Mentor(e) => self.write_mentor(e),
            Effect::Lab(e) => self.write_lab(e),
            Effect::Usage(e) => self.write_usage(e),
            Effect::Office(e) => self.write_office(e),
            Effect::Event(e) => self.write_event(e),
            Effect::Startup(e) => self.write_startup(e),
            Effect::Money(e) => self.write_money(e),
            Effect::Directory(e) => self.write_directory(e),
            Effect::Call(e) => self.write_call(e),
        }
    }
}

impl<
    T: RecordLedger
        + BookingLedger
        + CalendarLedger
        + MentorLedger
        + LabLedger
        + UsageLedger
        + OfficeLedger
        + EventLedger
        + StartupLedger
        + MoneyLedger
        + DirectoryLedger
        + CallLedger,
> Ledger for T
{
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
    /// A programme, by its code.
    Programme,
    Call,
    Application,
    ApplicationEvent,
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
