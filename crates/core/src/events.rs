//! Events a makerspace holds (创新创业活动: 路演, 沙龙, 培训, 训练营): published by its space
//! admins, visible to the whole district, registered for up to their capacity, attendance
//! taken on the day. The yearly figures count them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::Id;
use crate::error::{CoreError, Result};
use crate::validate::check_text;

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EventKind {
    /// 路演
    Roadshow,
    /// 沙龙
    Salon,
    /// 培训
    Training,
    /// 训练营
    Bootcamp,
    Other,
}

/// An event as its space admin publishes it.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    pub makerspace_id: Id,
    pub kind: EventKind,
    pub title: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    #[serde(default)]
    pub place: String,
    /// How many may register.
    pub capacity: u32,
}

/// The most one event may take.
pub const MAX_EVENT_CAPACITY: u32 = 5_000;

impl NewEvent {
    /// The fields checked, trimmed.
    pub fn validate(&self, now: i64) -> Result<NewEvent> {
        check_text("title", &self.title, 100, true)?;
        check_text("place", &self.place, 200, false)?;
        crate::domain::check_instant("start", self.start.timestamp(), now)?;
        crate::domain::check_instant("end", self.end.timestamp(), now)?;
        if self.end <= self.start {
            return Err(CoreError::invalid("end", "the event ends before it starts"));
        }
        if self.end - self.start > chrono::Duration::days(31) {
            return Err(CoreError::invalid("end", "an event lasts at most 31 days"));
        }
        if self.capacity == 0 || self.capacity > MAX_EVENT_CAPACITY {
            return Err(CoreError::invalid("capacity", format!("must be between 1 and {MAX_EVENT_CAPACITY}")));
        }
        Ok(NewEvent { title: self.title.trim().to_string(), place: self.place.trim().to_string(), ..self.clone() })
    }
}

/// An event as the decisions about it see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: Id,
    pub makerspace_id: Id,
    pub start: i64,
    pub end: i64,
    pub capacity: u32,
    pub cancelled: bool,
}

/// Whether people may still register for an event (or withdraw): until it begins, unless it
/// was cancelled.
pub fn registration_open(start: i64, cancelled: bool, now: i64) -> bool {
    !cancelled && now < start
}

/// One person's registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub person_id: Id,
    /// Registered and not withdrawn.
    pub active: bool,
    pub attended: bool,
}
