//! The client process killed (SIGKILL) at random points of a sync, many times: no mutation is
//! lost or applied twice, the outbox drains, and replaying every pull from cursor 0 gives
//! the same rows as the replica that lived through the kills.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Arg, Backend, TestServer, founders_of, ok};
use incubook::store::{NewBooking, SlotSearch, Store};
use incubook::sync::client::SyncClient;
use incubook::sync::http::HttpTransport;
use incubook_server::db::ServerRole;
use rand::{RngExt, SeedableRng};

const CHILD_ENV: &str = "INCUBOOK_SYNC_CHILD_DB";

/// Not a test of its own: the child process the parent test starts and kills.
#[test]
fn child_sync_process() {
    let Ok(path) = std::env::var(CHILD_ENV) else { return };
    let mut store = ok(Store::open(std::path::Path::new(&path)));
    let url = ok(store.sync_status()).map(|s| s.server_url).unwrap_or_default();
    let http = ok(HttpTransport::new(&url));
    ok(store.sync_once(&http, common::now()));
}

/// Books up to `n` free slots of PD-0001's mentors, each one a mutation in the outbox.
fn book_some(path: &std::path::Path, person: &str, n: usize, rng: &mut rand_chacha::ChaCha8Rng) -> Vec<String> {
    let mut store = ok(Store::open(path));
    let now = common::now();
    let mentors: Vec<String> = {
        let mut stmt = ok(store.conn().prepare(
            "SELECT r.id FROM resource r JOIN makerspace s ON s.id = r.makerspace_id
             WHERE r.kind = 'mentor' AND s.code = 'PD-0001' AND r.approval_required = 0 ORDER BY r.id",
        ));
        ok(stmt.query_map([], |r| r.get(0))).map(ok).collect()
    };
    let today = now.date_naive();
    let mut booked = Vec::new();
    for _ in 0..n * 4 {
        if booked.len() == n {
            break;
        }
        let mentor = &mentors[rng.random_range(0..mentors.len())];
        let search = SlotSearch { from: today, to: today + chrono::Duration::days(14), minutes: None };
        let slots = ok(store.slots(mentor, &search, now));
        if slots.is_empty() {
            continue;
        }
        let slot = slots[rng.random_range(0..slots.len())];
        let new = NewBooking {
            format: None,
            resource_id: mentor.clone(),
            start: slot.start,
            end: slot.end,
            topic: "商业计划书".into(),
        };
        if let Ok(b) = store.book(person, &new, now) {
            if rng.random_range(0..4) == 0 {
                let _ = store.cancel(person, &b.id, Some("改期"), now);
            }
            booked.push(b.id);
        }
    }
    booked
}

fn bookings(store: &Store) -> Vec<(String, String, i64, i64, String, Option<String>)> {
    let mut stmt = ok(store
        .conn()
        .prepare("SELECT id, resource_id, start_at, end_at, status, rejection FROM booking WHERE version > 0 ORDER BY id"));
    ok(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))).map(ok).collect()
}

fn killed_mid_sync_many_times_nothing_is_lost_or_doubled_and_replicas_converge(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let founder = founders_of(&server.seed(), "PD-0001")[0].clone();
    server.account("a", &founder, "PD-0001", &[ServerRole::Founder]);
    let client = server.client("a", now);
    let path = client.path.clone();
    // Keep the client's directory; close its database so only child processes hold it.
    let common::Client { _dir: _client_dir, store: first, .. } = client;
    drop(first);

    let mut rng = <rand_chacha::ChaCha8Rng as SeedableRng>::seed_from_u64(42);
    let mut made: Vec<String> = Vec::new();
    let mut killed = 0;
    for _round in 0..40 {
        made.extend(book_some(&path, &founder, 3, &mut rng));
        let mut child = ok(Command::new(ok(std::env::current_exe()))
            .args(["--exact", "child_sync_process", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn());
        std::thread::sleep(Duration::from_millis(rng.random_range(0..20)));
        if ok(child.try_wait()).is_none() {
            killed += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    eprintln!("killed {killed} of 40 syncs mid-way; {} bookings made", made.len());
    assert!(killed >= 10, "only {killed} of 40 syncs were killed mid-way; the test proves little");

    // A last, undisturbed sync drains the outbox.
    let mut store = ok(Store::open(&path));
    let http = ok(HttpTransport::new(&server.base));
    let report = ok(store.sync_once(&http, common::now()));
    assert_eq!(report.waiting, 0, "{report:?}");
    assert!(ok(store.outbox(1)).is_empty());

    // Every booking made locally reached the server exactly once.
    for id in &made {
        let booked = server.count("SELECT count(*) FROM audit_log WHERE entity_id = $1 AND action = 'book'", &[Arg::T(id)]);
        let rejected = server.count("SELECT count(*) FROM booking WHERE id = $1 AND rejection IS NOT NULL", &[Arg::T(id)]);
        assert_eq!(booked + rejected, 1, "booking {id}: booked {booked} times, rejected {rejected}");
    }
    let cancels = server.count("SELECT count(*) FROM audit_log WHERE action = 'cancelled'", &[]);
    let local_cancels: i64 =
        ok(store.conn().query_row("SELECT count(*) FROM audit_log WHERE action = 'cancelled'", [], |r| r.get(0)));
    assert!(cancels >= local_cancels, "server {cancels} cancels, client {local_cancels}");

    // Replaying the pulls from cursor 0 into a fresh replica gives the same rows.
    let fresh = server.client("a", common::now());
    assert_eq!(bookings(&fresh.store), bookings(&store));
    assert!(made.len() >= 30, "only {} bookings were made", made.len());
}

on_both_backends!(killed_mid_sync_many_times_nothing_is_lost_or_doubled_and_replicas_converge);
