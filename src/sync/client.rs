//! The desktop's half of sync: push the outbox in order, then pull pages and apply each
//! one — rows, cursor and the trimmed outbox — in one transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::http::HttpTransport;
use super::secret;
use super::{PullResponse, PushRequest, PushResponse};
use crate::error::{CoreError, Result};
use crate::store::Store;
pub use incubook_sqlite::replica::SyncStatus;

/// How a client reaches the server. The HTTP one lives in `http`; tests may wrap it to
/// lose responses or die halfway.
pub trait Transport: Sync {
    fn push(&self, token: &str, request: &PushRequest) -> Result<PushResponse>;
    fn pull(&self, token: &str, client_id: &str, cursor: i64) -> Result<PullResponse>;
}

/// What one sync did.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub pushed: u32,
    /// Pushed changes the server refused for good, with their codes.
    pub refused: Vec<String>,
    pub pulled: u32,
    pub waiting: i64,
}

pub use incubook_core::protocol::{MAX_REQUEST_BYTES, PUSH_BATCH};

/// Pushes go in batches of at most `PUSH_BATCH` mutations and of at most this many bytes of
/// arguments, well under the server's body limit: a hundred saves of a long session note
/// would not fit in one request.
pub const PUSH_BYTES: usize = 256 * 1024;

/// How a sync reaches the database: directly, or through the desktop's shared mutex, which
/// is held only while the database is read or written, never while the network is in use.
pub trait StoreAccess {
    fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T>;
}

impl StoreAccess for &mut Store {
    fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        f(self)
    }
}

impl StoreAccess for &std::sync::Mutex<Store> {
    fn with<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let mut store = self.lock().map_err(|_| CoreError::Io(std::io::Error::other("the database lock is poisoned")))?;
        f(&mut store)
    }
}

/// How far a sync has got, for a progress bar: changes sent of those waiting when it
/// started, and changes received so far.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SyncProgress {
    pub sent: u32,
    pub to_send: u32,
    pub received: u32,
}

/// One round — push everything waiting, then pull until the server has nothing newer — and
/// its outcome (last sync time or last error) recorded for Settings.
pub fn sync_with(access: impl StoreAccess, transport: &dyn Transport, now: DateTime<Utc>) -> Result<SyncReport> {
    sync_with_progress(access, transport, now, &mut |_| {})
}

/// `sync_with`, telling `progress` after each batch sent and each page received.
pub fn sync_with_progress(
    mut access: impl StoreAccess,
    transport: &dyn Transport,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<SyncReport> {
    let result = sync_round(&mut access, transport, progress, now);
    let error = result.as_ref().err().map(|e| format!("{}: {e}", e.code()));
    access.with(|store| store.record_sync_result(error, now))?;
    result
}

fn sync_round(
    access: &mut impl StoreAccess,
    transport: &dyn Transport,
    progress: &mut dyn FnMut(&SyncProgress),
    now: DateTime<Utc>,
) -> Result<SyncReport> {
    let (status, token) = access.with(|store| store.sync_token())?;
    let mut report = SyncReport::default();
    let mut done = SyncProgress { to_send: u32::try_from(status.waiting).unwrap_or(u32::MAX), ..SyncProgress::default() };
    progress(&done);
    let mut after = 0;
    let mut client_id = status.client_id.clone();
    loop {
        let batch = access.with(|store| store.outbox_batch(after, PUSH_BATCH, PUSH_BYTES))?;
        let Some(last) = batch.last().map(|m| m.id) else { break };
        let alone = batch.len() == 1;
        // One change too large for any request can never be sent, so it must not hold up the
        // ones after it: it stays on this desktop, and the refusal is reported. (Sending it
        // anyway would end in a 413, or in a reset while its body is still being written.)
        if alone && batch.iter().any(|m| m.args.to_string().len() + m.name.len() + 256 > MAX_REQUEST_BYTES) {
            access.with(|store| store.drop_unsendable(last))?;
            report.refused.push("too_large".into());
            after = last;
            continue;
        }
        let request = PushRequest { client_id: client_id.clone(), mutations: batch };
        let response = match transport.push(&token, &request) {
            // The server's limit is lower than this desktop knows: the same as above.
            Err(CoreError::Remote { code, .. }) if alone && code == "too_large" => {
                access.with(|store| store.drop_unsendable(last))?;
                report.refused.push(code);
                after = last;
                continue;
            }
            // The server asks this account to slow down: the rest goes in a later round, and
            // this one still brings what others changed.
            Err(CoreError::Remote { code, .. }) if code == "too_many_requests" => break,
            other => other?,
        };
        let sent = request.mutations;
        // The server has seen later changes from this client than this desktop has made: the
        // database was restored from a backup (or copied), and its new changes reuse ids the
        // server took as done. They go again under a new client id, which the server has not
        // seen, instead of being dropped as duplicates.
        if response.last_mutation_id > last {
            client_id = access.with(|store| store.new_client_id())?;
            after = 0;
            continue;
        }
        report.pushed += response.outcomes.len() as u32;
        report.refused.extend(response.outcomes.iter().filter_map(|o| o.code.clone()));
        if response.outcomes.iter().any(|o| o.code.is_some()) {
            access.with(|store| store.record_refused(&sent, &response.outcomes, now))?;
        }
        after = last;
        done.sent = report.pushed;
        done.to_send = done.to_send.max(done.sent);
        progress(&done);
    }
    // The next page is fetched while this one is written: on a first sync the server's work
    // and the transfer overlap the local writes instead of adding to them.
    let first = access.with(|store| store.sync_cursor())?;
    std::thread::scope(|scope| -> Result<()> {
        let (pages, arrived) = std::sync::mpsc::sync_channel::<Result<PullResponse>>(1);
        let (token, client_id) = (&token, &client_id);
        scope.spawn(move || {
            let mut cursor = first;
            loop {
                let page = transport.pull(token, client_id, cursor);
                let next = match &page {
                    Ok(p) if p.resync => Some(0),
                    Ok(p) if p.more && p.cursor > cursor => Some(p.cursor),
                    _ => None,
                };
                // A closed channel: the writer stopped at an error, so fetching stops too.
                if pages.send(page).is_err() {
                    return;
                }
                match next {
                    Some(c) => cursor = c,
                    None => return,
                }
            }
        });
        for page in arrived {
            let page = page?;
            report.pulled += page.changes.len() as u32;
            access.with(|store| store.apply_pull(&page))?;
            done.received = report.pulled;
            progress(&done);
        }
        Ok(())
    })?;
    report.waiting = access.with(|store| Ok(store.sync_status()?.map_or(0, |s| s.waiting)))?;
    Ok(report)
}

/// What the desktop does with its replica that needs the network or the OS keyring; the
/// database's half is `incubook_sqlite::replica`.
pub trait SyncClient {
    /// Remembers the server and the signed-in user, the token in the OS keyring where there
    /// is one (in the database otherwise).
    fn connect_sync(&mut self, server_url: &str, username: &str, person_id: &str, token: &str) -> Result<SyncStatus>;
    /// The connection and its bearer token, from wherever the token is kept.
    fn sync_token(&self) -> Result<(SyncStatus, String)>;
    /// Forgets the sign-in; waiting changes stay in the outbox for the next connection.
    fn sign_out_sync(&mut self) -> Result<()>;
    /// Signs out: revokes the token on the server when it can be reached (offline, the token
    /// still expires within a week), then forgets it here. Waiting changes stay.
    fn sign_out_everywhere(&mut self, server: &HttpTransport) -> Result<()>;
    /// One round: push everything waiting, then pull until the server has nothing newer.
    fn sync_once(&mut self, transport: &dyn Transport, now: DateTime<Utc>) -> Result<SyncReport>;
}

impl SyncClient for Store {
    fn connect_sync(&mut self, server_url: &str, username: &str, person_id: &str, token: &str) -> Result<SyncStatus> {
        let in_keyring = secret::save(self.db_path(), token);
        self.save_connection(server_url, username, person_id, (!in_keyring).then_some(token), in_keyring)
    }

    fn sync_token(&self) -> Result<(SyncStatus, String)> {
        let (status, token, in_keyring) = self.stored_token()?;
        // A keyring that lost the entry (or is locked) asks for a new sign-in, as an expired token does.
        let token = if in_keyring { secret::load(self.db_path()) } else { token };
        let token = token.ok_or_else(|| CoreError::Remote { code: "unauthorized".into(), message: "sign in again".into() })?;
        Ok((status, token))
    }

    fn sign_out_sync(&mut self) -> Result<()> {
        secret::forget(self.db_path());
        self.forget_token()
    }

    fn sign_out_everywhere(&mut self, server: &HttpTransport) -> Result<()> {
        if let Ok((_, token)) = self.sync_token() {
            match server.sign_out(&token) {
                Ok(()) | Err(CoreError::Offline(_)) => {}
                Err(CoreError::Remote { code, .. }) if code == "unauthorized" => {}
                Err(e) => return Err(e),
            }
        }
        self.sign_out_sync()
    }

    fn sync_once(&mut self, transport: &dyn Transport, now: DateTime<Utc>) -> Result<SyncReport> {
        sync_with(self, transport, now)
    }
}
