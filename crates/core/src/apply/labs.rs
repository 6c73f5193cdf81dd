//! The labs' side: equipment, maintenance blackouts (which may cancel the bookings they fall
//! on) and the qualifications a person needs to book an instrument.

use chrono::{DateTime, Utc};

use super::booking::write_status;
use super::{Outcome, actor, audit, require_owner, resource};
use crate::command::{NewEquipment, validate_equipment};
use crate::decide::{blackout_cancel_reason, hit_by_blackout};
use crate::domain::{Blackout, BookingStatus, ResourceKind};
use crate::error::CoreError;
use crate::ledger::{CalendarEffect, Entity, LabEffect, Ledger, OwnedRow, Stored};
use crate::validate::{check_text, validate_blackout, validate_expiry};

/// The equipment's text fields as they are kept.
fn trimmed(new: &NewEquipment) -> NewEquipment {
    NewEquipment {
        name: new.name.trim().to_string(),
        category: new.category.trim().to_string(),
        model: new.model.trim().to_string(),
        ..new.clone()
    }
}

pub(super) fn create_equipment<L: Ledger>(
    l: &mut L,
    person: &str,
    id: &str,
    new: &NewEquipment,
    now: i64,
) -> Outcome<(), L::Error> {
    validate_equipment(new)?;
    check_text("equipment_id", id, 64, true)?;
    let actor = actor(l, person)?;
    let (makerspace_id, timezone) = l.lab_home(&new.lab_id).stored()?.ok_or_else(|| CoreError::not_found("lab", &new.lab_id))?;
    actor.require_lab_authority(&makerspace_id, "adding equipment")?;
    if l.exists(Entity::Resource, id).stored()? {
        return Err(CoreError::Conflict(format!("equipment {id}")).into());
    }
    let equipment = trimmed(new);
    l.write(LabEffect::InsertEquipment { id, makerspace_id: &makerspace_id, timezone: &timezone, equipment: &equipment })
        .stored()?;
    audit(l, person, ("create", "equipment", id), serde_json::json!({"name": new.name, "lab_id": new.lab_id}), now)
}

pub(super) fn update_equipment<L: Ledger>(
    l: &mut L,
    person: &str,
    id: &str,
    new: &NewEquipment,
    now: i64,
) -> Outcome<(), L::Error> {
    validate_equipment(new)?;
    let actor = actor(l, person)?;
    let rules = resource(l, id, true)?;
    if rules.kind != ResourceKind::Equipment {
        return Err(CoreError::not_found("equipment", id).into());
    }
    require_owner(l, &actor, &rules)?;
    let (lab_space, _) = l.lab_home(&new.lab_id).stored()?.ok_or_else(|| CoreError::not_found("lab", &new.lab_id))?;
    if lab_space != rules.makerspace_id {
        return Err(CoreError::Forbidden("equipment stays in a lab of its own makerspace".into()).into());
    }
    let equipment = trimmed(new);
    l.write(LabEffect::UpdateEquipment { id, equipment: &equipment }).stored()?;
    audit(l, person, ("update", "equipment", id), serde_json::json!({"name": new.name, "policy": new.policy}), now)
}

/// A blackout under the id it carries; with `cancel_hits`, the active bookings it falls on
/// are cancelled (their bookers told, the waitlist offered the time).
pub(super) fn add_blackout<L: Ledger>(
    l: &mut L,
    person: &str,
    blackout: &Blackout,
    cancel_hits: bool,
    now: i64,
) -> Outcome<(), L::Error> {
    validate_blackout(&blackout.when, &blackout.reason, now)?;
    check_text("blackout_id", &blackout.id, 64, true)?;
    let blackout = Blackout { reason: blackout.reason.trim().to_string(), ..blackout.clone() };
    let actor = actor(l, person)?;
    let rules = resource(l, &blackout.resource_id, true)?;
    require_owner(l, &actor, &rules)?;
    if l.exists(Entity::Blackout, &blackout.id).stored()? {
        return Err(CoreError::Conflict(format!("blackout {}", blackout.id)).into());
    }
    l.write(CalendarEffect::InsertBlackout { blackout: &blackout, created_by: person, at: now }).stored()?;
    let detail = serde_json::json!({"blackout": blackout});
    audit(l, person, ("add_blackout", rules.kind.as_str(), &blackout.resource_id), detail, now)?;
    if cancel_hits {
        let active = l.active_bookings(&rules.id, now).stored()?;
        let why = blackout_cancel_reason(&blackout);
        for b in hit_by_blackout(rules.tz, &blackout, active, |b| b.span) {
            write_status(l, person, &b, BookingStatus::Cancelled, Some(&why), now)?;
        }
    }
    Ok(())
}

pub(super) fn remove_blackout<L: Ledger>(l: &mut L, person: &str, id: &str, now: i64) -> Outcome<(), L::Error> {
    let actor = actor(l, person)?;
    let resource_id = l.owner_of(OwnedRow::Blackout(id)).stored()?.ok_or_else(|| CoreError::not_found("blackout", id))?;
    let rules = resource(l, &resource_id, true)?;
    require_owner(l, &actor, &rules)?;
    l.write(CalendarEffect::DeleteBlackout { id }).stored()?;
    audit(l, person, ("remove_blackout", rules.kind.as_str(), &resource_id), serde_json::json!({"blackout_id": id}), now)
}

pub(super) fn grant_qualification<L: Ledger>(
    l: &mut L,
    person: &str,
    (holder, resource_id): (&str, &str),
    expires_at: Option<DateTime<Utc>>,
    now: i64,
) -> Outcome<(), L::Error> {
    validate_expiry(expires_at, now)?;
    let actor = actor(l, person)?;
    let rules = resource(l, resource_id, true)?;
    if rules.kind != ResourceKind::Equipment {
        return Err(CoreError::invalid("resource_id", "qualifications are for equipment").into());
    }
    actor.require_lab_authority(&rules.makerspace_id, "granting a qualification")?;
    super::actor(l, holder)?;
    let expires = expires_at.map(|e| e.timestamp());
    l.write(LabEffect::SetQualification { person_id: holder, resource_id, granted_by: person, expires_at: expires, at: now })
        .stored()?;
    let detail = serde_json::json!({"person_id": holder, "expires_at": expires_at});
    audit(l, person, ("grant_qualification", "equipment", resource_id), detail, now)
}

pub(super) fn revoke_qualification<L: Ledger>(
    l: &mut L,
    person: &str,
    (holder, resource_id): (&str, &str),
    now: i64,
) -> Outcome<(), L::Error> {
    let actor = actor(l, person)?;
    let rules = resource(l, resource_id, true)?;
    actor.require_lab_authority(&rules.makerspace_id, "revoking a qualification")?;
    if l.qualification(holder, resource_id).stored()?.is_none() {
        return Err(CoreError::not_found("qualification", format!("{holder}/{resource_id}")).into());
    }
    l.write(LabEffect::DeleteQualification { person_id: holder, resource_id }).stored()?;
    audit(l, person, ("revoke_qualification", "equipment", resource_id), serde_json::json!({"person_id": holder}), now)
}
