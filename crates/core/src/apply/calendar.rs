//! A resource's calendar: weekly hours, booking rules and date overrides, changed by whoever
//! owns it (the mentor; the lab managers and space admins of the equipment's makerspace).

use super::{Outcome, actor, audit, require_owner, resource};
use crate::domain::{DateOverride, Policy, ResourceKind, WeeklyHours};
use crate::error::CoreError;
use crate::ledger::{CalendarEffect, Entity, Ledger, OwnedRow, Stored};
use crate::validate::{validate_date_override, validate_hours};

pub(super) fn set_weekly_hours<L: Ledger>(
    l: &mut L,
    person: &str,
    resource_id: &str,
    hours: &[WeeklyHours],
    now: i64,
) -> Outcome<(), L::Error> {
    validate_hours(hours)?;
    let actor = actor(l, person)?;
    let rules = resource(l, resource_id, true)?;
    require_owner(l, &actor, &rules)?;
    l.write(CalendarEffect::SetWeeklyHours { resource_id, hours }).stored()?;
    audit(l, person, ("set_weekly_hours", rules.kind.as_str(), resource_id), serde_json::json!({"hours": hours}), now)
}

pub(super) fn set_policy<L: Ledger>(
    l: &mut L,
    person: &str,
    resource_id: &str,
    policy: &Policy,
    now: i64,
) -> Outcome<(), L::Error> {
    policy.validate()?;
    let actor = actor(l, person)?;
    let rules = resource(l, resource_id, true)?;
    require_owner(l, &actor, &rules)?;
    if rules.kind == ResourceKind::Mentor && policy.capacity != 1 {
        return Err(CoreError::invalid("capacity", "a mentor sees one founder at a time").into());
    }
    l.write(CalendarEffect::SetPolicy { resource_id, policy }).stored()?;
    audit(l, person, ("set_policy", rules.kind.as_str(), resource_id), serde_json::json!({"policy": policy}), now)
}

pub(super) fn add_date_override<L: Ledger>(
    l: &mut L,
    person: &str,
    (id, resource_id): (&str, &str),
    date_override: &DateOverride,
    note: &str,
    now: i64,
) -> Outcome<(), L::Error> {
    validate_date_override(id, date_override, note, now)?;
    let actor = actor(l, person)?;
    let rules = resource(l, resource_id, true)?;
    require_owner(l, &actor, &rules)?;
    if l.exists(Entity::DateOverride, id).stored()? {
        return Err(CoreError::Conflict(format!("date override {id}")).into());
    }
    l.write(CalendarEffect::InsertDateOverride { id, resource_id, date_override, note }).stored()?;
    let detail = serde_json::json!({"override": date_override});
    audit(l, person, ("add_override", rules.kind.as_str(), resource_id), detail, now)
}

pub(super) fn remove_date_override<L: Ledger>(l: &mut L, person: &str, id: &str, now: i64) -> Outcome<(), L::Error> {
    let actor = actor(l, person)?;
    let resource_id =
        l.owner_of(OwnedRow::DateOverride(id)).stored()?.ok_or_else(|| CoreError::not_found("date_override", id))?;
    let rules = resource(l, &resource_id, true)?;
    require_owner(l, &actor, &rules)?;
    l.write(CalendarEffect::DeleteDateOverride { id }).stored()?;
    audit(l, person, ("remove_override", rules.kind.as_str(), &resource_id), serde_json::json!({"override_id": id}), now)
}
