//! Times across zones: a session shown in the viewer's zone and, when the counterpart is in
//! another, in theirs too — "周二 20:00（上海）· 周二 08:00（纽约）" — and whether a time is
//! late for someone (outside their 08:00–22:00). Every surface that shows a session's time
//! to both sides (lists, notifications, CSV rows, ICS descriptions) words it here.

use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use serde::Serialize;

use crate::i18n::Lang;

/// A zone with its city's name in both languages, for pickers and shown pairs.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZoneName {
    pub zone: String,
    pub zh: String,
    pub en: String,
}

impl ZoneName {
    pub fn of(tz: Tz) -> ZoneName {
        ZoneName { zone: tz.name().to_string(), zh: zone_label(tz, Lang::Zh), en: zone_label(tz, Lang::En) }
    }
}

/// The zones named by their city, the district's own first.
pub fn known_zones() -> Vec<ZoneName> {
    CITIES.iter().filter_map(|(iana, ..)| iana.parse::<Tz>().ok()).map(ZoneName::of).collect()
}

/// Zones of the district's mentors and founders by their city's name; any other zone is
/// named by the city part of its IANA name.
const CITIES: &[(&str, &str, &str)] = &[
    ("Asia/Shanghai", "上海", "Shanghai"),
    ("Asia/Hong_Kong", "香港", "Hong Kong"),
    ("Asia/Taipei", "台北", "Taipei"),
    ("Asia/Singapore", "新加坡", "Singapore"),
    ("Asia/Tokyo", "东京", "Tokyo"),
    ("Asia/Seoul", "首尔", "Seoul"),
    ("Europe/London", "伦敦", "London"),
    ("Europe/Berlin", "柏林", "Berlin"),
    ("Europe/Paris", "巴黎", "Paris"),
    ("Europe/Amsterdam", "阿姆斯特丹", "Amsterdam"),
    ("Europe/Zurich", "苏黎世", "Zurich"),
    ("America/New_York", "纽约", "New York"),
    ("America/Chicago", "芝加哥", "Chicago"),
    ("America/Los_Angeles", "洛杉矶", "Los Angeles"),
    ("America/Toronto", "多伦多", "Toronto"),
    ("America/Vancouver", "温哥华", "Vancouver"),
    ("Australia/Sydney", "悉尼", "Sydney"),
    ("Australia/Melbourne", "墨尔本", "Melbourne"),
];

/// The zone's name for a person reading `lang`: its city.
pub fn zone_label(tz: Tz, lang: Lang) -> String {
    let name = tz.name();
    match CITIES.iter().find(|(iana, ..)| *iana == name) {
        Some((_, zh, en)) => if lang == Lang::Zh { zh } else { en }.to_string(),
        None => name.rsplit('/').next().unwrap_or(name).replace('_', " "),
    }
}

fn weekday_text(day: Weekday, lang: Lang) -> &'static str {
    let i = day.num_days_from_monday() as usize;
    if lang == Lang::Zh {
        ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][i]
    } else {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i]
    }
}

/// An instant's wall-clock time in a zone, as one side of a shown pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub zone: Tz,
    pub local: NaiveDateTime,
}

impl LocalTime {
    pub fn of(at: DateTime<Utc>, zone: Tz) -> LocalTime {
        LocalTime { zone, local: at.with_timezone(&zone).naive_local() }
    }

    /// "周二 20:00（上海）" / "Tue 20:00 (Shanghai)".
    pub fn text(&self, lang: Lang) -> String {
        let (day, clock) = (weekday_text(self.local.weekday(), lang), self.local.format("%H:%M"));
        let city = zone_label(self.zone, lang);
        if lang == Lang::Zh { format!("{day} {clock}（{city}）") } else { format!("{day} {clock} ({city})") }
    }
}

/// The times a viewer is shown for an instant: theirs, and the counterpart's when their zone
/// tells another wall-clock time (the same offset shows one).
pub fn shown_times(at: DateTime<Utc>, viewer: Tz, counterpart: Tz) -> (LocalTime, Option<LocalTime>) {
    let mine = LocalTime::of(at, viewer);
    let theirs = LocalTime::of(at, counterpart);
    (mine, (theirs.local != mine.local).then_some(theirs))
}

/// "周二 20:00（上海）· 周二 08:00（纽约）", or the viewer's time alone when both zones agree.
pub fn dual_time(at: DateTime<Utc>, viewer: Tz, counterpart: Tz, lang: Lang) -> String {
    match shown_times(at, viewer, counterpart) {
        // A full-width bracket closes the Chinese side: no space before the dot there.
        (mine, Some(theirs)) if lang == Lang::Zh => format!("{}· {}", mine.text(lang), theirs.text(lang)),
        (mine, Some(theirs)) => format!("{} · {}", mine.text(lang), theirs.text(lang)),
        (mine, None) => mine.text(lang),
    }
}

/// The part of a person's day a session may take without being late for them.
pub const AWAKE_FROM_MIN: u32 = 8 * 60;
pub const AWAKE_UNTIL_MIN: u32 = 22 * 60;

/// Whether `start..end` falls, for someone in `zone`, outside 08:00–22:00 of their day.
pub fn late_for(start: DateTime<Utc>, end: DateTime<Utc>, zone: Tz) -> bool {
    let (s, e) = (start.with_timezone(&zone), end.with_timezone(&zone));
    let minutes = |t: &DateTime<Tz>| t.hour() * 60 + t.minute();
    let within = s.date_naive() == e.date_naive() && minutes(&s) >= AWAKE_FROM_MIN && minutes(&e) <= AWAKE_UNTIL_MIN;
    !within
}

/// The instant a shown local time names in its zone: the earlier of two for a time the
/// clocks go back over, none for one they skip. (What a reader of the pair works out.)
pub fn instant_of(shown: &LocalTime) -> Option<DateTime<Utc>> {
    shown.zone.from_local_datetime(&shown.local).earliest().map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap_or_default()
    }

    #[test]
    fn a_pair_names_both_cities_in_the_readers_language() {
        let at = utc("2026-12-08T12:00:00Z");
        let (sh, ny) = (chrono_tz::Asia::Shanghai, chrono_tz::America::New_York);
        assert_eq!(dual_time(at, sh, ny, Lang::Zh), "周二 20:00（上海）· 周二 07:00（纽约）");
        assert_eq!(dual_time(at, sh, ny, Lang::En), "Tue 20:00 (Shanghai) · Tue 07:00 (New York)");
        // The same wall clock shows once.
        assert_eq!(dual_time(at, sh, chrono_tz::Asia::Taipei, Lang::Zh), "周二 20:00（上海）");
        assert_eq!(zone_label(chrono_tz::America::Argentina::Buenos_Aires, Lang::Zh), "Buenos Aires");
    }

    #[test]
    fn late_is_outside_eight_to_ten_in_the_persons_zone() {
        let sh = chrono_tz::Asia::Shanghai;
        // 21:00–22:00 Shanghai is fine; 21:30–22:30 is late; 07:30 is early.
        assert!(!late_for(utc("2026-12-08T13:00:00Z"), utc("2026-12-08T14:00:00Z"), sh));
        assert!(late_for(utc("2026-12-08T13:30:00Z"), utc("2026-12-08T14:30:00Z"), sh));
        assert!(late_for(utc("2026-12-07T23:30:00Z"), utc("2026-12-08T00:30:00Z"), sh));
        assert!(!late_for(utc("2026-12-08T00:00:00Z"), utc("2026-12-08T01:00:00Z"), sh));
    }
}
