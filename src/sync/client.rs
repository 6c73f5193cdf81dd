//! The desktop's half of sync: push the outbox in order, then pull pages and apply each
//! one — rows, cursor and the trimmed outbox — in one transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::secret;
use super::table;
use super::{Change, PullResponse, PushRequest, PushResponse, PushedMutation};
use crate::domain::{new_id, to_utc};
use crate::error::{CoreError, ErrorCode, Result};
use crate::store::{Store, sql_value, table_columns};

/// How a client reaches the server. The HTTP one lives in `http`; tests may wrap it to
/// lose responses or die halfway.
pub trait Transport: Sync {
    fn push(&self, token: &str, request: &PushRequest) -> Result<PushResponse>;
    fn pull(&self, token: &str, client_id: &str, cursor: i64) -> Result<PullResponse>;
}

/// Where this database syncs to, as Settings → District connection shows it.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub server_url: String,
    pub username: String,
    pub person_id: String,
    pub client_id: String,
    pub signed_in: bool,
    pub cursor: i64,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// The last sync's error as "code: message".
    pub last_error: Option<String>,
    /// The code of `last_error`, as the UI compares it.
    pub last_error_code: Option<ErrorCode>,
    /// Changes made here that the server has not confirmed yet.
    pub waiting: i64,
    /// Changes another account made on this desktop: they wait until it signs in again, and
    /// never go out under the account signed in now.
    pub held: i64,
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

/// Pushes go in batches of this many mutations…
pub const PUSH_BATCH: usize = 100;

/// …and of at most this many bytes of arguments, well under the server's body limit:
/// a hundred saves of a long session note would not fit in one request.
pub const PUSH_BYTES: usize = 256 * 1024;

/// The largest request body the server takes (413 above it).
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

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
    let result = sync_round(&mut access, transport, progress);
    let error = result.as_ref().err().map(|e| format!("{}: {e}", e.code()));
    access.with(|store| store.record_sync_result(error, now))?;
    result
}

fn sync_round(
    access: &mut impl StoreAccess,
    transport: &dyn Transport,
    progress: &mut dyn FnMut(&SyncProgress),
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
        let response = match transport.push(&token, &PushRequest { client_id: client_id.clone(), mutations: batch }) {
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

impl Store {
    /// Remembers the server and the signed-in user. Reconnecting as the same user to the
    /// same server keeps the client id and the cursor; anything else starts over — under the
    /// client this person's held changes wait for, if any, so that they go out now.
    pub fn connect_sync(&mut self, server_url: &str, username: &str, person_id: &str, token: &str) -> Result<SyncStatus> {
        let same = self.sync_status()?.is_some_and(|s| s.server_url == server_url && s.person_id == person_id);
        let in_keyring = secret::save(self.db_path(), token);
        let kept = (!in_keyring).then_some(token);
        self.write(|tx| {
            if same {
                tx.execute(
                    "UPDATE sync_state SET token = ?1, token_in_keyring = ?2, username = ?3, last_error = NULL WHERE id = 1",
                    params![kept, in_keyring, username],
                )?;
            } else {
                let held: Option<String> = tx
                    .query_row(
                        "SELECT client_id FROM outbox WHERE person_id = ?1 ORDER BY mutation_id LIMIT 1",
                        [person_id],
                        |r| r.get(0),
                    )
                    .optional()?;
                tx.execute("DELETE FROM sync_state", [])?;
                tx.execute(
                    "INSERT INTO sync_state(id, server_url, username, person_id, token, token_in_keyring, client_id, cursor)
                     VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, 0)",
                    params![server_url, username, person_id, kept, in_keyring, held.unwrap_or_else(new_id)],
                )?;
            }
            Ok(())
        })?;
        self.sync_status()?.ok_or_else(|| CoreError::not_found("sync_state", "1"))
    }

    /// The file this store lives in; empty for a store in memory.
    fn db_path(&self) -> &str {
        self.conn.path().unwrap_or_default()
    }

    /// Signs out: revokes the token on the server when it can be reached (offline, the token
    /// still expires within a week), then forgets it here. Waiting changes stay.
    pub fn sign_out_everywhere(&mut self, server: &super::http::HttpTransport) -> Result<()> {
        if let Ok((_, token)) = self.sync_token() {
            match server.sign_out(&token) {
                Ok(()) | Err(CoreError::Offline(_)) => {}
                Err(CoreError::Remote { code, .. }) if code == "unauthorized" => {}
                Err(e) => return Err(e),
            }
        }
        self.sign_out_sync()
    }

    /// Gives this desktop's account a client id the server has never seen, with its waiting
    /// changes.
    fn new_client_id(&mut self) -> Result<String> {
        self.write(|tx| {
            let fresh = new_id();
            tx.execute(
                "UPDATE outbox SET client_id = ?1 WHERE client_id = (SELECT client_id FROM sync_state WHERE id = 1)",
                [&fresh],
            )?;
            tx.execute("UPDATE sync_state SET client_id = ?1 WHERE id = 1", [&fresh])?;
            Ok(fresh)
        })
    }

    /// Forgets the sign-in; waiting changes stay in the outbox for the next connection.
    pub fn sign_out_sync(&mut self) -> Result<()> {
        secret::forget(self.db_path());
        self.write(|tx| Ok(tx.execute("UPDATE sync_state SET token = NULL, token_in_keyring = 0 WHERE id = 1", []).map(drop)?))
    }

    pub fn sync_status(&self) -> Result<Option<SyncStatus>> {
        let (waiting, held): (i64, i64) = self.conn.query_row(
            "SELECT count(*) FILTER (WHERE o.client_id IS s.client_id), count(*) FILTER (WHERE o.client_id IS NOT s.client_id)
             FROM outbox o LEFT JOIN sync_state s ON s.id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(self
            .conn
            .query_row(
                "SELECT server_url, username, person_id, client_id, token IS NOT NULL OR token_in_keyring = 1, cursor, last_sync_at, last_error FROM sync_state WHERE id = 1",
                [],
                |r| {
                    let last_error: Option<String> = r.get(7)?;
                    Ok(SyncStatus {
                        last_error_code: last_error.as_deref().map(|e| ErrorCode::parse(e.split(':').next().unwrap_or_default())),
                        server_url: r.get(0)?,
                        username: r.get(1)?,
                        person_id: r.get(2)?,
                        client_id: r.get(3)?,
                        signed_in: r.get(4)?,
                        cursor: r.get(5)?,
                        last_sync_at: r.get::<_, Option<i64>>(6)?.map(to_utc),
                        last_error,
                        waiting,
                        held,
                    })
                },
            )
            .optional()?)
    }

    /// The oldest mutations waiting for the server, in the order they were made.
    pub fn outbox(&self, limit: usize) -> Result<Vec<PushedMutation>> {
        self.outbox_batch(0, limit, usize::MAX)
    }

    /// Waiting mutations after the given one, oldest first: at most `limit` of them, and no
    /// more than `max_bytes` of arguments (but always the first).
    pub fn outbox_batch(&self, after: i64, limit: usize, max_bytes: usize) -> Result<Vec<PushedMutation>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT mutation_id, name, args FROM outbox
                 WHERE mutation_id > ?1 AND client_id = (SELECT client_id FROM sync_state WHERE id = 1)
                 ORDER BY mutation_id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![after, limit as i64], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        let mut batch = Vec::new();
        let mut bytes = 0;
        for row in rows {
            let (id, name, args) = row?;
            bytes += args.len() + name.len() + 32;
            if bytes > max_bytes && !batch.is_empty() {
                break;
            }
            let args = serde_json::from_str(&args).map_err(|e| CoreError::invalid("outbox", e.to_string()))?;
            batch.push(PushedMutation { id, name, args });
        }
        Ok(batch)
    }

    /// Takes a change the server can never accept (larger than any request may be) out of
    /// the outbox, so that the changes after it go.
    fn drop_unsendable(&mut self, mutation_id: i64) -> Result<()> {
        self.write(|tx| Ok(tx.execute("DELETE FROM outbox WHERE mutation_id = ?1", [mutation_id]).map(drop)?))
    }

    /// One round: push everything waiting, then pull until the server has nothing newer.
    pub fn sync_once(&mut self, transport: &dyn Transport, now: DateTime<Utc>) -> Result<SyncReport> {
        sync_with(self, transport, now)
    }

    /// The connection and its bearer token, from wherever the token is kept.
    pub fn sync_token(&self) -> Result<(SyncStatus, String)> {
        let status = self.sync_status()?.ok_or_else(|| CoreError::invalid("sync", "not connected to a district server"))?;
        let (token, in_keyring): (Option<String>, bool) =
            self.conn
                .query_row("SELECT token, token_in_keyring FROM sync_state WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        // A keyring that lost the entry (or is locked) asks for a new sign-in, as an expired token does.
        let token = if in_keyring { secret::load(self.db_path()) } else { token };
        let token = token.ok_or_else(|| CoreError::Remote { code: "unauthorized".into(), message: "sign in again".into() })?;
        Ok((status, token))
    }

    fn sync_cursor(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT cursor FROM sync_state WHERE id = 1", [], |r| r.get(0))?)
    }

    fn record_sync_result(&mut self, error: Option<String>, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "UPDATE sync_state SET last_error = ?1, last_sync_at = CASE WHEN ?1 IS NULL THEN ?2 ELSE last_sync_at END WHERE id = 1",
                params![error, now.timestamp()],
            )?;
            Ok(())
        })
    }

    /// Applies one page: its rows, the new cursor, and the outbox trimmed to what the
    /// server has processed, in one transaction. A page may hold a child before its
    /// parent's newer version, so references are checked by the server, not here.
    pub fn apply_pull(&mut self, page: &PullResponse) -> Result<()> {
        // A page lost to a power cut is pulled again (its cursor is lost with it), so its
        // commit need not wait for the disk; the next commit that does wait syncs it too.
        let synchronous: i64 = self.conn.pragma_query_value(None, "synchronous", |r| r.get(0))?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let result = self.apply_page(page);
        self.conn.pragma_update(None, "synchronous", synchronous)?;
        result
    }

    fn apply_page(&mut self, page: &PullResponse) -> Result<()> {
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let result = self.write(|tx| {
            let mut writer = RowWriter::default();
            for change in &page.changes {
                writer.apply(tx, change)?;
            }
            tx.execute("UPDATE sync_state SET cursor = max(cursor, ?1) WHERE id = 1", [page.cursor])?;
            tx.execute(
                "DELETE FROM outbox WHERE mutation_id <= ?1 AND client_id = (SELECT client_id FROM sync_state WHERE id = 1)",
                [page.last_mutation_id],
            )?;
            Ok(())
        });
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        result
    }
}

/// Writes pulled changes. Table and column names come from this database's own schema; a
/// table or column this version does not know (a newer server) is skipped. A first sync
/// writes a quarter of a million rows, so each (table, columns present) gets its SQL once.
#[derive(Default)]
struct RowWriter {
    columns: HashMap<&'static str, Vec<String>>,
    /// INSERT statements by table and by which of its columns the row has (a bit each).
    inserts: HashMap<(&'static str, u64), String>,
}

impl RowWriter {
    fn apply(&mut self, tx: &Connection, change: &Change) -> Result<()> {
        match change {
            Change::Put { table: name, row, .. } => {
                let Some(t) = table(name) else { return Ok(()) };
                if !self.columns.contains_key(t.name) {
                    self.columns.insert(t.name, table_columns(tx, t.name)?);
                }
                let known = self.columns.get(t.name).map(Vec::as_slice).unwrap_or_default();
                if t.key.iter().any(|k| !row.contains_key(*k)) {
                    return Err(CoreError::invalid("pull", format!("a {name} row without its key")));
                }
                let mut mask = 0u64;
                let mut values = Vec::with_capacity(known.len());
                for (i, c) in known.iter().enumerate().take(64) {
                    if let Some(v) = row.get(c.as_str()) {
                        mask |= 1 << i;
                        values.push(sql_value(v));
                    }
                }
                let sql = self.inserts.entry((t.name, mask)).or_insert_with(|| {
                    let present: Vec<&str> =
                        known.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, c)| c.as_str()).collect();
                    let marks = (1..=present.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
                    format!("INSERT OR REPLACE INTO {} ({}) VALUES ({marks})", t.name, present.join(", "))
                });
                tx.prepare_cached(sql)?.execute(rusqlite::params_from_iter(values))?;
            }
            Change::Delete { table: name, key, .. } => {
                let Some(t) = table(name) else { return Ok(()) };
                let mut values = Vec::with_capacity(t.key.len());
                for k in t.key {
                    values.push(sql_value(
                        key.get(*k).ok_or_else(|| CoreError::invalid("pull", format!("a {name} tombstone without {k}")))?,
                    ));
                }
                let filter = t.key.iter().enumerate().map(|(i, k)| format!("{k} = ?{}", i + 1)).collect::<Vec<_>>().join(" AND ");
                tx.prepare_cached(&format!("DELETE FROM {} WHERE {filter}", t.name))?
                    .execute(rusqlite::params_from_iter(values))?;
            }
        }
        Ok(())
    }
}
