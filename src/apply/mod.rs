//! `apply(ledger, person, command, now)`: every command decided once, for every backend. It
//! reads the facts it needs through the [`Ledger`] and writes what it decided through it,
//! inside the caller's transaction; the desktop, the SQLite server and PostgreSQL differ only
//! in how they read and write rows.
//!
//! Families move here one at a time (see ARCHITECTURE.md); a command of a family that has
//! not moved yet is answered `None`, and the caller applies it the old way.

mod booking;
mod session;

pub use booking::{decide_new_booking, kept_reason, write_status};

use crate::command::Command;
use crate::decide::{self, Actor};
use crate::domain::{BookingStatus, Id, ResourceKind};
use crate::error::CoreError;
use crate::ledger::{ApplyError, Ledger, Stored, StoredBooking};
use crate::rules::{self, ResourceRules};

/// What `apply` answers: done, or why not.
pub type Outcome<T, E> = Result<T, ApplyError<E>>;

/// Applies `command` as `person` at `now` (Unix seconds). `None` for a command whose family
/// is still applied by each backend itself.
pub fn apply<L: Ledger>(l: &mut L, person: &str, command: &Command, now: i64) -> Option<Outcome<(), L::Error>> {
    use BookingStatus as S;
    Some(match command {
        Command::Book { booking_id, resource_id, start, end, topic } => {
            let new = booking::Book { id: booking_id, resource_id, start: *start, end: *end, topic };
            booking::book(l, person, new, now)
        }
        Command::UploadBooking { booking } => booking::upload(l, person, booking, now),
        Command::Cancel { booking_id, reason } => {
            booking::change_status(l, person, booking_id, S::Cancelled, reason.as_deref(), now)
        }
        Command::Approve { booking_id } => booking::change_status(l, person, booking_id, S::Confirmed, None, now),
        Command::Decline { booking_id, reason } => booking::change_status(l, person, booking_id, S::Declined, Some(reason), now),
        Command::Complete { booking_id } => booking::change_status(l, person, booking_id, S::Completed, None, now),
        Command::NoShow { booking_id } => booking::change_status(l, person, booking_id, S::NoShow, None, now),
        Command::Reschedule { booking_id, start, end } => booking::reschedule(l, person, booking_id, (*start, *end), now),
        Command::JoinWaitlist { waitlist_id, resource_id, start, end } => {
            session::join_waitlist(l, person, (waitlist_id, resource_id), (*start, *end), now)
        }
        Command::SetSessionNote { booking_id, body } => session::set_session_note(l, person, booking_id, body, now),
        Command::GiveFeedback { booking_id, rating, comment } => {
            session::give_feedback(l, person, booking_id, (*rating, comment), now)
        }
        _ => return None,
    })
}

fn actor<L: Ledger>(l: &mut L, id: &str) -> Outcome<Actor, L::Error> {
    l.actor(id).stored()?.ok_or_else(|| CoreError::not_found("person", id).into())
}

fn resource<L: Ledger>(l: &mut L, id: &str, lock: bool) -> Outcome<ResourceRules, L::Error> {
    l.rules(id, lock).stored()?.ok_or_else(|| CoreError::not_found("resource", id).into())
}

fn booking<L: Ledger>(l: &mut L, id: &str) -> Outcome<StoredBooking, L::Error> {
    l.booking(id).stored()?.ok_or_else(|| CoreError::not_found("booking", id).into())
}

/// Whether the actor owns the resource's calendar: the mentor, or the lab managers (and
/// space admins) of the equipment's makerspace.
fn is_owner<L: Ledger>(l: &mut L, actor: &Actor, rules: &ResourceRules) -> Outcome<bool, L::Error> {
    let mentor = match rules.kind {
        ResourceKind::Mentor => l.mentor(&rules.id).stored()?.map(|m| m.person_id),
        ResourceKind::Equipment => None,
    };
    Ok(decide::require_owner(actor, rules.kind, &rules.makerspace_id, mentor.as_deref()).is_ok())
}

/// Whether the actor may see (and so book or wait for) the resource.
fn visible<L: Ledger>(l: &mut L, actor: &Actor, rules: &ResourceRules) -> Outcome<bool, L::Error> {
    let visibility = match rules.kind {
        ResourceKind::Mentor => l.mentor(&rules.id).stored()?.map(|m| m.visibility),
        ResourceKind::Equipment => None,
    };
    Ok(rules::visible_to(actor, rules, visibility.as_deref()))
}

/// Who decides on a resource's requests: the mentor, or the lab managers of its makerspace.
fn owners<L: Ledger>(l: &mut L, rules: &ResourceRules) -> Outcome<Vec<Id>, L::Error> {
    match rules.kind {
        ResourceKind::Mentor => Ok(l.mentor(&rules.id).stored()?.map(|m| m.person_id).into_iter().collect()),
        ResourceKind::Equipment => l.lab_managers(&rules.makerspace_id).stored(),
    }
}
