//! A founder's and a mentor's changes around sessions on PostgreSQL — waitlist entries,
//! feedback, the mentor's notes — decided as the desktop's store decides them.

use chrono::{DateTime, Utc};
use incubook::decide::{self, validate_request};
use incubook::domain::{BookingStatus, ResourceKind, Role};
use incubook::{CoreError, Refusal};

use super::bookings::{Res, audit, load_actor, load_booking, load_rules, require_owner, visible_to};
use super::sql::Tx;

pub(super) fn join_waitlist(
    tx: &mut Tx<'_, '_>,
    person: &str,
    (id, resource_id): (&str, &str),
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    now: i64,
) -> Res<()> {
    let span = validate_request(start, end, "", now)?;
    decide::check_text("waitlist_id", id, 64, true)?;
    if span.end <= now {
        return Err(Refusal::InPast.into());
    }
    let actor = load_actor(tx, person)?;
    if !actor.has_anywhere(Role::Founder) {
        return Err(Refusal::NotAFounder.into());
    }
    let rules = load_rules(tx, resource_id)?;
    if !visible_to(tx, &actor, &rules)? {
        return Err(Refusal::NotVisible.into());
    }
    if tx.query_opt("SELECT 1 FROM waitlist WHERE id = $1", &[&id])?.is_some() {
        return Err(CoreError::Conflict(format!("waitlist entry {id}")).into());
    }
    tx.execute(
        "INSERT INTO waitlist(id, resource_id, person_id, start_at, end_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&id, &resource_id, &person, &span.start, &span.end, &now],
    )?;
    let detail = serde_json::json!({"start": span.start, "end": span.end});
    audit(tx, now, person, "join_waitlist", rules.kind.as_str(), resource_id, detail)
}

pub(super) fn set_session_note(tx: &mut Tx<'_, '_>, person: &str, booking_id: &str, body: &str, now: i64) -> Res<()> {
    decide::check_text("note", body, 10_000, false)?;
    let actor = load_actor(tx, person)?;
    let b = load_booking(tx, booking_id)?;
    let rules = load_rules(tx, &b.resource_id)?;
    if rules.kind != ResourceKind::Mentor || require_owner(tx, &actor, &rules).is_err() {
        return Err(CoreError::Forbidden("only the mentor keeps notes on a session".into()).into());
    }
    tx.execute(
        "INSERT INTO session_note(booking_id, author_id, body, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (booking_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
        &[&booking_id, &person, &body, &now],
    )?;
    audit(tx, now, person, "set_note", "booking", booking_id, serde_json::json!({}))
}

pub(super) fn give_feedback(tx: &mut Tx<'_, '_>, person: &str, booking_id: &str, rating: u8, comment: &str, now: i64) -> Res<()> {
    if !(1..=5).contains(&rating) {
        return Err(CoreError::invalid("rating", "must be 1 to 5").into());
    }
    decide::check_text("comment", comment, 2000, false)?;
    let b = load_booking(tx, booking_id)?;
    if b.booker_id != person {
        return Err(CoreError::Forbidden("only the founder who booked rates the session".into()).into());
    }
    let over = b.status == BookingStatus::Completed || (b.status == BookingStatus::Confirmed && b.end <= now);
    if !over {
        return Err(Refusal::SessionNotOver.into());
    }
    let n = tx.execute(
        "INSERT INTO feedback(booking_id, author_id, rating, comment, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        &[&booking_id, &person, &i64::from(rating), &comment.trim(), &now],
    )?;
    if n == 0 {
        return Err(CoreError::Conflict("this session has feedback already".into()).into());
    }
    audit(tx, now, person, "feedback", "booking", booking_id, serde_json::json!({"rating": rating}))
}
