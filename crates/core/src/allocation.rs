//! Hour allocations: a makerspace gives a startup a budget of mentor hours for a programme or
//! a quarter; the startup's completed mentor sessions in that time debit it; a top-up adds
//! hours and needs a reason, which the audit log keeps.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::Id;
use crate::error::{CoreError, Result};
use crate::validate::check_text;

/// The most hours one allocation or top-up gives.
pub const MAX_HOURS: u32 = 2_000;

/// What a space admin gives: hours of mentoring for a startup, over dates of their
/// makerspace (both included).
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAllocation {
    pub startup_id: Id,
    pub makerspace_id: Id,
    /// The programme's name, or the quarter ("2026Q4").
    pub programme: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub hours: u32,
}

impl NewAllocation {
    /// `now` bounds the dates to the window any change may name (a year back, three ahead):
    /// an allocation of 1900 would break every balance of the startup.
    pub fn validate(&self, now: i64) -> Result<NewAllocation> {
        check_text("programme", &self.programme, 60, true)?;
        crate::domain::check_date("starts_on", self.starts_on, now)?;
        crate::domain::check_date("ends_on", self.ends_on, now)?;
        if self.ends_on < self.starts_on {
            return Err(CoreError::invalid("ends_on", "the allocation ends before it starts"));
        }
        if (self.ends_on - self.starts_on).num_days() > 366 {
            return Err(CoreError::invalid("ends_on", "an allocation covers at most a year"));
        }
        check_hours("hours", self.hours)?;
        Ok(NewAllocation { programme: self.programme.trim().to_string(), ..self.clone() })
    }
}

pub fn check_hours(field: &'static str, hours: u32) -> Result<()> {
    if hours == 0 || hours > MAX_HOURS {
        return Err(CoreError::invalid(field, format!("between 1 and {MAX_HOURS} hours")));
    }
    Ok(())
}

/// A top-up's reason: required, as the audit log keeps why hours were added.
pub fn check_reason(reason: &str) -> Result<&str> {
    check_text("reason", reason, 500, true)?;
    Ok(reason.trim())
}

/// The quarter a date is in, as a programme's default: its name and its first and last day.
pub fn quarter_of(date: NaiveDate) -> (String, NaiveDate, NaiveDate) {
    let q = (date.month0() / 3) + 1;
    let first = NaiveDate::from_ymd_opt(date.year(), (q - 1) * 3 + 1, 1).unwrap_or(date);
    let next =
        if q == 4 { NaiveDate::from_ymd_opt(date.year() + 1, 1, 1) } else { NaiveDate::from_ymd_opt(date.year(), q * 3 + 1, 1) };
    let last = next.and_then(|d| d.pred_opt()).unwrap_or(date);
    (format!("{}Q{q}", date.year()), first, last)
}

/// An allocation with what is used of it.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HourBalance {
    pub allocation_id: Id,
    pub startup_id: Id,
    pub makerspace_id: Id,
    pub programme: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Given, with every top-up.
    pub budget_min: u32,
    /// Completed mentor sessions of the startup's members in the dates.
    pub used_min: u32,
    pub remaining_min: i64,
}

impl HourBalance {
    pub fn new(
        allocation: (Id, Id, Id),
        programme: String,
        (starts_on, ends_on): (NaiveDate, NaiveDate),
        budget_min: u32,
        used_min: u32,
    ) -> HourBalance {
        let (allocation_id, startup_id, makerspace_id) = allocation;
        let remaining_min = i64::from(budget_min) - i64::from(used_min);
        HourBalance {
            allocation_id,
            startup_id,
            makerspace_id,
            programme,
            starts_on,
            ends_on,
            budget_min,
            used_min,
            remaining_min,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn quarters_run_to_their_last_day() {
        assert_eq!(quarter_of(day(2026, 12, 3)), ("2026Q4".to_string(), day(2026, 10, 1), day(2026, 12, 31)));
        assert_eq!(quarter_of(day(2027, 2, 28)), ("2027Q1".to_string(), day(2027, 1, 1), day(2027, 3, 31)));
    }

    #[test]
    fn a_top_up_needs_a_reason_and_hours_are_bounded() {
        assert!(check_reason("  ").is_err());
        assert_eq!(check_reason(" 路演前加急 ").ok(), Some("路演前加急"));
        assert!(check_hours("hours", 0).is_err());
        assert!(check_hours("hours", MAX_HOURS + 1).is_err());
        let new = NewAllocation {
            startup_id: "s".into(),
            makerspace_id: "m".into(),
            programme: "2026Q4".into(),
            starts_on: day(2026, 12, 31),
            ends_on: day(2026, 10, 1),
            hours: 10,
        };
        let now = day(2026, 12, 7).and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or_default();
        assert_eq!(new.validate(now).err().map(|e| e.code()).as_deref(), Some("invalid.ends_on"));
        let quarter = NewAllocation { starts_on: day(2026, 10, 1), ends_on: day(2026, 12, 31), ..new.clone() };
        assert!(quarter.validate(now).is_ok());
        // The review's N9: a year of 1900 would break the startup's balances for everyone.
        let long_ago = NewAllocation { starts_on: day(1900, 1, 1), ends_on: day(1900, 12, 31), ..new };
        assert_eq!(long_ago.validate(now).err().map(|e| e.code()).as_deref(), Some("invalid.starts_on"));
    }
}
