//! Booking changes on PostgreSQL: the rows the core's checks need are read inside the
//! mutation's transaction with the resource's row locked (so the changes to one resource's
//! calendar run one at a time, and capacity above 1 is counted under that lock), then the
//! core's `rules::check_booking` and `decide::*` decide, then the rows are written.

use std::sync::LazyLock;

use chrono::NaiveDate;
use incubook_core::decide::Actor;
use incubook_core::domain::{Blackout, BlackoutWhen, BookingStatus, DateOverride, OverrideKind, Policy, ResourceKind, Role};
use incubook_core::interval::Span;
use incubook_core::{CoreError, Refusal};
use incubook_sqlite::store::{ResourceRules, decode_weekly};
use serde::Deserialize;

use super::sql::Tx;

/// Why a mutation did not apply: a decision (consumed and answered), or the database
/// (the push stops and the client retries).
#[derive(Debug)]
pub(super) enum Failure {
    Core(CoreError),
    Db(postgres::Error),
    Corrupt(String),
}

impl From<CoreError> for Failure {
    fn from(e: CoreError) -> Failure {
        Failure::Core(e)
    }
}

impl From<Refusal> for Failure {
    fn from(r: Refusal) -> Failure {
        Failure::Core(r.into())
    }
}

impl From<postgres::Error> for Failure {
    fn from(e: postgres::Error) -> Failure {
        Failure::Db(e)
    }
}

pub(super) type Res<T> = std::result::Result<T, Failure>;

impl From<Failure> for crate::error::ServerError {
    fn from(e: Failure) -> crate::error::ServerError {
        match e {
            Failure::Core(e) => e.into(),
            Failure::Db(e) => e.into(),
            Failure::Corrupt(what) => crate::error::ServerError::Internal(what),
        }
    }
}

pub(super) use incubook_core::domain::MAX_BOOKING_SECONDS;

/// The person with their roles, in one round trip.
pub(super) fn load_actor(tx: &mut Tx<'_, '_>, id: &str) -> Res<Actor> {
    let rows = tx.query(
        "SELECT r.makerspace_id, r.role FROM person p LEFT JOIN person_role r ON r.person_id = p.id WHERE p.id = $1 AND p.deleted = 0",
        &[&id],
    )?;
    if rows.is_empty() {
        return Err(CoreError::not_found("person", id).into());
    }
    let roles = rows
        .iter()
        .filter_map(|r| {
            let (makerspace, role): (Option<String>, Option<&str>) = (r.get(0), r.get(1));
            Some((makerspace?, Role::parse(role?).ok()?))
        })
        .collect();
    let district_operator = tx.query_opt("SELECT 1 FROM district_operator WHERE person_id = $1", &[&id])?.is_some();
    Ok(Actor { id: id.to_string(), roles, district_operator })
}

#[derive(Deserialize)]
struct ResourceRow {
    id: String,
    kind: String,
    makerspace_id: String,
    name: String,
    timezone: String,
    active: i64,
    capacity: u32,
    granularity_min: u32,
    min_duration_min: u32,
    max_duration_min: u32,
    durations_min: String,
    min_notice_min: u32,
    horizon_days: u32,
    cancel_cutoff_min: u32,
    buffer_before_min: u32,
    buffer_after_min: u32,
    max_per_day: Option<u32>,
    max_per_week: Option<u32>,
    #[serde(default)]
    max_per_person: Option<u32>,
    approval_required: i64,
    qualification_required: i64,
    weekly_hours: String,
}

fn small<T: TryFrom<i64>>(value: i64, what: &str) -> Res<T> {
    T::try_from(value).map_err(|_| Failure::Corrupt(format!("{what} {value} out of range")))
}

fn date(text: Option<&str>) -> Option<NaiveDate> {
    text.and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok())
}

/// A resource's rules, with its calendar locked until the transaction ends: changes to one
/// resource's calendar run one at a time, and a booking that read the calendar before this
/// change (`optimistic.rs`) will find its counter moved and read again. The counter is bumped
/// in a statement of its own, before the rules are read: a statement that waited for the
/// lock still reads with the snapshot it took before waiting.
pub(super) fn lock_rules(tx: &mut Tx<'_, '_>, id: &str) -> Res<ResourceRules> {
    tx.execute(
        "INSERT INTO resource_calendar(resource_id, seq) SELECT id, 1 FROM resource WHERE id = $1 AND deleted = 0
         ON CONFLICT (resource_id) DO UPDATE SET seq = resource_calendar.seq + 1",
        &[&id],
    )?;
    read_rules(tx, id, true)
}

/// A resource's rules, overrides and blackouts.
pub(super) fn load_rules(tx: &mut Tx<'_, '_>, id: &str) -> Res<ResourceRules> {
    read_rules(tx, id, false)
}

/// A date override as `RULES_SQL` sends it: date, kind, start and end minute.
type OverrideRow = (String, String, i64, i64);
/// A blackout as `RULES_SQL` sends it.
type BlackoutRow =
    (String, String, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<String>, Option<String>, String);

/// The resource (`r`), its date overrides and its blackouts as three JSON texts, so that one
/// round trip reads them all.
pub(super) const RULES_COLUMNS: &str = "row_to_json(r)::text,
    (SELECT coalesce(json_agg(json_build_array(o.date, o.kind, o.start_min, o.end_min) ORDER BY o.date), '[]')::text
       FROM date_override o WHERE o.resource_id = r.id),
    (SELECT coalesce(json_agg(json_build_array(b.id, b.kind, b.start_at, b.end_at, b.weekday, b.start_min, b.end_min,
                                               b.valid_from, b.valid_until, b.reason)), '[]')::text
       FROM blackout b WHERE b.resource_id = r.id AND b.deleted = 0)";

static RULES_SQL: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {RULES_COLUMNS} FROM resource r WHERE r.id = $1 AND r.deleted = 0"));
static LOCKED_RULES_SQL: LazyLock<String> = LazyLock::new(|| format!("{} FOR UPDATE OF r", *RULES_SQL));

fn read_rules(tx: &mut Tx<'_, '_>, id: &str, lock: bool) -> Res<ResourceRules> {
    let sql = if lock { &LOCKED_RULES_SQL } else { &RULES_SQL };
    let row = tx.query_opt(sql, &[&id])?.ok_or_else(|| CoreError::not_found("resource", id))?;
    parse_rules(id, row.get(0), row.get(1), row.get(2))
}

/// The rules from the three texts of `RULES_COLUMNS`.
pub(super) fn parse_rules(id: &str, resource: &str, overrides: &str, blackouts: &str) -> Res<ResourceRules> {
    let corrupt = |e: serde_json::Error| Failure::Corrupt(format!("resource {id}: {e}"));
    let r: ResourceRow = serde_json::from_str(resource).map_err(corrupt)?;
    let overrides: Vec<OverrideRow> = serde_json::from_str(overrides).map_err(corrupt)?;
    let overrides = overrides
        .into_iter()
        .map(|(day, kind, start_min, end_min)| {
            Ok(DateOverride {
                date: date(Some(&day)).unwrap_or_default(),
                kind: if kind == "off" { OverrideKind::Off } else { OverrideKind::Extra },
                start_min: small(start_min, "start_min")?,
                end_min: small(end_min, "end_min")?,
            })
        })
        .collect::<Res<Vec<_>>>()?;
    let blackouts: Vec<BlackoutRow> = serde_json::from_str(blackouts).map_err(corrupt)?;
    let blackouts = blackouts
        .into_iter()
        .map(|(blackout_id, kind, start, end, weekday, start_min, end_min, from, until, reason)| {
            let when = if kind == "once" {
                BlackoutWhen::Once { start: start.unwrap_or(0), end: end.unwrap_or(0) }
            } else {
                BlackoutWhen::Weekly {
                    weekday: small(weekday.unwrap_or(0), "weekday")?,
                    start_min: small(start_min.unwrap_or(0), "start_min")?,
                    end_min: small(end_min.unwrap_or(0), "end_min")?,
                    from: date(from.as_deref()).unwrap_or_default(),
                    until: date(until.as_deref()),
                }
            };
            Ok(Blackout { id: blackout_id, resource_id: id.to_string(), when, reason })
        })
        .collect::<Res<Vec<_>>>()?;
    Ok(ResourceRules {
        id: r.id,
        kind: if r.kind == "mentor" { ResourceKind::Mentor } else { ResourceKind::Equipment },
        makerspace_id: r.makerspace_id,
        name: r.name,
        tz: r.timezone.parse().unwrap_or(incubook_core::clock::DISTRICT_ZONE),
        active: r.active != 0,
        policy: Policy {
            capacity: r.capacity,
            granularity_min: r.granularity_min,
            min_duration_min: r.min_duration_min,
            max_duration_min: r.max_duration_min,
            durations_min: serde_json::from_str(&r.durations_min).unwrap_or_default(),
            min_notice_min: r.min_notice_min,
            horizon_days: r.horizon_days,
            cancel_cutoff_min: r.cancel_cutoff_min,
            buffer_before_min: r.buffer_before_min,
            buffer_after_min: r.buffer_after_min,
            max_per_day: r.max_per_day,
            max_per_week: r.max_per_week,
            max_per_person: r.max_per_person,
            approval_required: r.approval_required != 0,
            qualification_required: r.qualification_required != 0,
        },
        weekly: decode_weekly(&r.weekly_hours),
        overrides,
        blackouts,
    })
}

pub(super) fn load_busy(tx: &mut Tx<'_, '_>, resource_id: &str, span: Span, except: Option<&str>) -> Res<Vec<Span>> {
    let rows = tx.query(
        "SELECT start_at, end_at FROM booking WHERE resource_id = $1 AND start_at < $3 AND start_at > $4 AND end_at > $2
         AND status IN ('requested', 'confirmed') AND deleted = 0 AND ($5::text IS NULL OR id <> $5)",
        &[&resource_id, &span.start, &span.end, &(span.start - MAX_BOOKING_SECONDS), &except],
    )?;
    Ok(rows.iter().map(|r| Span::new(r.get(0), r.get(1))).collect())
}

pub(super) struct BookingRow {
    pub(super) resource_id: String,
    pub(super) booker_id: String,
    pub(super) start: i64,
    pub(super) end: i64,
    pub(super) status: BookingStatus,
}

pub(super) fn load_booking(tx: &mut Tx<'_, '_>, id: &str) -> Res<BookingRow> {
    let row = tx
        .query_opt(
            "SELECT resource_id, booker_id, start_at, end_at, status FROM booking WHERE id = $1 AND deleted = 0 FOR UPDATE",
            &[&id],
        )?
        .ok_or_else(|| CoreError::not_found("booking", id))?;
    Ok(BookingRow {
        resource_id: row.get(0),
        booker_id: row.get(1),
        start: row.get(2),
        end: row.get(3),
        status: BookingStatus::parse(row.get(4))?,
    })
}
