//! Office hours and group sessions: the statements every backend runs, the desktop's
//! commands, and the lists that show blocks with their seats.

use chrono::{DateTime, Duration, TimeZone, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::Store;
use crate::command::Command as Mutation;
use crate::domain::{Id, new_id, to_utc};
use crate::error::{CoreError, Result};
use crate::interval::Span;
use crate::office::{BlockAt, BlockKind, NewBlocks, SeatState, StoredBlock, StoredSeat, parse_held};

/// (id) → resource, kind, start, end, seat minutes, capacity, cancelled, held.
pub const BLOCK_SQL: &str = "SELECT id, resource_id, kind, start_at, end_at, seat_minutes, capacity, cancelled, held
     FROM office_block WHERE id = $1 AND deleted = 0";
/// (block) → person, seat, state, at; in the order they came.
pub const SEATS_SQL: &str = "SELECT person_id, seat, state, at FROM office_seat WHERE block_id = $1 ORDER BY at, person_id";
pub const INSERT_BLOCK_SQL: &str =
    "INSERT INTO office_block(id, resource_id, kind, title, start_at, end_at, seat_minutes, capacity, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub const CANCEL_BLOCK_SQL: &str = "UPDATE office_block SET cancelled = 1 WHERE id = $1";
/// (held as text, how many, block).
pub const SET_BLOCK_HELD_SQL: &str = "UPDATE office_block SET held = $1, taken = $2 WHERE id = $3";
/// (block, person, seat, state, at).
pub const PUT_SEAT_SQL: &str = "INSERT INTO office_seat(block_id, person_id, seat, state, at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (block_id, person_id) DO UPDATE SET seat = excluded.seat, state = excluded.state, at = excluded.at";

/// A block as read: (id, resource, kind, start, end, seat minutes, capacity, cancelled, held).
pub type BlockRow = (String, String, String, i64, i64, i64, i64, i64, String);

pub fn stored_block(
    (id, resource_id, kind, start, end, seat_minutes, capacity, cancelled, held): BlockRow,
) -> Result<StoredBlock> {
    Ok(StoredBlock {
        id,
        resource_id,
        kind: kind.parse().map_err(|_| CoreError::invalid("kind", format!("'{kind}' is not a block kind")))?,
        span: Span::new(start, end),
        seat_minutes: u32::try_from(seat_minutes).unwrap_or(0),
        capacity: u32::try_from(capacity).unwrap_or(0),
        cancelled: cancelled == 1,
        held: parse_held(&held),
    })
}

/// A seat as read: (person, seat, state, at).
pub fn stored_seat(person_id: String, seat: Option<i64>, state: &str, at: i64) -> Result<StoredSeat> {
    Ok(StoredSeat {
        person_id,
        seat: seat.and_then(|n| u32::try_from(n).ok()),
        state: state.parse().map_err(|_| CoreError::invalid("state", format!("'{state}' is not a seat state")))?,
        at,
    })
}

pub(super) fn load_block(conn: &Connection, id: &str) -> Result<Option<StoredBlock>> {
    let row: Option<BlockRow> = conn
        .prepare_cached(BLOCK_SQL)?
        .query_row([id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
        })
        .optional()?;
    row.map(stored_block).transpose()
}

pub(super) fn load_seats(conn: &Connection, block_id: &str) -> Result<Vec<StoredSeat>> {
    let rows: Vec<(String, Option<i64>, String, i64)> = conn
        .prepare_cached(SEATS_SQL)?
        .query_map([block_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter().map(|(p, seat, state, at)| stored_seat(p, seat, &state, at)).collect()
}

pub(super) fn write_office_effect(tx: &Connection, effect: crate::ledger::OfficeEffect<'_>) -> Result<()> {
    use crate::ledger::OfficeEffect;
    match effect {
        OfficeEffect::InsertBlock { id, resource_id, kind, title, span, seat_minutes, capacity, at } => {
            tx.prepare_cached(INSERT_BLOCK_SQL)?.execute(params![
                id,
                resource_id,
                kind.as_str(),
                title,
                span.start,
                span.end,
                seat_minutes,
                capacity,
                at
            ])?;
        }
        OfficeEffect::CancelBlock { id } => {
            tx.prepare_cached(CANCEL_BLOCK_SQL)?.execute([id])?;
        }
        OfficeEffect::SetBlockHeld { id, held } => {
            tx.prepare_cached(SET_BLOCK_HELD_SQL)?.execute(params![crate::office::held_text(held), held.len() as i64, id])?;
        }
        OfficeEffect::PutSeat { block_id, person_id, seat, state, at } => {
            tx.prepare_cached(PUT_SEAT_SQL)?.execute(params![block_id, person_id, seat, state.as_str(), at])?;
        }
    }
    Ok(())
}

/// A block as lists show it, with the viewer's own seat.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockView {
    pub id: Id,
    pub resource_id: Id,
    pub mentor_name: String,
    /// The mentor's zone.
    pub timezone: String,
    pub kind: BlockKind,
    pub title: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub seat_minutes: u32,
    pub capacity: u32,
    /// The seats taken, by number: how many shows everywhere.
    pub held: Vec<u32>,
    pub cancelled: bool,
    /// The viewer's seat.
    pub my_seat: Option<u32>,
    /// The viewer waits in line.
    pub waiting: bool,
}

/// Who sits where, for the mentor and the space's admins.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatView {
    pub person_id: Id,
    pub name: String,
    pub seat: Option<u32>,
    pub state: SeatState,
}

/// What a mentor asks for when publishing: the first block's start, and how many weeks.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct OfficeHoursPlan {
    pub resource_id: Id,
    pub kind: BlockKind,
    pub title: String,
    pub start: DateTime<Utc>,
    pub minutes: u32,
    pub seat_minutes: Option<u32>,
    pub seats: Option<u32>,
    pub weeks: u32,
}

impl Store {
    /// Publishes a block and the same local time in each following week (in the mentor's
    /// zone, so 14:00 stays 14:00 across a daylight-saving change); the blocks' ids.
    pub fn publish_office_hours(&mut self, actor: &str, plan: &OfficeHoursPlan, now: DateTime<Utc>) -> Result<Vec<Id>> {
        let tz = super::calendar::load_rules(&self.conn, &plan.resource_id)?.tz;
        let local = plan.start.with_timezone(&tz).naive_local();
        let mut blocks = Vec::new();
        for week in 0..plan.weeks.clamp(1, crate::office::MAX_WEEKS as u32) {
            let wall = local + Duration::weeks(i64::from(week));
            // A wall-clock time the change skips moves an hour on; a repeated one is its first.
            let start = tz
                .from_local_datetime(&wall)
                .earliest()
                .or_else(|| tz.from_local_datetime(&(wall + Duration::hours(1))).earliest())
                .map(|t| t.with_timezone(&Utc))
                .ok_or_else(|| CoreError::invalid("start", "not a time in the mentor's zone"))?;
            blocks.push(BlockAt { block_id: new_id(), start });
        }
        let ids = blocks.iter().map(|b| b.block_id.clone()).collect();
        let new = NewBlocks {
            resource_id: plan.resource_id.clone(),
            kind: plan.kind,
            title: plan.title.clone(),
            minutes: plan.minutes,
            seat_minutes: plan.seat_minutes,
            seats: plan.seats,
            blocks,
        };
        self.apply(actor, &Mutation::PublishOfficeHours { blocks: new }, now)?;
        Ok(ids)
    }

    pub fn take_seat(
        &mut self,
        actor: &str,
        block_id: &str,
        (seat, wait): (Option<u32>, bool),
        now: DateTime<Utc>,
    ) -> Result<()> {
        let command = Mutation::TakeSeat { block_id: block_id.into(), person_id: actor.into(), seat, wait };
        self.apply(actor, &command, now)
    }

    pub fn leave_seat(&mut self, actor: &str, block_id: &str, now: DateTime<Utc>) -> Result<()> {
        self.apply(actor, &Mutation::LeaveSeat { block_id: block_id.into(), person_id: actor.into() }, now)
    }

    pub fn cancel_office_hours(&mut self, actor: &str, block_id: &str, now: DateTime<Utc>) -> Result<()> {
        self.apply(actor, &Mutation::CancelOfficeHours { block_id: block_id.into() }, now)
    }

    /// Blocks ending after `from`, soonest first — of one mentor, or of every mentor — with
    /// the viewer's seat.
    pub fn office_hours(&self, viewer: &str, resource_id: Option<&str>, from: DateTime<Utc>) -> Result<Vec<BlockView>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.id, b.resource_id, r.name, r.timezone, b.kind, b.title, b.start_at, b.end_at, b.seat_minutes, b.capacity,
                    b.held, b.cancelled, s.seat, s.state
             FROM office_block b JOIN resource r ON r.id = b.resource_id
             LEFT JOIN office_seat s ON s.block_id = b.id AND s.person_id = ?1
             WHERE b.deleted = 0 AND b.end_at > ?2 AND (?3 IS NULL OR b.resource_id = ?3)
             ORDER BY b.start_at, b.id",
        )?;
        let rows = stmt.query_map(params![viewer, from.timestamp(), resource_id], |r| {
            let (kind, state): (String, Option<String>) = (r.get(4)?, r.get(13)?);
            Ok(BlockView {
                id: r.get(0)?,
                resource_id: r.get(1)?,
                mentor_name: r.get(2)?,
                timezone: r.get(3)?,
                kind: kind.parse().unwrap_or(BlockKind::OfficeHours),
                title: r.get(5)?,
                start: to_utc(r.get(6)?),
                end: to_utc(r.get(7)?),
                seat_minutes: r.get(8)?,
                capacity: r.get(9)?,
                held: parse_held(&r.get::<_, String>(10)?),
                cancelled: r.get::<_, i64>(11)? == 1,
                my_seat: if state.as_deref() == Some("held") { r.get(12)? } else { None },
                waiting: state.as_deref() == Some("waiting"),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Who holds which seat of a block and who waits, as this replica knows them (the
    /// mentor's and the space admins' replicas know everyone).
    pub fn block_seats(&self, block_id: &str) -> Result<Vec<SeatView>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.person_id, p.name, s.seat, s.state FROM office_seat s JOIN person p ON p.id = s.person_id
             WHERE s.block_id = ?1 AND s.state <> 'left' ORDER BY s.state, s.seat, s.at",
        )?;
        let rows =
            stmt.query_map([block_id], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, Option<u32>>(2)?, r.get::<_, String>(3)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (person_id, name, seat, state) = row?;
            let state = state.parse().map_err(|_| CoreError::invalid("state", state.clone()))?;
            out.push(SeatView { person_id, name, seat, state });
        }
        Ok(out)
    }
}
