//! The things Incubook keeps. Instants are UTC seconds (`i64`) inside the core and
//! RFC 3339 text at its edges; wall-clock rules are minutes of a local day.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

pub type Id = String;

pub fn new_id() -> Id {
    uuid::Uuid::now_v7().to_string()
}

pub fn to_utc(seconds: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(seconds, 0).unwrap_or_default()
}

pub fn parse_instant(field: &'static str, text: &str) -> Result<i64> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.timestamp())
        .map_err(|e| CoreError::invalid(field, format!("'{text}' is not an RFC 3339 time ({e})")))
}

/// An instant as people type it: RFC 3339, or a local date and time (`2026-12-03 09:00`,
/// `2026-12-03T09:00`, seconds optional) in the zone given. A local time the clocks skip
/// over is refused; one they pass twice is the first.
pub fn parse_local_instant(field: &'static str, text: &str, tz: Tz) -> Result<i64> {
    use chrono::TimeZone;
    if let Ok(t) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(t.timestamp());
    }
    let local = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(text.trim(), format).ok())
        .filter(|t| (FIRST_YEAR..=LAST_YEAR).contains(&t.year()))
        .ok_or_else(|| {
            CoreError::invalid(field, format!("'{text}' is not a time like 2026-12-03 09:00 or 2026-12-03T01:00:00Z"))
        })?;
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.timestamp())
        .ok_or_else(|| CoreError::invalid(field, format!("{text} does not exist in {tz}: the clocks skip it")))
}

/// Dates people type are four-digit years: chrono's `%Y` alone takes `+262142`, one day
/// short of its limit, and the next day's arithmetic would overflow.
pub fn parse_date(field: &'static str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (FIRST_YEAR..=LAST_YEAR).contains(&d.year()))
        .ok_or_else(|| CoreError::invalid(field, format!("'{text}' is not a date like 2026-12-01")))
}

/// Years a typed date may name.
pub const FIRST_YEAR: i32 = 1970;
pub const LAST_YEAR: i32 = 2200;

/// The longest a booking may last (the cap of `Policy::max_duration_min`). The readers of
/// busy time look back this far for bookings that started before their window.
pub const MAX_DURATION_MIN: u32 = 7 * 1440;

/// A booking that holds an instant after `t` started after `t - MAX_BOOKING_SECONDS`: the
/// bound of every index range scan for busy time (and why uploads are held to the cap too).
pub const MAX_BOOKING_SECONDS: i64 = MAX_DURATION_MIN as i64 * 60 + 1;

/// How far before and after now an instant of a change may lie (a booking, a blackout, an
/// override, an expiry). Every rule looks at most two years ahead, so this refuses nothing a
/// rule would take; it keeps the calendar arithmetic of one request small and in range.
pub const INPUT_DAYS_BEFORE: i64 = 366;
pub const INPUT_DAYS_AFTER: i64 = 3 * 366;

/// An instant of a change, within the window around `now` that any change may name.
pub fn check_instant(field: &'static str, t: i64, now: i64) -> Result<()> {
    if t < now - INPUT_DAYS_BEFORE * 86_400 || t > now + INPUT_DAYS_AFTER * 86_400 {
        return Err(CoreError::invalid(field, "must lie within a year before and three years after today"));
    }
    Ok(())
}

/// A date of a change, within the same window as `check_instant`'s (a day's slack for zones).
pub fn check_date(field: &'static str, date: NaiveDate, now: i64) -> Result<()> {
    let noon = date.and_hms_opt(12, 0, 0).map(|t| t.and_utc().timestamp());
    match noon {
        Some(t) if t >= now - (INPUT_DAYS_BEFORE + 1) * 86_400 && t <= now + (INPUT_DAYS_AFTER + 1) * 86_400 => Ok(()),
        _ => Err(CoreError::invalid(field, "must lie within a year before and three years after today")),
    }
}

pub fn parse_tz(field: &'static str, text: &str) -> Result<Tz> {
    text.trim().parse::<Tz>().map_err(|_| CoreError::invalid(field, format!("'{text}' is not an IANA time zone")))
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Founder,
    Mentor,
    LabManager,
    SpaceAdmin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Founder, Role::Mentor, Role::LabManager, Role::SpaceAdmin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Founder => "founder",
            Role::Mentor => "mentor",
            Role::LabManager => "lab_manager",
            Role::SpaceAdmin => "space_admin",
        }
    }

    pub fn parse(text: &str) -> Result<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text.trim()).ok_or_else(|| {
            CoreError::invalid("role", format!("'{text}' is not one of founder, mentor, lab_manager, space_admin"))
        })
    }
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Requested,
    Confirmed,
    Declined,
    Cancelled,
    Completed,
    NoShow,
}

impl BookingStatus {
    pub const ALL: [BookingStatus; 6] = [
        BookingStatus::Requested,
        BookingStatus::Confirmed,
        BookingStatus::Declined,
        BookingStatus::Cancelled,
        BookingStatus::Completed,
        BookingStatus::NoShow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Requested => "requested",
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::Declined => "declined",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::Completed => "completed",
            BookingStatus::NoShow => "no_show",
        }
    }

    pub fn parse(text: &str) -> Result<BookingStatus> {
        BookingStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| CoreError::invalid("status", format!("unknown booking status '{text}'")))
    }

    /// Requests hold their slot while the mentor or lab decides, so that the
    /// approval step cannot hand one slot to two people.
    pub fn holds_slot(self) -> bool {
        matches!(self, BookingStatus::Requested | BookingStatus::Confirmed)
    }
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    Mentor,
    Equipment,
}

impl ResourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Mentor => "mentor",
            ResourceKind::Equipment => "equipment",
        }
    }
}

/// The booking rules of one mentor or one piece of equipment.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub capacity: u32,
    pub granularity_min: u32,
    pub min_duration_min: u32,
    pub max_duration_min: u32,
    /// Session lengths a mentor offers; empty means any multiple of the granularity.
    pub durations_min: Vec<u32>,
    pub min_notice_min: u32,
    pub horizon_days: u32,
    pub cancel_cutoff_min: u32,
    pub buffer_before_min: u32,
    pub buffer_after_min: u32,
    pub max_per_day: Option<u32>,
    pub max_per_week: Option<u32>,
    /// How many upcoming bookings of this resource (requested or confirmed, not yet over)
    /// one person may hold at once, so that nobody holds every slot of a shared instrument.
    #[serde(default)]
    pub max_per_person: Option<u32>,
    pub approval_required: bool,
    pub qualification_required: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            capacity: 1,
            granularity_min: 30,
            min_duration_min: 30,
            max_duration_min: 240,
            durations_min: Vec::new(),
            min_notice_min: 60,
            horizon_days: 60,
            cancel_cutoff_min: 0,
            buffer_before_min: 0,
            buffer_after_min: 0,
            max_per_day: None,
            max_per_week: None,
            max_per_person: None,
            approval_required: false,
            qualification_required: false,
        }
    }
}

impl Policy {
    pub fn validate(&self) -> Result<()> {
        let bad = |field, reason: &str| Err(CoreError::invalid(field, reason));
        if self.capacity == 0 || self.capacity > 1000 {
            return bad("capacity", "must be between 1 and 1000");
        }
        if !(5..=1440).contains(&self.granularity_min) || 1440 % self.granularity_min != 0 {
            return bad("granularity_min", "must divide a day, between 5 and 1440 minutes");
        }
        if self.min_duration_min == 0 || self.min_duration_min > self.max_duration_min {
            return bad("min_duration_min", "must be above 0 and not above the maximum duration");
        }
        if self.max_duration_min > MAX_DURATION_MIN {
            return bad("max_duration_min", "must be at most 7 days");
        }
        if self.durations_min.iter().any(|d| *d == 0 || *d > self.max_duration_min || *d < self.min_duration_min) {
            return bad("durations_min", "every session length must lie between the minimum and maximum duration");
        }
        if self.horizon_days == 0 || self.horizon_days > 730 {
            return bad("horizon_days", "must be between 1 and 730 days");
        }
        if self.min_notice_min > 60 * 1440 || self.cancel_cutoff_min > 60 * 1440 {
            return bad("min_notice_min", "notice and cancellation cutoff must be at most 60 days");
        }
        if self.buffer_before_min > 1440 || self.buffer_after_min > 1440 {
            return bad("buffer_before_min", "buffers must be at most one day");
        }
        if self.max_per_day == Some(0) || self.max_per_week == Some(0) {
            return bad("max_per_day", "a cap must be at least 1 (leave it empty for no cap)");
        }
        if self.max_per_person.is_some_and(|n| n == 0 || n > 1000) {
            return bad("max_per_person", "must be between 1 and 1000 (leave it empty for no limit)");
        }
        Ok(())
    }
}

/// Open hours on one weekday, in minutes of the local day (`end_min` up to 1440).
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyHours {
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u8,
    pub start_min: u16,
    pub end_min: u16,
}

impl WeeklyHours {
    pub fn validate(&self) -> Result<()> {
        if self.weekday > 6 {
            return Err(CoreError::invalid("weekday", "must be 0 (Monday) to 6 (Sunday)"));
        }
        validate_day_minutes(self.start_min, self.end_min)
    }
}

pub fn validate_day_minutes(start_min: u16, end_min: u16) -> Result<()> {
    if end_min > 1440 || start_min >= end_min {
        return Err(CoreError::invalid("hours", "start must be before end, within one day (00:00–24:00)"));
    }
    Ok(())
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OverrideKind {
    /// Not available in this part of the date (leave, a day off).
    Off,
    /// Available in this part of the date on top of the weekly hours.
    Extra,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateOverride {
    pub date: NaiveDate,
    pub kind: OverrideKind,
    pub start_min: u16,
    pub end_min: u16,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BlackoutWhen {
    Once { start: i64, end: i64 },
    Weekly { weekday: u8, start_min: u16, end_min: u16, from: NaiveDate, until: Option<NaiveDate> },
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blackout {
    pub id: Id,
    pub resource_id: Id,
    pub when: BlackoutWhen,
    pub reason: String,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Makerspace {
    pub id: Id,
    pub code: String,
    pub name: String,
    pub address: String,
    pub timezone: String,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleGrant {
    pub makerspace_code: String,
    pub role: Role,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: Id,
    pub name: String,
    pub roles: Vec<RoleGrant>,
    /// Works for the district (区科委): publishes calls, takes applications in.
    #[serde(default)]
    pub district_operator: bool,
    pub startup_name: Option<String>,
    pub industry: Option<String>,
    pub stage: Option<String>,
    /// Private: shown only to the person, admins, and mentors' confirmed founders.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Makerspace,
    District,
}

impl Visibility {
    /// A stored visibility; text the schema does not allow keeps the mentor to their
    /// makerspace (the narrower choice, never the wider).
    pub fn from_stored(text: &str) -> Visibility {
        if text == "district" { Visibility::District } else { Visibility::Makerspace }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Visibility::Makerspace => "makerspace",
            Visibility::District => "district",
        }
    }
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mentor {
    pub id: Id,
    pub person_id: Id,
    pub name: String,
    pub makerspace_code: String,
    pub title: String,
    pub bio: String,
    pub tags: Vec<String>,
    pub industries: Vec<String>,
    pub languages: Vec<String>,
    pub formats: Vec<String>,
    pub visibility: Visibility,
    pub timezone: String,
    pub policy: Policy,
    pub weekly_hours: Vec<WeeklyHours>,
    /// Full-time (专职) or part-time (兼职).
    pub full_time: bool,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lab {
    pub id: Id,
    pub makerspace_code: String,
    pub name: String,
    pub description: String,
    pub manager_ids: Vec<Id>,
}

/// Money, always integer fen (1 yuan = 100 fen); never floating point.
pub type Fen = i64;

/// What hours are charged: those the instrument ran, or those that were booked.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeBasis {
    #[default]
    Actual,
    Booked,
}

/// An instrument's prices per hour for each user class, in fen.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rates {
    pub internal_fen_per_hour: Fen,
    pub external_fen_per_hour: Fen,
    pub enterprise_fen_per_hour: Fen,
    pub basis: ChargeBasis,
    /// The least a session that ran at all is charged.
    pub minimum_fen: Fen,
    /// Charged time is rounded up to whole steps of this many minutes.
    pub rounding_min: u32,
}

impl Default for Rates {
    fn default() -> Rates {
        Rates {
            internal_fen_per_hour: 0,
            external_fen_per_hour: 0,
            enterprise_fen_per_hour: 0,
            basis: ChargeBasis::Actual,
            minimum_fen: 0,
            rounding_min: 15,
        }
    }
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Equipment {
    pub id: Id,
    pub lab_id: Id,
    pub name: String,
    pub category: String,
    pub model: String,
    /// The listed price and the members' subsidy it was entered with; what a session costs
    /// is `rates`.
    pub hourly_fee_cents: i64,
    pub subsidy_pct: u8,
    /// What an hour costs each class of user, as charged.
    pub rates: Rates,
    pub timezone: String,
    pub policy: Policy,
    pub weekly_hours: Vec<WeeklyHours>,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub id: Id,
    pub resource_id: Id,
    pub resource_kind: ResourceKind,
    pub resource_name: String,
    pub booker_id: Id,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: BookingStatus,
    pub topic: String,
    /// Why it was declined or cancelled, shown to the booker.
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A free slot, or a span of time in general.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Outside 08:00–22:00 of the person looking (`zones::late_for`); matching ranks it lower.
    #[serde(default)]
    pub late: bool,
}

/// The column format of weekly hours, which both backends read and write: `[[weekday, start, end], …]`.
pub fn encode_weekly(hours: &[WeeklyHours]) -> String {
    let triples: Vec<[u16; 3]> = hours.iter().map(|h| [u16::from(h.weekday), h.start_min, h.end_min]).collect();
    serde_json::to_string(&triples).unwrap_or_else(|_| "[]".into())
}

pub fn decode_weekly(text: &str) -> Vec<WeeklyHours> {
    let triples: Vec<[u16; 3]> = serde_json::from_str(text).unwrap_or_default();
    triples
        .into_iter()
        .filter_map(|[d, s, e]| u8::try_from(d).ok().map(|weekday| WeeklyHours { weekday, start_min: s, end_min: e }))
        .collect()
}
