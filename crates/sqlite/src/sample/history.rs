//! A year of the sample's instruments at work, so that every chart and report of machine
//! hours has something to show: on each open day before today, each instrument is booked and
//! used a few times (how often depends on the instrument: some are in demand, some idle), by
//! its own makerspace's founders and the district's, and now and then booked and not used.
//! Drawn from a generator of its own, so the rest of the sample is the same as without it.

use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, params};

use super::{IdSource, PURPOSES, PastUse, SampleResource};
use crate::availability::{Calendar, Days, local_date, local_start, open_spans};
use crate::domain::{Id, ResourceKind};
use crate::error::Result;
use crate::interval::Span;

/// Books and uses the instruments over the `days` before today where nothing else is booked;
/// the bookings used go to `used`, for their sessions. Returns how many bookings it wrote.
pub(super) fn generate_history(
    tx: &Connection,
    seed: u64,
    (resources, founders): (&[SampleResource], &[(Id, usize)]),
    (days, now): (i64, i64),
    used: &mut Vec<PastUse>,
) -> Result<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4157_0121);
    let mut ids = IdSource { rng: ChaCha8Rng::seed_from_u64(seed ^ 0x4157), millis: 1_735_689_600_000 };
    let tz = chrono_tz::Asia::Shanghai;
    let today = local_start(tz, local_date(tz, now).and_time(chrono::NaiveTime::MIN));
    let calendar_days = Days::covering(tz, Span::new(today - days * 86_400, today - 1));
    let mut taken = tx.prepare_cached(
        "SELECT EXISTS(SELECT 1 FROM booking WHERE resource_id = ?1 AND start_at < ?3 AND end_at > ?2
                       AND status NOT IN ('cancelled', 'declined'))",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, topic, reason, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?;
    let mut written = 0;
    for (index, r) in resources.iter().enumerate().filter(|(_, r)| r.kind == ResourceKind::Equipment) {
        // How much of its open time an instrument is in use: from idle to in demand.
        let demand: f64 = rng.random_range(0.25..0.8);
        let home: Vec<usize> = founders.iter().enumerate().filter(|(_, (_, s))| *s == r.makerspace).map(|(k, _)| k).collect();
        let calendar = Calendar { tz, weekly: &r.weekly, overrides: &[], blackouts: &[] };
        let step = i64::from(r.policy.granularity_min) * 60;
        let (shortest, longest) = (i64::from(r.policy.min_duration_min) * 60, i64::from(r.policy.max_duration_min.min(180)) * 60);
        // `covering` pads the range with whole weeks: only the days before today count.
        for day in calendar_days.days.iter().filter(|d| d.midnight >= today - days * 86_400 && d.next_midnight <= today) {
            for window in open_spans(&calendar, &calendar_days, Span::new(day.midnight, day.next_midnight)) {
                let mut t = window.start + step * rng.random_range(0..4);
                while t + shortest <= window.end {
                    if !rng.random_bool(demand) {
                        t += step * rng.random_range(2..6);
                        continue;
                    }
                    let len = (shortest + step * rng.random_range(0..=((longest - shortest) / step).max(0))).min(window.end - t);
                    let span = Span::new(t, t + len);
                    t = span.end + step * rng.random_range(0..3);
                    if taken.query_row(params![r.id, span.start, span.end], |row| row.get::<_, bool>(0))? {
                        continue;
                    }
                    // The qualified few, or mostly the makerspace's own founders and the district's now and then.
                    let booker = match &r.bookers {
                        Some(q) => q.choose(&mut rng).copied(),
                        None if rng.random_bool(0.6) => home.choose(&mut rng).copied(),
                        None => Some(rng.random_range(0..founders.len())),
                    };
                    let Some(booker) = booker else { continue };
                    let (status, reason) = match rng.random_range(0..100) {
                        0..=91 => ("completed", None),
                        92..=96 => ("no_show", None),
                        _ => ("cancelled", Some("行程冲突 / schedule conflict")),
                    };
                    let id = ids.next();
                    let topic = PURPOSES.choose(&mut rng).unwrap_or(&"");
                    let created = span.start - rng.random_range(1..8) * 86_400;
                    insert.execute(params![
                        id,
                        r.id,
                        founders[booker].0,
                        span.start,
                        span.end,
                        status,
                        topic,
                        reason,
                        created
                    ])?;
                    if status == "completed" {
                        used.push(PastUse { booking_id: id, resource: index, booker, span });
                    }
                    written += 1;
                }
            }
        }
    }
    Ok(written)
}
