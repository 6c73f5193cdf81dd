//! Startups as records: who makes one, who changes it and its members, and residency at a
//! makerspace. The district's startup database is these rows on the server.

use chrono::NaiveDate;

use super::{Outcome, actor, audit};
use crate::clock::district_date;
use crate::decide::{Actor, answers_as_space_admin, may_join_startup, may_run_startup};
use crate::domain::Role;
use crate::error::CoreError;
use crate::ledger::{Entity, Ledger, MakerspaceKey, RecordEffect, StartupEffect, Stored};
use crate::startup::{NewStartup, Residency, ResidencyStatus, StoredStartup, check_residency_date};
use crate::validate::check_text;

fn startup<L: Ledger>(l: &mut L, id: &str) -> Outcome<StoredStartup, L::Error> {
    l.startup(id).stored()?.ok_or_else(|| CoreError::not_found("startup", id).into())
}

/// The startup's lead with their roles: while it stays nowhere, the lead's makerspaces
/// answer for it.
fn lead_of<L: Ledger>(l: &mut L, s: &StoredStartup) -> Outcome<Option<Actor>, L::Error> {
    match s.lead() {
        Some(id) => Ok(l.actor(id).stored()?),
        None => Ok(None),
    }
}

/// The person, if they run the startup's record (`decide::may_run_startup`) today.
fn require_runs<L: Ledger>(l: &mut L, person: &str, s: &StoredStartup, what: &str, now: i64) -> Outcome<Actor, L::Error> {
    let who = actor(l, person)?;
    let lead = lead_of(l, s)?;
    if may_run_startup(&who, lead.as_ref(), s.current_stays(district_date(now))) {
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
    let lead = actor(l, lead_id)?;
    if !lead.has_anywhere(Role::Founder) {
        return Err(CoreError::invalid(
            "lead_id",
            format!("{lead_id} is not a founder: a startup's lead is one of its founders (负责人须为创业者，请指定负责人)"),
        )
        .into());
    }
    // Someone else's startup is made by a space admin of a makerspace the lead belongs to.
    let admin_of_lead = answers_as_space_admin(&creator, Some(&lead), std::iter::empty());
    if lead_id != person && !admin_of_lead {
        return Err(CoreError::Forbidden(
            "a startup led by someone else is made by a space admin of the lead's makerspace".into(),
        )
        .into());
    }
    if l.exists(Entity::Startup, id).stored()? {
        return Err(CoreError::Conflict(format!("startup {id}")).into());
    }
    require_unique_code(l, &clean, id)?;
    require_free(l, lead_id, None)?;
    let code_verified = clean.credit_code.is_some() && admin_of_lead;
    l.write(StartupEffect::InsertStartup { id, startup: &clean, code_verified, at: now }).stored()?;
    l.write(StartupEffect::SetStartupMember { startup_id: id, person_id: lead_id, lead: true, at: now }).stored()?;
    let detail =
        serde_json::json!({"name": clean.name, "kind": clean.kind.as_str(), "lead_id": lead_id, "code_verified": code_verified});
    audit(l, person, ("create", "startup", id), detail, now)
}

pub(super) fn update_startup<L: Ledger>(l: &mut L, person: &str, id: &str, new: &NewStartup, now: i64) -> Outcome<(), L::Error> {
    let clean = new.validate()?;
    let s = startup(l, id)?;
    let who = require_runs(l, person, &s, "changing a startup", now)?;
    require_unique_code(l, &clean, id)?;
    // A code typed anew is as good as the person who typed it: a space admin who answers for
    // the startup vouches for it, its lead does not.
    let code_verified = if clean.credit_code == s.credit_code {
        s.code_verified
    } else {
        let lead = lead_of(l, &s)?;
        clean.credit_code.is_some() && answers_as_space_admin(&who, lead.as_ref(), s.current_stays(district_date(now)))
    };
    l.write(StartupEffect::UpdateStartup { id, startup: &clean, code_verified }).stored()?;
    audit(l, person, ("update", "startup", id), serde_json::json!({"startup": clean, "code_verified": code_verified}), now)
}

/// A space admin who answers for the startup confirms that its credit code is its own.
pub(super) fn confirm_credit_code<L: Ledger>(l: &mut L, person: &str, id: &str, now: i64) -> Outcome<(), L::Error> {
    let s = startup(l, id)?;
    let who = actor(l, person)?;
    let lead = lead_of(l, &s)?;
    if !answers_as_space_admin(&who, lead.as_ref(), s.current_stays(district_date(now))) {
        return Err(CoreError::Forbidden(
            "confirming a credit code is for a space admin of the makerspace where the startup is resident".into(),
        )
        .into());
    }
    let Some(code) = s.credit_code.as_deref() else {
        return Err(
            CoreError::invalid("credit_code", "the startup has no credit code to confirm (未填写统一社会信用代码)").into()
        );
    };
    if s.code_verified {
        return Ok(());
    }
    l.write(StartupEffect::ConfirmCreditCode { id }).stored()?;
    audit(l, person, ("confirm_credit_code", "startup", id), serde_json::json!({"credit_code": code}), now)
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
        require_runs(l, person, &s, "changing a startup's members", now)?;
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
    let joining = actor(l, person_id)?;
    require_free(l, person_id, Some(startup_id))?;
    let already = s.members.iter().find(|m| m.person_id == person_id).map(|m| m.lead);
    // Asked again for what it is already (an import run twice): nothing to write.
    if already == Some(lead) || (already == Some(true) && !lead) {
        return Ok(());
    }
    let current_lead = lead_of(l, &s)?;
    if !may_join_startup(&joining, current_lead.as_ref(), s.current_stays(district_date(now))) {
        return Err(CoreError::invalid(
            "person_id",
            format!(
                "{person_id} is not a founder of the makerspace where {} is resident (成员须为该团队入驻空间的创业者)",
                s.name
            ),
        )
        .into());
    }
    if lead && let Some(before) = s.lead().filter(|&p| p != person_id) {
        l.write(StartupEffect::SetStartupMember { startup_id, person_id: before, lead: false, at: now }).stored()?;
    }
    l.write(StartupEffect::SetStartupMember { startup_id, person_id, lead, at: now }).stored()?;
    audit(l, person, ("set_member", "startup", startup_id), serde_json::json!({"person_id": person_id, "lead": lead}), now)
}

/// A space admin moves a startup in to their makerspace. When they do not run its record
/// (it lives elsewhere, or its lead belongs elsewhere), the stay is only asked for: its
/// lead, or a space admin where it lives, agrees or declines (`answer_move_in`).
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
    let who = actor(l, person)?;
    who.require(Role::SpaceAdmin, &ms.id, "moving a startup in")?;
    if l.exists(Entity::Residency, residency_id).stored()? {
        return Err(CoreError::Conflict(format!("residency {residency_id}")).into());
    }
    // Two stays at one makerspace never overlap: one still open, or one that had not ended by
    // this date, is the same stay; so is one asked for and not yet answered.
    if let Some(open) = s
        .residencies
        .iter()
        .find(|r| r.makerspace_id == ms.id && r.status != ResidencyStatus::Declined && r.move_out.is_none_or(|out| date < out))
    {
        let what = if open.status == ResidencyStatus::Requested { "asked to move in to" } else { "resident at" };
        return Err(CoreError::Conflict(format!("{} is {what} {} since {} already", s.name, ms.name, open.move_in)).into());
    }
    let lead = lead_of(l, &s)?;
    let consented = may_run_startup(&who, lead.as_ref(), s.current_stays(district_date(now)));
    let residency = Residency {
        id: residency_id.to_string(),
        makerspace_id: ms.id.clone(),
        move_in: date,
        move_out: None,
        status: if consented { ResidencyStatus::Active } else { ResidencyStatus::Requested },
        requested_by: (!consented).then(|| person.to_string()),
    };
    l.write(StartupEffect::InsertResidency { startup_id, residency: &residency }).stored()?;
    let detail = serde_json::json!({"residency_id": residency_id, "makerspace": ms.code, "date": date});
    if consented {
        return audit(l, person, ("move_in", "startup", startup_id), detail, now);
    }
    if let Some(lead) = s.lead() {
        let asked = serde_json::json!({
            "startup": s.name, "startup_id": startup_id, "residency_id": residency_id,
            "makerspace": ms.name, "date": date, "by": person,
        });
        let told = RecordEffect::Notify {
            person_id: lead,
            kind: "move_in_requested",
            booking_id: None,
            resource_id: None,
            detail: asked,
            at: now,
        };
        l.write(told).stored()?;
    }
    audit(l, person, ("request_move_in", "startup", startup_id), detail, now)
}

/// The startup's lead, or a space admin where it lives, agrees to a move-in asked for (the
/// stay stands) or declines it; the space admin who asked is told.
pub(super) fn answer_move_in<L: Ledger>(
    l: &mut L,
    person: &str,
    (startup_id, residency_id): (&str, &str),
    accept: bool,
    now: i64,
) -> Outcome<(), L::Error> {
    let s = startup(l, startup_id)?;
    let r = s.residencies.iter().find(|r| r.id == residency_id).ok_or_else(|| CoreError::not_found("residency", residency_id))?;
    if r.status != ResidencyStatus::Requested {
        return Err(CoreError::Conflict(format!("this move-in is not waiting for an answer: it is {}", r.status.as_str())).into());
    }
    require_runs(l, person, &s, "answering a move-in", now)?;
    let status = if accept { ResidencyStatus::Active } else { ResidencyStatus::Declined };
    l.write(StartupEffect::SetResidencyStatus { residency_id, status }).stored()?;
    if let Some(asker) = r.requested_by.as_deref() {
        let kind = if accept { "move_in_accepted" } else { "move_in_declined" };
        let detail = serde_json::json!({"startup": s.name, "startup_id": startup_id, "residency_id": residency_id, "date": r.move_in, "by": person});
        l.write(RecordEffect::Notify { person_id: asker, kind, booking_id: None, resource_id: None, detail, at: now })
            .stored()?;
    }
    let detail = serde_json::json!({"residency_id": residency_id, "status": status.as_str()});
    audit(l, person, ("answer_move_in", "startup", startup_id), detail, now)
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
    let r = s
        .residencies
        .iter()
        .find(|r| r.id == residency_id && r.status == ResidencyStatus::Active)
        .ok_or_else(|| CoreError::not_found("residency", residency_id))?;
    actor(l, person)?.require(Role::SpaceAdmin, &r.makerspace_id, "moving a startup out")?;
    if date <= r.move_in {
        return Err(CoreError::invalid("date", format!("moving out must come after moving in ({})", r.move_in)).into());
    }
    if s.residencies.iter().any(|o| {
        o.id != r.id
            && o.status == ResidencyStatus::Active
            && o.makerspace_id == r.makerspace_id
            && o.move_in >= r.move_in
            && o.move_in < date
    }) {
        return Err(CoreError::invalid("date", "a later stay at the same makerspace begins before this date").into());
    }
    l.write(StartupEffect::SetMoveOut { residency_id, date }).stored()?;
    let detail = serde_json::json!({"residency_id": residency_id, "date": date, "before": r.move_out});
    audit(l, person, ("move_out", "startup", startup_id), detail, now)
}
