//! Machine hours at the instrument: checking in to a booking starts its usage session,
//! checking out ends it and charges it at the instrument's rates, and a booking nobody checked
//! in to is released as a no-show; a lab manager sets the rates and the rules.

use chrono::{DateTime, Utc};

use super::booking::Asked;
use super::{Outcome, actor, audit, booking, is_owner, require_owner, resource, write_status};
use crate::domain::{BookingStatus, ResourceKind};
use crate::error::{CoreError, Refusal};
use crate::interval::Span;
use crate::ledger::{BookingEffect, Entity, LabEffect, Ledger, RecordEffect, SessionKey, Stored, UsageEffect};
use crate::register::InstrumentRegister;
use crate::usage::{Purpose, Rates, UsageRules, UserClass};
use crate::validate::check_text;

/// Who the app itself acts as when it releases no-shows (the audit log's actor).
pub const SYSTEM_ACTOR: &str = "system";

/// How far ahead of the deciding clock a check-in or check-out may say it happened (clocks
/// of kiosks drift); one further ahead is refused.
const CLOCK_SKEW_SECONDS: i64 = 300;

/// How long a lab's kiosk may have been offline and still record a check-in, walk-up or
/// check-out at the time it happened.
pub const KIOSK_OFFLINE_SECONDS: i64 = 24 * 3_600;

/// Who says when a check-in, walk-up or check-out happened. A person's own is now (within
/// the clocks' skew); only the lab's kiosk (its managers) records one made while it was
/// offline. A time further back would turn a no-show into a session, or make machine hours
/// nobody ran (review N6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recorder {
    Themselves,
    LabKiosk,
}

impl Recorder {
    fn of(is_owner: bool) -> Recorder {
        if is_owner { Recorder::LabKiosk } else { Recorder::Themselves }
    }
}

/// The instant a check-in or check-out says it happened, as long as it has happened and its
/// recorder may say so.
fn happened(at: DateTime<Utc>, now: i64, by: Recorder) -> Result<i64, CoreError> {
    let at = at.timestamp();
    if at > now + CLOCK_SKEW_SECONDS {
        return Err(CoreError::invalid("at", "lies in the future"));
    }
    match by {
        Recorder::Themselves if at < now - CLOCK_SKEW_SECONDS => {
            Err(CoreError::invalid("at", "is now: only the lab's kiosk records what happened while it was offline"))
        }
        Recorder::LabKiosk if at < now - KIOSK_OFFLINE_SECONDS => {
            Err(CoreError::invalid("at", "lies more than 24 hours back: a kiosk records what happened while it was offline"))
        }
        _ => Ok(at),
    }
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
    let by_kiosk = is_owner(l, &actor, &rules)?;
    if actor.id != b.booker_id && !by_kiosk {
        return Err(CoreError::Forbidden("only the booker or the lab's managers check a booking in".into()).into());
    }
    let at = happened(at, now, Recorder::of(by_kiosk))?;
    let terms = l.usage_rules(&rules.id).stored()?.unwrap_or_default();
    let window = terms.check_in_window(b.span);
    if at >= window.end {
        return Err(Refusal::CheckInClosed.into());
    }
    if at < window.start {
        return Err(Refusal::CheckInNotOpen { opens_min: terms.check_in_opens_min }.into());
    }
    // Released while this check-in, made in time, was on its way from an offline kiosk: the
    // booking stands again (once every check has passed), unless its time has been booked since.
    let released_in_between = match b.status {
        BookingStatus::Confirmed => false,
        BookingStatus::Requested => return Err(Refusal::WrongStatus { status: b.status.as_str().into() }.into()),
        BookingStatus::NoShow if terms.released_at(b.span.start).is_some_and(|release| at < release) => true,
        _ => return Err(Refusal::CheckInClosed.into()),
    };
    if l.usage_session(SessionKey::Booking(booking_id)).stored()?.is_some() {
        return Err(Refusal::AlreadyCheckedIn.into());
    }
    // The qualification may have lapsed since the booking was made.
    let expires = if rules.policy.qualification_required { l.qualification(&b.booker_id, &rules.id).stored()? } else { None };
    let qualification = crate::decide::qualification_state(rules.policy.qualification_required, expires, at);
    crate::rules::check_qualification(qualification, &rules.name)?;
    if released_in_between {
        reinstate(l, person, &b, &rules, now)?;
    }
    let booker = actor_or_self(l, &actor, &b.booker_id)?;
    let started = Started { session_id, booking_id, person_id: &b.booker_id, purpose, samples, walk_up: false, at };
    start_session(l, person, &rules, &booker, started, now)
}

/// A session about to start.
struct Started<'a> {
    session_id: &'a str,
    booking_id: &'a str,
    person_id: &'a str,
    purpose: Purpose,
    samples: u32,
    walk_up: bool,
    at: i64,
}

fn start_session<L: Ledger>(
    l: &mut L,
    person: &str,
    rules: &crate::rules::ResourceRules,
    booker: &crate::decide::Actor,
    s: Started<'_>,
    now: i64,
) -> Outcome<(), L::Error> {
    take_over(l, person, rules, s.at, now)?;
    let startup = match l.startup_of(s.person_id).stored()? {
        Some(id) => l.startup(&id).stored()?,
        None => None,
    };
    let local_date = chrono::DateTime::from_timestamp(s.at, 0).unwrap_or_default().with_timezone(&rules.tz).date_naive();
    let class = UserClass::of(&booker.roles, startup.as_ref(), &rules.makerspace_id, local_date);
    let started = UsageEffect::InsertUsageSession {
        id: s.session_id,
        resource_id: &rules.id,
        booking_id: s.booking_id,
        person_id: s.person_id,
        class,
        purpose: s.purpose,
        samples: s.samples,
        walk_up: s.walk_up,
        startup_id: startup.as_ref().map(|st| st.id.as_str()),
        at: s.at,
    };
    l.write(started).stored()?;
    let detail = serde_json::json!({"booking_id": s.booking_id, "class": <&str>::from(class),
                                    "purpose": <&str>::from(s.purpose), "walk_up": s.walk_up});
    audit(l, person, ("check_in", "usage_session", s.session_id), detail, now)
}

/// What a walk-up asks for.
pub(super) struct WalkUp<'a> {
    /// (session, booking)
    pub ids: (&'a str, &'a str),
    pub resource_id: &'a str,
    pub person_id: &'a str,
    pub ran: (DateTime<Utc>, DateTime<Utc>),
    pub purpose: Purpose,
    pub samples: u32,
}

/// A person at a free instrument: the slot under way is booked for them under the usual rules
/// (but for the notice), and their session starts at once.
pub(super) fn walk_up<L: Ledger>(
    l: &mut L,
    person: &str,
    w: &WalkUp<'_>,
    (at, now): (DateTime<Utc>, i64),
) -> Outcome<(), L::Error> {
    let (session_id, booking_id) = w.ids;
    check_text("session_id", session_id, 64, true)?;
    check_text("booking_id", booking_id, 64, true)?;
    if w.samples > MAX_SAMPLES {
        return Err(CoreError::invalid("samples", "at most 100,000 samples").into());
    }
    let request = crate::validate::validate_request(w.ran.0, w.ran.1, "", now)?;
    if l.exists(Entity::Booking, booking_id).stored()? {
        return Err(CoreError::Conflict(format!("booking {booking_id}")).into());
    }
    if l.exists(Entity::UsageSession, session_id).stored()? {
        return Err(CoreError::Conflict(format!("usage session {session_id}")).into());
    }
    let sender = actor(l, person)?;
    let rules = resource(l, w.resource_id, true)?;
    if rules.kind != ResourceKind::Equipment {
        return Err(CoreError::invalid("resource_id", "only an instrument is walked up to").into());
    }
    let by_kiosk = is_owner(l, &sender, &rules)?;
    if sender.id != w.person_id && !by_kiosk {
        return Err(CoreError::Forbidden("only the lab's managers start an instrument for someone else".into()).into());
    }
    let at = happened(at, now, Recorder::of(by_kiosk))?;
    let user = actor_or_self(l, &sender, w.person_id)?;
    let status = super::booking::check_request(l, &user, &rules, (request, Asked::WalkUp { at }), None, now)?;
    if status != BookingStatus::Confirmed {
        return Err(Refusal::WalkUpNeedsApproval.into());
    }
    let startup = l.startup_of(&user.id).stored()?;
    let insert = BookingEffect::InsertBooking {
        id: booking_id,
        resource_id: &rules.id,
        booker_id: &user.id,
        startup_id: startup.as_deref(),
        span: request,
        status,
        topic: "",
        at: now,
    };
    l.write(insert).stored()?;
    let detail = serde_json::json!({"resource_id": rules.id, "booker_id": user.id, "start": request.start,
                                    "end": request.end, "status": status.as_str()});
    audit(l, person, ("walk_up", "booking", booking_id), detail, now)?;
    let started =
        Started { session_id, booking_id, person_id: &user.id, purpose: w.purpose, samples: w.samples, walk_up: true, at };
    start_session(l, person, &rules, &user, started, now)
}

pub(super) fn set_register<L: Ledger>(
    l: &mut L,
    person: &str,
    resource_id: &str,
    register: &InstrumentRegister,
    now: i64,
) -> Outcome<(), L::Error> {
    register.validate()?;
    let actor = actor(l, person)?;
    let rules = resource(l, resource_id, true)?;
    if rules.kind != ResourceKind::Equipment {
        return Err(CoreError::invalid("resource_id", "only instruments are in the asset register").into());
    }
    require_owner(l, &actor, &rules)?;
    if let Some(operator) = &register.operator_id
        && !l.exists(Entity::LivePerson, operator).stored()?
    {
        return Err(CoreError::not_found("person", operator).into());
    }
    l.write(LabEffect::SetRegister { resource_id, register }).stored()?;
    let detail = serde_json::to_value(register).unwrap_or_default();
    audit(l, person, ("set_register", "equipment", resource_id), detail, now)
}

fn actor_or_self<L: Ledger>(l: &mut L, actor: &crate::decide::Actor, booker_id: &str) -> Outcome<crate::decide::Actor, L::Error> {
    if actor.id == booker_id { Ok(actor.clone()) } else { self::actor(l, booker_id) }
}

/// Puts a booking released as a no-show back, when nothing has taken its time since.
fn reinstate<L: Ledger>(
    l: &mut L,
    person: &str,
    b: &crate::ledger::StoredBooking,
    rules: &crate::rules::ResourceRules,
    now: i64,
) -> Outcome<(), L::Error> {
    let busy = l.busy(&rules.id, b.span, Some(&b.id)).stored()?;
    let full = crate::interval::saturated(&busy, rules.policy.capacity);
    if crate::interval::touches(&full, b.span) {
        return Err(Refusal::TakenAfterRelease.into());
    }
    l.write(BookingEffect::Reinstate { id: &b.id, at: now }).stored()?;
    // The founder saw the release; they learn it no longer stands (and no longer counts).
    let told = RecordEffect::Notify {
        person_id: &b.booker_id,
        kind: "booking_reinstated",
        booking_id: Some(&b.id),
        resource_id: Some(&b.resource_id),
        detail: serde_json::json!({"by": person}),
        at: now,
    };
    l.write(told).stored()?;
    audit(l, person, ("reinstate", "booking", &b.id), serde_json::json!({"from": "no_show"}), now)
}

/// Releases every booking whose check-in did not come in time: it becomes a no-show, the rest
/// of its time is free again, and the first founder waiting for it is told. Run by the app
/// itself (the district server, or a desktop that is not connected to one), never by a
/// person; each booking is released once, as it is no longer confirmed afterwards.
pub fn release_no_shows<L: Ledger>(l: &mut L, now: i64) -> Outcome<Vec<crate::domain::Id>, L::Error> {
    let mut released = Vec::new();
    for candidate in l.unchecked_started(now).stored()? {
        let terms = l.usage_rules(&candidate.resource_id).stored()?.unwrap_or_default();
        let Some(release) = terms.released_at(candidate.span.start) else { continue };
        if now < release {
            continue;
        }
        // Read again, locked where the backend locks rows: a check-in that committed since
        // the candidates were read keeps its booking.
        let b = booking(l, &candidate.id)?;
        if b.status != BookingStatus::Confirmed || l.usage_session(SessionKey::Booking(&b.id)).stored()?.is_some() {
            continue;
        }
        let reason = format!("no check-in within {} minutes of the start", terms.no_show_after_min);
        write_status(l, SYSTEM_ACTOR, &b, BookingStatus::NoShow, Some(&reason), now)?;
        released.push(b.id);
    }
    Ok(released)
}

/// What one sweep of the app did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    pub released: Vec<crate::domain::Id>,
    pub closed: Vec<crate::domain::Id>,
    /// Requests to mentors left unanswered for 72 hours.
    pub expired: Vec<crate::domain::Id>,
    /// Bookings whose booker was told their mentor's clock changes before the session.
    pub zone_notices: Vec<crate::domain::Id>,
}

/// The app's own work on machine hours, every few seconds: no-shows released, and sessions
/// nobody checked out of closed at their booking's end once its grace has passed, charged
/// for the booked time they ran, and flagged for the lab manager.
pub fn sweep<L: Ledger>(l: &mut L, now: i64) -> Outcome<Swept, L::Error> {
    let released = release_no_shows(l, now)?;
    let expired = super::booking::expire_requests(l, now)?;
    let zone_notices = super::booking::tell_zone_changes(l, now)?;
    let mut closed = Vec::new();
    for session in l.open_after_end(now).stored()? {
        let terms = l.usage_rules(&session.resource_id).stored()?.unwrap_or_default();
        let b = booking(l, &session.booking_id)?;
        if now < b.span.end + i64::from(terms.close_grace_min) * 60 {
            continue;
        }
        close_forgotten(l, SYSTEM_ACTOR, &session, &b, now)?;
        closed.push(session.id);
    }
    Ok(Swept { released, closed, expired, zone_notices })
}

/// Closes a session nobody checked out of at its booking's end, charges it for the time it
/// ran (or was booked), and flags it for the lab manager.
fn close_forgotten<L: Ledger>(
    l: &mut L,
    actor: &str,
    session: &crate::ledger::StoredSession,
    b: &crate::ledger::StoredBooking,
    now: i64,
) -> Outcome<(), L::Error> {
    let rates = l.rates(&session.resource_id).stored()?.unwrap_or_default();
    let ended_at = b.span.end.max(session.started_at);
    let fee_fen =
        rates.fee(session.class, rates.charged_seconds(Span::new(session.started_at, ended_at), session.booked(b.span)));
    l.write(UsageEffect::CloseUsageSession { id: &session.id, ended_at, fee_fen, flagged: true }).stored()?;
    let detail = serde_json::json!({"fee_fen": fee_fen, "reason": "not checked out"});
    audit(l, actor, ("auto_check_out", "usage_session", &session.id), detail, now)?;
    if b.status == BookingStatus::Confirmed {
        l.write(BookingEffect::SetStatus { id: &b.id, status: BookingStatus::Completed, reason: None, at: now }).stored()?;
    }
    Ok(())
}

/// The instrument passes to the person checking in at `at`: a session whose booking is over
/// by then was forgotten, and is closed at that booking's end (as the sweep would close it);
/// while as many people as the instrument takes are still within their bookings, an early
/// check-in waits. So sessions on an instrument never overlap beyond its capacity.
fn take_over<L: Ledger>(
    l: &mut L,
    person: &str,
    rules: &crate::rules::ResourceRules,
    at: i64,
    now: i64,
) -> Outcome<(), L::Error> {
    let mut in_use = 0;
    for other in l.open_sessions(&rules.id).stored()? {
        let b = booking(l, &other.booking_id)?;
        if b.span.end <= at {
            close_forgotten(l, person, &other, &b, now)?;
        } else {
            in_use += 1;
        }
    }
    if in_use >= rules.policy.capacity {
        return Err(Refusal::InstrumentInUse.into());
    }
    Ok(())
}

pub(super) fn check_out<L: Ledger>(
    l: &mut L,
    person: &str,
    session_id: &str,
    (at, now): (DateTime<Utc>, i64),
) -> Outcome<(), L::Error> {
    let session =
        l.usage_session(SessionKey::Id(session_id)).stored()?.ok_or_else(|| CoreError::not_found("usage_session", session_id))?;
    let actor = actor(l, person)?;
    let rules = resource(l, &session.resource_id, false)?;
    let by_kiosk = is_owner(l, &actor, &rules)?;
    if actor.id != session.person_id && !by_kiosk {
        return Err(CoreError::Forbidden("only the person using the instrument or the lab's managers check out".into()).into());
    }
    let at = happened(at, now, Recorder::of(by_kiosk))?;
    if session.ended_at.is_some() {
        return Err(Refusal::AlreadyCheckedOut.into());
    }
    let b = booking(l, &session.booking_id)?;
    let rates = l.rates(&rules.id).stored()?.unwrap_or_default();
    let ended_at = at.max(session.started_at);
    let charged = rates.charged_seconds(Span::new(session.started_at, ended_at), session.booked(b.span));
    let fee_fen = rates.fee(session.class, charged);
    l.write(UsageEffect::CloseUsageSession { id: session_id, ended_at, fee_fen, flagged: false }).stored()?;
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
    l.write(LabEffect::SetRates { resource_id, rates }).stored()?;
    let detail = serde_json::to_value(rates).unwrap_or_default();
    audit(l, person, ("set_rates", "equipment", resource_id), detail, now)
}

pub(super) fn set_usage_rules<L: Ledger>(
    l: &mut L,
    person: &str,
    resource_id: &str,
    terms: &UsageRules,
    now: i64,
) -> Outcome<(), L::Error> {
    terms.validate()?;
    let actor = actor(l, person)?;
    let rules = resource(l, resource_id, true)?;
    if rules.kind != ResourceKind::Equipment {
        return Err(CoreError::invalid("resource_id", "only instruments have check-in rules").into());
    }
    require_owner(l, &actor, &rules)?;
    l.write(LabEffect::SetUsageRules { resource_id, rules: terms }).stored()?;
    let detail = serde_json::to_value(terms).unwrap_or_default();
    audit(l, person, ("set_usage_rules", "equipment", resource_id), detail, now)
}

/// What a lab manager changes of a closed session.
pub(super) struct Correction<'a> {
    pub ran: (DateTime<Utc>, DateTime<Utc>),
    pub purpose: Purpose,
    pub samples: u32,
    pub waived_fen: crate::usage::Fen,
    pub reason: &'a str,
}

/// The longest a corrected session may run.
const MAX_SESSION_SECONDS: i64 = 24 * 3600;

pub(super) fn correct_session<L: Ledger>(
    l: &mut L,
    person: &str,
    session_id: &str,
    c: &Correction<'_>,
    now: i64,
) -> Outcome<(), L::Error> {
    check_text("reason", c.reason, 500, true)?;
    if c.samples > MAX_SAMPLES {
        return Err(CoreError::invalid("samples", "at most 100,000 samples").into());
    }
    // Corrections are the lab managers' own (checked below), of sessions that have ended.
    let end = c.ran.1.timestamp();
    if end > now + CLOCK_SKEW_SECONDS {
        return Err(CoreError::invalid("at", "lies in the future").into());
    }
    let start = c.ran.0.timestamp();
    if end <= start || end - start > MAX_SESSION_SECONDS {
        return Err(CoreError::invalid("ended_at", "must come after the start, within a day").into());
    }
    let session =
        l.usage_session(SessionKey::Id(session_id)).stored()?.ok_or_else(|| CoreError::not_found("usage_session", session_id))?;
    let actor = actor(l, person)?;
    let rules = resource(l, &session.resource_id, false)?;
    require_owner(l, &actor, &rules)?;
    if session.ended_at.is_none() {
        return Err(CoreError::invalid("session_id", "is still running: check it out first").into());
    }
    let b = booking(l, &session.booking_id)?;
    let rates = l.rates(&rules.id).stored()?.unwrap_or_default();
    let ran = Span::new(start, end);
    let fee_fen = rates.fee(session.class, rates.charged_seconds(ran, session.booked(b.span)));
    if !(0..=fee_fen).contains(&c.waived_fen) {
        return Err(CoreError::invalid("waived_fen", "between nothing and the whole fee").into());
    }
    let corrected = UsageEffect::CorrectUsageSession {
        id: session_id,
        ran,
        purpose: c.purpose,
        samples: c.samples,
        fee_fen,
        waived_fen: c.waived_fen,
    };
    l.write(corrected).stored()?;
    let values = |started: i64, ended: Option<i64>, purpose: Purpose, samples: u32, fee: i64, waived: i64| {
        serde_json::json!({"started_at": started, "ended_at": ended, "purpose": <&str>::from(purpose),
                           "samples": samples, "fee_fen": fee, "waived_fen": waived})
    };
    let detail = serde_json::json!({
        "reason": c.reason,
        "before": values(session.started_at, session.ended_at, session.purpose, session.samples, session.fee_fen, session.waived_fen),
        "after": values(start, Some(end), c.purpose, c.samples, fee_fen, c.waived_fen),
    });
    audit(l, person, ("correct", "usage_session", session_id), detail, now)
}
