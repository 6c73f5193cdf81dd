//! The district's sharing figures of a year on the server (`make bench-indicators`): the
//! `district` sample (500 makerspaces, 2,000 instruments) with 10⁶ usage sessions over 2026,
//! on the SQLite backend and, with `INCUBOOK_TEST_POSTGRES_URL` set, on PostgreSQL. Prints
//! the median of 7 runs per grouping; run on one machine in one sitting, compare the ratios.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use incubook::indicators::GroupBy;
use incubook::sample::{self, Scale};
use incubook::store::Store;
use incubook_server::db::{self, Database};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

const RUNS: usize = 7;
/// 2026-01-01T00:00:00Z.
const YEAR: i64 = 1_767_225_600;

/// 10⁶ sessions spread over the instruments, people, classes and purposes, written straight
/// into the table (`$equipment` and `$person` are the statements that number them).
fn sessions_sql(instruments: &str, people: &str, series: &str) -> String {
    format!(
        "INSERT INTO usage_session(id, resource_id, booking_id, person_id, started_at, ended_at, user_class, purpose, samples, fee_fen)
         SELECT 'bench-' || i, inst.resource_id, 'bench-booking-' || i, p.id,
                {YEAR} + (i % 8760) * 3600, {YEAR} + (i % 8760) * 3600 + 1800 + (i % 5) * 900,
                CASE i % 3 WHEN 0 THEN 'internal' WHEN 1 THEN 'external' ELSE 'enterprise' END,
                CASE i % 4 WHEN 0 THEN 'research' WHEN 1 THEN 'testing' WHEN 2 THEN 'teaching' ELSE 'certification' END,
                i % 3, (i % 5) * 2500
         FROM {series}
         JOIN ({instruments}) inst ON inst.n = i % (SELECT count(*) FROM equipment)
         JOIN ({people}) p ON p.n = (i * 7919) % (SELECT count(*) FROM person)"
    )
}

const INSTRUMENTS: &str = "SELECT row_number() OVER (ORDER BY resource_id) - 1 AS n, resource_id FROM equipment";
const PEOPLE: &str = "SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM person";

fn measure(backend: &str, db: &dyn Database) {
    let year =
        (NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default());
    for by in [GroupBy::Instrument, GroupBy::Makerspace] {
        let mut times: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let started = Instant::now();
                let report = ok(db.indicators(year, by, false, incubook_core::clock::Clock::System.now()));
                assert!(report.total.figures.effective_seconds > 0);
                started.elapsed()
            })
            .collect();
        times.sort();
        println!("{backend}: the district year's figures by {by:?}: median {:.2} s (of {RUNS})", times[RUNS / 2].as_secs_f64());
    }
}

/// The floor under the SQLite figures: only reading the year's sessions (`SESSIONS_SQL`) and
/// touching each row's columns, with nothing tallied.
fn reading_alone(path: &std::path::Path) {
    let conn = ok(rusqlite::Connection::open(path));
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let mut stmt = ok(conn.prepare(incubook::indicators::SESSIONS_SQL));
            let mut rows = ok(stmt.query([YEAR, YEAR + 365 * 86_400]));
            let mut bytes = 0usize;
            while let Some(r) = ok(rows.next()) {
                for i in [0, 1, 4, 5, 7] {
                    bytes += ok(r.get_ref(i)).as_str().map_or(0, str::len);
                }
                bytes += usize::try_from(ok(r.get::<_, i64>(2)) & 1).unwrap_or(0);
            }
            assert!(bytes > 0);
            started.elapsed()
        })
        .collect();
    times.sort();
    println!("SQLite: reading the year's sessions alone: median {:.2} s (of {RUNS})", times[RUNS / 2].as_secs_f64());
}

fn main() {
    let dir = ok(tempfile::tempdir());
    let path = dir.path().join("district.db");
    let seed = dir.path().join("seed.db");
    let started = Instant::now();
    {
        let mut store = ok(Store::open(&path));
        ok(sample::load(&mut store, Scale::District, 2026, incubook_core::clock::Clock::System.now()));
        // PostgreSQL imports the sample as the catalogue upload would, before the sessions.
        ok(store.conn().execute_batch(&format!("VACUUM INTO '{}'", seed.display())));
        let series = "(WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 999999) SELECT i FROM k) s";
        ok(store.conn().execute_batch(&format!(
            "PRAGMA foreign_keys = OFF; {}; PRAGMA foreign_keys = ON;",
            sessions_sql(INSTRUMENTS, PEOPLE, series)
        )));
    }
    println!("district sample with 10^6 sessions on SQLite in {:.1} s", started.elapsed().as_secs_f64());
    let sqlite = ok(db::open(&format!("sqlite:{}", path.display())));
    measure("SQLite", sqlite.as_ref());
    reading_alone(&path);

    if let Ok(admin) = std::env::var("INCUBOOK_TEST_POSTGRES_URL") {
        let name = format!("incubook_bench_{}", uuid::Uuid::now_v7().simple());
        ok(ok(postgres::Client::connect(&admin, postgres::NoTls)).batch_execute(&format!("CREATE DATABASE {name}")));
        let url = format!("{}/{name}", admin.rsplit_once('/').map_or(admin.as_str(), |(server, _)| server));
        let started = Instant::now();
        let pg = ok(db::open(&url));
        let source = ok(Store::open(&seed));
        let codes: Vec<String> = ok(source.makerspaces()).into_iter().map(|m| m.code).collect();
        ok(pg.import_catalogue(&source, &codes, &mut |_, _| {}));
        let mut client = ok(postgres::Client::connect(&url, postgres::NoTls));
        // The sessions straight into the table, without the sync triggers and references.
        ok(client.batch_execute(&format!(
            "SET session_replication_role = replica; {}; SET session_replication_role = DEFAULT",
            sessions_sql(INSTRUMENTS, PEOPLE, "generate_series(0::bigint, 999999) i")
        )));
        ok(client.batch_execute("VACUUM ANALYZE"));
        println!("the same on PostgreSQL in {:.1} s", started.elapsed().as_secs_f64());
        measure("PostgreSQL", pg.as_ref());
        drop(pg);
        ok(ok(postgres::Client::connect(&admin, postgres::NoTls)).batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")));
    }
}
