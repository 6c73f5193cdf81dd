//! The desktop's own release of no-shows: a desktop on its own releases them; one connected
//! to a district server leaves it to the server.

use std::sync::Mutex;

use chrono::{Duration, Utc};
use incubook::sample::{self, Scale};
use incubook::store::Store;
use incubook_desktop::release::sweep_blocking;

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

/// The sample district and its first confirmed instrument booking still to come: (id, start).
fn sample_with_a_booking() -> (tempfile::TempDir, Mutex<Store>, String, chrono::DateTime<Utc>) {
    let dir = ok(tempfile::tempdir());
    // Wednesday 2026-12-09 10:00 in Shanghai.
    let now = chrono::DateTime::from_timestamp(1_796_781_600, 0).unwrap_or_default();
    let mut store = ok(Store::open(&dir.path().join("incubook.db")));
    ok(sample::load(&mut store, Scale::Small, 5, now));
    let (id, start): (String, i64) = ok(store.conn().query_row(
        "SELECT b.id, b.start_at FROM booking b JOIN equipment e ON e.resource_id = b.resource_id
         WHERE b.status = 'confirmed' AND b.start_at > ?1 ORDER BY b.start_at LIMIT 1",
        [now.timestamp()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    ));
    let start = chrono::DateTime::from_timestamp(start, 0).unwrap_or(now);
    (dir, Mutex::new(store), id, start)
}

#[test]
fn a_desktop_on_its_own_releases_a_booking_nobody_checked_in_to() {
    let (_dir, store, booking, start) = sample_with_a_booking();
    let released = ok(sweep_blocking(&store, start + Duration::minutes(15))).released;
    assert!(released.contains(&booking), "{booking} released at start + 15 min");
    let status: String =
        ok(ok(store.lock()).conn().query_row("SELECT status FROM booking WHERE id = ?1", [&booking], |r| r.get(0)));
    assert_eq!(status, "no_show");
}

#[test]
fn a_connected_desktop_leaves_the_release_to_the_server() {
    let (_dir, store, booking, start) = sample_with_a_booking();
    ok(ok(store.lock()).save_connection("https://district.example.cn", "lm", "p1", Some("token"), false));
    assert_eq!(ok(sweep_blocking(&store, start + Duration::minutes(15))), incubook::apply::Swept::default());
    let status: String =
        ok(ok(store.lock()).conn().query_row("SELECT status FROM booking WHERE id = ?1", [&booking], |r| r.get(0)));
    assert_eq!(status, "confirmed");
}
