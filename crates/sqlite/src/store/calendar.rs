//! Loading a resource's rules and bookings, and turning them into free slots — one
//! resource at a time, or many at once for search (a handful of queries, not one per
//! resource).

use std::collections::HashMap;
use std::rc::Rc;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::Store;
use crate::availability::{self, Days};
use crate::domain::decode_weekly;
use crate::domain::{
    Blackout, BlackoutWhen, DateOverride, Id, MAX_BOOKING_SECONDS, OverrideKind, Policy, ResourceKind, Slot, to_utc,
};
use crate::error::{CoreError, Result};
use crate::interval::Span;
use crate::rules::ResourceRules;

/// Which slots to list: local dates of the resource's zone, both ends included.
#[derive(Debug, Clone)]
pub struct SlotSearch {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Length of the wanted booking; the resource's shortest one when absent.
    pub minutes: Option<u32>,
}

pub(crate) const RESOURCE_COLUMNS: &str = "id, kind, makerspace_id, name, timezone, active, capacity, granularity_min, min_duration_min, \
    max_duration_min, durations_min, min_notice_min, horizon_days, cancel_cutoff_min, buffer_before_min, buffer_after_min, \
    max_per_day, max_per_week, approval_required, qualification_required, weekly_hours, max_per_person";

pub(crate) fn rules_from_row(r: &Row) -> rusqlite::Result<ResourceRules> {
    let tz_text: String = r.get(4)?;
    let durations: String = r.get(10)?;
    let weekly: String = r.get(20)?;
    let kind: String = r.get(1)?;
    Ok(ResourceRules {
        id: r.get(0)?,
        kind: if kind == "mentor" { ResourceKind::Mentor } else { ResourceKind::Equipment },
        makerspace_id: r.get(2)?,
        name: r.get(3)?,
        tz: tz_text.parse().unwrap_or(incubook_core::clock::DISTRICT_ZONE),
        active: r.get(5)?,
        policy: Policy {
            capacity: r.get(6)?,
            granularity_min: r.get(7)?,
            min_duration_min: r.get(8)?,
            max_duration_min: r.get(9)?,
            durations_min: serde_json::from_str(&durations).unwrap_or_default(),
            min_notice_min: r.get(11)?,
            horizon_days: r.get(12)?,
            cancel_cutoff_min: r.get(13)?,
            buffer_before_min: r.get(14)?,
            buffer_after_min: r.get(15)?,
            max_per_day: r.get(16)?,
            max_per_week: r.get(17)?,
            max_per_person: r.get(21)?,
            approval_required: r.get(18)?,
            qualification_required: r.get(19)?,
        },
        weekly: decode_weekly(&weekly),
        overrides: Vec::new(),
        blackouts: Vec::new(),
    })
}

fn override_from_row(r: &Row, offset: usize) -> rusqlite::Result<DateOverride> {
    let date: String = r.get(offset)?;
    let kind: String = r.get(offset + 1)?;
    Ok(DateOverride {
        date: NaiveDate::parse_from_str(&date, "%Y-%m-%d").unwrap_or_default(),
        kind: if kind == "off" { OverrideKind::Off } else { OverrideKind::Extra },
        start_min: r.get(offset + 2)?,
        end_min: r.get(offset + 3)?,
    })
}

pub(crate) const BLACKOUT_COLUMNS: &str =
    "id, resource_id, kind, start_at, end_at, weekday, start_min, end_min, valid_from, valid_until, reason";

pub(crate) fn blackout_from_row(r: &Row) -> rusqlite::Result<Blackout> {
    let kind: String = r.get(2)?;
    let date = |i: usize| -> rusqlite::Result<Option<NaiveDate>> {
        Ok(r.get::<_, Option<String>>(i)?.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()))
    };
    let when = if kind == "once" {
        BlackoutWhen::Once { start: r.get::<_, Option<i64>>(3)?.unwrap_or(0), end: r.get::<_, Option<i64>>(4)?.unwrap_or(0) }
    } else {
        BlackoutWhen::Weekly {
            weekday: r.get::<_, Option<u8>>(5)?.unwrap_or(0),
            start_min: r.get::<_, Option<u16>>(6)?.unwrap_or(0),
            end_min: r.get::<_, Option<u16>>(7)?.unwrap_or(0),
            from: date(8)?.unwrap_or_default(),
            until: date(9)?,
        }
    };
    Ok(Blackout { id: r.get(0)?, resource_id: r.get(1)?, when, reason: r.get(10)? })
}

/// The rules of one resource, with its overrides and blackouts.
pub(crate) fn load_rules(conn: &Connection, id: &str) -> Result<ResourceRules> {
    let sql = format!("SELECT {RESOURCE_COLUMNS} FROM resource WHERE id = ?1 AND deleted = 0");
    let mut rules = conn
        .prepare_cached(&sql)?
        .query_row([id], rules_from_row)
        .optional()?
        .ok_or_else(|| CoreError::not_found("resource", id))?;
    rules.overrides = conn
        .prepare_cached("SELECT date, kind, start_min, end_min FROM date_override WHERE resource_id = ?1 ORDER BY date")?
        .query_map([id], |r| override_from_row(r, 0))?
        .collect::<rusqlite::Result<_>>()?;
    let sql = format!("SELECT {BLACKOUT_COLUMNS} FROM blackout WHERE resource_id = ?1 AND deleted = 0");
    rules.blackouts = conn.prepare_cached(&sql)?.query_map([id], blackout_from_row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rules)
}

/// Raw times of the bookings of a resource that hold capacity and overlap `span`.
pub(crate) fn load_busy(conn: &Connection, resource_id: &str, span: Span, except_booking: Option<&str>) -> Result<Vec<Span>> {
    let mut stmt = conn.prepare_cached(
        "SELECT start_at, end_at FROM booking WHERE resource_id = ?1 AND start_at < ?3 AND start_at > ?4 AND end_at > ?2
         AND status IN ('requested', 'confirmed') AND deleted = 0 AND (?5 IS NULL OR id <> ?5)",
    )?;
    let lowest_start = span.start - MAX_BOOKING_SECONDS;
    let rows = stmt.query_map(params![resource_id, span.start, span.end, lowest_start, except_booking], |r| {
        Ok(Span::new(r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Local midnight of `from` to local midnight after `to`, in the zone.
pub fn local_range(tz: Tz, from: NaiveDate, to: NaiveDate) -> Result<Span> {
    if to < from {
        return Err(CoreError::invalid("to", "the end date is before the start date"));
    }
    if (to - from).num_days() > 366 {
        return Err(CoreError::invalid("to", "ask for at most one year at a time"));
    }
    let years = crate::domain::FIRST_YEAR..=crate::domain::LAST_YEAR;
    if !years.contains(&from.year()) || !years.contains(&to.year()) {
        return Err(CoreError::invalid("from", format!("dates lie in the years {}–{}", years.start(), years.end())));
    }
    let start = tz.from_local_datetime(&from.and_time(NaiveTime::MIN)).earliest().map(|t| t.timestamp());
    let end =
        to.succ_opt().and_then(|next| tz.from_local_datetime(&next.and_time(NaiveTime::MIN)).earliest()).map(|t| t.timestamp());
    match (start, end) {
        (Some(s), Some(e)) => Ok(Span::new(s, e)),
        _ => Err(CoreError::invalid("from", "no local midnight on that date")),
    }
}

fn to_slots(spans: Vec<Span>) -> Vec<Slot> {
    spans.into_iter().map(|s| Slot { start: to_utc(s.start), end: to_utc(s.end), late: false }).collect()
}

impl Store {
    pub fn resource_rules(&self, id: &str) -> Result<ResourceRules> {
        load_rules(&self.conn, id)
    }

    /// Bookable slots of one resource between two local dates.
    pub fn slots(&self, resource_id: &str, search: &SlotSearch, now: DateTime<Utc>) -> Result<Vec<Slot>> {
        let rules = load_rules(&self.conn, resource_id)?;
        let range = local_range(rules.tz, search.from, search.to)?;
        let minutes = search
            .minutes
            .unwrap_or_else(|| rules.policy.durations_min.first().copied().unwrap_or(rules.policy.min_duration_min));
        check_minutes(&rules.policy, minutes)?;
        Ok(to_slots(free_slots(&self.conn, &rules, range, minutes, now.timestamp())?))
    }

    /// The slots as `viewer` sees them: each marked late when it falls outside 08:00–22:00
    /// in the viewer's zone (an overseas mentor's morning is a founder's night).
    pub fn slots_seen_by(&self, viewer: &str, resource_id: &str, search: &SlotSearch, now: DateTime<Utc>) -> Result<Vec<Slot>> {
        let zone = self.person_zone(viewer)?;
        let mut slots = self.slots(resource_id, search, now)?;
        for s in &mut slots {
            s.late = crate::zones::late_for(s.start, s.end, zone);
        }
        Ok(slots)
    }

    /// A person's zone: a mentor's own (an overseas mentor lives by it), else their
    /// makerspace's (the first by id where they hold a role); the district's, Asia/Shanghai,
    /// for someone with none.
    pub fn person_zone(&self, person_id: &str) -> Result<chrono_tz::Tz> {
        let zone: Option<String> = self
            .conn
            .prepare_cached(concat!(
                "SELECT coalesce((SELECT r.timezone FROM mentor t JOIN resource r ON r.id = t.resource_id
                                      WHERE t.person_id = ?1 AND r.deleted = 0), ",
                makerspace_zone_of!("?1"),
                ")"
            ))?
            .query_row([person_id], |r| r.get(0))
            .optional()?;
        Ok(zone.and_then(|z| z.parse().ok()).unwrap_or(incubook_core::clock::DISTRICT_ZONE))
    }

    /// Free (bookable) time of one resource in a range of instants.
    pub fn free_time(&self, resource_id: &str, range: Span, now: DateTime<Utc>) -> Result<Vec<Slot>> {
        let rules = load_rules(&self.conn, resource_id)?;
        if !rules.active {
            return Ok(Vec::new());
        }
        let days = Days::covering(rules.tz, range);
        let busy = load_busy(&self.conn, &rules.id, days.span(), None)?;
        Ok(to_slots(availability::free_spans(&rules.calendar(), &days, &rules.policy, &busy, range, now.timestamp())))
    }

    /// Raw times of the bookings of a resource that hold capacity in a range.
    pub fn busy(&self, resource_id: &str, range: Span) -> Result<Vec<Span>> {
        load_busy(&self.conn, resource_id, range, None)
    }

    /// Slots of `minutes` for many resources at once, in the order given.
    pub fn slots_many(&self, ids: &[Id], range: Span, minutes: u32, now: DateTime<Utc>) -> Result<Vec<(Id, Vec<Span>)>> {
        let mut all = load_rules_many(&self.conn, ids)?;
        let mut days_by_zone: HashMap<Tz, Days> = HashMap::new();
        let mut span = range;
        for rules in all.values() {
            let days = days_by_zone.entry(rules.tz).or_insert_with(|| Days::covering(rules.tz, range));
            let s = days.span();
            span = Span::new(span.start.min(s.start), span.end.max(s.end));
        }
        let mut busy = load_busy_many(&self.conn, ids, span)?;
        let now = now.timestamp();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(rules) = all.remove(id) else { continue };
            if !rules.active || check_minutes(&rules.policy, minutes).is_err() {
                out.push((id.clone(), Vec::new()));
                continue;
            }
            let Some(days) = days_by_zone.get(&rules.tz) else { continue };
            let busy = busy.remove(id).unwrap_or_default();
            let free = availability::free_spans(&rules.calendar(), days, &rules.policy, &busy, range, now);
            let step = i64::from(rules.policy.granularity_min) * 60;
            out.push((id.clone(), availability::slots(&free, rules.tz, i64::from(minutes) * 60, step)));
        }
        Ok(out)
    }
}

/// Whether a resource offers bookings of this length at all.
pub(crate) fn check_minutes(policy: &Policy, minutes: u32) -> Result<()> {
    let offered = if policy.durations_min.is_empty() {
        minutes >= policy.min_duration_min && minutes <= policy.max_duration_min && minutes.is_multiple_of(policy.granularity_min)
    } else {
        policy.durations_min.contains(&minutes)
    };
    if offered {
        Ok(())
    } else {
        Err(CoreError::invalid("minutes", format!("{minutes} minutes is not a length this resource offers")))
    }
}

pub(crate) fn free_slots(conn: &Connection, rules: &ResourceRules, range: Span, minutes: u32, now: i64) -> Result<Vec<Span>> {
    if !rules.active {
        return Ok(Vec::new());
    }
    let days = Days::covering(rules.tz, range);
    let busy = load_busy(conn, &rules.id, days.span(), None)?;
    let free = availability::free_spans(&rules.calendar(), &days, &rules.policy, &busy, range, now);
    let step = i64::from(rules.policy.granularity_min) * 60;
    Ok(availability::slots(&free, rules.tz, i64::from(minutes) * 60, step))
}

fn id_array(ids: &[Id]) -> Rc<Vec<Value>> {
    Rc::new(ids.iter().map(|id| Value::from(id.clone())).collect())
}

fn load_rules_many(conn: &Connection, ids: &[Id]) -> Result<HashMap<Id, ResourceRules>> {
    let array = id_array(ids);
    let sql = format!("SELECT {RESOURCE_COLUMNS} FROM resource WHERE id IN rarray(?1) AND deleted = 0");
    let mut all: HashMap<Id, ResourceRules> = HashMap::with_capacity(ids.len());
    for rules in conn.prepare_cached(&sql)?.query_map([array.clone()], rules_from_row)? {
        let rules = rules?;
        all.insert(rules.id.clone(), rules);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT resource_id, date, kind, start_min, end_min FROM date_override WHERE resource_id IN rarray(?1) ORDER BY resource_id, date",
    )?;
    let mut rows = stmt.query([array.clone()])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        if let Some(rules) = all.get_mut(&id) {
            rules.overrides.push(override_from_row(row, 1)?);
        }
    }
    let sql = format!("SELECT {BLACKOUT_COLUMNS} FROM blackout WHERE resource_id IN rarray(?1) AND deleted = 0");
    for b in conn.prepare_cached(&sql)?.query_map([array], blackout_from_row)? {
        let b = b?;
        if let Some(rules) = all.get_mut(&b.resource_id) {
            rules.blackouts.push(b);
        }
    }
    Ok(all)
}

fn load_busy_many(conn: &Connection, ids: &[Id], span: Span) -> Result<HashMap<Id, Vec<Span>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT resource_id, start_at, end_at FROM booking WHERE resource_id IN rarray(?1) AND start_at < ?3 AND start_at > ?4
         AND end_at > ?2 AND status IN ('requested', 'confirmed') AND deleted = 0",
    )?;
    let mut rows = stmt.query(params![id_array(ids), span.start, span.end, span.start - MAX_BOOKING_SECONDS])?;
    let mut busy: HashMap<Id, Vec<Span>> = HashMap::new();
    while let Some(row) = rows.next()? {
        busy.entry(row.get(0)?).or_default().push(Span::new(row.get(1)?, row.get(2)?));
    }
    Ok(busy)
}
