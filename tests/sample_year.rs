//! The sample to explore: a small district with a year of its instruments at work, so that
//! the charts and reports of machine hours show what a real lab's would.

use chrono::{Duration, TimeZone, Utc};
use incubook::sample::{self, Scale};
use incubook::store::Store;

#[test]
fn the_year_sample_uses_every_instrument_all_year_without_a_double_booking() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut store = Store::open(&dir.path().join("incubook.db")).unwrap_or_else(|e| panic!("{e}"));
    let now = Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).single().unwrap_or_default();
    let summary = sample::load(&mut store, Scale::Year, 2026, now).unwrap_or_else(|e| panic!("{e}"));
    let conn = store.conn();
    let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap_or_else(|e| panic!("{sql}: {e}"));

    // A year of sessions, none in the future, on every instrument.
    let first = one("SELECT min(started_at) FROM usage_session");
    let last = one("SELECT max(ended_at) FROM usage_session");
    assert!(first <= (now - Duration::days(360)).timestamp(), "sessions start a year back");
    // Nothing of that year today or later: today's bookings are the ones the sample books ahead.
    let today =
        chrono_tz::Asia::Shanghai.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).single().map(|t| t.timestamp()).unwrap_or_default();
    assert!(last <= today, "no session of the year ends after today's start");
    let idle = one("SELECT count(*) FROM equipment e WHERE (SELECT coalesce(sum(ended_at - started_at), 0) FROM usage_session s
         WHERE s.resource_id = e.resource_id) < 200 * 3600");
    assert_eq!(idle, 0, "every instrument ran at least 200 hours in the year");
    assert!(summary.equipment == 12 && summary.bookings > 3_000, "{summary:?}");
    // Its own makerspace's founders and the district's: both classes, more of the first.
    let internal = one("SELECT count(*) FROM usage_session WHERE user_class = 'internal'");
    let external = one("SELECT count(*) FROM usage_session WHERE user_class = 'external'");
    assert!(external > 0 && internal > external, "{internal} internal, {external} external");
    // Booked and not used, now and then.
    assert!(one("SELECT count(*) FROM booking WHERE status = 'no_show'") > 50);
    // No two bookings that hold an instrument overlap, and every session lies in its booking.
    let overlapping = one("SELECT count(*) FROM booking a JOIN booking b ON a.resource_id = b.resource_id AND a.id < b.id
           AND a.start_at < b.end_at AND b.start_at < a.end_at
         JOIN resource r ON r.id = a.resource_id AND r.kind = 'equipment' AND r.capacity = 1
         WHERE a.status NOT IN ('cancelled', 'declined') AND b.status NOT IN ('cancelled', 'declined')");
    assert_eq!(overlapping, 0);
    let outside = one("SELECT count(*) FROM usage_session s JOIN booking b ON b.id = s.booking_id
         WHERE s.started_at < b.start_at - 600 OR s.ended_at > b.end_at");
    assert_eq!(outside, 0);
}
