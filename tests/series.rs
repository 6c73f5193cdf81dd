//! Repeating bookings on a real SQLite file: every occurrence checked before anything is
//! written, all-or-nothing or skip-conflicts, changes to one / following / all, wall-clock
//! times across DST, and the ICS an independent RRULE parser expands to the same times.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{cst, district, now, weekdays};
use incubook::command::SeriesScope;
use incubook::domain::{BookingStatus, Visibility};
use incubook::i18n::Lang;
use incubook::recurrence::{Day, Frequency, Repeat};
use incubook::store::{NewBooking, NewMentor, NewSeries, SeriesPlan};

fn weekly(days: &[Day], count: u32) -> Repeat {
    Repeat { every: Frequency::Weekly, days: days.to_vec(), count: Some(count), until: None }
}

fn series(resource_id: &str, start: DateTime<Utc>, minutes: i64, repeat: Repeat, skip: bool) -> NewSeries {
    NewSeries {
        resource_id: resource_id.into(),
        start,
        end: start + Duration::minutes(minutes),
        topic: "每周打样".into(),
        repeat,
        skip_conflicts: skip,
    }
}

fn statuses(plan: &SeriesPlan) -> Vec<BookingStatus> {
    plan.occurrences.iter().map(|o| o.status).collect()
}

fn bookings(d: &common::District) -> i64 {
    common::count(&d.store, "booking")
}

#[test]
fn a_conflict_refuses_the_whole_series_or_is_skipped_with_its_reason() {
    let mut d = district();
    let (f, g, e) = (d.founders[0].clone(), d.founders[1].clone(), d.equipment.clone());
    // Someone else holds the third occurrence (Wednesday 12-16 10:00).
    let taken = cst(2026, 12, 16, 10, 0);
    let other =
        NewBooking { format: None, resource_id: e.clone(), start: taken, end: taken + Duration::hours(1), topic: String::new() };
    d.store.book(&g, &other, now()).unwrap_or_else(|e| panic!("{e}"));
    // Mondays and Wednesdays 10:00–11:00, six times, from Wednesday 12-09.
    let asked = series(&e, cst(2026, 12, 9, 10, 0), 60, weekly(&[Day::Mon], 6), false);

    let preview = d.store.preview_series(&f, &asked, now()).unwrap_or_else(|e| panic!("{e}"));
    let starts: Vec<_> = preview.occurrences.iter().map(|o| o.start).collect();
    let want: Vec<_> =
        [(12, 9), (12, 14), (12, 16), (12, 21), (12, 23), (12, 28)].iter().map(|&(m, d)| cst(2026, m, d, 10, 0)).collect();
    assert_eq!(starts, want);
    assert_eq!(preview.conflicts(), 1);
    assert_eq!(preview.occurrences[2].rejection.as_ref().map(|r| r.code.as_str()), Some("refused.slot_taken"));
    assert_eq!(preview.rule, "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6");
    let before = bookings(&d);
    assert_eq!(bookings(&d), before, "a preview writes nothing");

    let err = d.store.book_series(&f, &asked, now()).err().map(|e| e.code());
    assert_eq!(err.as_deref(), Some("refused.slot_taken"));
    assert_eq!(bookings(&d), before, "all or nothing: nothing of the series stands");

    let skipping = NewSeries { skip_conflicts: true, ..asked };
    let booked = d.store.book_series(&f, &skipping, now()).unwrap_or_else(|e| panic!("{e}"));
    use BookingStatus::{Confirmed as C, Declined as D};
    assert_eq!(statuses(&booked), [C, C, D, C, C, C]);
    assert_eq!(bookings(&d), before + 6);
    let mine = d.store.bookings_of(&f).unwrap_or_default();
    let skipped = mine.iter().find(|v| v.booking.status == D).unwrap_or_else(|| panic!("no skipped occurrence"));
    assert_eq!(skipped.booking.start, taken);
    assert_eq!(skipped.rejection.as_ref().map(|r| r.message(Lang::Zh)), Some("该时段已被预约"));
    assert!(mine.iter().all(|v| v.series.as_ref().is_some_and(|s| s.id == booked.series_id)));
    // The series stands as the next person sees it: the slots it holds are taken.
    let clash =
        NewBooking { format: None, resource_id: e, start: want[0], end: want[0] + Duration::hours(1), topic: String::new() };
    assert_eq!(d.store.book(&g, &clash, now()).err().map(|e| e.code()).as_deref(), Some("refused.slot_taken"));
}

#[test]
fn cancel_and_move_reach_one_the_following_or_all_and_keep_the_rest() {
    let mut d = district();
    let (f, g, e) = (d.founders[0].clone(), d.founders[1].clone(), d.equipment.clone());
    let asked = series(&e, cst(2026, 12, 8, 14, 0), 90, weekly(&[], 4), false);
    let plan = d.store.book_series(&f, &asked, now()).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<_> = plan.occurrences.iter().map(|o| o.booking_id.clone()).collect();
    let status = |d: &common::District, i: usize| d.store.booking(&ids[i]).map(|b| b.status).unwrap_or(BookingStatus::Declined);

    // Move the second and the following an hour later and a day earlier (Tuesdays → Mondays).
    let to = cst(2026, 12, 14, 15, 0);
    d.store
        .move_series(&f, (&ids[1], SeriesScope::Following), (to, to + Duration::minutes(90)), now())
        .unwrap_or_else(|e| panic!("{e}"));
    let starts: Vec<_> = ids.iter().map(|id| d.store.booking(id).map(|b| b.start).unwrap_or_default()).collect();
    assert_eq!(starts, [cst(2026, 12, 8, 14, 0), cst(2026, 12, 14, 15, 0), cst(2026, 12, 21, 15, 0), cst(2026, 12, 28, 15, 0)]);
    let after = d.store.series_of_booking(&ids[0]).unwrap_or_default().unwrap_or_else(|| panic!("no series"));
    assert_eq!(after.occurrences.len(), 4, "a move keeps the series whole");

    // A move of all that would hit someone else's booking moves none.
    let blocker = cst(2026, 12, 21, 9, 0);
    let other = NewBooking {
        format: None,
        resource_id: e.clone(),
        start: blocker,
        end: blocker + Duration::hours(2),
        topic: String::new(),
    };
    d.store.book(&g, &other, now()).unwrap_or_else(|e| panic!("{e}"));
    let nine = cst(2026, 12, 8, 9, 0);
    let err = d.store.move_series(&f, (&ids[0], SeriesScope::All), (nine, nine + Duration::minutes(90)), now()).err();
    assert_eq!(err.map(|e| e.code()).as_deref(), Some("refused.slot_taken"));
    assert_eq!(d.store.booking(&ids[0]).map(|b| b.start).ok(), Some(cst(2026, 12, 8, 14, 0)), "none moved");

    // Cancel the third and the following; the first two stay.
    d.store.cancel_series(&f, (&ids[2], SeriesScope::Following), Some("项目结束"), now()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (0..4).map(|i| status(&d, i)).collect::<Vec<_>>(),
        [BookingStatus::Confirmed, BookingStatus::Confirmed, BookingStatus::Cancelled, BookingStatus::Cancelled]
    );
    // Cancel all: what has not begun.
    d.store.cancel_series(&f, (&ids[3], SeriesScope::All), None, now()).unwrap_or_else(|e| panic!("{e}"));
    assert!((0..4).all(|i| status(&d, i) == BookingStatus::Cancelled));
    // Not a series.
    let single = d.store.book(
        &g,
        &NewBooking { format: None, resource_id: e, start: nine, end: nine + Duration::hours(1), topic: String::new() },
        now(),
    );
    let single = single.unwrap_or_else(|e| panic!("{e}"));
    let err = d.store.cancel_series(&g, (&single.id, SeriesScope::All), None, now()).err();
    assert_eq!(err.map(|e| e.code()).as_deref(), Some("invalid.booking"));
}

#[test]
fn someone_else_cannot_cancel_or_move_a_series() {
    let mut d = district();
    let (f, g, e) = (d.founders[0].clone(), d.founders[1].clone(), d.equipment.clone());
    let plan = d.store.book_series(&f, &series(&e, cst(2026, 12, 8, 14, 0), 60, weekly(&[], 3), false), now());
    let first = plan.unwrap_or_else(|e| panic!("{e}")).occurrences[0].booking_id.clone();
    let err = d.store.cancel_series(&g, (&first, SeriesScope::All), None, now()).err().map(|e| e.code());
    assert!(err.as_deref().is_some_and(|c| c.starts_with("forbidden")), "{err:?}");
    assert_eq!(d.store.booking(&first).map(|b| b.status).ok(), Some(BookingStatus::Confirmed));
}

/// An overseas mentor's hours are in New York; Thursdays 10:00 stay 10:00 there across the
/// change to summer time on 2027-03-14.
fn new_york_mentor(d: &mut common::District) -> String {
    let t = now();
    let mentor = NewMentor {
        full_time: false,
        person_id: d.founders[3].clone(),
        makerspace_code: "PD-0001".into(),
        title: "硅谷产品顾问".into(),
        bio: String::new(),
        tags: vec!["product".into()],
        industries: vec![],
        languages: vec!["en".into()],
        formats: vec!["online".into()],
        visibility: Visibility::District,
        timezone: Some("America/New_York".into()),
        policy: common::mentor_policy(),
        weekly_hours: weekdays(9 * 60, 12 * 60),
    };
    d.store.create_mentor(&d.admin.clone(), &mentor, t).unwrap_or_else(|e| panic!("mentor: {e}")).id
}

#[test]
fn a_series_keeps_its_wall_clock_time_across_dst_and_its_ics_expands_to_the_same_times() {
    let mut d = district();
    let mentor = new_york_mentor(&mut d);
    let f = d.founders[0].clone();
    let ny = chrono_tz::America::New_York;
    let at = |m: u32, day: u32, h: u32| {
        ny.with_ymd_and_hms(2027, m, day, h, 0, 0).single().map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    };
    let march = Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).single().unwrap_or_default();
    let plan = d.store.book_series(&f, &series(&mentor, at(3, 4, 10), 60, weekly(&[], 4), false), march);
    let plan = plan.unwrap_or_else(|e| panic!("{e}"));
    let starts: Vec<_> = plan.occurrences.iter().map(|o| o.start).collect();
    assert_eq!(starts, [at(3, 4, 10), at(3, 11, 10), at(3, 18, 10), at(3, 25, 10)]);
    assert_eq!(starts[1].format("%H:%MZ").to_string(), "15:00Z");
    assert_eq!(starts[2].format("%H:%MZ").to_string(), "14:00Z", "an hour earlier in UTC after spring forward");

    // One cancelled alone, one moved alone.
    let ids: Vec<_> = plan.occurrences.iter().map(|o| o.booking_id.clone()).collect();
    d.store.cancel(&f, &ids[1], None, march).unwrap_or_else(|e| panic!("{e}"));
    d.store.reschedule(&f, &ids[3], at(3, 25, 11), at(3, 25, 12), march).unwrap_or_else(|e| panic!("{e}"));

    let views = d.store.bookings_of(&f).unwrap_or_default();
    let ics = incubook::ics::bookings_to_ics(&views, Lang::En);
    let parsed: icalendar::Calendar = ics.parse().unwrap_or_else(|e| panic!("not parseable: {e}\n{ics}"));
    let events: Vec<_> = parsed.components.iter().filter_map(|c| c.as_event()).collect();
    assert_eq!(events.len(), 2, "the series and the one moved alone:\n{ics}");
    assert!(ics.contains("BEGIN:VTIMEZONE\r\nTZID:America/New_York"), "{ics}");
    assert!(ics.contains("TZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400"), "{ics}");
    assert!(ics.contains("RECURRENCE-ID;TZID=America/New_York:20270325T100000"), "{ics}");

    // The master's DTSTART, RRULE and EXDATE, expanded by the rrule crate.
    let wanted = ["DTSTART", "RRULE", "EXDATE"];
    let master: String = ics
        .split("BEGIN:VEVENT")
        .nth(1)
        .unwrap_or_default()
        .lines()
        .filter(|l| wanted.iter().any(|w| l.starts_with(w)))
        .collect::<Vec<_>>()
        .join("\n");
    let set: rrule::RRuleSet = master.parse().unwrap_or_else(|e| panic!("rrule: {e}\n{master}"));
    let expanded: Vec<DateTime<Utc>> = set.all(100).dates.iter().map(|t| t.with_timezone(&Utc)).collect();
    assert_eq!(expanded, [at(3, 4, 10), at(3, 18, 10), at(3, 25, 10)], "the cancelled one excluded:\n{master}");
}
