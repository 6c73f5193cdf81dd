//! Around a session: a founder's place on a waitlist, the mentor's private note, and both
//! sides' ratings once it is over.

use chrono::{DateTime, Utc};

use super::{Outcome, actor, booking, is_owner, resource, visible};
use crate::domain::{BookingStatus, ResourceKind, Role};
use crate::error::{CoreError, Refusal};
use crate::feedback::{FEEDBACK_DAYS, Side};
use crate::ledger::{BookingEffect, Entity, Ledger, MentorEffect, RecordEffect, Stored};
use crate::validate::{check_text, validate_request};

pub(super) fn join_waitlist<L: Ledger>(
    l: &mut L,
    person: &str,
    (id, resource_id): (&str, &str),
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    now: i64,
) -> Outcome<(), L::Error> {
    let span = validate_request(start, end, "", now)?;
    check_text("waitlist_id", id, 64, true)?;
    if span.end <= now {
        return Err(Refusal::InPast.into());
    }
    let actor = actor(l, person)?;
    if !actor.has_anywhere(Role::Founder) {
        return Err(Refusal::NotAFounder.into());
    }
    let rules = resource(l, resource_id, false)?;
    if !visible(l, &actor, &rules)? {
        return Err(Refusal::NotVisible.into());
    }
    if l.exists(Entity::Waitlist, id).stored()? {
        return Err(CoreError::Conflict(format!("waitlist entry {id}")).into());
    }
    l.write(BookingEffect::InsertWaitlist { id, resource_id, person_id: person, span, at: now }).stored()?;
    let detail = serde_json::json!({"start": span.start, "end": span.end});
    let audit = RecordEffect::Audit {
        actor_id: person,
        action: "join_waitlist",
        entity: rules.kind.as_str(),
        entity_id: resource_id,
        detail,
        at: now,
    };
    l.write(audit).stored()
}

pub(super) fn set_session_note<L: Ledger>(
    l: &mut L,
    person: &str,
    booking_id: &str,
    body: &str,
    now: i64,
) -> Outcome<(), L::Error> {
    check_text("note", body, 10_000, false)?;
    let actor = actor(l, person)?;
    let b = booking(l, booking_id)?;
    let rules = resource(l, &b.resource_id, false)?;
    if rules.kind != ResourceKind::Mentor || !is_owner(l, &actor, &rules)? {
        return Err(CoreError::Forbidden("only the mentor keeps notes on a session".into()).into());
    }
    l.write(MentorEffect::SetSessionNote { booking_id, author_id: person, body, at: now }).stored()?;
    let detail = serde_json::json!({});
    l.write(RecordEffect::Audit {
        actor_id: person,
        action: "set_note",
        entity: "booking",
        entity_id: booking_id,
        detail,
        at: now,
    })
    .stored()
}

pub(super) fn give_feedback<L: Ledger>(
    l: &mut L,
    person: &str,
    booking_id: &str,
    (rating, comment, pairing_fits): (u8, &str, Option<bool>),
    now: i64,
) -> Outcome<(), L::Error> {
    if !(1..=5).contains(&rating) {
        return Err(CoreError::invalid("rating", "must be 1 to 5").into());
    }
    check_text("comment", comment, 2000, false)?;
    let b = booking(l, booking_id)?;
    let rules = resource(l, &b.resource_id, false)?;
    let side = if b.booker_id == person {
        Side::Founder
    } else {
        let author = actor(l, person)?;
        if rules.kind != ResourceKind::Mentor || !is_owner(l, &author, &rules)? {
            return Err(CoreError::Forbidden("only the founder who booked and the mentor rate a session".into()).into());
        }
        Side::Mentor
    };
    let over = b.status == BookingStatus::Completed || (b.status == BookingStatus::Confirmed && b.span.end <= now);
    if !over {
        return Err(Refusal::SessionNotOver.into());
    }
    if now > b.span.end + i64::from(FEEDBACK_DAYS) * 86_400 {
        return Err(Refusal::FeedbackClosed { days: FEEDBACK_DAYS }.into());
    }
    let given = match side {
        Side::Founder => Entity::Feedback,
        Side::Mentor => Entity::MentorFeedback,
    };
    if l.exists(given, booking_id).stored()? {
        return Err(CoreError::Conflict("you have rated this session already".into()).into());
    }
    if pairing_fits.is_some()
        && (rules.kind != ResourceKind::Mentor
            || l.pair_sessions_before(&b.booker_id, &b.resource_id, b.span.start).stored()? > 0)
    {
        return Err(CoreError::invalid("pairing_fits", "asked only after a founder's first session with a mentor").into());
    }
    let startup_id = l.startup_of(&b.booker_id).stored()?;
    let comment = comment.trim();
    let insert = MentorEffect::InsertFeedback {
        booking_id,
        author_id: person,
        side,
        rating,
        comment,
        pairing_fits,
        startup_id: startup_id.as_deref(),
        at: now,
    };
    l.write(insert).stored()?;
    let detail = serde_json::json!({"rating": rating, "side": side, "pairing_fits": pairing_fits});
    l.write(RecordEffect::Audit {
        actor_id: person,
        action: "feedback",
        entity: "booking",
        entity_id: booking_id,
        detail,
        at: now,
    })
    .stored()
}
