//! The sample's year of events (创新创业活动): each makerspace held a roadshow, salon, training
//! or bootcamp about once a month this year (every fifth fewer than the floor of ten, so
//! the yearly figures warn), with a few still to come; its founders registered and most came.
//! Deterministic, with no draw, so the rest of the sample is the same as without them.

use chrono::{Datelike, TimeZone};
use rusqlite::{Connection, params};

use crate::domain::{Id, Makerspace};
use crate::error::Result;
use crate::events::EventKind;

const KINDS: [(EventKind, &str); 4] = [
    (EventKind::Roadshow, "项目路演"),
    (EventKind::Salon, "创业沙龙"),
    (EventKind::Training, "专利与融资培训"),
    (EventKind::Bootcamp, "创业训练营"),
];

pub(super) fn generate_events(tx: &Connection, spaces: &[Makerspace], founders: &[(Id, usize)], now: i64) -> Result<()> {
    let tz = chrono_tz::Asia::Shanghai;
    let this_year = tz.timestamp_opt(now, 0).single().map(|t| t.year()).unwrap_or(2026);
    for (i, ms) in spaces.iter().enumerate() {
        let admin: Option<String> = rusqlite::OptionalExtension::optional(tx.query_row(
            "SELECT person_id FROM person_role WHERE makerspace_id = ?1 AND role = 'space_admin' ORDER BY person_id LIMIT 1",
            [&ms.id],
            |r| r.get(0),
        ))?;
        let Some(admin) = admin else { continue };
        let members: Vec<&Id> = founders.iter().filter(|(_, s)| *s == i).map(|(id, _)| id).collect();
        // Every fifth makerspace held only seven: under the floor of ten.
        let months: u32 = if i % 5 == 4 { 7 } else { 12 };
        for month in 1..=months {
            let (kind, title) = KINDS[(i + month as usize) % KINDS.len()];
            let day = 10 + (i as u32 + month) % 15;
            let Some(start) = tz.with_ymd_and_hms(this_year, month, day, 14, 0, 0).single().map(|t| t.timestamp()) else {
                continue;
            };
            let id = format!("event-{}-{month:02}", ms.code);
            let capacity = 30 + (month as i64 % 3) * 20;
            tx.prepare_cached(crate::store::INSERT_EVENT_SQL)?.execute(params![
                id,
                ms.id,
                <&str>::from(kind),
                format!("{title}（{month}月）"),
                start,
                start + 3 * 3600,
                format!("{} 路演厅", ms.name),
                capacity,
                admin,
                start - 20 * 86_400
            ])?;
            for (k, person) in members.iter().enumerate().filter(|(k, _)| !(k + month as usize).is_multiple_of(3)) {
                tx.prepare_cached(crate::store::SET_REGISTRATION_SQL)?.execute(params![id, person, 1, start - 7 * 86_400])?;
                if start < now && !(k + month as usize).is_multiple_of(4) {
                    tx.prepare_cached(crate::store::SET_ATTENDANCE_SQL)?.execute(params![1, id, person])?;
                }
            }
            tx.prepare_cached(crate::store::COUNT_REGISTERED_SQL)?.execute([&id])?;
        }
    }
    Ok(())
}
