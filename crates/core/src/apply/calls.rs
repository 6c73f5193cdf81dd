//! District programmes, their calls, and applications to them (一站式申报): who publishes, who
//! applies, and each application's transitions through the one `lifecycle::next`, logged as
//! events. The unified code is minted in the transaction that accepts, by the ledger that is
//! the district's authority (`CallLedger::take_serial`), never earlier.

use super::{Outcome, actor, audit};
use crate::calls::application::{ApplicationDraft, Intake, StoredApplication, StoredCall};
use crate::calls::eligibility::{self, Applicant};
use crate::calls::lifecycle::{self, Action, Event, State};
use crate::calls::{NewCall, NewProgramme};
use crate::clock::district_date;
use crate::decide::Actor;
use crate::error::{CoreError, Refusal};
use crate::ledger::{CallEffect, Entity, Ledger, RecordEffect, Stored};
use crate::unified_code::UnifiedCode;
use crate::validate::check_text;

fn require_operator(who: &Actor, what: &str) -> Result<(), CoreError> {
    if who.district_operator {
        Ok(())
    } else {
        Err(CoreError::Forbidden(format!("{what} is for the district's operators (区科委)")))
    }
}

fn call<L: Ledger>(l: &mut L, id: &str) -> Outcome<StoredCall, L::Error> {
    l.call(id).stored()?.ok_or_else(|| CoreError::not_found("call", id).into())
}

fn application<L: Ledger>(l: &mut L, id: &str) -> Outcome<StoredApplication, L::Error> {
    l.application(id).stored()?.ok_or_else(|| CoreError::not_found("application", id).into())
}

/// The person leads the startup: a startup applies through its lead.
fn require_lead<L: Ledger>(l: &mut L, person: &str, startup_id: &str) -> Outcome<crate::startup::StoredStartup, L::Error> {
    let s = l.startup(startup_id).stored()?.ok_or_else(|| CoreError::not_found("startup", startup_id))?;
    if s.lead() != Some(person) {
        return Err(CoreError::Forbidden(format!("applying for {} is for its lead", s.name)).into());
    }
    Ok(s)
}

pub(super) fn create_programme<L: Ledger>(l: &mut L, person: &str, new: &NewProgramme, now: i64) -> Outcome<(), L::Error> {
    require_operator(&actor(l, person)?, "registering a programme")?;
    let clean = new.validate()?;
    if l.exists(Entity::Programme, &clean.code).stored()? {
        return Err(CoreError::Conflict(format!("programme {} exists already", clean.code)).into());
    }
    l.write(CallEffect::InsertProgramme { programme: &clean, at: now }).stored()?;
    let detail = serde_json::json!({"name_zh": clean.name_zh, "kind": clean.kind});
    audit(l, person, ("create", "programme", &clean.code), detail, now)
}

/// The call checked against its programme, and against the calls of its batch but `except`.
fn checked_call<L: Ledger>(l: &mut L, new: &NewCall, except: Option<&str>, now: i64) -> Outcome<NewCall, L::Error> {
    let clean = new.validate(now)?;
    if l.programme(&clean.programme_code).stored()?.is_none() {
        return Err(CoreError::not_found("programme", &clean.programme_code).into());
    }
    if clean.recommendation.is_some() {
        // Not yet: a call that needs a makerspace's recommendation could accept nothing.
        return Err(
            CoreError::invalid("recommendation", "makerspace recommendations are not taken yet (推荐环节尚未开放)").into()
        );
    }
    if let Some(other) = l.call_in_batch(&clean.programme_code, clean.year, clean.batch).stored()?
        && Some(other.as_str()) != except
    {
        return Err(CoreError::Conflict(format!(
            "batch {} of {} {} is published already ({other})",
            clean.batch, clean.programme_code, clean.year
        ))
        .into());
    }
    Ok(clean)
}

pub(super) fn publish_call<L: Ledger>(l: &mut L, person: &str, id: &str, new: &NewCall, now: i64) -> Outcome<(), L::Error> {
    check_text("call_id", id, 64, true)?;
    require_operator(&actor(l, person)?, "publishing a call")?;
    if l.exists(Entity::Call, id).stored()? {
        return Err(CoreError::Conflict(format!("call {id}")).into());
    }
    let clean = checked_call(l, new, None, now)?;
    l.write(CallEffect::InsertCall { id, call: &clean, created_by: person, at: now }).stored()?;
    let detail = serde_json::json!({"programme": clean.programme_code, "year": clean.year, "batch": clean.batch,
                                    "opens_at": clean.opens_at, "closes_at": clean.closes_at});
    audit(l, person, ("publish", "call", id), detail, now)
}

pub(super) fn correct_call<L: Ledger>(l: &mut L, person: &str, id: &str, new: &NewCall, now: i64) -> Outcome<(), L::Error> {
    require_operator(&actor(l, person)?, "correcting a call")?;
    let stored = call(l, id)?;
    if stored.cancelled || now >= stored.call.opens_at.timestamp() {
        return Err(CoreError::invalid("call_id", "a call is corrected only before it opens (开始受理后不得修改)").into());
    }
    let clean = checked_call(l, new, Some(id), now)?;
    l.write(CallEffect::UpdateCall { id, call: &clean, at: now }).stored()?;
    let detail = serde_json::json!({"before": stored.call, "after": clean});
    audit(l, person, ("correct", "call", id), detail, now)
}

pub(super) fn cancel_call<L: Ledger>(l: &mut L, person: &str, id: &str, reason: &str, now: i64) -> Outcome<(), L::Error> {
    require_operator(&actor(l, person)?, "cancelling a call")?;
    check_text("reason", reason, 2000, true)?;
    let stored = call(l, id)?;
    if stored.cancelled {
        return Ok(());
    }
    let applications = l.applications_of_call(id).stored()?;
    if applications.iter().any(|a| a.state.decided()) {
        return Err(CoreError::invalid("call_id", "a call is cancelled only before any decision on it (已有受理决定)").into());
    }
    let reason = reason.trim();
    l.write(CallEffect::CancelCall { id, reason, at: now }).stored()?;
    for a in &applications {
        let detail = serde_json::json!({"call_id": id, "title": stored.call.title_zh, "reason": reason, "application_id": a.id});
        let told = RecordEffect::Notify {
            person_id: &a.applicant_id,
            kind: "call_cancelled",
            booking_id: None,
            resource_id: None,
            detail,
            at: now,
        };
        l.write(told).stored()?;
    }
    audit(l, person, ("cancel", "call", id), serde_json::json!({"reason": reason}), now)
}

pub(super) fn draft<L: Ledger>(
    l: &mut L,
    person: &str,
    (id, call_id, startup_id): (&str, &str, &str),
    new: &ApplicationDraft,
    now: i64,
) -> Outcome<(), L::Error> {
    check_text("application_id", id, 64, true)?;
    let clean = new.validate()?;
    match l.application(id).stored()? {
        Some(existing) => {
            if existing.call_id != call_id || existing.startup_id != startup_id {
                return Err(CoreError::invalid("application_id", "the application belongs to another call or startup").into());
            }
            require_lead(l, person, startup_id)?;
            // A draft, or one returned for correction, is the applicant's to change.
            if !matches!(existing.state, State::Draft | State::Returned) {
                let refusal = Refusal::ApplicationState { state: existing.state.as_str().into(), action: "draft".into() };
                return Err(refusal.into());
            }
            l.write(CallEffect::UpdateDraft { id, draft: &clean, at: now }).stored()?;
            audit(l, person, ("draft", "application", id), serde_json::json!({"title": clean.title}), now)
        }
        None => {
            if l.exists(Entity::Application, id).stored()? {
                return Err(CoreError::Conflict(format!("application {id}")).into());
            }
            require_lead(l, person, startup_id)?;
            let c = call(l, call_id)?;
            if c.cancelled {
                return Err(Refusal::CallNotOpen.into());
            }
            l.write(CallEffect::InsertApplication { id, call_id, startup_id, applicant_id: person, draft: &clean, at: now })
                .stored()?;
            let detail = serde_json::json!({"call_id": call_id, "startup_id": startup_id, "title": clean.title});
            audit(l, person, ("draft", "application", id), detail, now)
        }
    }
}

/// Appends one event — the transition `action` from the application's state, as `next`
/// allows it at `now` — and moves the cached state with it.
fn transition<L: Ledger>(
    l: &mut L,
    person: &str,
    (a, c): (&StoredApplication, &StoredCall),
    (event_id, action, reason): (&str, Action, String),
    now: i64,
) -> Outcome<State, L::Error> {
    check_text("event_id", event_id, 64, true)?;
    if l.exists(Entity::ApplicationEvent, event_id).stored()? {
        return Err(CoreError::Conflict(format!("application event {event_id}")).into());
    }
    let to = lifecycle::next(a.state, &action, a.facts(c.call.closes_at.timestamp()), now)?;
    let until = match action {
        Action::Return { until } => Some(until),
        Action::Refuse { recheck_until } => Some(recheck_until),
        _ => None,
    };
    let code = match &action {
        Action::Accept { code } => Some(code.clone()),
        _ => None,
    };
    let event = Event {
        id: event_id.into(),
        application_id: a.id.clone(),
        actor_id: person.into(),
        at: now,
        from: a.state,
        to,
        action,
        reason,
    };
    l.write(CallEffect::Transition { event_id, event: &event, code: code.as_deref().filter(|c| !c.is_empty()), until })
        .stored()?;
    let detail = serde_json::json!({"from": event.from, "to": to, "action": event.action, "reason": event.reason});
    audit(l, person, (event.action.name(), "application", &a.id), detail, now)?;
    Ok(to)
}

/// The applicant's facts as eligibility reads them on the call's closing date.
fn applicant<L: Ledger>(
    s: &crate::startup::StoredStartup,
    draft: &ApplicationDraft,
    closes_at: i64,
) -> Outcome<Applicant, L::Error> {
    let close = district_date(closes_at);
    let resident = s.resident_at(close).next().is_some();
    Ok(Applicant {
        kind: s.kind,
        credit_code: s.credit_code.clone(),
        code_verified: s.code_verified,
        declared_in_district: draft.declared_address.is_some(),
        founded_on: draft.founded_on,
        headcount: s.headcount,
        industry: s.industry.clone(),
        resident_members: if resident { u32::try_from(s.members.len()).unwrap_or(u32::MAX) } else { 0 },
        // Incubook keeps no awards yet: the rule sees none.
        awarded_years: Vec::new(),
    })
}

pub(super) fn submit<L: Ledger>(l: &mut L, person: &str, (id, event_id): (&str, &str), now: i64) -> Outcome<(), L::Error> {
    let a = application(l, id)?;
    let s = require_lead(l, person, &a.startup_id)?;
    let c = call(l, &a.call_id)?;
    if c.cancelled || now < c.call.opens_at.timestamp() {
        return Err(Refusal::CallNotOpen.into());
    }
    let problems = a.draft.problems(&c.call);
    if !problems.is_empty() {
        let en: Vec<String> = problems.iter().map(|p| format!("{}: {}", p.key, p.en)).collect();
        let zh: Vec<String> = problems.iter().map(|p| p.zh.clone()).collect();
        return Err(CoreError::invalid("answers", format!("{} ({})", en.join("; "), zh.join("；"))).into());
    }
    let unmet = eligibility::check(
        &c.call.eligibility,
        &applicant::<L>(&s, &a.draft, c.call.closes_at.timestamp())?,
        district_date(c.call.closes_at.timestamp()),
    );
    if !unmet.is_empty() {
        let zh = unmet.iter().map(|u| u.zh.as_str()).collect::<Vec<_>>().join("；");
        let en = unmet.iter().map(|u| u.en.as_str()).collect::<Vec<_>>().join("; ");
        return Err(Refusal::Ineligible { zh, en }.into());
    }
    if let Some(max) = c.call.max_ongoing_led
        && l.led_ongoing(&c.call.programme_code, person, &a.id).stored()? >= max
    {
        return Err(Refusal::OngoingLimit { max }.into());
    }
    let theirs = l.applications_of_call(&a.call_id).stored()?;
    let others = theirs.iter().filter(|b| b.startup_id == a.startup_id && b.id != a.id && b.state.counts_against_limit()).count();
    if others >= c.call.max_per_organisation as usize {
        return Err(Refusal::OrganisationLimit { max: c.call.max_per_organisation }.into());
    }
    transition(l, person, (&a, &c), (event_id, Action::Submit, String::new()), now)?;
    Ok(())
}

pub(super) fn decide<L: Ledger>(
    l: &mut L,
    person: &str,
    (id, event_id): (&str, &str),
    intake: &Intake,
    now: i64,
) -> Outcome<(), L::Error> {
    require_operator(&actor(l, person)?, "intake")?;
    let a = application(l, id)?;
    let c = call(l, &a.call_id)?;
    let (reason, deadline) = intake.checked(now)?;
    let action = match intake {
        Intake::Accept => {
            // Checked before a serial is taken, so that a refused acceptance takes none.
            lifecycle::next(a.state, &Action::Accept { code: String::new() }, a.facts(c.call.closes_at.timestamp()), now)?;
            let serial = l.take_serial(&c.call.programme_code, c.call.year).stored()?;
            let code = serial
                .map(|n| UnifiedCode::new(c.call.year, &c.call.programme_code, c.call.batch, n).map(|code| code.to_string()))
                .transpose()?;
            Action::Accept { code: code.unwrap_or_default() }
        }
        Intake::Return { .. } => Action::Return { until: deadline.unwrap_or(now) },
        Intake::Refuse { .. } => Action::Refuse { recheck_until: deadline.unwrap_or(now) },
        Intake::Uphold { .. } => Action::Uphold,
    };
    let kind = match intake {
        Intake::Accept => "application_accepted",
        Intake::Return { .. } => "application_returned",
        Intake::Refuse { .. } => "application_refused",
        Intake::Uphold { .. } => "application_refusal_upheld",
    };
    let code = match &action {
        Action::Accept { code } => Some(code.clone()),
        _ => None,
    };
    transition(l, person, (&a, &c), (event_id, action, reason.clone()), now)?;
    let detail =
        serde_json::json!({"application_id": id, "title": a.draft.title, "code": code, "reason": reason, "until": deadline});
    l.write(RecordEffect::Notify { person_id: &a.applicant_id, kind, booking_id: None, resource_id: None, detail, at: now })
        .stored()
}

/// The lead's own transitions after submission: a re-check (its reason required) or a
/// withdrawal (its reason optional).
pub(super) fn by_applicant<L: Ledger>(
    l: &mut L,
    person: &str,
    (id, event_id): (&str, &str),
    (action, reason): (Action, &str),
    now: i64,
) -> Outcome<(), L::Error> {
    check_text("reason", reason, 2000, action == Action::RequestRecheck)?;
    let a = application(l, id)?;
    require_lead(l, person, &a.startup_id)?;
    let c = call(l, &a.call_id)?;
    transition(l, person, (&a, &c), (event_id, action, reason.trim().into()), now)?;
    Ok(())
}
