//! Machine hours at the instrument: checking in to a booking starts its usage session,
//! checking out ends it and charges it at the instrument's rates; a lab manager sets the rates.

use chrono::{DateTime, Utc};

use super::{Outcome, actor, audit, booking, is_owner, require_owner, resource, write_status};
use crate::domain::{BookingStatus, ResourceKind};
use crate::error::{CoreError, Refusal};
use crate::interval::Span;
use crate::ledger::{Effect, Entity, Ledger, SessionKey, Stored};
use crate::usage::{Purpose, Rates, UserClass};
use crate::validate::check_text;

/// Check-in opens this long before a booking starts.
pub const CHECK_IN_OPENS_MIN: u32 = 10;

/// How far ahead of the deciding clock a check-in or check-out may say it happened (clocks
/// of kiosks drift); one further ahead is refused.
const CLOCK_SKEW_SECONDS: i64 = 300;

/// The instant a check-in or check-out says it happened, as long as it has happened.
fn happened(at: DateTime<Utc>, now: i64) -> Result<i64, CoreError> {
    let at = at.timestamp();
    if at > now + CLOCK_SKEW_SECONDS {
        return Err(CoreError::invalid("at", "lies in the future"));
    }
    Ok(at)
}

/// The most samples one session may record.
const MAX_SAMPLES: u32 = 100_000;

pub(super) fn check_in<L: Ledger>(
    l: &mut L,
    person: &str,
    (session_id, booking_id): (&str, &str),
    (purpose, samples): (Purpose, u32),
    (at, now): (DateTime<Utc>, i64),
) -> Outcome<(), L::Error> {
    check_text("session_id", session_id, 64, true)?;
    let at = happened(at, now)?;
    if samples > MAX_SAMPLES {
        return Err(CoreError::invalid("samples", "at most 100,000 samples").into());
    }
    if l.exists(Entity::UsageSession, session_id).stored()? {
        return Err(CoreError::Conflict(format!("usage session {session_id}")).into());
    }
    let actor = actor(l, person)?;
    let b = booking(l, booking_id)?;
    let rules = resource(l, &b.resource_id, false)?;
    if rules.kind != ResourceKind::Equipment {
        return Err(CoreError::invalid("booking_id", "only an instrument's booking is checked in").into());
    }
    if actor.id != b.booker_id && !is_owner(l, &actor, &rules)? {
        return Err(CoreError::Forbidden("only the booker or the lab's managers check a booking in".into()).into());
    }
    match b.status {
        BookingStatus::Confirmed => {}
        BookingStatus::Requested => return Err(Refusal::WrongStatus { status: b.status.as_str().into() }.into()),
        _ => return Err(Refusal::CheckInClosed.into()),
    }
    if at >= b.span.end {
        return Err(Refusal::CheckInClosed.into());
    }
    if at < b.span.start - i64::from(CHECK_IN_OPENS_MIN) * 60 {
        return Err(Refusal::CheckInNotOpen { opens_min: CHECK_IN_OPENS_MIN }.into());
    }
    if l.usage_session(SessionKey::Booking(booking_id)).stored()?.is_some() {
        return Err(Refusal::AlreadyCheckedIn.into());
    }
    // The qualification may have lapsed since the booking was made.
    let expires = if rules.policy.qualification_required { l.qualification(&b.booker_id, &rules.id).stored()? } else { None };
    match crate::decide::qualification_state(rules.policy.qualification_required, expires, at) {
        crate::rules::Qualification::Missing => return Err(Refusal::NotQualified { equipment: rules.name.clone() }.into()),
        crate::rules::Qualification::Expired => {
            return Err(Refusal::QualificationExpired { equipment: rules.name.clone() }.into());
        }
        _ => {}
    }
    let booker = actor_or_self(l, &actor, &b.booker_id)?;
    let class =
        if booker.roles.iter().any(|(m, _)| *m == rules.makerspace_id) { UserClass::Internal } else { UserClass::External };
    let started = Effect::InsertUsageSession {
        id: session_id,
        resource_id: &rules.id,
        booking_id,
        person_id: &b.booker_id,
        class,
        purpose,
        samples,
        at,
    };
    l.write(started).stored()?;
    let detail = serde_json::json!({"booking_id": booking_id, "class": <&str>::from(class), "purpose": <&str>::from(purpose)});
    audit(l, person, ("check_in", "usage_session", session_id), detail, now)
}

fn actor_or_self<L: Ledger>(l: &mut L, actor: &crate::decide::Actor, booker_id: &str) -> Outcome<crate::decide::Actor, L::Error> {
    if actor.id == booker_id { Ok(actor.clone()) } else { self::actor(l, booker_id) }
}

pub(super) fn check_out<L: Ledger>(
    l: &mut L,
    person: &str,
    session_id: &str,
    (at, now): (DateTime<Utc>, i64),
) -> Outcome<(), L::Error> {
    let at = happened(at, now)?;
    let session =
        l.usage_session(SessionKey::Id(session_id)).stored()?.ok_or_else(|| CoreError::not_found("usage_session", session_id))?;
    let actor = actor(l, person)?;
    let rules = resource(l, &session.resource_id, false)?;
    if actor.id != session.person_id && !is_owner(l, &actor, &rules)? {
        return Err(CoreError::Forbidden("only the person using the instrument or the lab's managers check out".into()).into());
    }
    if session.ended_at.is_some() {
        return Err(Refusal::AlreadyCheckedOut.into());
    }
    let b = booking(l, &session.booking_id)?;
    let rates = l.rates(&rules.id).stored()?.unwrap_or_default();
    let ended_at = at.max(session.started_at);
    let charged = rates.charged_seconds(Span::new(session.started_at, ended_at), Some(b.span));
    let fee_fen = rates.fee(session.class, charged);
    l.write(Effect::CloseUsageSession { id: session_id, ended_at, fee_fen }).stored()?;
    audit(l, person, ("check_out", "usage_session", session_id), serde_json::json!({"fee_fen": fee_fen}), now)?;
    // The booking is done: what is left of its time is free again, and the waitlist is told.
    if b.status == BookingStatus::Confirmed {
        write_status(l, person, &b, BookingStatus::Completed, None, now)?;
    }
    Ok(())
}

pub(super) fn set_rates<L: Ledger>(l: &mut L, person: &str, resource_id: &str, rates: &Rates, now: i64) -> Outcome<(), L::Error> {
    rates.validate()?;
    let actor = actor(l, person)?;
    let rules = resource(l, resource_id, true)?;
    if rules.kind != ResourceKind::Equipment {
        return Err(CoreError::invalid("resource_id", "only instruments have rates").into());
    }
    require_owner(l, &actor, &rules)?;
    l.write(Effect::SetRates { resource_id, rates }).stored()?;
    let detail = serde_json::to_value(rates).unwrap_or_default();
    audit(l, person, ("set_rates", "equipment", resource_id), detail, now)
}
