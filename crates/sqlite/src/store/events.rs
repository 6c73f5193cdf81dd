//! Events in SQLite: the statements both server backends share (`$n` in order), the facts
//! `apply` reads, and the district's events as lists show them.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::Store;
use crate::command::Command;
use crate::domain::{Id, new_id, to_utc};
use crate::error::{CoreError, Result};
use crate::events::{EventKind, NewEvent, Registration, StoredEvent};

/// (id) → makerspace, start, end, capacity, cancelled 0/1 of a live event.
pub const EVENT_SQL: &str =
    "SELECT id, makerspace_id, start_at, end_at, capacity, cancelled FROM event WHERE id = $1 AND deleted = 0";
/// (event) → person, active 0/1, attended 0/1, in the order they registered.
pub const REGISTRATIONS_SQL: &str =
    "SELECT person_id, active, attended FROM event_registration WHERE event_id = $1 ORDER BY registered_at, person_id";
pub const INSERT_EVENT_SQL: &str =
    "INSERT INTO event(id, makerspace_id, kind, title, start_at, end_at, place, capacity, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
pub const CANCEL_EVENT_SQL: &str = "UPDATE event SET cancelled = 1 WHERE id = $1";
/// (event, person, active 0/1, at).
pub const SET_REGISTRATION_SQL: &str =
    "INSERT INTO event_registration(event_id, person_id, active, registered_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (event_id, person_id) DO UPDATE SET active = excluded.active";
/// (event): the places taken, counted again.
pub const COUNT_REGISTERED_SQL: &str = "UPDATE event SET registered = (SELECT count(*) FROM event_registration r WHERE r.event_id = event.id AND r.active = 1) WHERE id = $1";
/// (attended 0/1, event, person).
pub const SET_ATTENDANCE_SQL: &str = "UPDATE event_registration SET attended = $1 WHERE event_id = $2 AND person_id = $3";

pub(super) fn load_event(tx: &Connection, id: &str) -> Result<Option<StoredEvent>> {
    Ok(tx
        .prepare_cached(EVENT_SQL)?
        .query_row([id], |r| {
            Ok(StoredEvent {
                id: r.get(0)?,
                makerspace_id: r.get(1)?,
                start: r.get(2)?,
                end: r.get(3)?,
                capacity: r.get(4)?,
                cancelled: r.get::<_, i64>(5)? == 1,
            })
        })
        .optional()?)
}

pub(super) fn load_registrations(tx: &Connection, event_id: &str) -> Result<Vec<Registration>> {
    let mut stmt = tx.prepare_cached(REGISTRATIONS_SQL)?;
    let rows = stmt.query_map([event_id], |r| {
        Ok(Registration { person_id: r.get(0)?, active: r.get::<_, i64>(1)? == 1, attended: r.get::<_, i64>(2)? == 1 })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn write_event_effect(tx: &Connection, effect: crate::ledger::EventEffect<'_>) -> Result<()> {
    use crate::ledger::EventEffect;
    match effect {
        EventEffect::InsertEvent { id, event: e, created_by, at } => {
            let kind: &str = e.kind.into();
            tx.prepare_cached(INSERT_EVENT_SQL)?.execute(params![
                id,
                e.makerspace_id,
                kind,
                e.title,
                e.start.timestamp(),
                e.end.timestamp(),
                e.place,
                e.capacity,
                created_by,
                at
            ])?;
        }
        EventEffect::CancelEvent { id } => {
            tx.prepare_cached(CANCEL_EVENT_SQL)?.execute([id])?;
        }
        EventEffect::SetRegistration { event_id, person_id, active, at } => {
            tx.prepare_cached(SET_REGISTRATION_SQL)?.execute(params![event_id, person_id, i64::from(active), at])?;
            tx.prepare_cached(COUNT_REGISTERED_SQL)?.execute([event_id])?;
        }
        EventEffect::SetAttendance { event_id, person_id, attended } => {
            tx.prepare_cached(SET_ATTENDANCE_SQL)?.execute(params![i64::from(attended), event_id, person_id])?;
        }
    }
    Ok(())
}

/// An event as lists show it, with the viewer's own registration.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventView {
    pub id: Id,
    pub makerspace_id: Id,
    pub makerspace_name: String,
    pub kind: EventKind,
    pub title: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub place: String,
    pub capacity: u32,
    /// Places taken.
    pub registered: u32,
    pub cancelled: bool,
    /// The viewer registered (and has not withdrawn).
    pub mine: bool,
    pub attended: bool,
    /// People may still register or withdraw (`events::registration_open` at the time read).
    #[serde(default)]
    pub registration_open: bool,
}

impl Store {
    /// The district's events ending after `from`, soonest first, as `viewer` sees them.
    pub fn events(&self, viewer: &str, from: DateTime<Utc>) -> Result<Vec<EventView>> {
        self.event_views("e.end_at > ?2", params![viewer, from.timestamp()], from)
    }

    /// One event as `viewer` sees it at `now`.
    pub fn event(&self, viewer: &str, event_id: &str, now: DateTime<Utc>) -> Result<EventView> {
        let found = self.event_views("e.id = ?2", params![viewer, event_id], now)?;
        found.into_iter().next().ok_or_else(|| CoreError::not_found("event", event_id))
    }

    /// Events as the viewer (`?1`) sees them, those `filter` (over `e`, with `?2`) keeps.
    fn event_views(&self, filter: &str, args: &[&dyn rusqlite::ToSql], now: DateTime<Utc>) -> Result<Vec<EventView>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT e.id, e.makerspace_id, k.name, e.kind, e.title, e.start_at, e.end_at, e.place, e.capacity, e.registered, e.cancelled,
                    coalesce(r.active, 0), coalesce(r.attended, 0)
             FROM event e JOIN makerspace k ON k.id = e.makerspace_id
             LEFT JOIN event_registration r ON r.event_id = e.id AND r.person_id = ?1
             WHERE e.deleted = 0 AND {filter} ORDER BY e.start_at, e.id"
        ))?;
        let rows = stmt.query_map(args, |r| {
            let kind: String = r.get(3)?;
            let (start, cancelled) = (r.get::<_, i64>(5)?, r.get::<_, i64>(10)? == 1);
            Ok(EventView {
                id: r.get(0)?,
                makerspace_id: r.get(1)?,
                makerspace_name: r.get(2)?,
                kind: kind.parse().unwrap_or(EventKind::Other),
                title: r.get(4)?,
                start: to_utc(r.get(5)?),
                end: to_utc(r.get(6)?),
                place: r.get(7)?,
                capacity: r.get(8)?,
                registered: r.get(9)?,
                cancelled: r.get::<_, i64>(10)? == 1,
                mine: r.get::<_, i64>(11)? == 1,
                attended: r.get::<_, i64>(12)? == 1,
                registration_open: incubook_core::events::registration_open(start, cancelled, now.timestamp()),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Publishes an event; its id.
    pub fn publish_event(&mut self, actor: &str, event: &NewEvent, now: DateTime<Utc>) -> Result<Id> {
        let event_id = new_id();
        self.apply(actor, &Command::PublishEvent { event_id: event_id.clone(), event: event.clone() }, now)?;
        Ok(event_id)
    }

    pub fn cancel_event(&mut self, actor: &str, event_id: &str, now: DateTime<Utc>) -> Result<()> {
        self.apply(actor, &Command::CancelEvent { event_id: event_id.into() }, now)
    }

    /// Registers the actor for the event, or (`registered: false`) withdraws them.
    pub fn register_for_event(&mut self, actor: &str, event_id: &str, registered: bool, now: DateTime<Utc>) -> Result<()> {
        let command = Command::RegisterForEvent { event_id: event_id.into(), person_id: actor.into(), registered };
        self.apply(actor, &command, now)
    }

    pub fn mark_attendance(
        &mut self,
        actor: &str,
        (event_id, person_id): (&str, &str),
        attended: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let command = Command::MarkAttendance { event_id: event_id.into(), person_id: person_id.into(), attended };
        self.apply(actor, &command, now)
    }

    /// Who registered for the event (and has not withdrawn), with whether they came, by name.
    pub fn event_attendees(&self, event_id: &str) -> Result<Vec<(Id, String, bool)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.person_id, p.name, r.attended FROM event_registration r JOIN person p ON p.id = r.person_id
             WHERE r.event_id = ?1 AND r.active = 1 ORDER BY p.name, r.person_id",
        )?;
        let rows = stmt.query_map([event_id], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? == 1)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
