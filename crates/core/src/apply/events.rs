//! Events: who publishes and cancels one, who registers (up to its capacity, before it
//! begins), and who takes attendance (a space admin of its makerspace, from its first day).

use super::{Outcome, actor, audit};
use crate::domain::Role;
use crate::error::{CoreError, Refusal};
use crate::events::{NewEvent, StoredEvent};
use crate::ledger::{Entity, EventEffect, Ledger, MakerspaceKey, RecordEffect, Stored};
use crate::validate::check_text;

fn event<L: Ledger>(l: &mut L, id: &str, lock: bool) -> Outcome<StoredEvent, L::Error> {
    l.event(id, lock).stored()?.ok_or_else(|| CoreError::not_found("event", id).into())
}

/// When a published event may start: ahead (an hour's slack, for one entered as it begins),
/// or as recorded (a makerspace's first upload of the events it held before connecting).
/// An event published after it began would count in the year's figures as if announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dated {
    Ahead,
    AsRecorded,
}

pub(super) fn publish<L: Ledger>(
    l: &mut L,
    person: &str,
    id: &str,
    new: &NewEvent,
    (now, dated): (i64, Dated),
) -> Outcome<(), L::Error> {
    check_text("event_id", id, 64, true)?;
    let clean = new.validate(now)?;
    if dated == Dated::Ahead && clean.start.timestamp() < now - 3_600 {
        return Err(CoreError::invalid("start", "an event is published before it begins").into());
    }
    if l.makerspace(MakerspaceKey::Id(&clean.makerspace_id)).stored()?.is_none() {
        return Err(CoreError::not_found("makerspace", &clean.makerspace_id).into());
    }
    actor(l, person)?.require(Role::SpaceAdmin, &clean.makerspace_id, "publishing an event")?;
    if l.exists(Entity::Event, id).stored()? {
        return Err(CoreError::Conflict(format!("event {id}")).into());
    }
    l.write(EventEffect::InsertEvent { id, event: &clean, created_by: person, at: now }).stored()?;
    let detail = serde_json::json!({"title": clean.title, "kind": <&str>::from(clean.kind), "capacity": clean.capacity});
    audit(l, person, ("publish", "event", id), detail, now)
}

pub(super) fn cancel<L: Ledger>(l: &mut L, person: &str, id: &str, now: i64) -> Outcome<(), L::Error> {
    let e = event(l, id, true)?;
    actor(l, person)?.require(Role::SpaceAdmin, &e.makerspace_id, "cancelling an event")?;
    if e.cancelled {
        return Ok(());
    }
    l.write(EventEffect::CancelEvent { id }).stored()?;
    for r in l.registrations(id).stored()?.into_iter().filter(|r| r.active) {
        let told = RecordEffect::Notify {
            person_id: &r.person_id,
            kind: "event_cancelled",
            booking_id: None,
            resource_id: None,
            detail: serde_json::json!({"event_id": id}),
            at: now,
        };
        l.write(told).stored()?;
    }
    audit(l, person, ("cancel", "event", id), serde_json::json!({}), now)
}

/// Registers the sender, or withdraws them. The event is read locked: two people asking
/// for its last place are decided one after the other, on every backend.
pub(super) fn register<L: Ledger>(l: &mut L, person: &str, id: &str, registered: bool, now: i64) -> Outcome<(), L::Error> {
    let who = actor(l, person)?;
    if who.roles.is_empty() {
        return Err(CoreError::Forbidden("registering needs a role in a makerspace of the district".into()).into());
    }
    let e = event(l, id, true)?;
    if !crate::events::registration_open(e.start, e.cancelled, now) {
        return Err(Refusal::RegistrationClosed.into());
    }
    let all = l.registrations(id).stored()?;
    let mine = all.iter().find(|r| r.person_id == person).is_some_and(|r| r.active);
    if mine == registered {
        return Ok(());
    }
    if registered && all.iter().filter(|r| r.active).count() >= e.capacity as usize {
        return Err(Refusal::EventFull { capacity: e.capacity }.into());
    }
    l.write(EventEffect::SetRegistration { event_id: id, person_id: person, active: registered, at: now }).stored()?;
    let action = if registered { "register" } else { "withdraw" };
    audit(l, person, (action, "event", id), serde_json::json!({}), now)
}

pub(super) fn mark_attendance<L: Ledger>(
    l: &mut L,
    person: &str,
    (id, attendee): (&str, &str),
    attended: bool,
    now: i64,
) -> Outcome<(), L::Error> {
    let e = event(l, id, false)?;
    actor(l, person)?.require(Role::SpaceAdmin, &e.makerspace_id, "taking attendance")?;
    // Attendance is taken on the day: from an hour before it begins.
    if now < e.start - 3600 {
        return Err(CoreError::invalid("event_id", "attendance is taken once the event begins").into());
    }
    if !l.registrations(id).stored()?.iter().any(|r| r.person_id == attendee && r.active) {
        return Err(CoreError::not_found("registration", attendee).into());
    }
    l.write(EventEffect::SetAttendance { event_id: id, person_id: attendee, attended }).stored()?;
    audit(l, person, ("attendance", "event", id), serde_json::json!({"person_id": attendee, "attended": attended}), now)
}
