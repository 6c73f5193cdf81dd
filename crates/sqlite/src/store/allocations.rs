//! Hour allocations: the statements every backend runs, the desktop's commands, and each
//! allocation's balance — its hours with their top-ups, less the startup's completed mentor
//! sessions in its dates.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::Store;
use crate::allocation::{HourBalance, NewAllocation};
use crate::availability::local_start;
use crate::command::Command as Mutation;
use crate::domain::{Id, new_id, parse_date};
use crate::error::Result;

/// (id) → makerspace, startup.
pub const ALLOCATION_SQL: &str = "SELECT makerspace_id, startup_id FROM hour_allocation WHERE id = $1 AND deleted = 0";
pub const INSERT_ALLOCATION_SQL: &str =
    "INSERT INTO hour_allocation(id, startup_id, makerspace_id, programme, starts_on, ends_on, minutes, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub const INSERT_TOPUP_SQL: &str = "INSERT INTO hour_topup(id, allocation_id, startup_id, minutes, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

pub(super) fn load_allocation(conn: &Connection, id: &str) -> Result<Option<(Id, Id)>> {
    Ok(conn.prepare_cached(ALLOCATION_SQL)?.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
}

pub(super) fn write_allocation_effect(tx: &Connection, effect: crate::ledger::MoneyEffect<'_>) -> Result<()> {
    use crate::ledger::MoneyEffect;
    match effect {
        MoneyEffect::InsertAllocation { id, allocation: a, created_by, at } => {
            tx.prepare_cached(INSERT_ALLOCATION_SQL)?.execute(params![
                id,
                a.startup_id,
                a.makerspace_id,
                a.programme,
                a.starts_on.to_string(),
                a.ends_on.to_string(),
                a.hours * 60,
                created_by,
                at
            ])?;
        }
        MoneyEffect::InsertTopUp { id, allocation_id, startup_id, minutes, reason, created_by, at } => {
            tx.prepare_cached(INSERT_TOPUP_SQL)?.execute(params![
                id,
                allocation_id,
                startup_id,
                minutes,
                reason,
                created_by,
                at
            ])?;
        }
    }
    Ok(())
}

/// A top-up as the allocation's history shows it.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopUp {
    pub minutes: u32,
    pub reason: String,
    pub at: DateTime<Utc>,
}

impl Store {
    /// Gives a startup mentor hours; the allocation's id.
    pub fn allocate_hours(&mut self, actor: &str, allocation: &NewAllocation, now: DateTime<Utc>) -> Result<Id> {
        let id = new_id();
        self.apply(actor, &Mutation::AllocateHours { allocation_id: id.clone(), allocation: allocation.clone() }, now)?;
        Ok(id)
    }

    /// Adds hours to an allocation, for a reason the audit log keeps.
    pub fn top_up_hours(
        &mut self,
        actor: &str,
        allocation_id: &str,
        (hours, reason): (u32, &str),
        now: DateTime<Utc>,
    ) -> Result<()> {
        let command =
            Mutation::TopUpHours { topup_id: new_id(), allocation_id: allocation_id.into(), hours, reason: reason.to_string() };
        self.apply(actor, &command, now)
    }

    /// A startup's allocations, latest first, with what is used of each: the completed
    /// mentor sessions booked for it that started on the allocation's dates (in its
    /// makerspace's zone).
    pub fn hour_balances(&self, startup_id: &str) -> Result<Vec<HourBalance>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.startup_id, a.makerspace_id, a.programme, a.starts_on, a.ends_on,
                    a.minutes + coalesce((SELECT sum(t.minutes) FROM hour_topup t WHERE t.allocation_id = a.id), 0), k.timezone
             FROM hour_allocation a JOIN makerspace k ON k.id = a.makerspace_id
             WHERE a.startup_id = ?1 AND a.deleted = 0 ORDER BY a.starts_on DESC, a.id",
        )?;
        type Row = (String, String, String, String, String, String, i64, String);
        let rows: Vec<Row> = stmt
            .query_map([startup_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut used = self.conn.prepare_cached(
            "SELECT coalesce(sum((b.end_at - b.start_at) / 60), 0) FROM booking b
             JOIN resource r ON r.id = b.resource_id AND r.kind = 'mentor'
             WHERE b.startup_id = ?1 AND b.status = 'completed' AND b.deleted = 0 AND b.start_at >= ?2 AND b.start_at < ?3",
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, startup, makerspace, programme, starts, ends, budget, zone) in rows {
            let (starts_on, ends_on): (NaiveDate, NaiveDate) = (parse_date("starts_on", &starts)?, parse_date("ends_on", &ends)?);
            let tz = zone.parse().unwrap_or(incubook_core::clock::DISTRICT_ZONE);
            let from = local_start(tz, starts_on.and_time(NaiveTime::MIN));
            let to = local_start(tz, ends_on.succ_opt().unwrap_or(ends_on).and_time(NaiveTime::MIN));
            let used_min: i64 = used.query_row(params![startup, from, to], |r| r.get(0))?;
            let budget = u32::try_from(budget).unwrap_or(0);
            out.push(HourBalance::new(
                (id, startup, makerspace),
                programme,
                (starts_on, ends_on),
                budget,
                u32::try_from(used_min).unwrap_or(0),
            ));
        }
        Ok(out)
    }

    /// The startup an allocation is for.
    pub fn allocation_startup(&self, allocation_id: &str) -> Result<Id> {
        let found = load_allocation(&self.conn, allocation_id)?;
        found.map(|(_, startup)| startup).ok_or_else(|| crate::error::CoreError::not_found("allocation", allocation_id))
    }

    /// An allocation's top-ups, oldest first.
    pub fn top_ups(&self, allocation_id: &str) -> Result<Vec<TopUp>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT minutes, reason, created_at FROM hour_topup WHERE allocation_id = ?1 ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map([allocation_id], |r| {
            Ok(TopUp { minutes: r.get(0)?, reason: r.get(1)?, at: crate::domain::to_utc(r.get(2)?) })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The quarter `now` falls in, by the makerspace's calendar: a programme's default name
    /// and dates.
    pub fn quarter_at(&self, makerspace_id: &str, now: DateTime<Utc>) -> Result<(String, NaiveDate, NaiveDate)> {
        let zone: Option<String> = self
            .conn
            .prepare_cached("SELECT timezone FROM makerspace WHERE id = ?1")?
            .query_row([makerspace_id], |r| r.get(0))
            .optional()?;
        let zone = zone.ok_or_else(|| crate::error::CoreError::not_found("makerspace", makerspace_id))?;
        let tz: chrono_tz::Tz = zone.parse().unwrap_or(incubook_core::clock::DISTRICT_ZONE);
        Ok(crate::allocation::quarter_of(now.with_timezone(&tz).date_naive()))
    }

    /// The balances of the startup a person is a member of.
    pub fn my_hour_balances(&self, person_id: &str) -> Result<Vec<HourBalance>> {
        match super::startups::startup_of(self.conn(), person_id)? {
            Some(startup) => self.hour_balances(&startup),
            None => Ok(Vec::new()),
        }
    }
}
