//! A real district server on a loopback port (port 0), on its own runtime thread, with a
//! SQLite file seeded from the core's sample district; and real core clients syncing to it.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use incubook::sample::{self, SampleSummary, Scale};
use incubook::store::Store;
use incubook::sync::client::Transport;
use incubook::sync::http::HttpTransport;
use incubook_server::auth;
use incubook_server::db::{self, Database, ServerRole};

pub const PASSWORD: &str = "correct horse";

pub struct TestServer {
    pub dir: tempfile::TempDir,
    pub base: String,
    pub db: Arc<dyn Database>,
    pub sample: SampleSummary,
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
    }
}

pub fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

impl TestServer {
    /// The small sample district on the server, loaded as of `now`.
    pub fn start(now: DateTime<Utc>) -> TestServer {
        let dir = ok(tempfile::tempdir());
        let path = dir.path().join("district.db");
        let sample = {
            let mut store = ok(Store::open(&path));
            ok(sample::load(&mut store, Scale::Small, 7, now))
        };
        let db = ok(db::open(&format!("sqlite:{}", path.display())));
        let runtime = ok(tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build());
        let listener = ok(runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")));
        let base = format!("http://{}", ok(listener.local_addr()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = db.clone();
        let thread = std::thread::spawn(move || {
            let _ = runtime.block_on(incubook_server::serve(listener, served, async move {
                let _ = stopped.await;
            }));
        });
        TestServer { dir, base, db, sample, stop: Some(stop), thread: Some(thread) }
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
        ok(store.sync_once(&http, now));
        Client { _dir: dir, path, store, http, person_id: signed_in.user.person_id }
    }

    /// The server's own database, read beside the running server.
    pub fn read(&self) -> Store {
        ok(Store::open(&self.dir.path().join("district.db")))
    }
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
        ok(self.store.conn().query_row("SELECT token FROM sync_state", [], |r| r.get(0)))
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
