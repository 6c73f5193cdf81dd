//! A lab's utilisation for its manager's charts: per instrument and week, the hours it was
//! open, booked and actually used (from usage sessions); and the lab's 共享率 month by month.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rusqlite::params;
use serde::Serialize;

use crate::domain::Id;
use crate::error::{CoreError, Result};
use crate::indicators::GroupBy;
use crate::interval::Span;
use crate::report::{open_seconds, range_of};
use crate::statement::month_of;
use crate::store::Store;

/// The most weeks one chart shows.
const MAX_WEEKS: u32 = 26;

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UtilisationWeek {
    /// The Monday the week starts on.
    pub week_start: NaiveDate,
    pub open_seconds: i64,
    /// Time held by bookings that stood (confirmed, completed, or missed).
    pub booked_seconds: i64,
    /// Time the instrument ran: its usage sessions (a running one up to now).
    pub used_seconds: i64,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstrumentUtilisation {
    pub resource_id: Id,
    pub name: String,
    pub weeks: Vec<UtilisationWeek>,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub effective_seconds: i64,
    pub outside_seconds: i64,
    /// 共享率 in per mille; none without hours.
    pub share_permille: Option<i64>,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabUtilisation {
    pub lab_id: Id,
    pub lab: String,
    pub instruments: Vec<InstrumentUtilisation>,
    /// The twelve months up to the one `now` is in, oldest first.
    pub share_by_month: Vec<ShareMonth>,
}

/// The seconds of `spans` inside `window`.
fn overlap(spans: &[Span], window: Span) -> i64 {
    spans.iter().map(|s| s.intersection(&window)).filter(|s| !s.is_empty()).map(|s| s.len()).sum()
}

impl Store {
    /// The lab's `weeks` weeks up to the one `now` is in, and its last twelve months' 共享率.
    pub fn lab_utilisation(&self, lab_id: &str, weeks: u32, now: DateTime<Utc>) -> Result<LabUtilisation> {
        if !(1..=MAX_WEEKS).contains(&weeks) {
            return Err(CoreError::invalid("weeks", "between 1 and 26 weeks"));
        }
        let lab: String = self
            .conn()
            .query_row("SELECT name FROM lab WHERE id = ?1 AND deleted = 0", [lab_id], |r| r.get(0))
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => CoreError::not_found("lab", lab_id),
                other => other.into(),
            })?;
        let today = crate::report::today(now);
        let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let mondays: Vec<NaiveDate> = (0..weeks).rev().map(|back| this_monday - Duration::weeks(i64::from(back))).collect();
        let whole = range_of(mondays[0], this_monday + Duration::days(6))?;
        let mut stmt = self.conn().prepare(
            "SELECT r.id, r.name FROM resource r JOIN equipment e ON e.resource_id = r.id
             WHERE e.lab_id = ?1 AND r.deleted = 0 ORDER BY r.name, r.id",
        )?;
        let found: Vec<(Id, String)> =
            stmt.query_map([lab_id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        let mut instruments = Vec::with_capacity(found.len());
        for (resource_id, name) in found {
            let rules = self.resource_rules(&resource_id)?;
            let booked = self.spans(
                "SELECT start_at, end_at FROM booking WHERE resource_id = ?1 AND deleted = 0
                   AND status IN ('confirmed', 'completed', 'no_show') AND start_at < ?3 AND end_at > ?2",
                params![resource_id, whole.start, whole.end],
            )?;
            let used = self.spans(
                "SELECT started_at, coalesce(ended_at, ?4) FROM usage_session WHERE resource_id = ?1
                   AND started_at < ?3 AND coalesce(ended_at, ?4) > ?2",
                params![resource_id, whole.start, whole.end, now.timestamp()],
            )?;
            let mut series = Vec::with_capacity(mondays.len());
            for monday in &mondays {
                let week = range_of(*monday, *monday + Duration::days(6))?;
                series.push(UtilisationWeek {
                    week_start: *monday,
                    open_seconds: open_seconds(&rules, week),
                    booked_seconds: overlap(&booked, week),
                    used_seconds: overlap(&used, week),
                });
            }
            instruments.push(InstrumentUtilisation { resource_id, name, weeks: series });
        }
        let mut share_by_month = Vec::with_capacity(12);
        let first_of_this = today.with_day(1).unwrap_or(today);
        for back in (0..12).rev() {
            let first = first_of_this.checked_sub_months(chrono::Months::new(back)).unwrap_or(first_of_this);
            let month = first.format("%Y-%m").to_string();
            let (from, to) = month_of(&month)?;
            let figures = self.indicators(from, to, GroupBy::Lab, now)?;
            let row = figures.rows.into_iter().find(|r| r.id == lab_id);
            let (effective_seconds, outside_seconds, share_permille) =
                row.map_or((0, 0, None), |r| (r.figures.effective_seconds, r.figures.outside_seconds, r.share_permille));
            share_by_month.push(ShareMonth { month, effective_seconds, outside_seconds, share_permille });
        }
        Ok(LabUtilisation { lab_id: lab_id.to_string(), lab, instruments, share_by_month })
    }

    /// The spans a `(start, end)` query gives.
    fn spans(&self, sql: &str, params: &[&dyn rusqlite::ToSql]) -> Result<Vec<Span>> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let rows = stmt.query_map(params, |r| Ok(Span::new(r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
