//! Whole-server figures, printed as medians (run with `make bench-server`):
//! - 64 clients racing over HTTP to book the same pool of mentor slots: accepted bookings per
//!   second, push latency p50/p99, and a check that no slot holds two bookings — once with one
//!   booking per push (desktops online), once with outbox batches (desktops back from offline);
//! - the first sync of a fresh desktop database from a server holding the `district` sample:
//!   seconds and bytes on the wire;
//! - an empty incremental sync (nothing to push, nothing new to pull).
//!
//! With `INCUBOOK_TEST_POSTGRES_URL` set (`make bench-server` sets it), the race runs again on
//! the PostgreSQL backend, in a fresh database holding the same sample.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use incubook::sample::{self, Scale};
use incubook::store::{SlotSearch, Store};
use incubook::sync::client::{SyncClient, Transport};
use incubook::sync::http::HttpTransport;
use incubook::sync::{Mutation, PushRequest, PushedMutation};
use incubook_server::auth;
use incubook_server::db::{self, Database, ServerRole};
use rand::{RngExt, SeedableRng};

const CLIENTS: usize = 64;
/// Bookings each client asks for in one race.
const BOOKINGS_PER_CLIENT: usize = 150;
/// A desktop that was offline pushes its outbox in batches; the second race sends this many
/// bookings per push.
const OUTBOX_BATCH: usize = 10;

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

struct Running {
    base: String,
    db: Arc<dyn Database>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

fn serve(db: Arc<dyn Database>) -> Running {
    let runtime = ok(tokio::runtime::Builder::new_multi_thread().enable_all().build());
    let listener = ok(runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")));
    let base = format!("http://{}", ok(listener.local_addr()));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = db.clone();
    std::thread::spawn(move || {
        let _ =
            runtime.block_on(incubook_server::serve(listener, (served, incubook_core::clock::Clock::System), None, async move {
                let _ = stopped.await;
            }));
    });
    Running { base, db, _stop: stop }
}

/// The size of a whole HTTP response as it crosses the wire, for a client that accepts gzip
/// (as the app's does).
fn wire_bytes(base: &str, path: &str, token: &str) -> usize {
    use std::io::{Read, Write};
    let host = base.trim_start_matches("http://");
    let mut stream = ok(std::net::TcpStream::connect(host));
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n"
    );
    ok(stream.write_all(request.as_bytes()));
    let mut response = Vec::new();
    ok(stream.read_to_end(&mut response));
    response.len()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let dir = ok(tempfile::tempdir());
    let path = dir.path().join("district.db");
    let now = incubook_core::clock::Clock::System.now();
    let started = Instant::now();
    {
        let mut store = ok(Store::open(&path));
        ok(sample::load(&mut store, Scale::District, 2026, now));
    }
    let seed = dir.path().join("seed.db");
    ok(std::fs::copy(&path, &seed));
    let server = serve(ok(db::open(&format!("sqlite:{}", path.display()))));
    println!("district sample loaded and versioned by the server in {:.1} s", started.elapsed().as_secs_f64());

    let store = ok(Store::open(&path));
    add_founders(&server, &store);
    // `INCUBOOK_BENCH=race` skips the first sync (for measuring the races alone),
    // `race-postgres` the SQLite races too.
    let only = std::env::var("INCUBOOK_BENCH").unwrap_or_default();
    if !only.starts_with("race") {
        first_sync(&server, &path, now);
    }
    // `INCUBOOK_BENCH=first-sync` stops here (for profiling the first sync alone).
    if only == "first-sync" {
        return;
    }
    let pool = slot_pool(&store, now, MENTORS, (2, 12));
    let sqlite_overbooked = || {
        let over_capacity = ok(store.conn().query_row(&format!("SELECT count(*) {OVERBOOKED}"), [], |r| r.get(0)));
        let mut capped = ok(store.conn().prepare(CAPPED));
        let rows = ok(capped.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))));
        (over_capacity, over_caps(rows.map(ok).collect()))
    };
    let later = slot_pool(&store, now, MENTORS, (14, 24));
    let instruments = slot_pool(&store, now, INSTRUMENTS, (2, 12));
    if only != "race-postgres" {
        race("SQLite", &server, &pool, ("mentors", "online"), 1, &sqlite_overbooked);
        race("SQLite", &server, &later, ("mentors", "offline"), OUTBOX_BATCH, &sqlite_overbooked);
        race("SQLite", &server, &instruments, ("instruments", "instruments"), 1, &sqlite_overbooked);
    }

    if let Ok(admin) = std::env::var("INCUBOOK_TEST_POSTGRES_URL") {
        let name = format!("incubook_bench_{}", uuid::Uuid::now_v7().simple());
        ok(ok(postgres::Client::connect(&admin, postgres::NoTls)).batch_execute(&format!("CREATE DATABASE {name}")));
        let url = format!("{}/{name}", admin.rsplit_once('/').map_or(admin.as_str(), |(server, _)| server));
        let started = Instant::now();
        let pg = ok(db::open(&url));
        let source = ok(Store::open(&seed));
        let codes: Vec<String> = ok(source.makerspaces()).into_iter().map(|m| m.code).collect();
        ok(pg.import_catalogue(&source, &codes, &mut |_, _| {}));
        println!("district sample imported into PostgreSQL in {:.1} s", started.elapsed().as_secs_f64());
        // A district server in its steady state, not one whose autovacuum is still going
        // through the import while the race runs.
        ok(ok(postgres::Client::connect(&url, postgres::NoTls)).batch_execute("VACUUM ANALYZE"));
        let server = serve(pg);
        add_founders(&server, &store);
        let pg_overbooked = || {
            let mut client = ok(postgres::Client::connect(&url, postgres::NoTls));
            let over_capacity = ok(client.query_one(&format!("SELECT count(*) {OVERBOOKED}"), &[])).get(0);
            let rows = ok(client.query(CAPPED, &[]));
            (over_capacity, over_caps(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))).collect()))
        };
        race("PostgreSQL", &server, &pool, ("mentors", "online"), 1, &pg_overbooked);
        race("PostgreSQL", &server, &later, ("mentors", "offline"), OUTBOX_BATCH, &pg_overbooked);
        race("PostgreSQL", &server, &instruments, ("instruments", "instruments"), 1, &pg_overbooked);
        drop(server);
        let _ =
            ok(postgres::Client::connect(&admin, postgres::NoTls)).batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"));
    }
}

/// Holding bookings that start at an instant when their resource is held by more bookings
/// than its capacity (1 for a mentor): the invariant the race must keep. The most bookings
/// overlap at some booking's start, and no booking is longer than a week.
const OVERBOOKED: &str = "FROM booking a JOIN resource r ON r.id = a.resource_id
     WHERE a.status IN ('requested', 'confirmed') AND a.deleted = 0
       AND (SELECT count(*) FROM booking b WHERE b.resource_id = a.resource_id AND b.status IN ('requested', 'confirmed')
              AND b.deleted = 0 AND b.start_at <= a.start_at AND b.start_at > a.start_at - 604801 AND b.end_at > a.start_at)
           > r.capacity";

/// The active bookings of resources with a daily or weekly cap, for `over_caps`.
const CAPPED: &str = "SELECT b.resource_id, b.start_at, r.timezone, r.max_per_day, r.max_per_week
     FROM booking b JOIN resource r ON r.id = b.resource_id
     WHERE b.status IN ('requested', 'confirmed') AND b.deleted = 0 AND (r.max_per_day IS NOT NULL OR r.max_per_week IS NOT NULL)";

type CappedRow = (String, i64, String, Option<i64>, Option<i64>);

/// Local days and Monday-to-Sunday weeks that hold more bookings than their resource's cap:
/// the other invariant of the mentor races, which no database constraint keeps.
fn over_caps(rows: Vec<CappedRow>) -> usize {
    use std::collections::HashMap;
    let mut days: HashMap<(String, chrono::NaiveDate), (i64, i64)> = HashMap::new();
    let mut weeks: HashMap<(String, chrono::IsoWeek), (i64, i64)> = HashMap::new();
    for (resource, start, tz, per_day, per_week) in rows {
        let tz: chrono_tz::Tz = ok(tz.parse());
        let day = incubook::domain::to_utc(start).with_timezone(&tz).date_naive();
        if let Some(cap) = per_day {
            days.entry((resource.clone(), day)).or_insert((0, cap)).0 += 1;
        }
        if let Some(cap) = per_week {
            weeks.entry((resource, chrono::Datelike::iso_week(&day))).or_insert((0, cap)).0 += 1;
        }
    }
    days.values().chain(weeks.values()).filter(|(n, cap)| n > cap).count()
}

fn add_founders(server: &Running, store: &Store) {
    let founders: Vec<(String, String)> = {
        let mut stmt = ok(store.conn().prepare(
            "SELECT r.person_id, m.code FROM person_role r JOIN makerspace m ON m.id = r.makerspace_id
             WHERE r.role = 'founder' ORDER BY r.person_id LIMIT ?1",
        ));
        ok(stmt.query_map([CLIENTS as i64 + 1], |r| Ok((r.get(0)?, r.get(1)?)))).map(ok).collect()
    };
    let hash = ok(auth::hash_password("bench password"));
    for (i, (person, code)) in founders.iter().enumerate() {
        ok(server.db.add_account(code, &format!("f{i}"), &hash, &[ServerRole::Founder], Some(person), 0));
    }
}

fn first_sync(server: &Running, _path: &std::path::Path, now: chrono::DateTime<Utc>) {
    let http = ok(HttpTransport::new(&server.base));
    let signed_in = ok(http.sign_in("f64", "bench password"));
    // Bytes on the wire: every page of a pull from cursor 0, as the client receives it (gzip).
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    let (mut cursor, mut bytes, mut pages, mut pulling) = (0i64, 0usize, 0, Duration::ZERO);
    let mut fetched = Vec::new();
    loop {
        let path = format!("/v1/pull?cursor={cursor}");
        bytes += wire_bytes(&server.base, &path, &signed_in.token);
        let started = Instant::now();
        let mut response =
            ok(agent.get(format!("{}{path}", server.base)).header("Authorization", format!("Bearer {}", signed_in.token)).call());
        let body = ok(response.body_mut().with_config().limit(256 * 1024 * 1024).read_to_string());
        pages += 1;
        let page: incubook::sync::PullResponse = ok(serde_json::from_str(&body));
        pulling += started.elapsed();
        let (more, next) = (page.more, page.cursor);
        fetched.push(page);
        if !more || next <= cursor {
            break;
        }
        cursor = next;
    }
    // The writes alone: the same pages applied to a fresh database, nothing fetched meanwhile.
    let writing = {
        let dir = ok(tempfile::tempdir());
        let mut store = ok(Store::open(&dir.path().join("incubook.db")));
        ok(store.connect_sync(&server.base, "f64", &signed_in.user.person_id, &signed_in.token));
        let started = Instant::now();
        for page in &fetched {
            ok(store.apply_pull(page));
        }
        started.elapsed()
    };
    drop(fetched);
    let mut times = Vec::new();
    let mut empty = Vec::new();
    for _ in 0..3 {
        let dir = ok(tempfile::tempdir());
        let mut store = ok(Store::open(&dir.path().join("incubook.db")));
        ok(store.connect_sync(&server.base, "f64", &signed_in.user.person_id, &signed_in.token));
        let started = Instant::now();
        let report = ok(store.sync_once(&http, now));
        times.push(started.elapsed());
        assert_eq!(report.waiting, 0);
        for _ in 0..30 {
            let started = Instant::now();
            ok(store.sync_once(&http, now));
            empty.push(started.elapsed());
        }
    }
    times.sort();
    empty.sort();
    println!(
        "first sync of the district sample: median {:.2} s over 3 fresh databases; {:.1} MB on the wire (gzip) in {pages} pages; \
         the pages alone (server, transfer, JSON parse, no writes): {:.2} s; the writes alone: {:.2} s",
        times[1].as_secs_f64(),
        bytes as f64 / 1e6,
        pulling.as_secs_f64(),
        writing.as_secs_f64()
    );
    println!(
        "empty incremental sync: median {:.2} ms, p99 {:.2} ms ({} runs)",
        percentile(&empty, 0.5).as_secs_f64() * 1e3,
        percentile(&empty, 0.99).as_secs_f64() * 1e3,
        empty.len()
    );
}

/// District-visible mentors that confirm without a request: each takes at most a few
/// bookings a day and a week, so their caps bound how many bookings a race can accept.
const MENTORS: &str = "SELECT r.id FROM resource r JOIN mentor m ON m.resource_id = r.id
     WHERE m.visibility = 'district' AND r.active = 1 AND r.approval_required = 0 ORDER BY r.id LIMIT 200";
/// Instruments any founder may book at once, without caps: only the slots themselves are
/// raced for.
const INSTRUMENTS: &str = "SELECT r.id FROM resource r WHERE r.kind = 'equipment' AND r.active = 1
     AND r.approval_required = 0 AND r.qualification_required = 0 AND r.max_per_day IS NULL AND r.max_per_week IS NULL
     ORDER BY r.id LIMIT 200";

/// A pool of free one-hour slots of the resources `resources` selects.
fn slot_pool(
    store: &Store,
    now: chrono::DateTime<Utc>,
    resources: &str,
    (first, last): (i64, i64),
) -> Vec<(String, incubook::domain::Slot)> {
    let resources: Vec<String> = {
        let mut stmt = ok(store.conn().prepare(resources));
        ok(stmt.query_map([], |r| r.get(0))).map(ok).collect()
    };
    let today = now.date_naive();
    let search =
        SlotSearch { from: today + chrono::Duration::days(first), to: today + chrono::Duration::days(last), minutes: Some(60) };
    let mut pool: Vec<(String, incubook::domain::Slot)> = Vec::new();
    for resource in &resources {
        for slot in ok(store.slots(resource, &search, now)) {
            pool.push((resource.clone(), slot));
        }
    }
    pool
}

/// 64 clients, each asking for `BOOKINGS_PER_CLIENT` random slots of the pool, `per_push` at a
/// time: one (a desktop online, pushing after each booking) or a batch (a desktop that was
/// offline, pushing its outbox). `what` says whose slots the pool holds, `clients` names the
/// race's client ids.
fn race(
    backend: &str,
    server: &Running,
    pool: &[(String, incubook::domain::Slot)],
    (what, clients): (&str, &str),
    per_push: usize,
    overbooked: &dyn Fn() -> (i64, usize),
) {
    let backend = format!("{backend} ({what}, {per_push} booking{} per push)", if per_push == 1 { "" } else { "s" });
    println!(
        "race on {backend}: {CLIENTS} clients × {BOOKINGS_PER_CLIENT} bookings over a pool of {} free slots of {} {what}",
        pool.len(),
        pool.iter().map(|(resource, _)| resource).collect::<std::collections::BTreeSet<_>>().len(),
    );
    let pool = Arc::new(pool.to_vec());
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let refusals = Arc::new(Mutex::new(std::collections::BTreeMap::<String, usize>::new()));
    // Signing in (an argon2 hash each, by design slow) happens before the clock starts: the
    // race measures bookings. The barrier lets every client start pushing at once.
    let ready = Arc::new(std::sync::Barrier::new(CLIENTS + 1));
    let threads: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let (pool, latencies, accepted, base) = (pool.clone(), latencies.clone(), accepted.clone(), server.base.clone());
            let (refusals, ready) = (refusals.clone(), ready.clone());
            let client_id = format!("{clients}-{i}");
            std::thread::spawn(move || {
                let http = ok(HttpTransport::new(&base));
                let token = ok(http.sign_in(&format!("f{i}"), "bench password")).token;
                ready.wait();
                let mut rng = <rand_chacha::ChaCha8Rng as SeedableRng>::seed_from_u64(i as u64);
                let mut mine = Vec::with_capacity(BOOKINGS_PER_CLIENT / per_push);
                for n in 0..BOOKINGS_PER_CLIENT / per_push {
                    let mutations = (0..per_push)
                        .map(|k| {
                            let (resource, slot) = &pool[rng.random_range(0..pool.len())];
                            let mutation = Mutation::Book {
                                booking_id: uuid::Uuid::now_v7().to_string(),
                                resource_id: resource.clone(),
                                start: slot.start,
                                end: slot.end,
                                topic: String::new(),
                                format: None,
                            };
                            ok(PushedMutation::new((n * per_push + k) as i64 + 1, &mutation))
                        })
                        .collect();
                    let request = PushRequest { client_id: client_id.clone(), mutations };
                    let sent = Instant::now();
                    let answer = ok(http.push(&token, &request));
                    mine.push(sent.elapsed());
                    let applied = answer.outcomes.iter().filter(|o| o.applied).count();
                    accepted.fetch_add(applied, std::sync::atomic::Ordering::Relaxed);
                    for code in answer.outcomes.iter().filter_map(|o| o.code.clone()) {
                        if let Ok(mut counts) = refusals.lock() {
                            *counts.entry(code).or_default() += 1;
                        }
                    }
                }
                if let Ok(mut all) = latencies.lock() {
                    all.extend(mine);
                }
            })
        })
        .collect();
    ready.wait();
    let started = Instant::now();
    for t in threads {
        let _ = t.join();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut all = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    all.sort();
    let accepted = accepted.load(std::sync::atomic::Ordering::Relaxed);
    let (overbooked, over_caps) = overbooked();
    println!(
        "race on {backend}: {} pushes in {elapsed:.2} s = {:.0} pushes/s; accepted {accepted} = {:.0} accepted/s; latency p50 {:.1} ms, p99 {:.1} ms; bookings over capacity: {overbooked}, days or weeks over a cap: {over_caps}",
        all.len(),
        all.len() as f64 / elapsed,
        accepted as f64 / elapsed,
        percentile(&all, 0.5).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
    );
    println!("race on {backend}: refused by reason {:?}", refusals.lock().map(|r| r.clone()).unwrap_or_default());
}
