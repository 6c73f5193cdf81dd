//! The second security review's attacks on sync (N1–N3), replayed against a real server on
//! SQLite holding the small sample, with the figures the review took (run with
//! `cargo bench -p incubook-server --bench attacks`, a release build):
//! - N1: 200 pushes of a 900 kB booking id; then a new desktop's first sync and an already
//!   connected desktop's sync, and the bytes of tombstones the server keeps;
//! - N2: 500 refused series (52 times, 500-character topic) and a 300-mutation push of refused
//!   weekly blackouts, with another account's sign-in timed while it runs;
//! - N3: 1,100 connections from one address sending a body a byte every 5 s, while another
//!   address asks `/v1/health` every 250 ms.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use incubook::sample::{self, Scale};
use incubook::store::Store;
use incubook::sync::client::{SyncClient, Transport};
use incubook::sync::http::HttpTransport;
use incubook::sync::{Mutation, PushRequest, PushedMutation};
use incubook_core::clock::Clock;
use incubook_server::auth;
use incubook_server::db::{self, Database, ServerRole};
use serde_json::json;

const PASSWORD: &str = "correct horse";

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn one(store: &Store, sql: &str) -> String {
    ok(store.conn().query_row(sql, [], |r| r.get(0)))
}

fn main() {
    let dir = ok(tempfile::tempdir());
    let path = dir.path().join("district.db");
    let now = Clock::System.now();
    {
        let mut store = ok(Store::open(&path));
        ok(sample::load(&mut store, Scale::Small, 11, now));
    }
    let db: Arc<dyn Database> = ok(db::open(&format!("sqlite:{}", path.display())));
    let store = ok(Store::open(&path));
    let founder = |code: &str, n: usize| {
        one(
            &store,
            &format!(
                "SELECT r.person_id FROM person_role r JOIN makerspace m ON m.id = r.makerspace_id
                 WHERE m.code = '{code}' AND r.role = 'founder' ORDER BY r.person_id LIMIT 1 OFFSET {n}"
            ),
        )
    };
    let admin = one(
        &store,
        "SELECT r.person_id FROM person_role r JOIN makerspace m ON m.id = r.makerspace_id
         WHERE m.code = 'PD-0001' AND r.role = 'space_admin' ORDER BY r.person_id LIMIT 1",
    );
    let hash = ok(auth::hash_password(PASSWORD));
    ok(db.add_account("PD-0001", "f0", &hash, &[ServerRole::Founder], Some(&founder("PD-0001", 0)), 0));
    ok(db.add_account("PD-0002", "f2", &hash, &[ServerRole::Founder], Some(&founder("PD-0002", 0)), 0));
    ok(db.add_account("PD-0001", "sa1", &hash, &[ServerRole::SpaceAdmin], Some(&admin), 0));
    let mentor = one(
        &store,
        "SELECT r.id FROM resource r JOIN makerspace m ON m.id = r.makerspace_id WHERE r.kind = 'mentor' AND m.code = 'PD-0001' ORDER BY r.id LIMIT 1",
    );

    let runtime = ok(tokio::runtime::Builder::new_multi_thread().enable_all().build());
    let listener = ok(runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")));
    let address = ok(listener.local_addr());
    let base = format!("http://{address}");
    let served = db.clone();
    std::thread::spawn(move || {
        let _ = runtime.block_on(incubook_server::serve(listener, (served, Clock::System), None, std::future::pending()));
    });
    let http = ok(HttpTransport::new(&base));
    let f0 = ok(http.sign_in("f0", PASSWORD)).token;
    // A desktop connected before the attack, to sync after it.
    let old_dir = ok(tempfile::tempdir());
    let mut old = ok(Store::open(&old_dir.path().join("incubook.db")));
    let signed_in = ok(http.sign_in("sa1", PASSWORD));
    ok(old.connect_sync(&base, "sa1", &signed_in.user.person_id, &signed_in.token));
    ok(old.sync_once(&http, now));

    // N1
    let start = now + chrono::Duration::days(30);
    let started = Instant::now();
    for i in 0..200 {
        let huge = format!("{i}{}", "x".repeat(900_000));
        let mutation = PushedMutation {
            id: i + 1,
            name: "book".into(),
            args: json!({"booking_id": huge, "resource_id": mentor, "start": start, "end": start + chrono::Duration::hours(1), "topic": ""}),
        };
        let _ = http.push(&f0, &PushRequest { client_id: "n1".into(), mutations: vec![mutation] });
    }
    let pushes = started.elapsed();
    let tombstones = one(&store, "SELECT CAST(coalesce(sum(length(row_key)), 0) AS TEXT) FROM sync_tombstone");
    let fresh_dir = ok(tempfile::tempdir());
    let mut fresh = ok(Store::open(&fresh_dir.path().join("incubook.db")));
    let signed_in = ok(http.sign_in("f2", PASSWORD));
    ok(fresh.connect_sync(&base, "f2", &signed_in.user.person_id, &signed_in.token));
    let started = Instant::now();
    let first = fresh.sync_once(&http, now).map(|r| r.pulled);
    let first_sync = started.elapsed();
    let started = Instant::now();
    let again = old.sync_once(&http, now).map(|r| r.pulled);
    let old_sync = started.elapsed();
    println!("N1: 200 pushes of a 900 kB id in {:.2} s; tombstones on the server: {tombstones} bytes", pushes.as_secs_f64());
    println!(
        "N1: a new desktop's first sync {:.2} s ({first:?} rows), the connected one's sync {:.2} s ({again:?} rows)",
        first_sync.as_secs_f64(),
        old_sync.as_secs_f64()
    );

    // N2
    let past = now - chrono::Duration::days(30);
    let series = |n: i64| {
        let m = Mutation::BookSeries {
            series_id: format!("s{n}"),
            resource_id: mentor.clone(),
            occurrences: (0..52)
                .map(|i| incubook::command::Occurrence {
                    booking_id: format!("s{n}-{i}"),
                    start: past + chrono::Duration::days(i),
                    end: past + chrono::Duration::days(i) + chrono::Duration::hours(1),
                })
                .collect(),
            topic: "t".repeat(500),
            repeat: incubook::recurrence::Repeat {
                every: incubook::recurrence::Frequency::Daily,
                days: Vec::new(),
                count: Some(52),
                until: None,
            },
            skip_conflicts: false,
        };
        ok(PushedMutation::new(n, &m))
    };
    let started = Instant::now();
    for round in 0..5 {
        let mutations = (0..100).map(|i| series(round * 100 + i + 1)).collect();
        let _ = http.push(&f0, &PushRequest { client_id: "n2-series".into(), mutations });
        // The account's budget refills at 1,000 rows a second.
        std::thread::sleep(Duration::from_secs(6));
    }
    let declined = one(&store, "SELECT CAST(count(*) AS TEXT) FROM booking WHERE id LIKE 's%-%' AND status = 'declined'");
    println!(
        "N2: 500 refused series pushed in {:.2} s (with 30 s of waits for the budget); declined rows kept: {declined}",
        started.elapsed().as_secs_f64() - 30.0
    );
    let blackouts: Vec<PushedMutation> = (1..=300)
        .map(|i| PushedMutation {
            id: i,
            name: "add_blackout".into(),
            args: json!({"blackout": {"id": format!("n2-{i}"), "resource_id": mentor,
                "when": {"kind": "weekly", "weekday": 2, "start_min": 0, "end_min": 1439, "from": now.date_naive(), "until": null},
                "reason": "x"}, "cancel_hits": true}),
        })
        .collect();
    let pusher = {
        let (base, token) = (base.clone(), f0.clone());
        std::thread::spawn(move || {
            let http = ok(HttpTransport::new(&base));
            let started = Instant::now();
            let _ = http.push(&token, &PushRequest { client_id: "n2-blackouts".into(), mutations: blackouts });
            started.elapsed()
        })
    };
    std::thread::sleep(Duration::from_millis(20));
    let started = Instant::now();
    let _ = http.sign_in("f2", PASSWORD);
    let sign_in = started.elapsed();
    let push = pusher.join().unwrap_or_default();
    println!(
        "N2: a 300-mutation push of refused weekly blackouts took {:.0} ms; f2's sign-in during it {:.0} ms",
        push.as_secs_f64() * 1000.0,
        sign_in.as_secs_f64() * 1000.0
    );

    // N3
    let token = ok(http.sign_in("sa1", PASSWORD)).token;
    let head = format!(
        "POST /v1/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{"
    );
    let mut slow: Vec<std::net::TcpStream> = Vec::new();
    for _ in 0..1_100 {
        let socket = ok(socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None));
        ok(socket.bind(&std::net::SocketAddr::from(([127, 0, 0, 2], 0)).into()));
        if socket.connect(&address.into()).is_ok() {
            let mut stream: std::net::TcpStream = socket.into();
            let _ = stream.write_all(head.as_bytes());
            slow.push(stream);
        }
    }
    let mut worst = Duration::ZERO;
    let started = Instant::now();
    let mut asked = 0;
    while started.elapsed() < Duration::from_secs(40) {
        for stream in &mut slow {
            let _ = stream.write_all(b" ");
        }
        let t = Instant::now();
        let health: Result<serde_json::Value, _> = http.get("", "/v1/health");
        assert!(health.is_ok(), "health did not answer");
        worst = worst.max(t.elapsed());
        asked += 1;
        std::thread::sleep(Duration::from_millis(250));
    }
    println!(
        "N3: 1,100 slow-body connections from one address for 40 s: /v1/health answered {asked} times, the slowest in {:.1} ms",
        worst.as_secs_f64() * 1000.0
    );
}
