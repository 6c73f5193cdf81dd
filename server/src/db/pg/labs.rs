//! Lab managers' and space admins' changes on PostgreSQL: equipment, blackouts,
//! qualifications and roles, decided by the same core checks as the desktop's store.

use chrono::{DateTime, Utc};
use incubook::CoreError;
use incubook::decide::{self, validate_blackout, validate_equipment};
use incubook::domain::{Blackout, BlackoutWhen, ResourceKind, Role};
use incubook::store::{NewEquipment, encode_weekly};

use super::bookings::{Res, audit, cancel_hit_by, load_actor, lock_rules, require_owner, write_policy};
use super::sql::Tx;

/// (makerspace id, timezone) of a live lab.
fn lab_home(tx: &mut Tx<'_, '_>, lab_id: &str) -> Res<(String, String)> {
    let row = tx.query_opt(
        "SELECT l.makerspace_id, m.timezone FROM lab l JOIN makerspace m ON m.id = l.makerspace_id WHERE l.id = $1 AND l.deleted = 0",
        &[&lab_id],
    )?;
    row.map(|r| (r.get(0), r.get(1))).ok_or_else(|| CoreError::not_found("lab", lab_id).into())
}

fn write_equipment(tx: &mut Tx<'_, '_>, id: &str, new: &NewEquipment) -> Res<()> {
    tx.execute(
        "UPDATE resource SET name = $2, weekly_hours = $3 WHERE id = $1",
        &[&id, &new.name.trim(), &encode_weekly(&new.weekly_hours)],
    )?;
    write_policy(tx, id, &new.policy)?;
    tx.execute(
        "INSERT INTO equipment(resource_id, lab_id, category, model, hourly_fee_cents, subsidy_pct) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (resource_id) DO UPDATE SET lab_id = excluded.lab_id, category = excluded.category, model = excluded.model,
           hourly_fee_cents = excluded.hourly_fee_cents, subsidy_pct = excluded.subsidy_pct",
        &[&id, &new.lab_id, &new.category.trim(), &new.model.trim(), &new.hourly_fee_cents, &i64::from(new.subsidy_pct)],
    )?;
    Ok(())
}

pub(super) fn create_equipment(tx: &mut Tx<'_, '_>, person: &str, id: &str, new: &NewEquipment, now: i64) -> Res<()> {
    validate_equipment(new)?;
    decide::check_text("equipment_id", id, 64, true)?;
    let actor = load_actor(tx, person)?;
    let (makerspace_id, tz) = lab_home(tx, &new.lab_id)?;
    actor.require_lab_authority(&makerspace_id, "adding equipment")?;
    if tx.query_opt("SELECT 1 FROM resource WHERE id = $1", &[&id])?.is_some() {
        return Err(CoreError::Conflict(format!("equipment {id}")).into());
    }
    // The rules' columns are written by `write_policy`; these placeholders pass the checks.
    tx.execute(
        "INSERT INTO resource(id, kind, makerspace_id, name, timezone, capacity, granularity_min, min_duration_min, max_duration_min,
         min_notice_min, horizon_days, cancel_cutoff_min) VALUES ($1, 'equipment', $2, $3, $4, 1, 30, 30, 30, 0, 1, 0)",
        &[&id, &makerspace_id, &new.name.trim(), &tz],
    )?;
    write_equipment(tx, id, new)?;
    audit(tx, now, person, "create", "equipment", id, serde_json::json!({"name": new.name, "lab_id": new.lab_id}))
}

pub(super) fn update_equipment(tx: &mut Tx<'_, '_>, person: &str, id: &str, new: &NewEquipment, now: i64) -> Res<()> {
    validate_equipment(new)?;
    let actor = load_actor(tx, person)?;
    let rules = lock_rules(tx, id)?;
    if rules.kind != ResourceKind::Equipment {
        return Err(CoreError::not_found("equipment", id).into());
    }
    require_owner(tx, &actor, &rules)?;
    let (lab_space, _) = lab_home(tx, &new.lab_id)?;
    if lab_space != rules.makerspace_id {
        return Err(CoreError::Forbidden("equipment stays in a lab of its own makerspace".into()).into());
    }
    write_equipment(tx, id, new)?;
    audit(tx, now, person, "update", "equipment", id, serde_json::json!({"name": new.name, "policy": new.policy}))
}

pub(super) fn add_blackout(tx: &mut Tx<'_, '_>, person: &str, blackout: &Blackout, cancel_hits: bool, now: i64) -> Res<()> {
    validate_blackout(&blackout.when, &blackout.reason, now)?;
    decide::check_text("blackout_id", &blackout.id, 64, true)?;
    let blackout = Blackout { reason: blackout.reason.trim().to_string(), ..blackout.clone() };
    let actor = load_actor(tx, person)?;
    let rules = lock_rules(tx, &blackout.resource_id)?;
    require_owner(tx, &actor, &rules)?;
    if tx.query_opt("SELECT 1 FROM blackout WHERE id = $1", &[&blackout.id])?.is_some() {
        return Err(CoreError::Conflict(format!("blackout {}", blackout.id)).into());
    }
    let (once, weekly) = match &blackout.when {
        BlackoutWhen::Once { start, end } => (Some((*start, *end)), None),
        BlackoutWhen::Weekly { weekday, start_min, end_min, from, until } => (
            None,
            Some((
                *weekday,
                *start_min,
                *end_min,
                from.format("%Y-%m-%d").to_string(),
                until.map(|u| u.format("%Y-%m-%d").to_string()),
            )),
        ),
    };
    tx.execute(
        "INSERT INTO blackout(id, resource_id, kind, start_at, end_at, weekday, start_min, end_min, valid_from, valid_until, reason, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        &[
            &blackout.id,
            &blackout.resource_id,
            &if once.is_some() { "once" } else { "weekly" },
            &once.map(|o| o.0),
            &once.map(|o| o.1),
            &weekly.as_ref().map(|w| i64::from(w.0)),
            &weekly.as_ref().map(|w| i64::from(w.1)),
            &weekly.as_ref().map(|w| i64::from(w.2)),
            &weekly.as_ref().map(|w| w.3.clone()),
            &weekly.as_ref().and_then(|w| w.4.clone()),
            &blackout.reason,
            &person,
            &now,
        ],
    )?;
    let detail = serde_json::json!({"blackout": blackout});
    audit(tx, now, person, "add_blackout", rules.kind.as_str(), &blackout.resource_id, detail)?;
    if cancel_hits {
        cancel_hit_by(tx, person, &rules, &blackout, now)?;
    }
    Ok(())
}

pub(super) fn remove_blackout(tx: &mut Tx<'_, '_>, person: &str, id: &str, now: i64) -> Res<()> {
    let actor = load_actor(tx, person)?;
    let resource_id: String = tx
        .query_opt("SELECT resource_id FROM blackout WHERE id = $1 AND deleted = 0", &[&id])?
        .map(|r| r.get(0))
        .ok_or_else(|| CoreError::not_found("blackout", id))?;
    let rules = lock_rules(tx, &resource_id)?;
    require_owner(tx, &actor, &rules)?;
    tx.execute("UPDATE blackout SET deleted = 1 WHERE id = $1", &[&id])?;
    audit(tx, now, person, "remove_blackout", rules.kind.as_str(), &resource_id, serde_json::json!({"blackout_id": id}))
}

pub(super) fn grant_qualification(
    tx: &mut Tx<'_, '_>,
    person: &str,
    (holder, resource_id): (&str, &str),
    expires_at: Option<DateTime<Utc>>,
    now: i64,
) -> Res<()> {
    decide::validate_expiry(expires_at, now)?;
    let actor = load_actor(tx, person)?;
    let rules = lock_rules(tx, resource_id)?;
    if rules.kind != ResourceKind::Equipment {
        return Err(CoreError::invalid("resource_id", "qualifications are for equipment").into());
    }
    actor.require_lab_authority(&rules.makerspace_id, "granting a qualification")?;
    load_actor(tx, holder)?;
    let expires = expires_at.map(|e| e.timestamp());
    tx.execute(
        "INSERT INTO qualification(person_id, resource_id, granted_by, granted_at, expires_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (person_id, resource_id) DO UPDATE SET granted_by = excluded.granted_by, granted_at = excluded.granted_at,
           expires_at = excluded.expires_at",
        &[&holder, &resource_id, &person, &now, &expires],
    )?;
    let detail = serde_json::json!({"person_id": holder, "expires_at": expires_at});
    audit(tx, now, person, "grant_qualification", "equipment", resource_id, detail)
}

pub(super) fn revoke_qualification(tx: &mut Tx<'_, '_>, person: &str, (holder, resource_id): (&str, &str), now: i64) -> Res<()> {
    let actor = load_actor(tx, person)?;
    let rules = lock_rules(tx, resource_id)?;
    actor.require_lab_authority(&rules.makerspace_id, "revoking a qualification")?;
    let n = tx.execute("DELETE FROM qualification WHERE person_id = $1 AND resource_id = $2", &[&holder, &resource_id])?;
    if n == 0 {
        return Err(CoreError::not_found("qualification", format!("{holder}/{resource_id}")).into());
    }
    audit(tx, now, person, "revoke_qualification", "equipment", resource_id, serde_json::json!({"person_id": holder}))
}

pub(super) fn set_role(
    tx: &mut Tx<'_, '_>,
    person: &str,
    (holder, makerspace_id): (&str, &str),
    role: Role,
    granted: bool,
    now: i64,
) -> Res<()> {
    let actor = load_actor(tx, person)?;
    let code: String = tx
        .query_opt("SELECT code FROM makerspace WHERE id = $1 AND deleted = 0", &[&makerspace_id])?
        .map(|r| r.get(0))
        .ok_or_else(|| CoreError::not_found("makerspace", makerspace_id))?;
    actor.require(Role::SpaceAdmin, makerspace_id, "changing roles")?;
    load_actor(tx, holder)?;
    let changed = if granted {
        tx.execute(
            "INSERT INTO person_role(person_id, makerspace_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&holder, &makerspace_id, &role.as_str()],
        )?
    } else {
        tx.execute(
            "DELETE FROM person_role WHERE person_id = $1 AND makerspace_id = $2 AND role = $3",
            &[&holder, &makerspace_id, &role.as_str()],
        )?
    };
    if changed == 0 {
        return Ok(());
    }
    let action = if granted { "grant_role" } else { "revoke_role" };
    audit(tx, now, person, action, "person", holder, serde_json::json!({"makerspace": code, "role": role.as_str()}))
}
