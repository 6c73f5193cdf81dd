//! The sample's office hours: the first mentor of each makerspace keeps weekly office hours
//! (seats of 30 minutes) and the second a weekly group session, for the next four weeks, in
//! their free time; a few of the makerspace's founders have taken seats. Written after the
//! bookings, so every block falls where the mentor's calendar is free.

use rusqlite::{Connection, params};

use super::SampleResource;
use crate::availability::{Calendar, Days, open_spans};
use crate::domain::{Id, ResourceKind};
use crate::error::Result;
use crate::interval::Span;
use crate::office::{BlockKind, held_text};

const BLOCK_MINUTES: i64 = 120;

pub(super) fn generate_office_hours(
    tx: &Connection,
    (resources, founders): (&[SampleResource], &[(Id, usize)]),
    now: i64,
) -> Result<()> {
    let mut taken = tx.prepare_cached(
        "SELECT EXISTS(SELECT 1 FROM booking WHERE resource_id = ?1 AND start_at < ?3 AND end_at > ?2
                       AND status IN ('requested', 'confirmed'))",
    )?;
    let mut seen: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for r in resources.iter().filter(|r| r.kind == ResourceKind::Mentor && !r.home_only) {
        let nth = seen.entry(r.makerspace).or_default();
        *nth += 1;
        let kind = match *nth {
            1 => BlockKind::OfficeHours,
            2 => BlockKind::Group,
            _ => continue,
        };
        let (seat_minutes, capacity) = match kind {
            BlockKind::OfficeHours => (30, 4),
            BlockKind::Group => (BLOCK_MINUTES, 6),
        };
        let mentor: String = tx.query_row("SELECT person_id FROM mentor WHERE resource_id = ?1", [&r.id], |row| row.get(0))?;
        let members: Vec<&Id> = founders.iter().filter(|(_, s)| *s == r.makerspace).map(|(id, _)| id).collect();
        let range = Span::new(now + 2 * 86_400, now + 30 * 86_400);
        let days = Days::covering(r.tz, range);
        let calendar = Calendar { tz: r.tz, weekly: &r.weekly, overrides: &[], blackouts: &[] };
        let mut next_from = range.start;
        let mut placed = 0;
        for day in days.days.iter().filter(|d| d.midnight >= range.start && d.next_midnight <= range.end) {
            if placed == 4 || day.midnight < next_from {
                continue;
            }
            let spot = open_spans(&calendar, &days, Span::new(day.midnight, day.next_midnight))
                .into_iter()
                .filter(|w| w.len() >= BLOCK_MINUTES * 60)
                .map(|w| Span::new(w.start, w.start + BLOCK_MINUTES * 60))
                .find(|s| !taken.query_row(params![r.id, s.start, s.end], |row| row.get::<_, bool>(0)).unwrap_or(true));
            let Some(span) = spot else { continue };
            let id = format!("office-{}-{placed}", r.id);
            let title = match kind {
                BlockKind::OfficeHours => "融资与股权答疑",
                BlockKind::Group => "商业计划书小组辅导",
            };
            tx.prepare_cached(
                "INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, topic, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'confirmed', ?6, ?7, ?7)",
            )?
            .execute(params![id, r.id, mentor, span.start, span.end, title, now - 86_400])?;
            tx.prepare_cached(crate::store::INSERT_BLOCK_SQL)?.execute(params![
                id,
                r.id,
                kind.as_str(),
                title,
                span.start,
                span.end,
                seat_minutes,
                capacity,
                now - 86_400
            ])?;
            // The makerspace's first founders have taken the first seats of the first weeks.
            let held: Vec<u32> = (0..(2 - placed.min(2)) as u32).filter(|n| (*n as usize) < members.len()).collect();
            for n in &held {
                tx.prepare_cached(crate::store::PUT_SEAT_SQL)?.execute(params![
                    id,
                    members[*n as usize],
                    n,
                    "held",
                    now - 3_600
                ])?;
            }
            tx.prepare_cached(crate::store::SET_BLOCK_HELD_SQL)?.execute(params![held_text(&held), held.len() as i64, id])?;
            placed += 1;
            next_from = day.midnight + 7 * 86_400 - 3_600;
        }
    }
    Ok(())
}
