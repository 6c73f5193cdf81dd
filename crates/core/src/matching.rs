//! Matching a startup's need to the district's mentors: one score, with its breakdown shown
//! to the founder — expertise, industry, language, format, the earliest free slot within 14
//! days (a slot late for the founder counts half), and spare capacity this month. A mentor
//! at their cap scores zero. The parts add up to the total.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a founder asks for. Empty fields ask for nothing in particular.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchNeed {
    /// Expertise keys (`fundraising`) or their Chinese names (融资).
    pub tags: Vec<String>,
    /// The startup's industry when not given.
    pub industry: Option<String>,
    /// A language code (`en`); Chinese when not given.
    pub language: Option<String>,
    /// `online` or `in_person`.
    pub format: Option<String>,
    /// Length of the wanted session in minutes (60 when not given).
    pub minutes: Option<u32>,
}

/// The most each part adds.
pub const EXPERTISE_POINTS: u32 = 40;
pub const INDUSTRY_POINTS: u32 = 15;
pub const LANGUAGE_POINTS: u32 = 10;
pub const FORMAT_POINTS: u32 = 10;
pub const AVAILABILITY_POINTS: u32 = 15;
pub const CAPACITY_POINTS: u32 = 10;
/// How far ahead a free slot counts.
pub const WITHIN_DAYS: i64 = 14;

/// A mentor as matching sees them (tags, languages in their stored form).
#[derive(Debug, Clone, Copy)]
pub struct MentorTraits<'a> {
    pub tags: &'a [String],
    pub industries: &'a [String],
    pub languages: &'a [String],
    pub formats: &'a [String],
    /// Bookings holding their time that start this month.
    pub held_this_month: u32,
    /// How many sessions a month their caps allow; `None` without a cap.
    pub month_cap: Option<u32>,
}

/// A mentor's score and what it is made of.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub total: u32,
    pub expertise: u32,
    pub industry: u32,
    pub language: u32,
    pub format: u32,
    pub availability: u32,
    pub capacity: u32,
    /// At their cap this month: every part is zero.
    pub at_cap: bool,
}

impl Score {
    fn summed(mut self) -> Score {
        if self.at_cap {
            return Score { at_cap: true, ..Score::default() };
        }
        self.total = self.expertise + self.industry + self.language + self.format + self.availability + self.capacity;
        self
    }

    /// The score with the availability part for the mentor's first free slot (`None`: no
    /// free slot within 14 days).
    pub fn with_first_free(self, first: Option<(DateTime<Utc>, bool)>, now: DateTime<Utc>) -> Score {
        let availability = match first {
            None => 0,
            Some((start, late)) => {
                let ahead = (start - now).num_minutes().clamp(0, WITHIN_DAYS * 1440);
                let points = (i64::from(AVAILABILITY_POINTS) * (WITHIN_DAYS * 1440 - ahead) / (WITHIN_DAYS * 1440)) as u32;
                if late { points / 2 } else { points }
            }
        };
        Score { availability, ..self }.summed()
    }
}

/// The score without its availability part (`with_first_free` adds it): what can be known
/// before any calendar is looked at. `need.tags` and `need.language` in their stored form.
pub fn score_without_availability(need: &MatchNeed, m: &MentorTraits<'_>) -> Score {
    let at_cap = m.month_cap.is_some_and(|cap| m.held_this_month >= cap);
    let expertise = if need.tags.is_empty() {
        0
    } else {
        let hits = need.tags.iter().filter(|t| m.tags.contains(t)).count() as u32;
        EXPERTISE_POINTS * hits / need.tags.len() as u32
    };
    let industry = match need.industry.as_deref().map(str::trim).filter(|i| !i.is_empty()) {
        Some(wanted) if m.industries.iter().any(|i| i == wanted) => INDUSTRY_POINTS,
        _ => 0,
    };
    let language =
        if m.languages.iter().any(|l| Some(l.as_str()) == need.language.as_deref().or(Some("zh"))) { LANGUAGE_POINTS } else { 0 };
    let format = match need.format.as_deref() {
        Some(wanted) if m.formats.iter().any(|f| f == wanted) => FORMAT_POINTS,
        Some(_) => 0,
        None => FORMAT_POINTS,
    };
    let capacity = match m.month_cap {
        None => CAPACITY_POINTS,
        Some(0) => 0,
        Some(cap) => CAPACITY_POINTS * cap.saturating_sub(m.held_this_month) / cap,
    };
    Score { total: 0, expertise, industry, language, format, availability: 0, capacity, at_cap }.summed()
}

/// How many sessions a month a mentor's caps allow: four weeks of the weekly cap, else twenty
/// working days of the daily cap.
pub fn month_cap(max_per_day: Option<u32>, max_per_week: Option<u32>) -> Option<u32> {
    max_per_week.map(|w| w * 4).or(max_per_day.map(|d| d * 20))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_parts_add_up_and_a_mentor_at_cap_scores_zero() {
        let (tags, industries, languages, formats) =
            (strings(&["fundraising", "legal"]), strings(&["硬件"]), strings(&["zh", "en"]), strings(&["online"]));
        let m = MentorTraits {
            tags: &tags,
            industries: &industries,
            languages: &languages,
            formats: &formats,
            held_this_month: 12,
            month_cap: Some(48),
        };
        let need = MatchNeed {
            tags: strings(&["fundraising", "ip"]),
            industry: Some("硬件".into()),
            format: Some("online".into()),
            ..MatchNeed::default()
        };
        let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let s = score_without_availability(&need, &m).with_first_free(Some((now + chrono::Duration::days(7), false)), now);
        assert_eq!((s.expertise, s.industry, s.language, s.format, s.availability, s.capacity), (20, 15, 10, 10, 7, 7));
        assert_eq!(s.total, 69);
        // A late slot counts half; none counts nothing.
        let late = score_without_availability(&need, &m).with_first_free(Some((now + chrono::Duration::days(7), true)), now);
        assert_eq!(late.availability, 3);
        assert_eq!(score_without_availability(&need, &m).with_first_free(None, now).availability, 0);
        let full = MentorTraits { held_this_month: 48, ..m };
        let s = score_without_availability(&need, &full).with_first_free(Some((now, false)), now);
        assert_eq!((s.total, s.at_cap, s.expertise), (0, true, 0));
    }
}
