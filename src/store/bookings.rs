//! Booking, and everything that changes a booking afterwards.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::calendar::{load_busy, load_rules};
use super::mentors::require_owner;
use super::{Actor, Store, audit, check_text};
use crate::availability::Days;
use crate::command::Command as Mutation;
use crate::command::{NewBooking, UploadedBooking};
use crate::decide::{self, BookingFacts, validate_request};
use crate::domain::{Blackout, Booking, BookingStatus, Id, ResourceKind, Role, new_id, to_utc};
use crate::error::Rejection;
use crate::error::{CoreError, Refusal, Result};
use crate::interval::Span;
use crate::rules::ResourceRules;
use crate::rules::{self, Qualification};

/// A booking as its booker or the resource's owner sees it.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingView {
    #[serde(flatten)]
    pub booking: Booking,
    pub booker_name: String,
    /// Made here and not yet confirmed by the district server.
    pub pending: bool,
    /// Refused by the district server (it lost a race while its booker was offline).
    pub rejection: Option<Rejection>,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitlistEntry {
    pub id: Id,
    pub resource_id: Id,
    pub person_id: Id,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub notified: bool,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: Id,
    pub kind: String,
    pub booking_id: Option<Id>,
    pub resource_id: Option<Id>,
    pub detail: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

/// One entry of a resource's calendar: details only for whoever may see them.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEntry {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Present for the viewer's own bookings and for the resource's owners; others see "busy".
    pub booking: Option<BookingView>,
}

const BOOKING_SELECT: &str = "SELECT b.id, b.resource_id, r.kind, r.name, b.booker_id, b.start_at, b.end_at, b.status, b.topic, b.reason,
    b.created_at, b.updated_at, p.name, EXISTS(SELECT 1 FROM outbox o WHERE o.entity_id = b.id), b.rejection FROM booking b JOIN resource r ON r.id = b.resource_id JOIN person p ON p.id = b.booker_id";

fn view_from_row(r: &rusqlite::Row) -> rusqlite::Result<BookingView> {
    let kind: String = r.get(2)?;
    let status: String = r.get(7)?;
    Ok(BookingView {
        booking: Booking {
            id: r.get(0)?,
            resource_id: r.get(1)?,
            resource_kind: if kind == "mentor" { ResourceKind::Mentor } else { ResourceKind::Equipment },
            resource_name: r.get(3)?,
            booker_id: r.get(4)?,
            start: to_utc(r.get(5)?),
            end: to_utc(r.get(6)?),
            status: BookingStatus::parse(&status).unwrap_or(BookingStatus::Cancelled),
            topic: r.get(8)?,
            reason: r.get(9)?,
            created_at: to_utc(r.get(10)?),
            updated_at: to_utc(r.get(11)?),
        },
        booker_name: r.get(12)?,
        pending: r.get(13)?,
        rejection: r.get::<_, Option<String>>(14)?.and_then(|json| serde_json::from_str(&json).ok()),
    })
}

pub(crate) fn booking_view(conn: &Connection, id: &str) -> Result<BookingView> {
    conn.prepare_cached(&format!("{BOOKING_SELECT} WHERE b.id = ?1 AND b.deleted = 0"))?
        .query_row([id], view_from_row)
        .optional()?
        .ok_or_else(|| CoreError::not_found("booking", id))
}

fn qualification_of(conn: &Connection, person_id: &str, rules: &ResourceRules, until: i64) -> Result<Qualification> {
    if !rules.policy.qualification_required {
        return Ok(Qualification::NotNeeded);
    }
    let expires: Option<Option<i64>> = conn
        .prepare_cached("SELECT expires_at FROM qualification WHERE person_id = ?1 AND resource_id = ?2")?
        .query_row(params![person_id, rules.id], |r| r.get(0))
        .optional()?;
    Ok(decide::qualification_state(true, expires, until))
}

fn visible_to(conn: &Connection, actor: &Actor, rules: &ResourceRules) -> Result<bool> {
    let visibility: Option<String> = conn
        .prepare_cached("SELECT visibility FROM mentor WHERE resource_id = ?1")?
        .query_row([&rules.id], |r| r.get(0))
        .optional()?;
    Ok(rules::visible_to(actor, rules, visibility.as_deref()))
}

/// Re-checks every rule against the rows of the open transaction.
fn check_in_tx(
    conn: &Connection,
    actor: &Actor,
    rules: &ResourceRules,
    request: Span,
    except: Option<&str>,
    now: i64,
) -> Result<()> {
    let busy = load_busy(conn, &rules.id, Days::covering(rules.tz, request).span(), except)?;
    let qualification = qualification_of(conn, &actor.id, rules, request.end)?;
    let ctx = decide::rule_context(rules, &busy, actor, qualification, visible_to(conn, actor, rules)?);
    rules::check_booking(&ctx, request, now).map_err(CoreError::from)
}

fn notify(
    conn: &Connection,
    person_id: &str,
    kind: &str,
    booking_id: Option<&str>,
    resource_id: Option<&str>,
    detail: serde_json::Value,
    now: i64,
) -> Result<()> {
    conn.prepare_cached("INSERT INTO notification(id, person_id, kind, booking_id, resource_id, detail, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
        .execute(params![new_id(), person_id, kind, booking_id, resource_id, detail.to_string(), now])?;
    Ok(())
}

/// Who decides on a resource's requests: the mentor, or the lab managers of its makerspace.
fn owner_ids(conn: &Connection, rules: &ResourceRules) -> Result<Vec<Id>> {
    let sql = match rules.kind {
        ResourceKind::Mentor => "SELECT person_id FROM mentor WHERE resource_id = ?1",
        ResourceKind::Equipment => {
            "SELECT pr.person_id FROM person_role pr JOIN resource r ON r.makerspace_id = pr.makerspace_id WHERE r.id = ?1 AND pr.role = 'lab_manager'"
        }
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([&rules.id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Changes a booking's status, tells its booker, and offers a freed slot to the waitlist.
pub(crate) fn set_status_in_tx(
    conn: &Connection,
    actor_id: &str,
    booking_id: &str,
    status: BookingStatus,
    reason: Option<&str>,
    now: i64,
) -> Result<()> {
    let before = booking_view(conn, booking_id)?;
    conn.prepare_cached("UPDATE booking SET status = ?2, reason = COALESCE(?3, reason), updated_at = ?4 WHERE id = ?1")?
        .execute(params![booking_id, status.as_str(), reason, now])?;
    audit(
        conn,
        now,
        Some(actor_id),
        status.as_str(),
        "booking",
        booking_id,
        serde_json::json!({"from": before.booking.status.as_str(), "reason": reason}),
    )?;
    if actor_id != before.booking.booker_id {
        notify(
            conn,
            &before.booking.booker_id,
            &format!("booking_{}", status.as_str()),
            Some(booking_id),
            Some(&before.booking.resource_id),
            serde_json::json!({"reason": reason}),
            now,
        )?;
    }
    if before.booking.status.holds_slot() && !status.holds_slot() && before.booking.end.timestamp() > now {
        offer_to_waitlist(
            conn,
            &before.booking.resource_id,
            Span::new(before.booking.start.timestamp(), before.booking.end.timestamp()),
            now,
        )?;
    }
    Ok(())
}

/// The first founder waiting for a window that overlaps the freed time is told.
fn offer_to_waitlist(conn: &Connection, resource_id: &str, freed: Span, now: i64) -> Result<()> {
    let first: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT id, person_id FROM waitlist WHERE resource_id = ?1 AND notified_at IS NULL AND start_at < ?3 AND end_at > ?2
             ORDER BY created_at, id LIMIT 1",
        )?
        .query_row(params![resource_id, freed.start, freed.end], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((entry_id, person_id)) = first {
        conn.prepare_cached("UPDATE waitlist SET notified_at = ?2 WHERE id = ?1")?.execute(params![entry_id, now])?;
        notify(
            conn,
            &person_id,
            "waitlist_slot_open",
            None,
            Some(resource_id),
            serde_json::json!({"start": to_utc(freed.start), "end": to_utc(freed.end)}),
            now,
        )?;
    }
    Ok(())
}

/// Active bookings (ending after `now`) that a new blackout would fall on.
pub(crate) fn booking_views_hitting(
    conn: &Connection,
    rules: &ResourceRules,
    blackout: &Blackout,
    now: i64,
) -> Result<Vec<BookingView>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{BOOKING_SELECT} WHERE b.resource_id = ?1 AND b.end_at > ?2 AND b.status IN ('requested', 'confirmed') AND b.deleted = 0 ORDER BY b.start_at"
    ))?;
    let candidates: Vec<BookingView> = stmt.query_map(params![rules.id, now], view_from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(crate::decide::hit_by_blackout(rules.tz, blackout, candidates, |v| {
        Span::new(v.booking.start.timestamp(), v.booking.end.timestamp())
    }))
}

impl Store {
    /// Books a slot for the actor. Requests to mentors in request mode, and to equipment
    /// that needs approval, start as `requested`; everything else is `confirmed`.
    pub fn book(&mut self, actor_id: &str, new: &NewBooking, now: DateTime<Utc>) -> Result<Booking> {
        self.book_with_id(actor_id, &new_id(), new, now)
    }

    /// Books under an id the client chose, so that the booking keeps its id from the
    /// desktop's outbox to the server and back.
    pub fn book_with_id(&mut self, actor_id: &str, id: &str, new: &NewBooking, now: DateTime<Utc>) -> Result<Booking> {
        self.insert_booking(actor_id, id, new, now)?;
        self.booking(id)
    }

    /// Books without reading the booking back: the district server answers a push with an
    /// outcome, not the booking, and this is its busiest write.
    pub fn insert_booking(&mut self, actor_id: &str, id: &str, new: &NewBooking, now: DateTime<Utc>) -> Result<()> {
        let request = validate_request(new.start, new.end, &new.topic, now.timestamp())?;
        check_text("booking_id", id, 64, true)?;
        self.write(|tx| {
            let taken: bool = tx.prepare_cached("SELECT EXISTS(SELECT 1 FROM booking WHERE id = ?1)")?.query_row([id], |r| r.get(0))?;
            if taken {
                return Err(CoreError::Conflict(format!("booking {id}")));
            }
            let actor = Actor::load(tx, actor_id)?;
            let rules = load_rules(tx, &new.resource_id)?;
            check_in_tx(tx, &actor, &rules, request, None, now.timestamp())?;
            let status = decide::initial_status(rules.policy.approval_required);
            tx.prepare_cached(
                "INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, topic, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            )?
            .execute(params![id, rules.id, actor_id, request.start, request.end, status.as_str(), new.topic.trim(), now.timestamp()])?;
            audit(tx, now.timestamp(), Some(actor_id), "book", "booking", id, serde_json::json!({"resource_id": rules.id, "start": request.start, "end": request.end, "status": status.as_str()}))?;
            if status == BookingStatus::Requested {
                for owner in owner_ids(tx, &rules)? {
                    notify(tx, &owner, "booking_request", Some(id), Some(&rules.id), serde_json::json!({}), now.timestamp())?;
                }
            }
            let mutation = Mutation::Book {
                booking_id: id.to_string(),
                resource_id: rules.id.clone(),
                start: new.start,
                end: new.end,
                topic: new.topic.trim().to_string(),
            };
            tx.record(&mutation, now.timestamp())
        })
    }

    /// Takes a booking from a makerspace's catalogue upload (the district server's side): its
    /// space admin sends it, with the booker and status it had on their desktop.
    pub fn upload_booking(&mut self, actor_id: &str, uploaded: &UploadedBooking, now: DateTime<Utc>) -> Result<()> {
        let request = uploaded.validate(now.timestamp())?;
        self.write(|tx| {
            let actor = Actor::load(tx, actor_id)?;
            let rules = load_rules(tx, &uploaded.resource_id)?;
            actor.require(Role::SpaceAdmin, &rules.makerspace_id, "uploading bookings")?;
            let taken: bool =
                tx.prepare_cached("SELECT EXISTS(SELECT 1 FROM booking WHERE id = ?1)")?.query_row([&uploaded.id], |r| r.get(0))?;
            if taken {
                return Err(CoreError::Conflict(format!("booking {}", uploaded.id)));
            }
            let booker: bool = tx
                .prepare_cached("SELECT EXISTS(SELECT 1 FROM person WHERE id = ?1 AND deleted = 0)")?
                .query_row([&uploaded.booker_id], |r| r.get(0))?;
            if !booker {
                return Err(CoreError::not_found("person", &uploaded.booker_id));
            }
            let booker = Actor::load(tx, &uploaded.booker_id)?;
            let busy = load_busy(tx, &rules.id, Days::covering(rules.tz, request).span(), None)?;
            rules::check_uploaded(&decide::upload_rule_context(&rules, &busy, &booker), request, now.timestamp())?;
            let status = decide::uploaded_status(uploaded.status, rules.policy.approval_required);
            tx.prepare_cached(
                "INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, topic, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            )?
            .execute(params![
                uploaded.id,
                rules.id,
                uploaded.booker_id,
                request.start,
                request.end,
                status.as_str(),
                uploaded.topic.trim(),
                now.timestamp()
            ])?;
            let detail = serde_json::json!({"resource_id": rules.id, "booker_id": uploaded.booker_id, "start": request.start, "end": request.end, "status": status.as_str()});
            audit(tx, now.timestamp(), Some(actor_id), "upload", "booking", &uploaded.id, detail)?;
            tx.record(&Mutation::UploadBooking { booking: uploaded.clone() }, now.timestamp())
        })
    }

    pub fn booking(&self, id: &str) -> Result<Booking> {
        Ok(booking_view(&self.conn, id)?.booking)
    }

    /// Runs a status change after checking who may make it and from which status.
    fn decide(
        &mut self,
        actor_id: &str,
        booking_id: &str,
        to: BookingStatus,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Booking> {
        if let Some(r) = reason {
            check_text("reason", r, 500, false)?;
        }
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        self.write(|tx| {
            let actor = Actor::load(tx, actor_id)?;
            let view = booking_view(tx, booking_id)?;
            let b = &view.booking;
            let rules = load_rules(tx, &b.resource_id)?;
            let facts = BookingFacts {
                status: b.status,
                start: b.start.timestamp(),
                end: b.end.timestamp(),
                cancel_cutoff_min: rules.policy.cancel_cutoff_min,
                actor_is_owner: require_owner(tx, &actor, &rules).is_ok(),
                actor_is_booker: b.booker_id == actor.id,
            };
            let now_s = now.timestamp();
            decide::check_transition(&facts, to, reason, now_s)?;
            set_status_in_tx(tx, actor_id, booking_id, to, reason, now_s)?;
            let booking_id = booking_id.to_string();
            let mutation = match to {
                BookingStatus::Confirmed => Mutation::Approve { booking_id },
                BookingStatus::Declined => Mutation::Decline { booking_id, reason: reason.unwrap_or_default().to_string() },
                BookingStatus::Completed => Mutation::Complete { booking_id },
                BookingStatus::NoShow => Mutation::NoShow { booking_id },
                _ => Mutation::Cancel { booking_id, reason: reason.map(str::to_string) },
            };
            tx.record(&mutation, now_s)
        })?;
        self.booking(booking_id)
    }

    pub fn approve(&mut self, actor_id: &str, booking_id: &str, now: DateTime<Utc>) -> Result<Booking> {
        self.decide(actor_id, booking_id, BookingStatus::Confirmed, None, now)
    }

    pub fn decline(&mut self, actor_id: &str, booking_id: &str, reason: &str, now: DateTime<Utc>) -> Result<Booking> {
        self.decide(actor_id, booking_id, BookingStatus::Declined, Some(reason), now)
    }

    pub fn cancel(&mut self, actor_id: &str, booking_id: &str, reason: Option<&str>, now: DateTime<Utc>) -> Result<Booking> {
        self.decide(actor_id, booking_id, BookingStatus::Cancelled, reason, now)
    }

    pub fn complete(&mut self, actor_id: &str, booking_id: &str, now: DateTime<Utc>) -> Result<Booking> {
        self.decide(actor_id, booking_id, BookingStatus::Completed, None, now)
    }

    pub fn no_show(&mut self, actor_id: &str, booking_id: &str, now: DateTime<Utc>) -> Result<Booking> {
        self.decide(actor_id, booking_id, BookingStatus::NoShow, None, now)
    }

    /// Moves a booking to a new time in one transaction: if the new time is refused, the
    /// old booking stays exactly as it was.
    pub fn reschedule(
        &mut self,
        actor_id: &str,
        booking_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Booking> {
        let request = validate_request(start, end, "", now.timestamp())?;
        self.write(|tx| {
            let actor = Actor::load(tx, actor_id)?;
            let b = booking_view(tx, booking_id)?.booking;
            let rules = load_rules(tx, &b.resource_id)?;
            let facts = BookingFacts {
                status: b.status,
                start: b.start.timestamp(),
                end: b.end.timestamp(),
                cancel_cutoff_min: rules.policy.cancel_cutoff_min,
                actor_is_owner: false,
                actor_is_booker: b.booker_id == actor.id,
            };
            decide::check_reschedule(&facts, now.timestamp())?;
            check_in_tx(tx, &actor, &rules, request, Some(booking_id), now.timestamp())?;
            let status = decide::initial_status(rules.policy.approval_required);
            tx.prepare_cached("UPDATE booking SET start_at = ?2, end_at = ?3, status = ?4, updated_at = ?5 WHERE id = ?1")?
                .execute(params![booking_id, request.start, request.end, status.as_str(), now.timestamp()])?;
            audit(
                tx,
                now.timestamp(),
                Some(actor_id),
                "reschedule",
                "booking",
                booking_id,
                serde_json::json!({"from": [b.start, b.end], "to": [start, end]}),
            )?;
            offer_to_waitlist(tx, &b.resource_id, Span::new(b.start.timestamp(), b.end.timestamp()), now.timestamp())?;
            tx.record(&Mutation::Reschedule { booking_id: booking_id.to_string(), start, end }, now.timestamp())
        })?;
        self.booking(booking_id)
    }

    /// The person's own bookings, and the sessions booked with them as a mentor.
    pub fn bookings_of(&self, person_id: &str) -> Result<Vec<BookingView>> {
        Actor::load(&self.conn, person_id)?;
        let mut stmt = self.conn.prepare(&format!(
            "{BOOKING_SELECT} WHERE b.deleted = 0 AND (b.booker_id = ?1 OR b.resource_id IN (SELECT resource_id FROM mentor WHERE person_id = ?1))
             ORDER BY b.start_at, b.id"
        ))?;
        let rows = stmt.query_map([person_id], view_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Bookings waiting for this person's decision (as mentor or lab manager).
    pub fn requests_for(&self, person_id: &str) -> Result<Vec<BookingView>> {
        let mut stmt = self.conn.prepare(&format!(
            "{BOOKING_SELECT} WHERE b.deleted = 0 AND b.status = 'requested' AND (
                b.resource_id IN (SELECT resource_id FROM mentor WHERE person_id = ?1)
                OR (r.kind = 'equipment' AND r.makerspace_id IN (SELECT makerspace_id FROM person_role WHERE person_id = ?1 AND role = 'lab_manager')))
             ORDER BY b.start_at"
        ))?;
        let rows = stmt.query_map([person_id], view_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A resource's bookings in a range as `viewer_id` may see them: its owners see every
    /// booking, everyone else sees their own and "busy" for the rest.
    pub fn resource_calendar(
        &self,
        resource_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        viewer_id: &str,
    ) -> Result<Vec<CalendarEntry>> {
        let viewer = Actor::load(&self.conn, viewer_id)?;
        let rules = load_rules(&self.conn, resource_id)?;
        let owner = require_owner(&self.conn, &viewer, &rules).is_ok();
        let mut stmt = self.conn.prepare(&format!(
            "{BOOKING_SELECT} WHERE b.resource_id = ?1 AND b.start_at < ?3 AND b.end_at > ?2 AND b.deleted = 0
             AND b.status IN ('requested', 'confirmed', 'completed', 'no_show') ORDER BY b.start_at"
        ))?;
        let rows = stmt.query_map(params![resource_id, from.timestamp(), to.timestamp()], view_from_row)?;
        let mut out = Vec::new();
        for v in rows {
            let v = v?;
            let visible = owner || v.booking.booker_id == viewer.id;
            out.push(CalendarEntry { start: v.booking.start, end: v.booking.end, booking: visible.then_some(v) });
        }
        Ok(out)
    }

    /// A mentor's phone and e-mail, for founders with a confirmed booking with them.
    pub fn mentor_contact(&self, mentor_id: &str, viewer_id: &str) -> Result<(Option<String>, Option<String>)> {
        let allowed: bool = self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM booking WHERE resource_id = ?1 AND booker_id = ?2 AND status IN ('confirmed', 'completed') AND deleted = 0)",
            params![mentor_id, viewer_id],
            |r| r.get(0),
        )?;
        let person_id: String = self
            .conn
            .query_row("SELECT person_id FROM mentor WHERE resource_id = ?1", [mentor_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| CoreError::not_found("mentor", mentor_id))?;
        if !allowed && person_id != viewer_id {
            return Err(CoreError::Forbidden("contact details are shared after a confirmed booking".into()));
        }
        Ok(self.conn.query_row("SELECT phone, email FROM person WHERE id = ?1", [person_id], |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    /// The mentor's private note on a session.
    pub fn set_session_note(&mut self, actor_id: &str, booking_id: &str, body: &str, now: DateTime<Utc>) -> Result<()> {
        check_text("note", body, 10_000, false)?;
        self.write(|tx| {
            let actor = Actor::load(tx, actor_id)?;
            let b = booking_view(tx, booking_id)?.booking;
            let rules = load_rules(tx, &b.resource_id)?;
            if rules.kind != ResourceKind::Mentor || require_owner(tx, &actor, &rules).is_err() {
                return Err(CoreError::Forbidden("only the mentor keeps notes on a session".into()));
            }
            tx.execute(
                "INSERT INTO session_note(booking_id, author_id, body, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(booking_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                params![booking_id, actor_id, body, now.timestamp()],
            )?;
            audit(tx, now.timestamp(), Some(actor_id), "set_note", "booking", booking_id, serde_json::json!({}))?;
            let mutation = Mutation::SetSessionNote { booking_id: booking_id.to_string(), body: body.to_string() };
            tx.record(&mutation, now.timestamp())
        })
    }

    pub fn session_note(&self, actor_id: &str, booking_id: &str) -> Result<Option<String>> {
        let author: Option<(String, String)> = self
            .conn
            .query_row("SELECT author_id, body FROM session_note WHERE booking_id = ?1", [booking_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        match author {
            Some((a, body)) if a == actor_id => Ok(Some(body)),
            Some(_) => Err(CoreError::Forbidden("session notes are the mentor's own".into())),
            None => Ok(None),
        }
    }

    /// The founder rates a session once it is over.
    pub fn give_feedback(
        &mut self,
        actor_id: &str,
        booking_id: &str,
        rating: u8,
        comment: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if !(1..=5).contains(&rating) {
            return Err(CoreError::invalid("rating", "must be 1 to 5"));
        }
        check_text("comment", comment, 2000, false)?;
        self.write(|tx| {
            let b = booking_view(tx, booking_id)?.booking;
            if b.booker_id != actor_id {
                return Err(CoreError::Forbidden("only the founder who booked rates the session".into()));
            }
            let over = b.status == BookingStatus::Completed || (b.status == BookingStatus::Confirmed && b.end <= now);
            if !over {
                return Err(Refusal::SessionNotOver.into());
            }
            let n = tx.execute(
                "INSERT OR IGNORE INTO feedback(booking_id, author_id, rating, comment, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![booking_id, actor_id, rating, comment.trim(), now.timestamp()],
            )?;
            if n == 0 {
                return Err(CoreError::Conflict("this session has feedback already".into()));
            }
            audit(tx, now.timestamp(), Some(actor_id), "feedback", "booking", booking_id, serde_json::json!({"rating": rating}))?;
            let mutation =
                Mutation::GiveFeedback { booking_id: booking_id.to_string(), rating, comment: comment.trim().to_string() };
            tx.record(&mutation, now.timestamp())
        })
    }

    /// (rating, comment) of a session, if given.
    pub fn feedback(&self, booking_id: &str) -> Result<Option<(u8, String)>> {
        Ok(self
            .conn
            .query_row("SELECT rating, comment FROM feedback WHERE booking_id = ?1", [booking_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// A founder waits for a resource in a time window; a cancellation there tells them.
    pub fn join_waitlist(
        &mut self,
        actor_id: &str,
        resource_id: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<WaitlistEntry> {
        self.join_waitlist_with_id(actor_id, &new_id(), resource_id, (start, end), now)
    }

    /// Joins a waitlist under an id the client chose, so the entry keeps its id through sync.
    pub fn join_waitlist_with_id(
        &mut self,
        actor_id: &str,
        id: &str,
        resource_id: &str,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        now: DateTime<Utc>,
    ) -> Result<WaitlistEntry> {
        let span = validate_request(start, end, "", now.timestamp())?;
        check_text("waitlist_id", id, 64, true)?;
        if span.end <= now.timestamp() {
            return Err(Refusal::InPast.into());
        }
        self.write(|tx| {
            let actor = Actor::load(tx, actor_id)?;
            if !actor.has_anywhere(Role::Founder) {
                return Err(Refusal::NotAFounder.into());
            }
            let rules = load_rules(tx, resource_id)?;
            if !visible_to(tx, &actor, &rules)? {
                return Err(Refusal::NotVisible.into());
            }
            let taken: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM waitlist WHERE id = ?1)", [id], |r| r.get(0))?;
            if taken {
                return Err(CoreError::Conflict(format!("waitlist entry {id}")));
            }
            tx.execute(
                "INSERT INTO waitlist(id, resource_id, person_id, start_at, end_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, resource_id, actor_id, span.start, span.end, now.timestamp()],
            )?;
            audit(
                tx,
                now.timestamp(),
                Some(actor_id),
                "join_waitlist",
                rules.kind.as_str(),
                resource_id,
                serde_json::json!({"start": span.start, "end": span.end}),
            )?;
            let mutation =
                Mutation::JoinWaitlist { waitlist_id: id.to_string(), resource_id: resource_id.to_string(), start, end };
            tx.record(&mutation, now.timestamp())?;
            Ok(WaitlistEntry {
                id: id.to_string(),
                resource_id: resource_id.to_string(),
                person_id: actor_id.to_string(),
                start,
                end,
                notified: false,
            })
        })
    }

    pub fn notifications(&self, person_id: &str) -> Result<Vec<Notification>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, kind, booking_id, resource_id, detail, created_at, read_at FROM notification WHERE person_id = ?1 ORDER BY created_at DESC, id DESC",
        )?;
        let rows = stmt.query_map([person_id], |r| {
            let detail: String = r.get(4)?;
            Ok(Notification {
                id: r.get(0)?,
                kind: r.get(1)?,
                booking_id: r.get(2)?,
                resource_id: r.get(3)?,
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
                created_at: to_utc(r.get(5)?),
                read: r.get::<_, Option<i64>>(6)?.is_some(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
