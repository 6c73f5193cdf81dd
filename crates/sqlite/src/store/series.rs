//! Repeating bookings in SQLite: the SQL both SQLite and PostgreSQL run for a series (the
//! placeholders `$n` appear in order, so SQLite reads them as PostgreSQL does), and the
//! desktop's series reads.

/// Every live booking of the series booking `$1` belongs to, by the start its rule gave it.
pub const SERIES_OF_SQL: &str = "SELECT b.id, b.resource_id, b.booker_id, b.start_at, b.end_at, b.status, b.recurrence_at
     FROM booking b WHERE b.series_id = (SELECT series_id FROM booking WHERE id = $1) AND b.deleted = 0
     ORDER BY b.recurrence_at, b.id";
/// Booking `$6` joins series `$1` with rule `$2`, the time its rule gave it (`$3`..`$4`) and,
/// skipped, refusal `$5`.
pub const JOIN_SERIES_SQL: &str = "UPDATE booking SET series_id = $1, series_rule = $2, recurrence_at = $3, recurrence_end = $4,
     rejection = $5 WHERE id = $6";
/// A server sends again every booking of the series booking `$1` belongs to.
pub const RESEND_SERIES_SQL: &str = "UPDATE booking SET version = version
     WHERE series_id = (SELECT series_id FROM booking WHERE id = $1) AND deleted = 0";

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::Store;
use super::calendar::load_rules;
use super::journal::{NoJournal, Tx};
use super::ledger::SqliteLedger;
use crate::command::{Command, Occurrence, SeriesScope};
use crate::domain::{BookingStatus, Id, new_id, to_utc};
use crate::error::{Rejection, Result};
use crate::interval::Span;
use crate::ledger::ApplyError;
use crate::recurrence::Repeat;

/// A repeating booking as a person asks for it: the first occurrence and the rule.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewSeries {
    pub resource_id: Id,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub topic: String,
    pub repeat: Repeat,
    /// Book the occurrences the rules allow and keep the others declined with their reason;
    /// otherwise one refusal refuses them all.
    pub skip_conflicts: bool,
}

/// One occurrence of a series: what it became, or would become.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesOccurrence {
    pub booking_id: Id,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// `declined` for an occurrence the rules refuse.
    pub status: BookingStatus,
    pub rejection: Option<Rejection>,
}

/// A series booked (or, for a preview, as it would be): every occurrence in order.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesPlan {
    pub series_id: Id,
    pub rule: String,
    pub occurrences: Vec<SeriesOccurrence>,
}

impl SeriesPlan {
    pub fn conflicts(&self) -> usize {
        self.occurrences.iter().filter(|o| o.rejection.is_some()).count()
    }
}

/// The series' command with the ids it chose, its occurrences and its rule as RRULE.
struct Asked {
    series_id: Id,
    occurrences: Vec<Occurrence>,
    rule: String,
}

fn ask(conn: &Connection, new: &NewSeries) -> Result<Asked> {
    let tz = load_rules(conn, &new.resource_id)?.tz;
    let first = Span::new(new.start.timestamp(), new.end.timestamp());
    let occurrences = new
        .repeat
        .occurrences(first, tz)?
        .into_iter()
        .map(|s| Occurrence { booking_id: new_id(), start: to_utc(s.start), end: to_utc(s.end) })
        .collect();
    Ok(Asked { series_id: new_id(), occurrences, rule: new.repeat.rrule(first.start, tz) })
}

impl Asked {
    fn command(&self, new: &NewSeries) -> Command {
        Command::BookSeries {
            series_id: self.series_id.clone(),
            resource_id: new.resource_id.clone(),
            occurrences: self.occurrences.clone(),
            topic: new.topic.trim().to_string(),
            repeat: new.repeat.clone(),
            skip_conflicts: new.skip_conflicts,
        }
    }
}

/// The occurrences of a series as stored, in the rule's order.
fn plan_of(conn: &Connection, series_id: &str) -> Result<SeriesPlan> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, start_at, end_at, status, rejection, series_rule FROM booking
         WHERE series_id = ?1 AND deleted = 0 ORDER BY recurrence_at, id",
    )?;
    let mut rule = String::new();
    let rows = stmt.query_map([series_id], |r| {
        Ok((
            r.get::<_, Id>(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut occurrences = Vec::new();
    for row in rows {
        let (booking_id, start, end, status, rejection, r) = row?;
        rule = r;
        occurrences.push(SeriesOccurrence {
            booking_id,
            start: to_utc(start),
            end: to_utc(end),
            status: BookingStatus::parse(&status)?,
            rejection: rejection.and_then(|json| serde_json::from_str(&json).ok()),
        });
    }
    Ok(SeriesPlan { series_id: series_id.to_string(), rule, occurrences })
}

impl Store {
    /// Books a repeating series in one transaction: every occurrence, or (with
    /// `skip_conflicts`) those the rules allow, the others kept declined with the reason.
    pub fn book_series(&mut self, actor_id: &str, new: &NewSeries, now: DateTime<Utc>) -> Result<SeriesPlan> {
        let asked = ask(self.conn(), new)?;
        self.apply(actor_id, &asked.command(new), now)?;
        plan_of(self.conn(), &asked.series_id)
    }

    /// What booking the series would do now, occurrence by occurrence, with nothing written:
    /// the same decision as [`Store::book_series`], in a transaction rolled back.
    pub fn preview_series(&mut self, actor_id: &str, new: &NewSeries, now: DateTime<Utc>) -> Result<SeriesPlan> {
        let skipping = NewSeries { skip_conflicts: true, ..new.clone() };
        let asked = ask(self.conn(), &skipping)?;
        let now = now.timestamp();
        let mut tx = self.conn.transaction()?;
        let whole = {
            let series = tx.savepoint()?;
            let decided = crate::apply::apply(
                &mut SqliteLedger::new(&Tx::new(&series, &NoJournal)),
                actor_id,
                &asked.command(&skipping),
                now,
            );
            // On a refusal, what the series wrote before it is undone before each time is asked alone.
            match decided {
                Ok(()) => Ok(plan_of(&series, &asked.series_id)?.occurrences),
                Err(e) => Err(e),
            }
        };
        let ledger_tx = Tx::new(&tx, &NoJournal);
        let mut ledger = SqliteLedger::new(&ledger_tx);
        let occurrences = match whole {
            Ok(occurrences) => occurrences,
            // Every occurrence refused: each is asked alone, for its own reason.
            Err(ApplyError::Decided(e)) if e.is_rule_refusal() => {
                let all_refused = Rejection::of(&e);
                let mut refused = Vec::with_capacity(asked.occurrences.len());
                for o in &asked.occurrences {
                    let one = Command::Book {
                        booking_id: o.booking_id.clone(),
                        resource_id: new.resource_id.clone(),
                        start: o.start,
                        end: o.end,
                        topic: new.topic.trim().to_string(),
                        format: None,
                    };
                    let why = crate::apply::apply(&mut ledger, actor_id, &one, now).err();
                    let (start, end) = (o.start, o.end);
                    let rejection = Some(why.map_or_else(|| all_refused.clone(), |w| Rejection::of(&w.into_core())));
                    refused.push(SeriesOccurrence {
                        booking_id: o.booking_id.clone(),
                        start,
                        end,
                        status: BookingStatus::Declined,
                        rejection,
                    });
                }
                refused
            }
            Err(e) => return Err(e.into_core()),
        };
        // The transaction ends here unkept.
        drop(tx);
        Ok(SeriesPlan { series_id: asked.series_id, rule: asked.rule, occurrences })
    }

    /// Cancels a series' booking and the ones after it, or all not yet begun.
    pub fn cancel_series(
        &mut self,
        actor_id: &str,
        (booking_id, scope): (&str, SeriesScope),
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let reason = crate::apply::kept_reason(reason).map(str::to_string);
        self.apply(actor_id, &Command::CancelSeries { booking_id: booking_id.to_string(), scope, reason }, now)
    }

    /// Moves a series' booking and the others in scope to the same local time.
    pub fn move_series(
        &mut self,
        actor_id: &str,
        (booking_id, scope): (&str, SeriesScope),
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.apply(actor_id, &Command::MoveSeries { booking_id: booking_id.to_string(), start, end, scope }, now)
    }

    /// The series a booking belongs to, occurrence by occurrence.
    pub fn series_of_booking(&self, booking_id: &str) -> Result<Option<SeriesPlan>> {
        let series: Option<Option<String>> = rusqlite::OptionalExtension::optional(self.conn().query_row(
            "SELECT series_id FROM booking WHERE id = ?1",
            [booking_id],
            |r| r.get(0),
        ))?;
        match series.flatten() {
            Some(id) => Ok(Some(plan_of(self.conn(), &id)?)),
            None => Ok(None),
        }
    }
}
