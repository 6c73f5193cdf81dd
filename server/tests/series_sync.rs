//! Repeating bookings through the district server, on SQLite and PostgreSQL: a series made
//! offline meets a booking another desktop synced first. All or nothing, the whole series is
//! refused and its booker sees it declined with the reason (its first time); skipping conflicts,
//! the server skips the one taken and books the rest. A change to the following bookings
//! reaches the server whole.

mod common;

use chrono::{DateTime, Duration, DurationRound, Utc};
use common::{Arg, Backend, LabAccounts, TestServer, lab_accounts, ok, printer_in};
use incubook::command::SeriesScope;
use incubook::domain::BookingStatus;
use incubook::recurrence::{Frequency, Repeat};
use incubook::store::{NewBooking, NewSeries};

fn daily(resource_id: &str, start: DateTime<Utc>, count: u32, skip_conflicts: bool) -> NewSeries {
    NewSeries {
        resource_id: resource_id.into(),
        start,
        end: start + Duration::hours(1),
        topic: "每日打样".into(),
        repeat: Repeat { every: Frequency::Daily, days: vec![], count: Some(count), until: None },
        skip_conflicts,
    }
}

fn a_series_made_offline_meets_a_booking_synced_first(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let LabAccounts { manager, lab, founders, .. } = lab_accounts(&server);
    let mut lm = server.client("lm", now);
    let printer = ok(lm.store.create_equipment(&manager, &printer_in(lab), now)).id;
    lm.sync(now);
    let (mut a, mut b) = (server.client("a", now), server.client("b", now));
    let first = ok((now + Duration::days(1)).duration_trunc(Duration::hours(1)));
    let one_hour = |start: DateTime<Utc>| NewBooking {
        format: None,
        resource_id: printer.clone(),
        start,
        end: start + Duration::hours(1),
        topic: String::new(),
    };

    // Offline: b takes the second day; a books four days, all or nothing. b syncs first.
    ok(b.store.book(&founders[1], &one_hour(first + Duration::days(1)), now));
    let whole = ok(a.store.book_series(&founders[0], &daily(&printer, first, 4, false), now));
    assert!(whole.occurrences.iter().all(|o| o.status == BookingStatus::Confirmed), "a's desktop did not know");
    b.sync(now);
    let report = a.sync(now);
    assert_eq!(report.refused, vec!["refused.slot_taken".to_string()]);
    let on_a: Vec<_> = whole
        .occurrences
        .iter()
        .map(|o| ok(a.store.bookings_of(&founders[0])).into_iter().find(|v| v.booking.id == o.booking_id))
        .collect();
    // The series is kept as its first time, declined with the reason; the other times go
    // (a refused series leaves one row on the server, not one per time).
    assert!(
        on_a[0].as_ref().is_some_and(|v| v.booking.status == BookingStatus::Declined
            && v.rejection.as_ref().is_some_and(|r| r.code == "refused.slot_taken")),
        "the series' first time declined with the reason: {on_a:?}"
    );
    assert!(on_a[1..].iter().all(Option::is_none), "the other times are dropped: {on_a:?}");
    let held = |status: &str| {
        server.count(
            "SELECT count(*) FROM booking WHERE resource_id = $1 AND booker_id = $2 AND status = $3",
            &[Arg::T(&printer), Arg::T(&founders[0]), Arg::T(status)],
        )
    };
    assert_eq!(held("confirmed"), 0, "nothing of the series stands on the server");

    // Offline again, a books four days from the fifth, skipping conflicts; meanwhile b takes
    // the seventh day and syncs first. The server skips that one and books the others.
    let later = first + Duration::days(4);
    ok(b.store.book(&founders[1], &one_hour(later + Duration::days(2)), now));
    let skipping = ok(a.store.book_series(&founders[0], &daily(&printer, later, 4, true), now));
    b.sync(now);
    let report = a.sync(now);
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    let status_on_a = |a: &common::Client, id: &str| ok(a.store.booking(id)).status;
    let statuses: Vec<_> = skipping.occurrences.iter().map(|o| status_on_a(&a, &o.booking_id)).collect();
    use BookingStatus::{Confirmed as C, Declined as D};
    assert_eq!(statuses, [C, C, D, C], "the server skipped the day b took, and a's desktop learned it");
    assert_eq!(held("confirmed"), 3);
    let series_rows = server.count("SELECT count(*) FROM booking WHERE series_id = $1", &[Arg::T(&skipping.series_id)]);
    assert_eq!(series_rows, 4);

    // Cancel the second and the following: the server cancels the same ones.
    ok(a.store.cancel_series(&founders[0], (&skipping.occurrences[1].booking_id, SeriesScope::Following), None, now));
    a.sync(now);
    assert_eq!(held("confirmed"), 1);
    assert_eq!(held("cancelled"), 2);
}

on_both_backends!(a_series_made_offline_meets_a_booking_synced_first);
