//! Booking, and everything that changes a booking afterwards.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::calendar::load_rules;
use super::ledger::SqliteLedger;
use super::mentors::require_owner;
use super::{Store, check_text, load_actor};
use crate::command::Command as Mutation;
use crate::command::{NewBooking, UploadedBooking};
use crate::domain::{Blackout, Booking, BookingStatus, Id, ResourceKind, new_id, to_utc};
use crate::error::Rejection;
use crate::error::{CoreError, Result};
use crate::interval::Span;
use crate::ledger::{ApplyError, StoredBooking};
use crate::place::{self, PlaceViewer, SessionFormat, SessionPlace};
use crate::rules::ResourceRules;

/// A new booking: (id, resource, booker, start, end, status, topic, at, startup).
pub const INSERT_BOOKING_SQL: &str =
    "INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, topic, created_at, updated_at, startup_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)";

/// A no-show that stands again: (at, id), in the order SQLite numbers them. Its release's
/// reason goes with the status.
pub const REINSTATE_SQL: &str = "UPDATE booking SET status = 'confirmed', reason = NULL, updated_at = $1 WHERE id = $2";

/// A booking as its booker or the resource's owner sees it.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingView {
    #[serde(flatten)]
    pub booking: Booking,
    pub booker_name: String,
    /// Made here and not yet confirmed by the district server.
    pub pending: bool,
    /// Refused by the district server (it lost a race while its booker was offline), or an
    /// occurrence of a series skipped for a conflict.
    pub rejection: Option<Rejection>,
    /// The repeating series it belongs to.
    pub series: Option<SeriesLink>,
    /// The zone of the resource's hours (an overseas mentor's own), and the booker's (their
    /// makerspace's): each side is shown the other's time when it differs.
    pub resource_zone: String,
    pub booker_zone: String,
    /// How the session is held (a mentor session booked in a format).
    pub place_format: Option<SessionFormat>,
    /// Where, and how to join: for the mentor and the space's admins, and for the founder
    /// once the session is confirmed.
    pub place: Option<SessionPlace>,
    /// The startup it was booked for (the booker's at the time).
    pub startup_name: Option<String>,
    /// Whether the founder has rated the session, and whether the mentor has rated how the
    /// startup is doing (each side rates once).
    pub founder_rated: bool,
    pub mentor_rated: bool,
    /// The six digits that check an instrument booking in at the lab's kiosk: for its booker
    /// and the replicas that run the lab's kiosk (no one else's replica holds the key).
    pub check_in_code: Option<String>,
}

/// A booking's place in its repeating series.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesLink {
    pub id: Id,
    /// The series' RFC 5545 RRULE.
    pub rule: String,
    /// The time the rule gave this booking (it moved if its own time differs).
    pub recurrence_start: DateTime<Utc>,
    pub recurrence_end: DateTime<Utc>,
    /// The zone the rule keeps its wall-clock times in: the resource's.
    pub timezone: String,
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

const BOOKING_SELECT: &str = concat!(
    "SELECT b.id, b.resource_id, r.kind, r.name, b.booker_id, b.start_at, b.end_at, b.status, b.topic, b.reason,
    b.created_at, b.updated_at, p.name, EXISTS(SELECT 1 FROM outbox o WHERE o.entity_id = b.id), b.rejection, b.series_id, b.series_rule, b.recurrence_at, b.recurrence_end, r.timezone, ",
    makerspace_zone_of!("b.booker_id"),
    ", b.place_format, b.place, (SELECT s.name FROM startup s WHERE s.id = b.startup_id),
    EXISTS(SELECT 1 FROM feedback f WHERE f.booking_id = b.id), EXISTS(SELECT 1 FROM mentor_feedback f WHERE f.booking_id = b.id),
    p.check_in_key
    FROM booking b JOIN resource r ON r.id = b.resource_id JOIN person p ON p.id = b.booker_id"
);

/// The booking alone: what `book` and every status change answer with. Its columns lead
/// [`BOOKING_SELECT`]'s, so one reader serves both.
const BOOKING_ONLY_SELECT: &str =
    "SELECT b.id, b.resource_id, r.kind, r.name, b.booker_id, b.start_at, b.end_at, b.status, b.topic, b.reason,
    b.created_at, b.updated_at FROM booking b JOIN resource r ON r.id = b.resource_id WHERE b.id = ?1 AND b.deleted = 0";

fn booking_from_row(r: &rusqlite::Row) -> rusqlite::Result<Booking> {
    let kind: String = r.get(2)?;
    let status: String = r.get(7)?;
    Ok(Booking {
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
    })
}

fn view_from_row(r: &rusqlite::Row) -> rusqlite::Result<BookingView> {
    let booking = booking_from_row(r)?;
    let place = super::parse_place(r.get::<_, Option<String>>(21)?.as_deref(), r.get::<_, Option<String>>(22)?.as_deref());
    let check_in_code = match (booking.resource_kind, r.get::<_, Option<String>>(26)?) {
        (ResourceKind::Equipment, Some(key)) => crate::usage::check_in_code(&key, &booking.id),
        _ => None,
    };
    Ok(BookingView {
        booking,
        booker_name: r.get(12)?,
        pending: r.get(13)?,
        rejection: r.get::<_, Option<String>>(14)?.and_then(|json| serde_json::from_str(&json).ok()),
        series: match (
            r.get::<_, Option<Id>>(15)?,
            r.get::<_, Option<String>>(16)?,
            r.get::<_, Option<i64>>(17)?,
            r.get::<_, Option<i64>>(18)?,
        ) {
            (Some(id), Some(rule), Some(start), Some(end)) => {
                Some(SeriesLink { id, rule, recurrence_start: to_utc(start), recurrence_end: to_utc(end), timezone: r.get(19)? })
            }
            _ => None,
        },
        resource_zone: r.get(19)?,
        booker_zone: r.get::<_, Option<String>>(20)?.unwrap_or_else(|| incubook_core::clock::DISTRICT_ZONE.name().to_string()),
        place_format: place.0,
        place: place.1,
        startup_name: r.get(23)?,
        founder_rated: r.get(24)?,
        mentor_rated: r.get(25)?,
        check_in_code,
    })
}

pub(crate) fn booking_view(conn: &Connection, id: &str) -> Result<BookingView> {
    conn.prepare_cached(&format!("{BOOKING_SELECT} WHERE b.id = ?1 AND b.deleted = 0"))?
        .query_row([id], view_from_row)
        .optional()?
        .ok_or_else(|| CoreError::not_found("booking", id))
}

impl BookingView {
    /// The view as `viewer` may see it: the place's details only when the core's rule allows.
    pub fn seen_by(mut self, viewer: PlaceViewer) -> BookingView {
        if !place::details_visible(viewer, self.booking.status) {
            self.place = None;
        }
        self
    }

    /// The booking as the decisions about it see it.
    pub fn stored(&self) -> StoredBooking {
        let b = &self.booking;
        StoredBooking {
            id: b.id.clone(),
            resource_id: b.resource_id.clone(),
            booker_id: b.booker_id.clone(),
            span: Span::new(b.start.timestamp(), b.end.timestamp()),
            status: b.status,
        }
    }
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
    /// Applies a command as `person` in one write transaction: `apply` decides and writes
    /// through the SQLite ledger, and the command is journaled in the same transaction.
    pub fn apply(&mut self, person: &str, command: &Mutation, now: DateTime<Utc>) -> Result<()> {
        let now = now.timestamp();
        self.write(|tx| {
            crate::apply::apply(&mut SqliteLedger::new(tx), person, command, now).map_err(ApplyError::into_core)?;
            tx.record(command, now)
        })
    }

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
        let command = Mutation::Book {
            booking_id: id.to_string(),
            resource_id: new.resource_id.clone(),
            start: new.start,
            end: new.end,
            topic: new.topic.trim().to_string(),
            format: new.format,
        };
        self.apply(actor_id, &command, now)
    }

    /// Takes a booking from a makerspace's catalogue upload (the district server's side): its
    /// space admin sends it, with the booker and status it had on their desktop.
    pub fn upload_booking(&mut self, actor_id: &str, uploaded: &UploadedBooking, now: DateTime<Utc>) -> Result<()> {
        self.apply(actor_id, &Mutation::UploadBooking { booking: uploaded.clone() }, now)
    }

    pub fn booking(&self, id: &str) -> Result<Booking> {
        self.conn
            .prepare_cached(BOOKING_ONLY_SELECT)?
            .query_row([id], booking_from_row)
            .optional()?
            .ok_or_else(|| CoreError::not_found("booking", id))
    }

    /// A status change, then the booking as it is now.
    fn change_status(&mut self, actor_id: &str, command: Mutation, booking_id: &str, now: DateTime<Utc>) -> Result<Booking> {
        self.apply(actor_id, &command, now)?;
        self.booking(booking_id)
    }

    pub fn approve(&mut self, actor_id: &str, booking_id: &str, now: DateTime<Utc>) -> Result<Booking> {
        self.change_status(actor_id, Mutation::Approve { booking_id: booking_id.to_string() }, booking_id, now)
    }

    pub fn decline(&mut self, actor_id: &str, booking_id: &str, reason: &str, now: DateTime<Utc>) -> Result<Booking> {
        let command = Mutation::Decline { booking_id: booking_id.to_string(), reason: reason.trim().to_string() };
        self.change_status(actor_id, command, booking_id, now)
    }

    pub fn cancel(&mut self, actor_id: &str, booking_id: &str, reason: Option<&str>, now: DateTime<Utc>) -> Result<Booking> {
        if let Some(r) = reason {
            check_text("reason", r, 500, false)?;
        }
        let reason = crate::apply::kept_reason(reason).map(str::to_string);
        self.change_status(actor_id, Mutation::Cancel { booking_id: booking_id.to_string(), reason }, booking_id, now)
    }

    pub fn complete(&mut self, actor_id: &str, booking_id: &str, now: DateTime<Utc>) -> Result<Booking> {
        self.change_status(actor_id, Mutation::Complete { booking_id: booking_id.to_string() }, booking_id, now)
    }

    pub fn no_show(&mut self, actor_id: &str, booking_id: &str, now: DateTime<Utc>) -> Result<Booking> {
        self.change_status(actor_id, Mutation::NoShow { booking_id: booking_id.to_string() }, booking_id, now)
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
        self.change_status(actor_id, Mutation::Reschedule { booking_id: booking_id.to_string(), start, end }, booking_id, now)
    }

    /// The person's own bookings, and the sessions booked with them as a mentor.
    pub fn bookings_of(&self, person_id: &str) -> Result<Vec<BookingView>> {
        load_actor(&self.conn, person_id)?;
        let mut stmt = self.conn.prepare(&format!(
            "{BOOKING_SELECT} WHERE b.deleted = 0 AND (b.booker_id = ?1 OR b.resource_id IN (SELECT resource_id FROM mentor WHERE person_id = ?1))
             ORDER BY b.start_at, b.id"
        ))?;
        let rows = stmt.query_map([person_id], view_from_row)?;
        let seen = |v: BookingView| {
            let viewer = if v.booking.booker_id == person_id { PlaceViewer::Booker } else { PlaceViewer::Host };
            v.seen_by(viewer)
        };
        Ok(rows.map(|v| v.map(seen)).collect::<rusqlite::Result<_>>()?)
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
        let viewer = load_actor(&self.conn, viewer_id)?;
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
            let seen_as = if owner {
                PlaceViewer::Host
            } else if v.booking.booker_id == viewer.id {
                PlaceViewer::Booker
            } else {
                PlaceViewer::Other
            };
            let (start, end) = (v.booking.start, v.booking.end);
            out.push(CalendarEntry { start, end, booking: (seen_as != PlaceViewer::Other).then(|| v.seen_by(seen_as)) });
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
        self.apply(actor_id, &Mutation::SetSessionNote { booking_id: booking_id.to_string(), body: body.to_string() }, now)
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
        let command = Mutation::JoinWaitlist { waitlist_id: id.to_string(), resource_id: resource_id.to_string(), start, end };
        self.apply(actor_id, &command, now)?;
        Ok(WaitlistEntry {
            id: id.to_string(),
            resource_id: resource_id.to_string(),
            person_id: actor_id.to_string(),
            start,
            end,
            notified: false,
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
