//! A space admin's changes to the directory on PostgreSQL — people, labs, mentors and their
//! profiles — checked by the same core validation as the desktop's store.

use incubook::decide::Actor;
use incubook::domain::{Role, parse_tz};
use incubook::store::{
    MentorProfile, NewLab, NewMentor, NewPerson, check_person, encode_weekly, validate_new_mentor, validate_profile,
};
use incubook::{CoreError, decide};

use super::bookings::{Res, audit, load_actor, lock_rules, require_owner, write_policy};
use super::sql::Tx;

/// (id, timezone) of a live makerspace by its code.
fn makerspace(tx: &mut Tx<'_, '_>, code: &str) -> Res<(String, String)> {
    let row = tx.query_opt("SELECT id, timezone FROM makerspace WHERE code = $1 AND deleted = 0", &[&code])?;
    row.map(|r| (r.get(0), r.get(1))).ok_or_else(|| CoreError::not_found("makerspace", code).into())
}

fn taken(tx: &mut Tx<'_, '_>, sql: &str, id: &str, what: &str) -> Res<()> {
    if tx.query_opt(sql, &[&id])?.is_some() {
        return Err(CoreError::Conflict(format!("{what} {id}")).into());
    }
    Ok(())
}

pub(super) fn create_person(tx: &mut Tx<'_, '_>, actor: &str, id: &str, new: &NewPerson, now: i64) -> Res<()> {
    check_person(new)?;
    decide::check_text("person_id", id, 64, true)?;
    let admin = load_actor(tx, actor)?;
    // Someone with no role is in no makerspace, so only an admin of some makerspace adds them.
    if new.roles.is_empty() && !admin.has_anywhere(Role::SpaceAdmin) {
        return Err(CoreError::Forbidden("adding people needs a space admin".into()).into());
    }
    taken(tx, "SELECT 1 FROM person WHERE id = $1", id, "person")?;
    tx.execute(
        "INSERT INTO person(id, name, phone, email, startup_name, industry, stage, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[&id, &new.name.trim(), &new.phone, &new.email, &new.startup_name, &new.industry, &new.stage, &now],
    )?;
    for grant in &new.roles {
        let (makerspace_id, _) = makerspace(tx, &grant.makerspace_code)?;
        admin.require(Role::SpaceAdmin, &makerspace_id, "adding people")?;
        tx.execute(
            "INSERT INTO person_role(person_id, makerspace_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&id, &makerspace_id, &grant.role.as_str()],
        )?;
    }
    audit(tx, now, actor, "create", "person", id, serde_json::json!({"name": new.name}))
}

pub(super) fn create_lab(tx: &mut Tx<'_, '_>, actor: &str, id: &str, new: &NewLab, now: i64) -> Res<()> {
    decide::check_text("name", &new.name, 100, true)?;
    decide::check_text("description", &new.description, 2000, false)?;
    decide::check_text("lab_id", id, 64, true)?;
    let admin = load_actor(tx, actor)?;
    let (makerspace_id, _) = makerspace(tx, &new.makerspace_code)?;
    admin.require_lab_authority(&makerspace_id, "opening a lab")?;
    for m in &new.manager_ids {
        if !load_actor(tx, m)?.has(Role::LabManager, &makerspace_id) {
            return Err(CoreError::invalid("manager_ids", format!("{m} is not a lab manager of {}", new.makerspace_code)).into());
        }
    }
    taken(tx, "SELECT 1 FROM lab WHERE id = $1", id, "lab")?;
    tx.execute(
        "INSERT INTO lab(id, makerspace_id, name, description) VALUES ($1, $2, $3, $4)",
        &[&id, &makerspace_id, &new.name.trim(), &new.description.trim()],
    )?;
    for m in &new.manager_ids {
        tx.execute("INSERT INTO lab_manager(lab_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", &[&id, m])?;
    }
    audit(tx, now, actor, "create", "lab", id, serde_json::json!({"name": new.name.trim()}))
}

fn write_facets(tx: &mut Tx<'_, '_>, id: &str, tags: &[String], industries: &[String], languages: &[String]) -> Res<()> {
    tx.execute("DELETE FROM mentor_facet WHERE mentor_id = $1", &[&id])?;
    for (facet, values) in [("tag", tags), ("industry", industries), ("language", languages)] {
        for v in values {
            tx.execute(
                "INSERT INTO mentor_facet(mentor_id, facet, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&id, &facet, v],
            )?;
        }
    }
    Ok(())
}

pub(super) fn create_mentor(tx: &mut Tx<'_, '_>, actor: &str, id: &str, new: &NewMentor, now: i64) -> Res<()> {
    decide::check_text("mentor_id", id, 64, true)?;
    let clean = validate_new_mentor(new)?;
    let admin = load_actor(tx, actor)?;
    let (makerspace_id, home_tz) = makerspace(tx, &new.makerspace_code)?;
    admin.require(Role::SpaceAdmin, &makerspace_id, "adding a mentor")?;
    let name: String = tx
        .query_opt("SELECT name FROM person WHERE id = $1 AND deleted = 0", &[&new.person_id])?
        .map(|r| r.get(0))
        .ok_or_else(|| CoreError::not_found("person", &new.person_id))?;
    let tz = new.timezone.clone().unwrap_or(home_tz);
    parse_tz("timezone", &tz)?;
    if tx.query_opt("SELECT 1 FROM mentor WHERE person_id = $1", &[&new.person_id])?.is_some() {
        return Err(CoreError::Conflict(format!("{name} is a mentor already")).into());
    }
    taken(tx, "SELECT 1 FROM resource WHERE id = $1", id, "mentor")?;
    // The rules' columns are written by `write_policy`; these placeholders pass the checks.
    tx.execute(
        "INSERT INTO resource(id, kind, makerspace_id, name, timezone, capacity, granularity_min, min_duration_min, max_duration_min,
         min_notice_min, horizon_days, cancel_cutoff_min, weekly_hours) VALUES ($1, 'mentor', $2, $3, $4, 1, 30, 30, 30, 0, 1, 0, $5)",
        &[&id, &makerspace_id, &name, &tz, &encode_weekly(&clean.weekly_hours)],
    )?;
    write_policy(tx, id, &clean.policy)?;
    tx.execute(
        "INSERT INTO mentor(resource_id, person_id, title, bio, formats, visibility) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&id, &new.person_id, &clean.title.trim(), &clean.bio.trim(), &clean.formats.join(","), &clean.visibility.as_str()],
    )?;
    write_facets(tx, id, &clean.tags, &clean.industries, &clean.languages)?;
    tx.execute(
        "INSERT INTO person_role(person_id, makerspace_id, role) VALUES ($1, $2, 'mentor') ON CONFLICT DO NOTHING",
        &[&new.person_id, &makerspace_id],
    )?;
    audit(tx, now, actor, "create", "mentor", id, serde_json::json!({"person_id": new.person_id}))
}

pub(super) fn update_mentor_profile(tx: &mut Tx<'_, '_>, actor: &str, id: &str, profile: &MentorProfile, now: i64) -> Res<()> {
    let clean = validate_profile(profile)?;
    let editor: Actor = load_actor(tx, actor)?;
    let rules = lock_rules(tx, id)?;
    if rules.kind != incubook::domain::ResourceKind::Mentor {
        return Err(CoreError::not_found("mentor", id).into());
    }
    if require_owner(tx, &editor, &rules).is_err() && !editor.has(Role::SpaceAdmin, &rules.makerspace_id) {
        return Err(CoreError::Forbidden("only the mentor or their space admin edits the profile".into()).into());
    }
    tx.execute(
        "UPDATE mentor SET title = $2, bio = $3, formats = $4, visibility = $5 WHERE resource_id = $1",
        &[&id, &clean.title.trim(), &clean.bio.trim(), &clean.formats.join(","), &clean.visibility.as_str()],
    )?;
    write_facets(tx, id, &clean.tags, &clean.industries, &clean.languages)?;
    audit(tx, now, actor, "update_profile", "mentor", id, serde_json::json!({"profile": profile}))
}
