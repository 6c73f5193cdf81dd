//! Repeating bookings: a series booked at once (every occurrence under the usual rules, all
//! or nothing, or the refused ones skipped), and a change reaching one booking and the ones
//! after it, or all of them. Each occurrence is an ordinary booking; the series is what they
//! share (its id and rule) and the start the rule gave each.

use chrono::{DateTime, Duration, Utc};

use super::booking::{Asked, change_status, check_request, reschedule};
use super::{Outcome, actor, owners, resource};
use crate::availability::{local_date, local_end, local_start};
use crate::command::{Occurrence, SeriesScope};
use crate::domain::{BookingStatus, to_utc};
use crate::error::{CoreError, Rejection};
use crate::ledger::{ApplyError, BookingEffect, Entity, Ledger, RecordEffect, SeriesMember, Stored};
use crate::recurrence::Repeat;
use crate::validate::{check_text, validate_request};

pub(super) struct Series<'a> {
    pub id: &'a str,
    pub resource_id: &'a str,
    pub occurrences: &'a [Occurrence],
    pub topic: &'a str,
    pub repeat: &'a Repeat,
    pub skip_conflicts: bool,
}

pub(super) fn book_series<L: Ledger>(l: &mut L, person: &str, s: &Series<'_>, now: i64) -> Outcome<(), L::Error> {
    check_text("series_id", s.id, 64, true)?;
    let Some(first) = s.occurrences.first() else { return Err(CoreError::invalid("occurrences", "none given").into()) };
    let first = validate_request(first.start, first.end, s.topic, now)?;
    let actor = actor(l, person)?;
    let rules = resource(l, s.resource_id, true)?;
    let spans = s.repeat.occurrences(first, rules.tz)?;
    let given: Vec<_> = s.occurrences.iter().map(|o| (o.start.timestamp(), o.end.timestamp())).collect();
    if given != spans.iter().map(|p| (p.start, p.end)).collect::<Vec<_>>() {
        return Err(CoreError::invalid("occurrences", "are not the times the rule gives in the resource's zone").into());
    }
    for (i, o) in s.occurrences.iter().enumerate() {
        check_text("booking_id", &o.booking_id, 64, true)?;
        if s.occurrences[..i].iter().any(|p| p.booking_id == o.booking_id) || l.exists(Entity::Booking, &o.booking_id).stored()? {
            return Err(CoreError::Conflict(format!("booking {}", o.booking_id)).into());
        }
    }
    let rule = s.repeat.rrule(first.start, rules.tz);
    let (mut booked, mut skipped, mut requested) = (0u32, 0u32, None);
    let mut first_refusal = None;
    let startup = l.startup_of(person).stored()?;
    for (o, &span) in s.occurrences.iter().zip(&spans) {
        let request = validate_request(o.start, o.end, s.topic, now)?;
        let (status, rejection) = match check_request(l, &actor, &rules, (request, Asked::Ahead), None, now) {
            Ok(status) => (status, None),
            Err(ApplyError::Decided(e)) if s.skip_conflicts && e.is_rule_refusal() => {
                let json = serde_json::to_string(&Rejection::of(&e)).unwrap_or_default();
                first_refusal.get_or_insert(e);
                (BookingStatus::Declined, Some(json))
            }
            Err(e) => return Err(e),
        };
        let id = o.booking_id.as_str();
        let insert = BookingEffect::InsertBooking {
            id,
            resource_id: &rules.id,
            booker_id: person,
            startup_id: startup.as_deref(),
            span,
            status,
            topic: s.topic.trim(),
            at: now,
        };
        l.write(insert).stored()?;
        let join = BookingEffect::JoinSeries {
            booking_id: id,
            series_id: s.id,
            rule: &rule,
            recurrence: span,
            rejection: rejection.as_deref(),
        };
        l.write(join).stored()?;
        match status {
            BookingStatus::Declined => skipped += 1,
            BookingStatus::Requested => {
                booked += 1;
                requested.get_or_insert(id);
            }
            _ => booked += 1,
        }
    }
    // Nothing to keep when every occurrence was refused: the person learns why, as for one.
    if booked == 0
        && let Some(e) = first_refusal
    {
        return Err(e.into());
    }
    let detail = serde_json::json!({"resource_id": rules.id, "rule": rule, "booked": booked, "skipped": skipped});
    super::audit(l, person, ("book_series", "booking", s.id), detail, now)?;
    if let Some(id) = requested {
        // One request per series: the lab or mentor approves its bookings from there.
        for owner in owners(l, &rules)? {
            let detail = serde_json::json!({"series_id": s.id, "occurrences": booked});
            let told = RecordEffect::Notify {
                person_id: &owner,
                kind: "booking_request",
                booking_id: Some(id),
                resource_id: Some(&rules.id),
                detail,
                at: now,
            };
            l.write(told).stored()?;
        }
    }
    Ok(())
}

/// The bookings of the named one's series that a change in `scope` reaches: those still
/// holding their slot and not begun — all of them, or the named one and those the rule put
/// after it.
fn in_scope<L: Ledger>(l: &mut L, booking_id: &str, scope: SeriesScope, now: i64) -> Outcome<Vec<SeriesMember>, L::Error> {
    let members = l.series_of(booking_id).stored()?;
    let Some(named) = members.iter().find(|m| m.booking.id == booking_id).map(|m| m.recurrence_at) else {
        return Err(CoreError::invalid("booking", "is not part of a repeating series").into());
    };
    Ok(members
        .into_iter()
        .filter(|m| {
            m.booking.status.holds_slot() && m.booking.span.start > now && (scope == SeriesScope::All || m.recurrence_at >= named)
        })
        .collect())
}

pub(super) fn cancel_series<L: Ledger>(
    l: &mut L,
    person: &str,
    (booking_id, scope): (&str, SeriesScope),
    reason: Option<&str>,
    now: i64,
) -> Outcome<(), L::Error> {
    let reached = in_scope(l, booking_id, scope, now)?;
    if reached.is_empty() {
        // Nothing left to cancel: the named booking says why (cancelled already, begun …).
        return change_status(l, person, booking_id, BookingStatus::Cancelled, reason, now);
    }
    for m in reached {
        change_status(l, person, &m.booking.id, BookingStatus::Cancelled, reason, now)?;
    }
    Ok(())
}

/// Moves the named booking to `start..end` and the others in scope to the same local times,
/// as many days from their own date as the named one moves from its.
pub(super) fn move_series<L: Ledger>(
    l: &mut L,
    person: &str,
    (booking_id, scope): (&str, SeriesScope),
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    now: i64,
) -> Outcome<(), L::Error> {
    let to = validate_request(start, end, "", now)?;
    let mut members = in_scope(l, booking_id, scope, now)?;
    let Some(named) = members.iter().find(|m| m.booking.id == booking_id).map(|m| m.booking.clone()) else {
        // The named booking cannot move (cancelled, begun …): the move of it alone says why.
        return reschedule(l, person, booking_id, (start, end), now);
    };
    let tz = resource(l, &named.resource_id, true)?.tz;
    let local = |t: i64| to_utc(t).with_timezone(&tz).naive_local();
    let (new_start, new_end) = (local(to.start), local(to.end));
    let shift = new_start.date() - local_date(tz, named.span.start);
    let spans_days = new_end.date() - new_start.date();
    // Later bookings move first when the series moves later (and earlier ones first when it
    // moves earlier), so that none is refused for the old time of its neighbour.
    members.sort_by_key(|m| m.booking.span.start);
    if shift > Duration::zero() || (shift == Duration::zero() && to.start > named.span.start) {
        members.reverse();
    }
    for m in members {
        let date = local_date(tz, m.booking.span.start) + shift;
        let s = local_start(tz, date.and_time(new_start.time()));
        let e = local_end(tz, (date + spans_days).and_time(new_end.time()));
        reschedule(l, person, &m.booking.id, (to_utc(s), to_utc(e)), now)?;
    }
    Ok(())
}
