//! Overseas mentors across every DST change of 2026–2027: for mentors in New York, London,
//! Berlin and Sydney and founders in Shanghai, every slot offered lies inside the mentor's
//! weekly hours in the mentor's own zone, and both times shown for it name the same instant.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use incubook_core::availability::{Calendar, Days, free_spans, slots};
use incubook_core::domain::{Policy, WeeklyHours};
use incubook_core::i18n::Lang;
use incubook_core::interval::Span;
use incubook_core::zones::{dual_time, instant_of, shown_times};
use proptest::prelude::*;

const MENTOR_ZONES: [Tz; 4] =
    [chrono_tz::America::New_York, chrono_tz::Europe::London, chrono_tz::Europe::Berlin, chrono_tz::Australia::Sydney];
const FOUNDER_ZONE: Tz = chrono_tz::Asia::Shanghai;

/// The Sundays of the DST changes in those zones, 2026 and 2027 (a week around each is
/// searched, so every change is crossed).
fn dst_weeks() -> Vec<NaiveDate> {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
    vec![
        d(2026, 3, 8),   // New York springs forward
        d(2026, 3, 29),  // London, Berlin spring forward
        d(2026, 4, 5),   // Sydney falls back
        d(2026, 10, 4),  // Sydney springs forward
        d(2026, 10, 25), // London, Berlin fall back
        d(2026, 11, 1),  // New York falls back
        d(2027, 3, 14),
        d(2027, 3, 28),
        d(2027, 4, 4),
        d(2027, 10, 3),
        d(2027, 10, 31),
        d(2027, 11, 7),
    ]
}

/// Every minute of the slot shows, on the mentor's wall clock, a time inside one window of
/// that weekday. (On the night the clocks go back, a slot may run from 01:30 to the second
/// 01:00: every minute of it is still inside 01:00–02:00.)
fn inside_weekly_hours(hours: &[WeeklyHours], tz: Tz, slot: Span) -> bool {
    let local = |t: i64| tz.timestamp_opt(t, 0).single();
    let Some(first) = local(slot.start) else { return false };
    let weekday = first.weekday().num_days_from_monday() as u8;
    hours.iter().filter(|h| h.weekday == weekday).any(|h| {
        (slot.start..slot.end).step_by(60).all(|t| {
            local(t).is_some_and(|l| {
                let minute = (l.hour() * 60 + l.minute()) as u16;
                l.date_naive() == first.date_naive() && h.start_min <= minute && minute < h.end_min
            })
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn slots_keep_to_the_mentors_zone_and_both_shown_times_name_one_instant(
        zone in 0usize..4,
        week in 0usize..12,
        start_half_hours in 0u16..40,
        length_half_hours in 1u16..8,
        weekdays in proptest::collection::btree_set(0u8..7, 1..7),
        minutes in prop_oneof![Just(30u32), Just(60u32), Just(90u32)],
    ) {
        let tz = MENTOR_ZONES[zone];
        // Hours around the night too, so that the 01:00–03:00 of a change is offered.
        let start_min = start_half_hours * 30;
        let end_min = (start_min + length_half_hours * 60).min(24 * 60);
        let hours: Vec<WeeklyHours> = weekdays.iter().map(|&weekday| WeeklyHours { weekday, start_min, end_min }).collect();
        let sunday = dst_weeks()[week];
        let from = tz.from_local_datetime(&(sunday - Duration::days(4)).and_hms_opt(0, 0, 0).unwrap_or_default()).earliest();
        let to = tz.from_local_datetime(&(sunday + Duration::days(4)).and_hms_opt(0, 0, 0).unwrap_or_default()).earliest();
        let (Some(from), Some(to)) = (from, to) else { return Ok(()) };
        let range = Span::new(from.timestamp(), to.timestamp());
        let policy = Policy { min_notice_min: 0, horizon_days: 3650, max_duration_min: 480, ..Policy::default() };
        let calendar = Calendar { tz, weekly: &hours, overrides: &[], blackouts: &[] };
        let days = Days::covering(tz, range);
        let now = range.start - 86_400;
        let free = free_spans(&calendar, &days, &policy, &[], range, now);
        let offered = slots(&free, tz, i64::from(minutes) * 60, 30 * 60);
        // Eight days around the change hold every weekday: a window long enough is free
        // somewhere, and a free stretch as long as the slot offers one. (Not the window's
        // length alone: on the night the clocks spring forward, Sunday 01:30–02:30 in
        // Sydney is half an hour long, and holds no 60-minute slot.)
        if u32::from(end_min - start_min) >= minutes {
            prop_assert!(!free.is_empty(), "nothing free for {:?} in {}", hours, tz.name());
        }
        if free.iter().any(|s| s.end - s.start >= i64::from(minutes) * 60) {
            prop_assert!(!offered.is_empty(), "no slot offered for {:?} in {}", hours, tz.name());
        }
        for slot in &offered {
            prop_assert!(inside_weekly_hours(&hours, tz, *slot), "{:?} outside {:?} in {}", slot, hours, tz.name());
            let at = DateTime::<Utc>::from_timestamp(slot.start, 0).unwrap_or_default();
            // The founder sees their own time and the mentor's; each names the slot's instant.
            let (mine, theirs) = shown_times(at, FOUNDER_ZONE, tz);
            prop_assert_eq!(instant_of(&mine), Some(at));
            if let Some(theirs) = theirs {
                let back = theirs.zone.from_local_datetime(&theirs.local);
                prop_assert!(back.earliest() == Some(at.with_timezone(&tz)) || back.latest() == Some(at.with_timezone(&tz)),
                    "{} in {} does not name {}", theirs.local, tz.name(), at);
            }
            let text = dual_time(at, FOUNDER_ZONE, tz, Lang::Zh);
            prop_assert!(text.contains("（上海）"), "{}", text);
        }
    }
}
