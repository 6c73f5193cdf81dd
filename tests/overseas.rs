//! An overseas mentor on a real SQLite file: their hours are kept in their own zone, a founder
//! in Shanghai is told which slots are late for her, and the session's time is shown on both
//! clocks — in the booking's view and in the ICS description.

mod common;

use chrono::{TimeZone, Timelike, Utc};
use common::{district, now};
use incubook::command::MentorProfile;
use incubook::domain::Visibility;
use incubook::i18n::Lang;
use incubook::store::{NewBooking, SlotSearch};

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_mentor_moves_to_new_york_and_a_founder_sees_both_clocks() {
    let mut d = district();
    let (mentor_person, mentor, founder) = (d.mentor_person.clone(), d.mentor.clone(), d.founders[0].clone());
    let ny = chrono_tz::America::New_York;
    let profile = |timezone: &str| MentorProfile {
        full_time: false,
        title: "海外导师".into(),
        bio: String::new(),
        tags: vec!["fundraising".into()],
        industries: vec![],
        languages: vec!["en".into(), "zh".into()],
        formats: vec!["online".into()],
        visibility: Visibility::District,
        timezone: Some(timezone.into()),
    };
    // Not a zone: refused, nothing changes.
    let bad = ok(d.store.update_mentor_profile(&mentor_person, &mentor, &profile("Mars/Olympus"), now()).err().ok_or("accepted"));
    assert_eq!(bad.code(), "invalid.timezone");
    ok(d.store.update_mentor_profile(&mentor_person, &mentor, &profile("America/New_York"), now()));
    assert_eq!(ok(d.store.mentor(&mentor)).timezone, "America/New_York");

    // The fixture's hours (weekdays 09:00–12:00) are now New York's 09:00–12:00: 22:00–01:00
    // in Shanghai in December, so every slot is late for the founder.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 14).unwrap_or_default();
    let search = SlotSearch { from: day, to: day, minutes: Some(60) };
    let slots = ok(d.store.slots_seen_by(&founder, &mentor, &search, now()));
    assert!(!slots.is_empty());
    for s in &slots {
        let local = s.start.with_timezone(&ny);
        assert!((9..12).contains(&local.hour()), "{local} is outside the mentor's hours");
        assert!(s.late, "{} is late in Shanghai", s.start);
    }
    // For the mentor, in New York, the same slots are mornings.
    assert!(ok(d.store.slots_seen_by(&mentor_person, &mentor, &search, now())).iter().all(|s| !s.late));

    let first = slots[0];
    let booked = ok(d.store.book(
        &founder,
        &NewBooking {
            format: None, resource_id: mentor.clone(), start: first.start, end: first.end, topic: "出海融资".into()
        },
        now(),
    ));
    let view =
        ok(d.store.bookings_of(&founder)).into_iter().find(|v| v.booking.id == booked.id).unwrap_or_else(|| panic!("no view"));
    assert_eq!((view.resource_zone.as_str(), view.booker_zone.as_str()), ("America/New_York", "Asia/Shanghai"));
    // 2026-12-14 09:00 New York is 22:00 in Shanghai.
    assert_eq!(
        first.start,
        ny.with_ymd_and_hms(2026, 12, 14, 9, 0, 0).single().map(|t| t.with_timezone(&Utc)).unwrap_or_default()
    );
    let ics = incubook::ics::bookings_to_ics(&[view], Lang::Zh);
    let unfolded = ics.replace("\r\n ", "");
    assert!(unfolded.contains("周一 22:00（上海）· 周一 09:00（纽约）"), "{unfolded}");
}

#[test]
fn a_mentor_imported_with_a_zone_keeps_hours_there() {
    let mut d = district();
    let admin = d.admin.clone();
    let csv = "\u{feff}姓名,空间编码,专长,每周时间,时区,专职\n\
               Anna Weber,PD-0001,fundraising,1-5 09:00-12:00,Europe/Berlin,兼职\n\
               无时区,PD-0001,legal,1-5 09:00-12:00,,专职\n";
    let summary =
        ok(d.store.import_csv(&admin, incubook::csv_import::ImportKind::Mentors, csv.as_bytes(), now(), &mut |_, _| {}));
    let zones: Vec<String> = summary.created_ids.iter().map(|id| ok(d.store.mentor(id)).timezone).collect();
    assert_eq!(zones, vec!["Europe/Berlin".to_string(), "Asia/Shanghai".to_string()]);
    let full_time: Vec<bool> = summary.created_ids.iter().map(|id| ok(d.store.mentor(id)).full_time).collect();
    assert_eq!(full_time, [false, true], "the 专职 column");
    let bad = "姓名,空间编码,专长,时区\nX,PD-0001,legal,Berlin\n";
    let err = ok(d
        .store
        .import_csv(&admin, incubook::csv_import::ImportKind::Mentors, bad.as_bytes(), now(), &mut |_, _| {})
        .err()
        .ok_or("accepted"));
    assert!(err.to_string().contains("timezone"), "{err}");
}

#[test]
fn a_founder_is_told_a_week_ahead_when_the_mentors_clock_changes_before_a_session() {
    let mut d = district();
    let (mentor_person, mentor, founder) = (d.mentor_person.clone(), d.mentor.clone(), d.founders[0].clone());
    let profile = MentorProfile {
        full_time: false,
        title: "海外导师".into(),
        bio: String::new(),
        tags: vec!["fundraising".into()],
        industries: vec![],
        languages: vec!["en".into()],
        formats: vec!["online".into()],
        visibility: Visibility::District,
        timezone: Some("America/New_York".into()),
    };
    ok(d.store.update_mentor_profile(&mentor_person, &mentor, &profile, now()));
    let ny = chrono_tz::America::New_York;
    let at = |y, m, day, h| ny.with_ymd_and_hms(y, m, day, h, 0, 0).single().map(|t| t.with_timezone(&Utc)).unwrap_or_default();
    // Booked on 1 March for Monday 15 March, 09:00 in New York: the clocks there go forward on
    // the 14th, so it is 21:00 in Shanghai, not 22:00 as a week before.
    let booked_on = at(2027, 3, 1, 9);
    let session = at(2027, 3, 15, 9);
    let new = NewBooking {
        format: None,
        resource_id: mentor.clone(),
        start: session,
        end: session + chrono::Duration::hours(1),
        topic: "融资".into(),
    };
    let b = ok(d.store.book(&founder, &new, booked_on));
    // More than a week ahead: nothing yet.
    assert!(ok(d.store.sweep_usage(at(2027, 3, 7, 9))).zone_notices.is_empty());
    let swept = ok(d.store.sweep_usage(at(2027, 3, 9, 9)));
    assert_eq!(swept.zone_notices, vec![b.id.clone()]);
    let told = ok(d.store.notifications(&founder));
    let notice = told.iter().find(|n| n.kind == "zone_change").unwrap_or_else(|| panic!("not told: {told:?}"));
    assert_eq!(notice.detail["shown_zh"], "周一 21:00（上海）· 周一 09:00（纽约）");
    assert_eq!(notice.detail["shift_min"], 60);
    // Once.
    assert!(ok(d.store.sweep_usage(at(2027, 3, 10, 9))).zone_notices.is_empty());
    // After the change, a session a week on sees no change between now and then.
    let later = at(2027, 3, 22, 9);
    let new = NewBooking {
        format: None,
        resource_id: mentor,
        start: later,
        end: later + chrono::Duration::hours(1),
        topic: "融资".into(),
    };
    ok(d.store.book(&founder, &new, at(2027, 3, 16, 9)));
    assert!(ok(d.store.sweep_usage(at(2027, 3, 16, 9))).zone_notices.is_empty());
}
