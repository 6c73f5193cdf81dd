//! The directory: people and their roles, labs, mentors and their profiles — changed by the
//! space admins (and, for labs, the lab managers) of each makerspace.

use super::{Outcome, actor, audit, is_owner, resource};
use crate::command::{MentorProfile, NewLab, NewMentor, NewPerson, check_person, validate_new_mentor, validate_profile};
use crate::domain::{ResourceKind, Role, parse_tz};
use crate::error::CoreError;
use crate::ledger::{DirectoryEffect, Entity, LabEffect, Ledger, MakerspaceKey, MentorEffect, Stored, UsageEffect};
use crate::validate::check_text;

fn makerspace<L: Ledger>(l: &mut L, key: MakerspaceKey<'_>) -> Outcome<crate::domain::Makerspace, L::Error> {
    let (MakerspaceKey::Code(k) | MakerspaceKey::Id(k)) = key;
    l.makerspace(key).stored()?.ok_or_else(|| CoreError::not_found("makerspace", k).into())
}

pub(super) fn create_person<L: Ledger>(l: &mut L, person: &str, id: &str, new: &NewPerson, now: i64) -> Outcome<(), L::Error> {
    check_person(new)?;
    check_text("person_id", id, 64, true)?;
    let admin = actor(l, person)?;
    // Someone with no role is in no makerspace, so only an admin of some makerspace adds them.
    if new.roles.is_empty() && !admin.has_anywhere(Role::SpaceAdmin) {
        return Err(CoreError::Forbidden("adding people needs a space admin".into()).into());
    }
    if l.exists(Entity::Person, id).stored()? {
        return Err(CoreError::Conflict(format!("person {id}")).into());
    }
    let mut grants = Vec::with_capacity(new.roles.len());
    for grant in &new.roles {
        let ms = makerspace(l, MakerspaceKey::Code(&grant.makerspace_code))?;
        admin.require(Role::SpaceAdmin, &ms.id, "adding people")?;
        grants.push((ms.id, grant.role));
    }
    l.write(DirectoryEffect::InsertPerson { id, name: new.name.trim(), person: new, at: now }).stored()?;
    for (makerspace_id, role) in &grants {
        l.write(DirectoryEffect::GrantRole { person_id: id, makerspace_id, role: *role }).stored()?;
    }
    audit(l, person, ("create", "person", id), serde_json::json!({"name": new.name}), now)
}

pub(super) fn set_role<L: Ledger>(
    l: &mut L,
    person: &str,
    (holder, makerspace_id): (&str, &str),
    role: Role,
    granted: bool,
    now: i64,
) -> Outcome<(), L::Error> {
    let admin = actor(l, person)?;
    let ms = makerspace(l, MakerspaceKey::Id(makerspace_id))?;
    admin.require(Role::SpaceAdmin, &ms.id, "changing roles")?;
    let has = actor(l, holder)?.has(role, &ms.id);
    // A role given twice (an upload grants the roles a new person came with) changes
    // nothing and leaves no second entry in the log.
    if has == granted {
        return Ok(());
    }
    let (person_id, makerspace_id) = (holder, ms.id.as_str());
    let effect = if granted {
        DirectoryEffect::GrantRole { person_id, makerspace_id, role }
    } else {
        DirectoryEffect::RevokeRole { person_id, makerspace_id, role }
    };
    l.write(effect).stored()?;
    let action = if granted { "grant_role" } else { "revoke_role" };
    audit(l, person, (action, "person", holder), serde_json::json!({"makerspace": ms.code, "role": role.as_str()}), now)
}

/// A person's kiosk PIN, as its hash with the app's own parameters: set by themselves, or by
/// a lab manager or space admin of a makerspace the person belongs to (who knows them). Not by
/// anyone else's, and so not by a kiosk for a stranger who gives a phone number (review N4).
pub(super) fn set_kiosk_pin<L: Ledger>(
    l: &mut L,
    person: &str,
    holder: &str,
    pin_hash: Option<&str>,
    now: i64,
) -> Outcome<(), L::Error> {
    if let Some(hash) = pin_hash {
        check_text("pin_hash", hash, 256, true)?;
        crate::validate::check_secret_hash("pin_hash", hash)?;
    }
    let setter = actor(l, person)?;
    let owner = actor(l, holder)?;
    let knows_them = owner
        .roles
        .iter()
        .any(|(makerspace, _)| setter.has(Role::LabManager, makerspace) || setter.has(Role::SpaceAdmin, makerspace));
    if setter.id != holder && !knows_them {
        return Err(CoreError::Forbidden(
            "only the person, or a lab manager or space admin of their makerspace, sets a kiosk PIN".into(),
        )
        .into());
    }
    l.write(UsageEffect::SetKioskPin { person_id: holder, pin_hash }).stored()?;
    audit(l, person, ("set_kiosk_pin", "person", holder), serde_json::json!({"cleared": pin_hash.is_none()}), now)
}

pub(super) fn create_lab<L: Ledger>(l: &mut L, person: &str, id: &str, new: &NewLab, now: i64) -> Outcome<(), L::Error> {
    check_text("name", &new.name, 100, true)?;
    check_text("description", &new.description, 2000, false)?;
    check_text("lab_id", id, 64, true)?;
    let admin = actor(l, person)?;
    let ms = makerspace(l, MakerspaceKey::Code(&new.makerspace_code))?;
    admin.require_lab_authority(&ms.id, "opening a lab")?;
    for m in &new.manager_ids {
        if !actor(l, m)?.has(Role::LabManager, &ms.id) {
            return Err(CoreError::invalid("manager_ids", format!("{m} is not a lab manager of {}", ms.code)).into());
        }
    }
    if l.exists(Entity::Lab, id).stored()? {
        return Err(CoreError::Conflict(format!("lab {id}")).into());
    }
    let (name, description) = (new.name.trim(), new.description.trim());
    l.write(LabEffect::InsertLab { id, makerspace_id: &ms.id, name, description, manager_ids: &new.manager_ids }).stored()?;
    audit(l, person, ("create", "lab", id), serde_json::json!({"name": name}), now)
}

pub(super) fn create_mentor<L: Ledger>(l: &mut L, person: &str, id: &str, new: &NewMentor, now: i64) -> Outcome<(), L::Error> {
    check_text("mentor_id", id, 64, true)?;
    let clean = validate_new_mentor(new)?;
    let clean = NewMentor { title: clean.title.trim().to_string(), bio: clean.bio.trim().to_string(), ..clean };
    let admin = actor(l, person)?;
    let ms = makerspace(l, MakerspaceKey::Code(&new.makerspace_code))?;
    admin.require(Role::SpaceAdmin, &ms.id, "adding a mentor")?;
    let name = l.person_name(&new.person_id).stored()?.ok_or_else(|| CoreError::not_found("person", &new.person_id))?;
    let timezone = new.timezone.clone().unwrap_or(ms.timezone.clone());
    parse_tz("timezone", &timezone)?;
    if l.exists(Entity::MentorPerson, &new.person_id).stored()? {
        return Err(CoreError::Conflict(format!("{name} is a mentor already")).into());
    }
    if l.exists(Entity::Resource, id).stored()? {
        return Err(CoreError::Conflict(format!("mentor {id}")).into());
    }
    l.write(MentorEffect::InsertMentor { id, makerspace_id: &ms.id, name: &name, timezone: &timezone, mentor: &clean })
        .stored()?;
    if !actor(l, &new.person_id)?.has(Role::Mentor, &ms.id) {
        l.write(DirectoryEffect::GrantRole { person_id: &new.person_id, makerspace_id: &ms.id, role: Role::Mentor }).stored()?;
    }
    audit(l, person, ("create", "mentor", id), serde_json::json!({"person_id": new.person_id}), now)
}

pub(super) fn update_mentor_profile<L: Ledger>(
    l: &mut L,
    person: &str,
    id: &str,
    profile: &MentorProfile,
    now: i64,
) -> Outcome<(), L::Error> {
    let clean = validate_profile(profile)?;
    let clean = MentorProfile { title: clean.title.trim().to_string(), bio: clean.bio.trim().to_string(), ..clean };
    let editor = actor(l, person)?;
    let rules = resource(l, id, true)?;
    if rules.kind != ResourceKind::Mentor {
        return Err(CoreError::not_found("mentor", id).into());
    }
    if !is_owner(l, &editor, &rules)? && !editor.has(Role::SpaceAdmin, &rules.makerspace_id) {
        return Err(CoreError::Forbidden("only the mentor or their space admin edits the profile".into()).into());
    }
    l.write(MentorEffect::UpdateMentorProfile { id, profile: &clean }).stored()?;
    audit(l, person, ("update_profile", "mentor", id), serde_json::json!({"profile": profile}), now)
}
