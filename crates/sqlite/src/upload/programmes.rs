//! The makerspace's programmes in a first connection's upload: the events it held and will
//! hold (its yearly figures count them) and the mentor hours it gave startups, with each
//! top-up and its reason — as the same commands a space admin sends, so the server checks
//! each one.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, params};

use crate::allocation::NewAllocation;
use crate::command::Command as Mutation;
use crate::domain::{INPUT_DAYS_BEFORE, Id, to_utc};
use crate::error::{CoreError, Result};
use crate::events::{EventKind, NewEvent};

/// A top-up of an allocation: (id, hours, reason).
type TopUp = (Id, u32, String);

/// What of the programmes goes up, read before anything is written.
pub(super) struct Programmes {
    /// Events with whether they were cancelled.
    pub events: Vec<(Id, NewEvent, bool)>,
    /// Allocations with their top-ups.
    pub allocations: Vec<(Id, NewAllocation, Vec<TopUp>)>,
    /// Events begun more than a year ago: the server takes no change that old.
    pub skipped: u32,
}

impl Programmes {
    /// The mutations, in an order the server can apply: an allocation before its top-ups.
    /// The makerspace is named by the server's id.
    pub fn mutations(&self, server_id: &str) -> Vec<Mutation> {
        let mut out = Vec::new();
        for (event_id, event, cancelled) in &self.events {
            let event = NewEvent { makerspace_id: server_id.to_string(), ..event.clone() };
            out.push(Mutation::PublishEvent { event_id: event_id.clone(), event });
            if *cancelled {
                out.push(Mutation::CancelEvent { event_id: event_id.clone() });
            }
        }
        for (allocation_id, allocation, top_ups) in &self.allocations {
            let allocation = NewAllocation { makerspace_id: server_id.to_string(), ..allocation.clone() };
            out.push(Mutation::AllocateHours { allocation_id: allocation_id.clone(), allocation });
            for (topup_id, hours, reason) in top_ups {
                out.push(Mutation::TopUpHours {
                    topup_id: topup_id.clone(),
                    allocation_id: allocation_id.clone(),
                    hours: *hours,
                    reason: reason.clone(),
                });
            }
        }
        out
    }
}

fn date(field: &'static str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| CoreError::invalid(field, e.to_string()))
}

pub(super) fn read_programmes(conn: &Connection, makerspace_id: &str, now: DateTime<Utc>) -> Result<Programmes> {
    let oldest = now.timestamp() - INPUT_DAYS_BEFORE * 86_400;
    let mut stmt = conn.prepare(
        "SELECT id, kind, title, start_at, end_at, place, capacity, cancelled FROM event
         WHERE makerspace_id = ?1 AND deleted = 0 ORDER BY start_at, id",
    )?;
    let rows = stmt.query_map([makerspace_id], |r| {
        Ok((
            r.get::<_, Id>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, u32>(6)?,
            r.get::<_, bool>(7)?,
        ))
    })?;
    let (mut events, mut skipped) = (Vec::new(), 0);
    for row in rows {
        let (id, kind, title, start, end, place, capacity, cancelled) = row?;
        if start < oldest {
            skipped += 1;
            continue;
        }
        let kind: EventKind = kind.parse().map_err(|_| CoreError::invalid("kind", kind.clone()))?;
        let event = NewEvent {
            makerspace_id: makerspace_id.to_string(),
            kind,
            title,
            start: to_utc(start),
            end: to_utc(end),
            place,
            capacity,
        };
        events.push((id, event, cancelled));
    }

    let mut stmt = conn.prepare(
        "SELECT id, startup_id, programme, starts_on, ends_on, minutes FROM hour_allocation
         WHERE makerspace_id = ?1 AND deleted = 0 ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map([makerspace_id], |r| {
        Ok((
            r.get::<_, Id>(0)?,
            r.get::<_, Id>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    let mut top_ups =
        conn.prepare("SELECT id, minutes, reason FROM hour_topup WHERE allocation_id = ?1 ORDER BY created_at, id")?;
    let hours = |minutes: i64| u32::try_from(minutes / 60).unwrap_or(u32::MAX);
    let mut allocations = Vec::new();
    for row in rows {
        let (id, startup_id, programme, starts_on, ends_on, minutes) = row?;
        let allocation = NewAllocation {
            startup_id,
            makerspace_id: makerspace_id.to_string(),
            programme,
            starts_on: date("starts_on", &starts_on)?,
            ends_on: date("ends_on", &ends_on)?,
            hours: hours(minutes),
        };
        let added = top_ups
            .query_map(params![id], |r| Ok((r.get::<_, Id>(0)?, hours(r.get(1)?), r.get::<_, String>(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        allocations.push((id, allocation, added));
    }
    Ok(Programmes { events, allocations, skipped })
}
