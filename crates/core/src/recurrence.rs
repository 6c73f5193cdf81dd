//! Repeating bookings: which times a rule such as "every Monday and Wednesday, ten times"
//! stands for, in the resource's zone. An occurrence keeps the local wall-clock time of the
//! first one across daylight-saving changes (09:00 stays 09:00), as calendars do; the rule is
//! also written as an RFC 5545 `RRULE` for the booking's ICS.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::availability::{local_end, local_start};
use crate::error::{CoreError, Result};
use crate::interval::Span;

/// The most occurrences one series may have.
pub const MAX_OCCURRENCES: usize = 52;

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Frequency {
    Daily,
    Weekly,
}

/// A weekday as a rule names it.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Day {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Day {
    pub fn of(weekday: Weekday) -> Day {
        [Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri, Day::Sat, Day::Sun][weekday.num_days_from_monday() as usize]
    }

    fn rfc5545(self) -> &'static str {
        ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][self as usize]
    }
}

/// How a booking repeats: daily, or weekly on chosen days, for a number of occurrences
/// (the first included) or until a local date (included).
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repeat {
    pub every: Frequency,
    /// The weekdays of a weekly rule, in the resource's zone (an overseas mentor's own);
    /// the first occurrence's own weekday is always one of them. Empty for a daily rule.
    #[serde(default)]
    pub days: Vec<Day>,
    #[serde(default)]
    pub count: Option<u32>,
    #[serde(default)]
    pub until: Option<NaiveDate>,
}

impl Repeat {
    /// The occurrences the rule stands for when the first one is `first`, in `tz`: the
    /// same local start and end time on each day the rule names.
    pub fn occurrences(&self, first: Span, tz: Tz) -> Result<Vec<Span>> {
        let days = self.checked_days(first, tz)?;
        let (start, end) = (local(first.start, tz), local(first.end, tz));
        let spans_days = (end.date() - start.date()).num_days();
        let mut out = Vec::new();
        let mut date = start.date();
        loop {
            if let Some(until) = self.until
                && date > until
            {
                break;
            }
            if self.count.is_some_and(|c| out.len() >= c as usize) {
                break;
            }
            if self.every == Frequency::Daily || days.contains(&Day::of(date.weekday())) {
                if out.len() == MAX_OCCURRENCES {
                    return Err(CoreError::invalid("repeat", format!("more than {MAX_OCCURRENCES} occurrences")));
                }
                let s = local_start(tz, date.and_time(start.time()));
                let e = local_end(tz, (date + Duration::days(spans_days)).and_time(end.time()));
                out.push(Span::new(s, e));
            }
            date = date.succ_opt().ok_or_else(|| CoreError::invalid("repeat", "runs past the calendar"))?;
        }
        Ok(out)
    }

    /// The rule's checks, and its weekdays with the first occurrence's own.
    fn checked_days(&self, first: Span, tz: Tz) -> Result<Vec<Day>> {
        match (self.count, self.until) {
            (Some(c), None) if (1..=MAX_OCCURRENCES as u32).contains(&c) => {}
            (Some(_), None) => return Err(CoreError::invalid("repeat", format!("count must be 1 to {MAX_OCCURRENCES}"))),
            (None, Some(u)) if u >= local(first.start, tz).date() => {}
            (None, Some(_)) => return Err(CoreError::invalid("repeat", "ends before it starts")),
            _ => return Err(CoreError::invalid("repeat", "give either a count or an end date")),
        }
        if first.end <= first.start {
            return Err(CoreError::invalid("end", "must be after start"));
        }
        let mut days = match self.every {
            Frequency::Daily if self.days.is_empty() => return Ok(Vec::new()),
            Frequency::Daily => return Err(CoreError::invalid("repeat", "a daily rule names no weekdays")),
            Frequency::Weekly => self.days.clone(),
        };
        days.push(Day::of(local(first.start, tz).weekday()));
        days.sort();
        days.dedup();
        Ok(days)
    }

    /// The rule as an RFC 5545 `RRULE` value for a series whose first occurrence starts at
    /// `first_start` in `tz` (an `UNTIL` is the end of that local day, in UTC, as the RFC
    /// wants with a zoned `DTSTART`).
    pub fn rrule(&self, first_start: i64, tz: Tz) -> String {
        let mut rule = match self.every {
            Frequency::Daily => "FREQ=DAILY".to_string(),
            Frequency::Weekly => {
                let first = Span::new(first_start, first_start + 1);
                let days = self.checked_days(first, tz).unwrap_or_else(|_| self.days.clone());
                let names = days.iter().map(|d| d.rfc5545()).collect::<Vec<_>>().join(",");
                format!("FREQ=WEEKLY;BYDAY={names}")
            }
        };
        if let Some(c) = self.count {
            rule.push_str(&format!(";COUNT={c}"));
        }
        if let Some(u) = self.until {
            let last = local_end(tz, u.and_hms_opt(23, 59, 59).unwrap_or_default());
            let utc = DateTime::<Utc>::from_timestamp(last, 0).unwrap_or_default();
            rule.push_str(&format!(";UNTIL={}", utc.format("%Y%m%dT%H%M%SZ")));
        }
        rule
    }
}

fn local(t: i64, tz: Tz) -> NaiveDateTime {
    DateTime::<Utc>::from_timestamp(t, 0).unwrap_or_default().with_timezone(&tz).naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        tz.with_ymd_and_hms(y, m, d, h, min, 0).earliest().map(|t| t.timestamp()).unwrap_or_default()
    }

    fn weekly(days: &[Day], count: u32) -> Repeat {
        Repeat { every: Frequency::Weekly, days: days.to_vec(), count: Some(count), until: None }
    }

    #[test]
    fn weekly_on_two_days_counts_the_first_and_keeps_shanghai_times() {
        let tz = chrono_tz::Asia::Shanghai;
        // Monday 2026-12-07 09:00–11:00.
        let first = Span::new(at(tz, 2026, 12, 7, 9, 0), at(tz, 2026, 12, 7, 11, 0));
        let got = weekly(&[Day::Mon, Day::Wed], 5).occurrences(first, tz).unwrap_or_else(|e| panic!("{e}"));
        let want: Vec<Span> = [(7, 12), (9, 12), (14, 12), (16, 12), (21, 12)]
            .iter()
            .map(|&(d, m)| Span::new(at(tz, 2026, m, d, 9, 0), at(tz, 2026, m, d, 11, 0)))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn across_a_dst_change_the_wall_clock_time_stays() {
        let tz = chrono_tz::America::New_York;
        // Thursdays 10:00–11:00 from 2027-03-04; clocks go forward on Sunday 2027-03-14.
        let first = Span::new(at(tz, 2027, 3, 4, 10, 0), at(tz, 2027, 3, 4, 11, 0));
        let got = weekly(&[], 3).occurrences(first, tz).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got[1].start - got[0].start, 7 * 86_400);
        assert_eq!(got[2].start - got[1].start, 7 * 86_400 - 3600, "an hour less of real time after spring forward");
        assert_eq!(got[2], Span::new(at(tz, 2027, 3, 18, 10, 0), at(tz, 2027, 3, 18, 11, 0)));
    }

    #[test]
    fn a_time_inside_the_gap_starts_at_the_jump() {
        let tz = chrono_tz::America::New_York;
        // Daily 02:30–03:30 from 2027-03-13: on the 14th 02:30 does not exist.
        let first = Span::new(at(tz, 2027, 3, 13, 2, 30), at(tz, 2027, 3, 13, 3, 30));
        let rule = Repeat { every: Frequency::Daily, days: vec![], count: Some(3), until: None };
        let got = rule.occurrences(first, tz).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got[1].start, at(tz, 2027, 3, 14, 3, 0), "the first instant that is not before 02:30");
        assert_eq!(got[1].end, at(tz, 2027, 3, 14, 3, 30));
        assert_eq!(got[2].start, at(tz, 2027, 3, 15, 2, 30));
    }

    #[test]
    fn until_is_inclusive_and_more_than_52_is_refused() {
        let tz = chrono_tz::Asia::Shanghai;
        let first = Span::new(at(tz, 2026, 12, 7, 9, 0), at(tz, 2026, 12, 7, 10, 0));
        let until =
            |d| Repeat { every: Frequency::Daily, days: vec![], count: None, until: NaiveDate::from_ymd_opt(2026, 12, d) };
        assert_eq!(until(9).occurrences(first, tz).unwrap_or_else(|e| panic!("{e}")).len(), 3);
        let year = Repeat { until: NaiveDate::from_ymd_opt(2027, 12, 1), ..until(9) };
        assert_eq!(year.occurrences(first, tz).err().map(|e| e.code()).unwrap_or_default(), "invalid.repeat");
        assert_eq!(weekly(&[], 53).occurrences(first, tz).err().map(|e| e.code()).unwrap_or_default(), "invalid.repeat");
        let both = Repeat { count: Some(3), ..until(9) };
        assert_eq!(both.occurrences(first, tz).err().map(|e| e.code()).unwrap_or_default(), "invalid.repeat");
        assert_eq!(until(6).occurrences(first, tz).err().map(|e| e.code()).unwrap_or_default(), "invalid.repeat");
    }

    #[test]
    fn the_rrule_names_the_first_weekday_too() {
        let tz = chrono_tz::Asia::Shanghai;
        let monday = at(tz, 2026, 12, 7, 9, 0);
        assert_eq!(weekly(&[Day::Wed], 10).rrule(monday, tz), "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10");
        let daily = Repeat { every: Frequency::Daily, days: vec![], count: None, until: NaiveDate::from_ymd_opt(2026, 12, 9) };
        assert_eq!(daily.rrule(monday, tz), "FREQ=DAILY;UNTIL=20261209T155959Z");
    }
}
