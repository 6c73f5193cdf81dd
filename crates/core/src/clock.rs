//! The one clock. Every "now" that production code uses — the server's handlers and sweeper,
//! the desktop's commands, the CLI — is read here, so that a test or a demo can pin it
//! (`INCUBOOK_NOW`, RFC 3339) and no rule depends on when the process happens to run. A
//! test in the root crate (`tests/one_clock.rs`) fails on a direct read of the system time
//! anywhere else.
//!
//! Monotonic `Instant`s (timeouts, rate limits, benchmarks) are not "now" in this sense and
//! stay where they are used.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::Result;
use crate::domain::{parse_instant, to_utc};

/// The variable that pins the clock of the server, the desktop and the CLI.
pub const NOW_VARIABLE: &str = "INCUBOOK_NOW";

/// The district's zone: dates of reports, allocations and statements, and the zone of a
/// resource or a makerspace that names none.
pub const DISTRICT_ZONE: Tz = chrono_tz::Asia::Shanghai;

/// The district's date at an instant (seconds since the epoch).
pub fn district_date(at: i64) -> NaiveDate {
    DateTime::from_timestamp(at, 0).unwrap_or_default().with_timezone(&DISTRICT_ZONE).date_naive()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The machine's time.
    System,
    /// A fixed instant: tests, demos, and scripts that replay a day.
    Pinned(DateTime<Utc>),
}

impl Clock {
    /// The clock the process was started with: pinned by `INCUBOOK_NOW` when it is set,
    /// else the system's. A value that is not an RFC 3339 time is an error, never ignored.
    pub fn from_env() -> Result<Clock> {
        match std::env::var(NOW_VARIABLE) {
            Ok(text) => Clock::pinned_at(&text),
            Err(_) => Ok(Clock::System),
        }
    }

    pub fn pinned_at(text: &str) -> Result<Clock> {
        Ok(Clock::Pinned(to_utc(parse_instant(NOW_VARIABLE, text)?)))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Pinned(at) => *at,
        }
    }

    /// Today in the district's zone.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&DISTRICT_ZONE).date_naive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_clock_says_its_instant_and_the_district_date_of_it() {
        // 16:30 UTC on New Year's Eve is already 1 January in Shanghai.
        let clock = Clock::pinned_at("2026-12-31T16:30:00Z").unwrap_or(Clock::System);
        assert_eq!(clock.now().to_rfc3339(), "2026-12-31T16:30:00+00:00");
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2027, 1, 1).unwrap_or_default());
    }

    #[test]
    fn a_pin_that_is_not_a_time_is_refused_with_the_variable_named() {
        let error = Clock::pinned_at("next tuesday").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains(NOW_VARIABLE), "{error}");
    }
}
