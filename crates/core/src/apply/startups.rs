//! Startups as records: who makes one, who changes it and its members, and residency at a
//! makerspace. The district's startup database is these rows on the server.

use chrono::NaiveDate;

use super::{Outcome, actor, audit};
use crate::decide::Actor;
use crate::domain::Role;
use crate::error::CoreError;
use crate::ledger::{Entity, Ledger, MakerspaceKey, StartupEffect, Stored};
use crate::startup::{NewStartup, Residency, StoredStartup, check_residency_date};
use crate::validate::check_text;

fn startup<L: Ledger>(l: &mut L, id: &str) -> Outcome<StoredStartup, L::Error> {
    l.startup(id).stored()?.ok_or_else(|| CoreError::not_found("startup", id).into())
}

/// Its lead runs a startup's record, and so do the space admins of the makerspaces it has
/// been resident in — any space admin while it has been resident nowhere.
fn require_runs<L: Ledger>(l: &mut L, person: &str, s: &StoredStartup, what: &str) -> Outcome<Actor, L::Error> {
    let who = actor(l, person)?;
    if crate::decide::may_run_startup(&who, s.lead(), s.ever_resident()) {
        Ok(who)
    } else {
        Err(CoreError::Forbidden(format!("{what} is for the startup's lead or the space admins where it is resident")).into())
    }
}

/// The person is in no startup but perhaps this one.
fn require_free<L: Ledger>(l: &mut L, person_id: &str, startup_id: Option<&str>) -> Outcome<(), L::Error> {
    match l.startup_of(person_id).stored()? {
        Some(other) if Some(other.as_str()) != startup_id => {
            let name = l.startup(&other).stored()?.map(|s| s.name).unwrap_or_default();
            Err(CoreError::Conflict(format!("{person_id} is a member of startup {name} ({other}) already")).into())
        }
        _ => Ok(()),
    }
}

/// One record per credit code: a company resident in a second makerspace moves in there.
fn require_unique_code<L: Ledger>(l: &mut L, new: &NewStartup, id: &str) -> Outcome<(), L::Error> {
    let Some(code) = new.credit_code.as_deref() else { return Ok(()) };
    match l.startup_by_credit_code(code).stored()? {
        Some((other, name)) if other != id => Err(CoreError::Conflict(format!(
            "startup {name} ({other}) has credit code {code}: it is one record, move it in to your makerspace instead"
        ))
        .into()),
        _ => Ok(()),
    }
}

pub(super) fn create_startup<L: Ledger>(
    l: &mut L,
    person: &str,
    (id, lead_id): (&str, &str),
    new: &NewStartup,
    now: i64,
) -> Outcome<(), L::Error> {
    check_text("startup_id", id, 64, true)?;
    let clean = new.validate()?;
    let creator = actor(l, person)?;
    if lead_id != person && !creator.has_anywhere(Role::SpaceAdmin) {
        return Err(CoreError::Forbidden("a startup led by someone else is made by a space admin".into()).into());
    }
    if creator.roles.is_empty() {
        return Err(CoreError::Forbidden("making a startup needs a role in a makerspace".into()).into());
    }
    actor(l, lead_id)?;
    if l.exists(Entity::Startup, id).stored()? {
        return Err(CoreError::Conflict(format!("startup {id}")).into());
    }
    require_unique_code(l, &clean, id)?;
    require_free(l, lead_id, None)?;
    l.write(StartupEffect::InsertStartup { id, startup: &clean, at: now }).stored()?;
    l.write(StartupEffect::SetStartupMember { startup_id: id, person_id: lead_id, lead: true, at: now }).stored()?;
    let detail = serde_json::json!({"name": clean.name, "kind": clean.kind.as_str(), "lead_id": lead_id});
    audit(l, person, ("create", "startup", id), detail, now)
}

pub(super) fn update_startup<L: Ledger>(l: &mut L, person: &str, id: &str, new: &NewStartup, now: i64) -> Outcome<(), L::Error> {
    let clean = new.validate()?;
    let s = startup(l, id)?;
    require_runs(l, person, &s, "changing a startup")?;
    require_unique_code(l, &clean, id)?;
    l.write(StartupEffect::UpdateStartup { id, startup: &clean }).stored()?;
    audit(l, person, ("update", "startup", id), serde_json::json!({"startup": clean}), now)
}

pub(super) fn set_member<L: Ledger>(
    l: &mut L,
    person: &str,
    (startup_id, person_id): (&str, &str),
    (member, lead): (bool, bool),
    now: i64,
) -> Outcome<(), L::Error> {
    let s = startup(l, startup_id)?;
    // A member may leave on their own; everything else is the lead's or the space admins'.
    let leaving_alone = !member && person == person_id;
    if !leaving_alone {
        require_runs(l, person, &s, "changing a startup's members")?;
    }
    if !member {
        if !s.is_member(person_id) {
            return Ok(());
        }
        if s.lead() == Some(person_id) {
            return Err(CoreError::invalid("person_id", "the lead stays until another member is made lead").into());
        }
        l.write(StartupEffect::RemoveStartupMember { startup_id, person_id }).stored()?;
        return audit(l, person, ("remove_member", "startup", startup_id), serde_json::json!({"person_id": person_id}), now);
    }
    actor(l, person_id)?;
    require_free(l, person_id, Some(startup_id))?;
    let already = s.members.iter().find(|m| m.person_id == person_id).map(|m| m.lead);
    // Asked again for what it is already (an import run twice): nothing to write.
    if already == Some(lead) || (already == Some(true) && !lead) {
        return Ok(());
    }
    if lead && let Some(before) = s.lead().filter(|&p| p != person_id) {
        l.write(StartupEffect::SetStartupMember { startup_id, person_id: before, lead: false, at: now }).stored()?;
    }
    l.write(StartupEffect::SetStartupMember { startup_id, person_id, lead, at: now }).stored()?;
    audit(l, person, ("set_member", "startup", startup_id), serde_json::json!({"person_id": person_id, "lead": lead}), now)
}

pub(super) fn move_in<L: Ledger>(
    l: &mut L,
    person: &str,
    (residency_id, startup_id, makerspace_id): (&str, &str, &str),
    date: NaiveDate,
    now: i64,
) -> Outcome<(), L::Error> {
    check_text("residency_id", residency_id, 64, true)?;
    check_residency_date("date", date, now)?;
    let s = startup(l, startup_id)?;
    let ms = l
        .makerspace(MakerspaceKey::Id(makerspace_id))
        .stored()?
        .ok_or_else(|| CoreError::not_found("makerspace", makerspace_id))?;
    actor(l, person)?.require(Role::SpaceAdmin, &ms.id, "moving a startup in")?;
    if l.exists(Entity::Residency, residency_id).stored()? {
        return Err(CoreError::Conflict(format!("residency {residency_id}")).into());
    }
    // Two stays at one makerspace never overlap: one still open, or one that had not ended by
    // this date, is the same stay.
    if let Some(open) = s.residencies.iter().find(|r| r.makerspace_id == ms.id && r.move_out.is_none_or(|out| date < out)) {
        return Err(CoreError::Conflict(format!("{} is resident at {} since {} already", s.name, ms.name, open.move_in)).into());
    }
    let residency = Residency { id: residency_id.to_string(), makerspace_id: ms.id.clone(), move_in: date, move_out: None };
    l.write(StartupEffect::InsertResidency { startup_id, residency: &residency }).stored()?;
    let detail = serde_json::json!({"residency_id": residency_id, "makerspace": ms.code, "date": date});
    audit(l, person, ("move_in", "startup", startup_id), detail, now)
}

pub(super) fn move_out<L: Ledger>(
    l: &mut L,
    person: &str,
    (startup_id, residency_id): (&str, &str),
    date: NaiveDate,
    now: i64,
) -> Outcome<(), L::Error> {
    check_residency_date("date", date, now)?;
    let s = startup(l, startup_id)?;
    let r = s.residencies.iter().find(|r| r.id == residency_id).ok_or_else(|| CoreError::not_found("residency", residency_id))?;
    actor(l, person)?.require(Role::SpaceAdmin, &r.makerspace_id, "moving a startup out")?;
    if date <= r.move_in {
        return Err(CoreError::invalid("date", format!("moving out must come after moving in ({})", r.move_in)).into());
    }
    if s.residencies
        .iter()
        .any(|o| o.id != r.id && o.makerspace_id == r.makerspace_id && o.move_in >= r.move_in && o.move_in < date)
    {
        return Err(CoreError::invalid("date", "a later stay at the same makerspace begins before this date").into());
    }
    l.write(StartupEffect::SetMoveOut { residency_id, date }).stored()?;
    let detail = serde_json::json!({"residency_id": residency_id, "date": date, "before": r.move_out});
    audit(l, person, ("move_out", "startup", startup_id), detail, now)
}
