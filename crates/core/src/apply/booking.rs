//! Booking, and every change of a booking afterwards: who may, from which status, and what it
//! writes — the booking, its audit entry, the people told, the waitlist offered a freed slot.

use chrono::{DateTime, Utc};

use super::{Outcome, actor, booking, is_owner, owners, resource, visible};
use crate::availability::Days;
use crate::command::UploadedBooking;
use crate::decide::{self, Actor, BookingFacts};
use crate::domain::{BookingStatus, Role, to_utc};
use crate::error::CoreError;
use crate::interval::Span;
use crate::ledger::{BookingEffect, Entity, Ledger, MentorEffect, RecordEffect, Stored, StoredBooking};
use crate::rules::{self, ResourceRules};
use crate::usage::UsageRules;
use crate::validate::{check_text, validate_request};

/// What a backend read for a new (or moved) booking.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    /// The resource's bookings that hold capacity over the weeks around the request
    /// (`Days::covering`), besides the one being moved.
    pub busy: &'a [Span],
    /// The booker's qualification row (see `Ledger::qualification`).
    pub expires: Option<Option<i64>>,
    pub visible: bool,
    /// The booker's upcoming bookings of the resource besides the one being moved; read only
    /// when the policy limits them (`Policy::max_per_person`).
    pub holding: u32,
    /// The booker has missed so many instrument bookings lately that this instrument wants
    /// its lab's approval (`UsageRules::needs_approval`).
    pub no_show_approval: bool,
}

/// When a booking is asked for: ahead of time, or at the instrument for the slot under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asked {
    Ahead,
    WalkUp { at: i64 },
}

/// The decision on a new (or moved) booking from the facts read for it.
pub fn decide_new_booking(
    actor: &Actor,
    rules: &ResourceRules,
    facts: &RequestFacts<'_>,
    (request, asked): (Span, Asked),
    now: i64,
) -> Result<BookingStatus, CoreError> {
    let qualification = decide::qualification_state(rules.policy.qualification_required, facts.expires, request.end);
    let ctx = decide::rule_context(rules, facts.busy, actor, qualification, facts.visible, facts.holding);
    match asked {
        Asked::Ahead => rules::check_booking(&ctx, request, now)?,
        Asked::WalkUp { at } => rules::check_walk_up(&ctx, request, at)?,
    }
    Ok(decide::initial_status(rules.policy.approval_required || facts.no_show_approval))
}

/// Every rule against the ledger's rows: the status the booking takes.
pub(super) fn check_request<L: Ledger>(
    l: &mut L,
    actor: &Actor,
    rules: &ResourceRules,
    (request, asked): (Span, Asked),
    except: Option<&str>,
    now: i64,
) -> Outcome<BookingStatus, L::Error> {
    let busy = l.busy(&rules.id, Days::covering(rules.tz, request).span(), except).stored()?;
    let expires = if rules.policy.qualification_required { l.qualification(&actor.id, &rules.id).stored()? } else { None };
    let visible = visible(l, actor, rules)?;
    let holding = match rules.policy.max_per_person {
        Some(_) => l.holding(&actor.id, &rules.id, now, except).stored()?,
        None => 0,
    };
    let no_show_approval = except.is_none() && no_show_approval(l, actor, rules, now)?;
    let facts = RequestFacts { busy: &busy, expires, visible, holding, no_show_approval };
    Ok(decide_new_booking(actor, rules, &facts, (request, asked), now)?)
}

/// Whether the booker's recent no-shows anywhere in the district put a new booking of this
/// instrument up for its lab's approval.
fn no_show_approval<L: Ledger>(l: &mut L, actor: &Actor, rules: &ResourceRules, now: i64) -> Outcome<bool, L::Error> {
    if rules.kind != crate::domain::ResourceKind::Equipment {
        return Ok(false);
    }
    let Some(terms) = l.usage_rules(&rules.id).stored()? else { return Ok(false) };
    if terms.approval_after_no_shows == 0 {
        return Ok(false);
    }
    let missed = l.no_shows(&actor.id, UsageRules::no_show_window_start(now)).stored()?;
    Ok(terms.needs_approval(missed))
}

pub(super) struct Book<'a> {
    pub id: &'a str,
    pub resource_id: &'a str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub topic: &'a str,
    pub format: Option<crate::place::SessionFormat>,
}

pub(super) fn book<L: Ledger>(l: &mut L, person: &str, new: Book<'_>, now: i64) -> Outcome<(), L::Error> {
    let request = validate_request(new.start, new.end, new.topic, now)?;
    check_text("booking_id", new.id, 64, true)?;
    if l.exists(Entity::Booking, new.id).stored()? {
        return Err(CoreError::Conflict(format!("booking {}", new.id)).into());
    }
    let actor = actor(l, person)?;
    let rules = resource(l, new.resource_id, true)?;
    let status = check_request(l, &actor, &rules, (request, Asked::Ahead), None, now)?;
    let place = match new.format {
        Some(format) => Some((format, super::place::default_place(l, &rules, format)?)),
        None => None,
    };
    let (id, resource_id) = (new.id, rules.id.as_str());
    let startup = l.startup_of(person).stored()?;
    let insert = BookingEffect::InsertBooking {
        id,
        resource_id,
        booker_id: person,
        startup_id: startup.as_deref(),
        span: request,
        status,
        topic: new.topic.trim(),
        at: now,
    };
    l.write(insert).stored()?;
    if let Some((format, place)) = &place {
        l.write(MentorEffect::SetPlace { booking_id: id, format: *format, place: place.as_ref(), at: now }).stored()?;
    }
    let detail =
        serde_json::json!({"resource_id": resource_id, "start": request.start, "end": request.end, "status": status.as_str()});
    l.write(RecordEffect::Audit { actor_id: person, action: "book", entity: "booking", entity_id: id, detail, at: now })
        .stored()?;
    if status == BookingStatus::Requested {
        for owner in owners(l, &rules)? {
            let detail = serde_json::json!({});
            let told = RecordEffect::Notify {
                person_id: &owner,
                kind: "booking_request",
                booking_id: Some(id),
                resource_id: Some(resource_id),
                detail,
                at: now,
            };
            l.write(told).stored()?;
        }
    }
    Ok(())
}

/// A booking from a makerspace's catalogue upload: its space admin sends it with the booker
/// and status it had on their desktop.
pub(super) fn upload<L: Ledger>(l: &mut L, person: &str, uploaded: &UploadedBooking, now: i64) -> Outcome<(), L::Error> {
    let request = uploaded.validate(now)?;
    let actor = actor(l, person)?;
    let rules = resource(l, &uploaded.resource_id, true)?;
    actor.require(Role::SpaceAdmin, &rules.makerspace_id, "uploading bookings")?;
    if l.exists(Entity::Booking, &uploaded.id).stored()? {
        return Err(CoreError::Conflict(format!("booking {}", uploaded.id)).into());
    }
    let booker = super::actor(l, &uploaded.booker_id)?;
    let busy = l.busy(&rules.id, Days::covering(rules.tz, request).span(), None).stored()?;
    rules::check_uploaded(&decide::upload_rule_context(&rules, &busy, &booker), request, now)?;
    let status = decide::uploaded_status(uploaded.status, rules.policy.approval_required);
    let startup = l.startup_of(&uploaded.booker_id).stored()?;
    let insert = BookingEffect::InsertBooking {
        id: &uploaded.id,
        resource_id: &rules.id,
        booker_id: &uploaded.booker_id,
        startup_id: startup.as_deref(),
        span: request,
        status,
        topic: uploaded.topic.trim(),
        at: now,
    };
    l.write(insert).stored()?;
    let detail = serde_json::json!({"resource_id": rules.id, "booker_id": uploaded.booker_id, "start": request.start, "end": request.end, "status": status.as_str()});
    let audit =
        RecordEffect::Audit { actor_id: person, action: "upload", entity: "booking", entity_id: &uploaded.id, detail, at: now };
    l.write(audit).stored()
}

fn facts(b: &StoredBooking, rules: &ResourceRules, actor: &Actor, actor_is_owner: bool) -> BookingFacts {
    BookingFacts {
        status: b.status,
        start: b.span.start,
        end: b.span.end,
        cancel_cutoff_min: rules.policy.cancel_cutoff_min,
        actor_is_owner,
        actor_is_booker: b.booker_id == actor.id,
    }
}

/// The reason of a status change as it is kept: trimmed, and none when empty.
pub fn kept_reason(reason: Option<&str>) -> Option<&str> {
    reason.map(str::trim).filter(|r| !r.is_empty())
}

/// Approve, decline, cancel, complete or no-show.
pub(super) fn change_status<L: Ledger>(
    l: &mut L,
    person: &str,
    booking_id: &str,
    to: BookingStatus,
    reason: Option<&str>,
    now: i64,
) -> Outcome<(), L::Error> {
    if let Some(r) = reason {
        check_text("reason", r, 500, false)?;
    }
    let reason = kept_reason(reason);
    let actor = actor(l, person)?;
    let b = booking(l, booking_id)?;
    let rules = resource(l, &b.resource_id, true)?;
    let owner = is_owner(l, &actor, &rules)?;
    decide::check_transition(&facts(&b, &rules, &actor, owner), to, reason, now)?;
    write_status(l, person, &b, to, reason, now)
}

/// How long a mentor has to answer a request before it expires and the founder is offered
/// the next match.
pub const REQUEST_ANSWER_HOURS: i64 = 72;
/// The reason an expired request is declined with; the founder's app offers other mentors.
pub const REQUEST_EXPIRED: &str = "expired: not answered within 72 hours";

/// Declines, as the app, the requests to mentors nobody answered within 72 hours.
pub fn expire_requests<L: Ledger>(l: &mut L, now: i64) -> Outcome<Vec<crate::domain::Id>, L::Error> {
    let mut expired = Vec::new();
    for candidate in l.unanswered_requests(now - REQUEST_ANSWER_HOURS * 3600).stored()? {
        // Read again (locked where rows lock): an answer that committed since stands.
        let Some(b) = l.booking(&candidate.id).stored()? else { continue };
        if b.status != BookingStatus::Requested {
            continue;
        }
        write_status(l, super::SYSTEM_ACTOR, &b, BookingStatus::Declined, Some(REQUEST_EXPIRED), now)?;
        expired.push(b.id);
    }
    Ok(expired)
}

/// How far ahead a founder is told that their mentor's clock changes before a session.
pub const ZONE_NOTICE_DAYS: i64 = 7;

/// Tells the booker, once, of a session within a week whose mentor's clock moves against
/// theirs before it (a daylight-saving change on one side): the session keeps its instant,
/// and the notice gives its time on both clocks as it will be.
pub fn tell_zone_changes<L: Ledger>(l: &mut L, now: i64) -> Outcome<Vec<crate::domain::Id>, L::Error> {
    let mut told = Vec::new();
    let window = Span::new(now, now + ZONE_NOTICE_DAYS * 86_400);
    for (b, mentor_zone, booker_zone) in l.mentor_sessions(window).stored()? {
        let booker = booker_zone.as_deref().map_or(Ok(crate::clock::DISTRICT_ZONE), str::parse::<chrono_tz::Tz>);
        let (Ok(mentor), Ok(booker)) = (mentor_zone.parse::<chrono_tz::Tz>(), booker) else {
            continue;
        };
        let gap = |t: i64| crate::availability::offset_at(mentor, t) - crate::availability::offset_at(booker, t);
        if gap(now) == gap(b.span.start) || l.exists(Entity::ZoneChangeNotice, &b.id).stored()? {
            continue;
        }
        let start = to_utc(b.span.start);
        let detail = serde_json::json!({
            "mentor_zone": mentor_zone,
            "shown_zh": crate::zones::dual_time(start, booker, mentor, crate::i18n::Lang::Zh),
            "shown_en": crate::zones::dual_time(start, booker, mentor, crate::i18n::Lang::En),
            "shift_min": (gap(b.span.start) - gap(now)) / 60,
        });
        let notice = RecordEffect::Notify {
            person_id: &b.booker_id,
            kind: "zone_change",
            booking_id: Some(&b.id),
            resource_id: Some(&b.resource_id),
            detail,
            at: now,
        };
        l.write(notice).stored()?;
        told.push(b.id);
    }
    Ok(told)
}

/// A decided status change: the row, its audit entry, the booker told (unless they made it),
/// and a freed slot offered to the waitlist. A blackout's cancellations come here too.
pub fn write_status<L: Ledger>(
    l: &mut L,
    person: &str,
    b: &StoredBooking,
    to: BookingStatus,
    reason: Option<&str>,
    now: i64,
) -> Outcome<(), L::Error> {
    l.write(BookingEffect::SetStatus { id: &b.id, status: to, reason, at: now }).stored()?;
    let detail = serde_json::json!({"from": b.status.as_str(), "reason": reason});
    l.write(RecordEffect::Audit { actor_id: person, action: to.as_str(), entity: "booking", entity_id: &b.id, detail, at: now })
        .stored()?;
    if person != b.booker_id {
        let kind = format!("booking_{}", to.as_str());
        let detail = serde_json::json!({"reason": reason});
        let told = RecordEffect::Notify {
            person_id: &b.booker_id,
            kind: &kind,
            booking_id: Some(&b.id),
            resource_id: Some(&b.resource_id),
            detail,
            at: now,
        };
        l.write(told).stored()?;
    }
    if b.status.holds_slot() && !to.holds_slot() && b.span.end > now {
        offer_to_waitlist(l, &b.resource_id, b.span, now)?;
    }
    Ok(())
}

/// The first founder waiting for a window that overlaps the freed time is told.
fn offer_to_waitlist<L: Ledger>(l: &mut L, resource_id: &str, freed: Span, now: i64) -> Outcome<(), L::Error> {
    let Some((entry, person)) = l.first_waiting(resource_id, freed).stored()? else { return Ok(()) };
    l.write(BookingEffect::WaitlistNotified { id: &entry, at: now }).stored()?;
    let detail = serde_json::json!({"start": to_utc(freed.start), "end": to_utc(freed.end)});
    let told = RecordEffect::Notify {
        person_id: &person,
        kind: "waitlist_slot_open",
        booking_id: None,
        resource_id: Some(resource_id),
        detail,
        at: now,
    };
    l.write(told).stored()
}

/// Moves a booking: if the new time is refused, the booking stays as it was.
pub(super) fn reschedule<L: Ledger>(
    l: &mut L,
    person: &str,
    booking_id: &str,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    now: i64,
) -> Outcome<(), L::Error> {
    let request = validate_request(start, end, "", now)?;
    let actor = actor(l, person)?;
    let b = booking(l, booking_id)?;
    let rules = resource(l, &b.resource_id, true)?;
    decide::check_reschedule(&facts(&b, &rules, &actor, false), now)?;
    let status = check_request(l, &actor, &rules, (request, Asked::Ahead), Some(booking_id), now)?;
    l.write(BookingEffect::MoveBooking { id: booking_id, span: request, status, at: now }).stored()?;
    let detail = serde_json::json!({"from": [to_utc(b.span.start), to_utc(b.span.end)], "to": [start, end]});
    let audit =
        RecordEffect::Audit { actor_id: person, action: "reschedule", entity: "booking", entity_id: booking_id, detail, at: now };
    l.write(audit).stored()?;
    offer_to_waitlist(l, &b.resource_id, b.span, now)
}
