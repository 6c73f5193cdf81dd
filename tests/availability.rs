//! Availability maths: weekly rules to instants (across DST), overrides, blackouts,
//! buffers, capacity and caps — on the pure functions the store and server share.

use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use incubook::availability::{Calendar, Days, available_spans, free_spans, slots};
use incubook::domain::{Blackout, BlackoutWhen, DateOverride, OverrideKind, Policy, WeeklyHours};
use incubook::interval::Span;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().map(|t| t.timestamp()).unwrap_or_default()
}

fn day_range(tz: Tz, y: i32, mo: u32, d: u32) -> Span {
    let date = NaiveDate::from_ymd_opt(y, mo, d).unwrap_or_default();
    incubook::store::local_range(tz, date, date).unwrap_or_else(|e| panic!("{e}"))
}

fn open(tz: Tz, weekly: &[WeeklyHours], range: Span) -> Vec<Span> {
    let cal = Calendar { tz, weekly, overrides: &[], blackouts: &[] };
    available_spans(&cal, &Days::covering(tz, range), range)
}

fn hours(weekday: u8, start_min: u16, end_min: u16) -> WeeklyHours {
    WeeklyHours { weekday, start_min, end_min }
}

fn open_policy() -> Policy {
    Policy { min_notice_min: 0, horizon_days: 730, ..Policy::default() }
}

const NY: Tz = chrono_tz::America::New_York;
const BERLIN: Tz = chrono_tz::Europe::Berlin;
const SHANGHAI: Tz = chrono_tz::Asia::Shanghai;

#[test]
fn new_york_spring_gap_shortens_the_night_rule() {
    // 2027-03-14: 02:00 EST jumps to 03:00 EDT. Sunday 01:00–04:00 is two real hours.
    let spans = open(NY, &[hours(6, 60, 240)], day_range(NY, 2027, 3, 14));
    assert_eq!(spans, vec![Span::new(utc(2027, 3, 14, 6, 0), utc(2027, 3, 14, 8, 0))]);
}

#[test]
fn a_rule_starting_inside_the_gap_starts_at_the_jump() {
    // 02:30–03:30 on the spring night: only 03:00–03:30 EDT exist.
    let spans = open(NY, &[hours(6, 150, 210)], day_range(NY, 2027, 3, 14));
    assert_eq!(spans, vec![Span::new(utc(2027, 3, 14, 7, 0), utc(2027, 3, 14, 7, 30))]);
}

#[test]
fn new_york_autumn_overlap_keeps_both_passes_of_the_repeated_hour() {
    // 2027-11-07: 02:00 EDT falls back to 01:00 EST. Sunday 01:00–04:00 is four real hours.
    let spans = open(NY, &[hours(6, 60, 240)], day_range(NY, 2027, 11, 7));
    assert_eq!(spans, vec![Span::new(utc(2027, 11, 7, 5, 0), utc(2027, 11, 7, 9, 0))]);
}

#[test]
fn the_repeated_hour_gives_two_bookable_slots() {
    let range = day_range(NY, 2027, 11, 7);
    let cal = Calendar { tz: NY, weekly: &[hours(6, 0, 240)], overrides: &[], blackouts: &[] };
    let days = Days::covering(NY, range);
    let free = free_spans(&cal, &days, &open_policy(), &[], range, utc(2027, 1, 1, 0, 0));
    let starts: Vec<i64> = slots(&free, NY, 3600, 3600).iter().map(|s| s.start).collect();
    // 00:00 EDT, 01:00 EDT, 01:00 EST, 02:00 EST, 03:00 EST
    assert_eq!(
        starts,
        vec![
            utc(2027, 11, 7, 4, 0),
            utc(2027, 11, 7, 5, 0),
            utc(2027, 11, 7, 6, 0),
            utc(2027, 11, 7, 7, 0),
            utc(2027, 11, 7, 8, 0)
        ]
    );
}

#[test]
fn berlin_office_hours_follow_the_clock_change() {
    let week: Vec<WeeklyHours> = (0..5).map(|d| hours(d, 540, 1020)).collect();
    // Monday before the change (CET, +1) and after it (CEST, +2).
    assert_eq!(
        open(BERLIN, &week, day_range(BERLIN, 2027, 3, 22)),
        vec![Span::new(utc(2027, 3, 22, 8, 0), utc(2027, 3, 22, 16, 0))]
    );
    assert_eq!(
        open(BERLIN, &week, day_range(BERLIN, 2027, 3, 29)),
        vec![Span::new(utc(2027, 3, 29, 7, 0), utc(2027, 3, 29, 15, 0))]
    );
    // Berlin falls back at 03:00 on 2027-10-31: Sunday 02:00–04:00 covers three real hours.
    let spans = open(BERLIN, &[hours(6, 120, 240)], day_range(BERLIN, 2027, 10, 31));
    assert_eq!(spans, vec![Span::new(utc(2027, 10, 31, 0, 0), utc(2027, 10, 31, 3, 0))]);
}

#[test]
fn berlin_spring_gap_slots_skip_the_missing_hour() {
    // 2027-03-28 02:00 CET → 03:00 CEST. Sunday 01:00–05:00 has slots 01:00, 03:00, 04:00.
    let range = day_range(BERLIN, 2027, 3, 28);
    let cal = Calendar { tz: BERLIN, weekly: &[hours(6, 60, 300)], overrides: &[], blackouts: &[] };
    let free = free_spans(&cal, &Days::covering(BERLIN, range), &open_policy(), &[], range, utc(2027, 1, 1, 0, 0));
    let starts: Vec<i64> = slots(&free, BERLIN, 3600, 3600).iter().map(|s| s.start).collect();
    assert_eq!(starts, vec![utc(2027, 3, 28, 0, 0), utc(2027, 3, 28, 1, 0), utc(2027, 3, 28, 2, 0)]);
}

#[test]
fn shanghai_morning_slots_on_the_half_hour() {
    let range = day_range(SHANGHAI, 2026, 12, 7);
    let cal = Calendar { tz: SHANGHAI, weekly: &[hours(0, 540, 720)], overrides: &[], blackouts: &[] };
    let free = free_spans(&cal, &Days::covering(SHANGHAI, range), &open_policy(), &[], range, utc(2026, 12, 1, 0, 0));
    let got: Vec<(i64, i64)> = slots(&free, SHANGHAI, 3600, 1800).iter().map(|s| (s.start, s.end)).collect();
    let expect: Vec<(i64, i64)> =
        (0..5).map(|i| (utc(2026, 12, 7, 1, 0) + i * 1800, utc(2026, 12, 7, 2, 0) + i * 1800)).collect();
    assert_eq!(got, expect);
}

#[test]
fn overrides_take_days_off_and_add_hours() {
    let date = NaiveDate::from_ymd_opt(2026, 12, 8).unwrap_or_default();
    let overrides = [
        DateOverride { date, kind: OverrideKind::Off, start_min: 0, end_min: 1440 },
        DateOverride { date: date.succ_opt().unwrap_or_default(), kind: OverrideKind::Extra, start_min: 1080, end_min: 1200 },
        DateOverride { date: date.succ_opt().unwrap_or_default(), kind: OverrideKind::Off, start_min: 600, end_min: 660 },
    ];
    let week: Vec<WeeklyHours> = (0..5).map(|d| hours(d, 540, 720)).collect();
    let range = Span::new(utc(2026, 12, 7, 16, 0), utc(2026, 12, 9, 16, 0));
    let cal = Calendar { tz: SHANGHAI, weekly: &week, overrides: &overrides, blackouts: &[] };
    let spans = available_spans(&cal, &Days::covering(SHANGHAI, range), range);
    // Tuesday off; Wednesday 09–10, 11–12 and the extra 18–20.
    assert_eq!(
        spans,
        vec![
            Span::new(utc(2026, 12, 9, 1, 0), utc(2026, 12, 9, 2, 0)),
            Span::new(utc(2026, 12, 9, 3, 0), utc(2026, 12, 9, 4, 0)),
            Span::new(utc(2026, 12, 9, 10, 0), utc(2026, 12, 9, 12, 0)),
        ]
    );
}

#[test]
fn weekly_and_one_off_blackouts_cut_open_hours() {
    let from = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
    let blackouts = [
        Blackout {
            id: "w".into(),
            resource_id: "r".into(),
            when: BlackoutWhen::Weekly { weekday: 0, start_min: 600, end_min: 660, from, until: None },
            reason: "例行保养".into(),
        },
        Blackout {
            id: "o".into(),
            resource_id: "r".into(),
            when: BlackoutWhen::Once { start: utc(2026, 12, 7, 3, 30), end: utc(2026, 12, 7, 5, 0) },
            reason: "维修".into(),
        },
    ];
    let range = day_range(SHANGHAI, 2026, 12, 7);
    let cal = Calendar { tz: SHANGHAI, weekly: &[hours(0, 540, 720)], overrides: &[], blackouts: &blackouts };
    let spans = available_spans(&cal, &Days::covering(SHANGHAI, range), range);
    assert_eq!(
        spans,
        vec![
            Span::new(utc(2026, 12, 7, 1, 0), utc(2026, 12, 7, 2, 0)),
            Span::new(utc(2026, 12, 7, 3, 0), utc(2026, 12, 7, 3, 30))
        ]
    );
}

#[test]
fn capacity_two_is_full_only_where_two_bookings_overlap() {
    let range = day_range(SHANGHAI, 2026, 12, 7);
    let cal = Calendar { tz: SHANGHAI, weekly: &[hours(0, 540, 720)], overrides: &[], blackouts: &[] };
    let policy = Policy { capacity: 2, ..open_policy() };
    let busy =
        [Span::new(utc(2026, 12, 7, 1, 0), utc(2026, 12, 7, 3, 0)), Span::new(utc(2026, 12, 7, 2, 0), utc(2026, 12, 7, 4, 0))];
    let free = free_spans(&cal, &Days::covering(SHANGHAI, range), &policy, &busy, range, utc(2026, 12, 1, 0, 0));
    assert_eq!(
        free,
        vec![
            Span::new(utc(2026, 12, 7, 1, 0), utc(2026, 12, 7, 2, 0)),
            Span::new(utc(2026, 12, 7, 3, 0), utc(2026, 12, 7, 4, 0))
        ]
    );
}

#[test]
fn buffers_keep_distance_on_both_sides() {
    let range = day_range(SHANGHAI, 2026, 12, 7);
    let cal = Calendar { tz: SHANGHAI, weekly: &[hours(0, 540, 780)], overrides: &[], blackouts: &[] };
    let policy = Policy { buffer_before_min: 15, buffer_after_min: 15, ..open_policy() };
    // A booking 10:00–11:00 local needs 15 minutes before it and after it, and so does
    // every new booking: new ones must end by 09:30 or start at 11:30.
    let busy = [Span::new(utc(2026, 12, 7, 2, 0), utc(2026, 12, 7, 3, 0))];
    let free = free_spans(&cal, &Days::covering(SHANGHAI, range), &policy, &busy, range, utc(2026, 12, 1, 0, 0));
    assert_eq!(
        free,
        vec![
            Span::new(utc(2026, 12, 7, 1, 0), utc(2026, 12, 7, 1, 30)),
            Span::new(utc(2026, 12, 7, 3, 30), utc(2026, 12, 7, 5, 0))
        ]
    );
}

#[test]
fn daily_and_weekly_caps_close_whole_days_and_weeks() {
    let week: Vec<WeeklyHours> = (0..5).map(|d| hours(d, 540, 720)).collect();
    let cal = Calendar { tz: SHANGHAI, weekly: &week, overrides: &[], blackouts: &[] };
    let range = Span::new(utc(2026, 12, 6, 16, 0), utc(2026, 12, 11, 16, 0)); // Mon–Fri local
    let days = Days::covering(SHANGHAI, range);
    let monday = [Span::new(utc(2026, 12, 7, 1, 0), utc(2026, 12, 7, 2, 0))];
    let daily = Policy { max_per_day: Some(1), ..open_policy() };
    let free = free_spans(&cal, &days, &daily, &monday, range, utc(2026, 12, 1, 0, 0));
    assert_eq!(free.first().map(|s| s.start), Some(utc(2026, 12, 8, 1, 0)), "Monday is full");
    assert_eq!(free.len(), 4);
    let weekly = Policy { max_per_week: Some(2), ..open_policy() };
    let two = [monday[0], Span::new(utc(2026, 12, 8, 1, 0), utc(2026, 12, 8, 2, 0))];
    assert!(free_spans(&cal, &days, &weekly, &two, range, utc(2026, 12, 1, 0, 0)).is_empty(), "the week is full");
}

#[test]
fn notice_and_horizon_clip_the_free_time() {
    let week: Vec<WeeklyHours> = (0..7).map(|d| hours(d, 0, 1440)).collect();
    let cal = Calendar { tz: SHANGHAI, weekly: &week, overrides: &[], blackouts: &[] };
    let now = utc(2026, 12, 7, 0, 0);
    let range = Span::new(now - 86_400, now + 10 * 86_400);
    let policy = Policy { min_notice_min: 120, horizon_days: 3, ..Policy::default() };
    let free = free_spans(&cal, &Days::covering(SHANGHAI, range), &policy, &[], range, now);
    assert_eq!(free, vec![Span::new(now + 7200, now + 3 * 86_400)]);
}
