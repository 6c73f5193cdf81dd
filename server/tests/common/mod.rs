//! A real district server on a loopback port (port 0), on its own runtime thread, on SQLite
//! or on PostgreSQL (a fresh database at `INCUBOOK_TEST_POSTGRES_URL` for each test), seeded
//! from the core's sample district; and real core clients syncing to it.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use incubook::domain::Slot;
use incubook::sample::{self, SampleSummary, Scale};
use incubook::store::{SlotSearch, Store};
use incubook::sync::client::{SyncClient, Transport};
use incubook::sync::http::HttpTransport;
use incubook_server::auth;
use incubook_server::db::{self, Database, ServerRole};

pub const PASSWORD: &str = "correct horse";

/// The instant every server test stands at: Wednesday 2026-12-09 10:00 in Shanghai, or the
/// RFC 3339 instant in `INCUBOOK_TEST_NOW` (CI runs the suite once more at a hostile one:
/// a Sunday night in Shanghai, New York's clock change, New Year's Eve). The test server's
/// clock is pinned to the instant its sample was loaded for.
pub fn now() -> DateTime<Utc> {
    match std::env::var("INCUBOOK_TEST_NOW") {
        Ok(text) => ok(incubook_core::clock::Clock::pinned_at(&text)).now(),
        Err(_) => DateTime::from_timestamp(1_796_781_600, 0).unwrap_or_default(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates, for each named test body `fn name(backend: Backend)`, one test on SQLite and
/// one on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(#[test] fn $name() { super::$name($crate::common::Backend::Sqlite) })*
        }
        mod on_postgres {
            $(#[test] fn $name() { super::$name($crate::common::Backend::Postgres) })*
        }
    };
}

/// The PostgreSQL server the tests use; `make test` starts one and sets this.
pub fn postgres_admin_url() -> String {
    std::env::var("INCUBOOK_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "set INCUBOOK_TEST_POSTGRES_URL=postgres://USER:PASSWORD@HOST/postgres (`make test` starts PostgreSQL and sets it)"
        )
    })
}

/// A new, empty database on the test PostgreSQL server, dropped when this goes.
pub struct TempDatabase {
    pub name: String,
    pub url: String,
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&postgres_admin_url(), postgres::NoTls) {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

pub fn fresh_postgres_database() -> TempDatabase {
    let admin = postgres_admin_url();
    let name = format!("incubook_test_{}", uuid::Uuid::now_v7().simple());
    let mut client = ok(postgres::Client::connect(&admin, postgres::NoTls));
    ok(client.batch_execute(&format!("CREATE DATABASE {name}")));
    let (server, _) = admin.rsplit_once('/').unwrap_or((&admin, ""));
    TempDatabase { url: format!("{server}/{name}"), name }
}

/// A value for a test query that runs on either backend.
#[derive(Clone, Copy)]
pub enum Arg<'a> {
    T(&'a str),
    I(i64),
}

pub struct TestServer {
    pub dir: tempfile::TempDir,
    pub base: String,
    pub db: Arc<dyn Database>,
    pub sample: SampleSummary,
    pub backend: Backend,
    /// The PostgreSQL database, dropped after the server stops.
    pub postgres: Option<TempDatabase>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.postgres.take();
    }
}

pub fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

impl TestServer {
    /// The small sample district on a SQLite server, loaded as of `now`.
    pub fn start(now: DateTime<Utc>) -> TestServer {
        TestServer::start_on(Backend::Sqlite, now)
    }

    /// The small sample district on the backend, loaded as of `now`: on SQLite the server's
    /// file is the seed itself; PostgreSQL imports the seed through `import_catalogue`.
    pub fn start_on(backend: Backend, now: DateTime<Utc>) -> TestServer {
        let dir = ok(tempfile::tempdir());
        let path = dir.path().join("district.db");
        let sample = {
            let mut store = ok(Store::open(&path));
            ok(sample::load(&mut store, Scale::Small, 7, now))
        };
        let postgres = (backend == Backend::Postgres).then(fresh_postgres_database);
        let db = match &postgres {
            None => ok(db::open(&format!("sqlite:{}", path.display()))),
            Some(temp) => {
                let db = ok(db::open(&temp.url));
                let seed = ok(Store::open(&path));
                let codes: Vec<String> = ok(seed.makerspaces()).into_iter().map(|m| m.code).collect();
                ok(db.import_catalogue(&seed, &codes, &mut |_, _| {}));
                db
            }
        };
        // What the sweeper does at `now` is done before the test starts: with the clock
        // pinned, its later rounds find nothing, and a test's "before" is not taken halfway
        // through the first one.
        ok(db.sweep_usage(now));
        let runtime = ok(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build());
        let listener = ok(runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")));
        let base = format!("http://{}", ok(listener.local_addr()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = db.clone();
        // The server's clock stands at the instant the sample was loaded for: what the test
        // sees does not depend on when it runs.
        let clock = incubook_core::clock::Clock::Pinned(now);
        let thread = std::thread::spawn(move || {
            // No-shows are released every 200 ms here (every 15 s in production), so that a
            // test sees the server do it by itself without waiting long.
            let limits = incubook_server::listen::Limits {
                no_show_sweep: std::time::Duration::from_millis(200),
                ..incubook_server::listen::Limits::default()
            };
            let _ = runtime.block_on(incubook_server::serve_with_limits(listener, (served, clock), None, limits, async move {
                let _ = stopped.await;
            }));
        });
        TestServer { dir, base, db, sample, backend, postgres, stop: Some(stop), thread: Some(thread) }
    }

    /// An account for a person of the sample district.
    pub fn account(&self, username: &str, person_id: &str, makerspace_code: &str, roles: &[ServerRole]) {
        let hash = ok(auth::hash_password(PASSWORD));
        ok(self.db.add_account(makerspace_code, username, &hash, roles, Some(person_id), 0));
    }

    /// A fresh desktop database signed in as `username`, after its first sync.
    pub fn client(&self, username: &str, now: DateTime<Utc>) -> Client {
        let dir = ok(tempfile::tempdir());
        let path = dir.path().join("incubook.db");
        let mut store = ok(Store::open(&path));
        let http = ok(HttpTransport::new(&self.base));
        let signed_in = ok(http.sign_in(username, PASSWORD));
        ok(store.connect_sync(&self.base, username, &signed_in.user.person_id, &signed_in.token));
        ok(store.set_district_operator(signed_in.user.is_district_operator()));
        ok(store.sync_once(&http, now));
        Client { _dir: dir, path, store, http, person_id: signed_in.user.person_id }
    }

    /// The sample as loaded: the catalogue the server started with. (On SQLite, the
    /// server's own file, read beside the running server.)
    pub fn seed(&self) -> Store {
        ok(Store::open(&self.dir.path().join("district.db")))
    }

    /// One text value of a query on the server's database, on either backend. Write `$1`…,
    /// and SQL both dialects read.
    pub fn text(&self, sql: &str, args: &[Arg]) -> Option<String> {
        match &self.postgres {
            None => {
                let (sqlite_sql, values) = sqlite_query(sql, args);
                let store = self.seed();
                // No row reads as NULL, as PostgreSQL's `SELECT (…)::text` does.
                let row = rusqlite::OptionalExtension::optional(store.conn().query_row(
                    &sqlite_sql,
                    rusqlite::params_from_iter(values),
                    |r| {
                        Ok(match r.get_ref(0)? {
                            rusqlite::types::ValueRef::Null => None,
                            rusqlite::types::ValueRef::Integer(i) => Some(i.to_string()),
                            rusqlite::types::ValueRef::Real(x) => Some(x.to_string()),
                            rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                                Some(String::from_utf8_lossy(t).into_owned())
                            }
                        })
                    },
                ));
                ok(row).flatten()
            }
            Some(temp) => {
                let mut client = ok(postgres::Client::connect(&temp.url, postgres::NoTls));
                let params = postgres_args(args);
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
                let row = ok(client.query_one(&format!("SELECT ({sql})::text"), &refs));
                row.get(0)
            }
        }
    }

    /// Changes rows of the server's database behind the server's back (to set a test up), on
    /// either backend; `$1`… as in `text`. On PostgreSQL the seed changes too, so that what
    /// the seed says still describes the server.
    pub fn execute(&self, sql: &str, args: &[Arg]) {
        let (sqlite_sql, values) = sqlite_query(sql, args);
        ok(self.seed().conn().execute(&sqlite_sql, rusqlite::params_from_iter(values)));
        if let Some(temp) = &self.postgres {
            let mut client = ok(postgres::Client::connect(&temp.url, postgres::NoTls));
            let params = postgres_args(args);
            let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
            ok(client.execute(sql, &refs));
        }
    }

    /// The URL of this test's PostgreSQL database, on that backend.
    pub fn postgres_url(&self) -> Option<String> {
        self.postgres.as_ref().map(|temp| temp.url.clone())
    }

    /// A count (or any integer) from a query on the server's database.
    pub fn count(&self, sql: &str, args: &[Arg]) -> i64 {
        let text = self.text(sql, args).unwrap_or_default();
        text.parse().unwrap_or_else(|_| panic!("{sql} gave {text:?}, not a number"))
    }
}

/// The query in SQLite's spelling (`?1` for `$1`) with its values.
fn sqlite_query(sql: &str, args: &[Arg]) -> (String, Vec<rusqlite::types::Value>) {
    let mut sqlite_sql = sql.to_string();
    for n in (1..=9).rev() {
        sqlite_sql = sqlite_sql.replace(&format!("${n}"), &format!("?{n}"));
    }
    let values = args
        .iter()
        .map(|a| match a {
            Arg::T(t) => rusqlite::types::Value::Text(t.to_string()),
            Arg::I(i) => rusqlite::types::Value::Integer(*i),
        })
        .collect();
    (sqlite_sql, values)
}

fn postgres_args(args: &[Arg]) -> Vec<Box<dyn postgres::types::ToSql + Sync>> {
    args.iter()
        .map(|a| -> Box<dyn postgres::types::ToSql + Sync> {
            match a {
                Arg::T(t) => Box::new(t.to_string()),
                Arg::I(i) => Box::new(*i),
            }
        })
        .collect()
}

pub struct Client {
    pub _dir: tempfile::TempDir,
    pub path: PathBuf,
    pub store: Store,
    pub http: HttpTransport,
    pub person_id: String,
}

impl Client {
    pub fn sync(&mut self, now: DateTime<Utc>) -> incubook::sync::client::SyncReport {
        ok(self.store.sync_once(&self.http, now))
    }

    pub fn transport(&self) -> &dyn Transport {
        &self.http
    }

    /// The bearer token this client signed in with, to push by hand.
    pub fn token(&self) -> String {
        ok(self.store.sync_token()).1
    }

    pub fn client_id(&self) -> String {
        ok(self.store.sync_status()).map(|s| s.client_id).unwrap_or_default()
    }
}

/// Founders of one makerspace of the sample, by person id.
pub fn founders_of(store: &Store, makerspace_code: &str) -> Vec<String> {
    let mut stmt = ok(store.conn().prepare(
        "SELECT r.person_id FROM person_role r JOIN makerspace m ON m.id = r.makerspace_id
         WHERE m.code = ?1 AND r.role = 'founder' ORDER BY r.person_id",
    ));
    ok(stmt.query_map([makerspace_code], |r| r.get(0))).map(ok).collect()
}

/// A mentor of PD-0001 who confirms bookings without a request step, and a free slot of theirs.
pub fn mentor_slot(store: &Store, now: chrono::DateTime<Utc>) -> (String, Slot) {
    let resource: String = ok(store.conn().query_row(
        "SELECT r.id FROM resource r JOIN mentor m ON m.resource_id = r.id JOIN makerspace s ON s.id = r.makerspace_id
         WHERE s.code = 'PD-0001' AND r.approval_required = 0 AND r.active = 1
           AND NOT EXISTS(SELECT 1 FROM office_block o WHERE o.resource_id = r.id)
         ORDER BY r.id LIMIT 1",
        [],
        |r| r.get(0),
    ));
    let today = now.date_naive();
    let search = SlotSearch { from: today, to: today + Duration::days(14), minutes: None };
    let slots = ok(store.slots(&resource, &search, now));
    let slot = slots.into_iter().find(|s| s.start > now + Duration::days(1)).unwrap_or_else(|| panic!("no free slot"));
    (resource, slot)
}

/// A lab manager of the makerspace and one of its labs.
pub fn manager_and_lab_of(seed: &Store, code: &str) -> (String, String) {
    let manager = ok(seed.conn().query_row(
        "SELECT r.person_id FROM person_role r JOIN makerspace m ON m.id = r.makerspace_id
         WHERE m.code = ?1 AND r.role = 'lab_manager' ORDER BY r.person_id LIMIT 1",
        [code],
        |r| r.get(0),
    ));
    let lab = ok(seed.conn().query_row(
        "SELECT l.id FROM lab l JOIN makerspace m ON m.id = l.makerspace_id WHERE m.code = ?1 ORDER BY l.id LIMIT 1",
        [code],
        |r| r.get(0),
    ));
    (manager, lab)
}

/// A lab manager of PD-0001 and one of its labs.
pub fn manager_and_lab(seed: &Store) -> (String, String) {
    manager_and_lab_of(seed, "PD-0001")
}

/// PD-0001 as a lab scenario sees it: the sample, a lab manager and their lab, and the
/// founders, with the manager and the first two founders signed up as "lm", "a" and "b".
pub struct LabAccounts {
    pub seed: Store,
    pub manager: String,
    pub lab: String,
    pub founders: Vec<String>,
}

pub fn lab_accounts(server: &TestServer) -> LabAccounts {
    let seed = server.seed();
    let founders = founders_of(&seed, "PD-0001");
    let (manager, lab) = manager_and_lab(&seed);
    server.account("lm", &manager, "PD-0001", &[ServerRole::LabManager]);
    server.account("a", &founders[0], "PD-0001", &[ServerRole::Founder]);
    server.account("b", &founders[1], "PD-0001", &[ServerRole::Founder]);
    LabAccounts { seed, manager, lab, founders }
}

/// A printer open round the clock that can be booked to start within minutes.
pub fn printer_in(lab: String) -> incubook::store::NewEquipment {
    incubook::store::NewEquipment {
        lab_id: lab,
        name: "工业级 3D 打印机".into(),
        category: "3D打印".into(),
        model: "F900".into(),
        hourly_fee_cents: 0,
        subsidy_pct: 0,
        policy: incubook::domain::Policy { min_notice_min: 0, granularity_min: 5, ..incubook::domain::Policy::default() },
        weekly_hours: (0..7).map(|weekday| incubook::domain::WeeklyHours { weekday, start_min: 0, end_min: 24 * 60 }).collect(),
    }
}
