//! The replica's side of sync, in the database: the connection and its cursor, the outbox
//! read in order, and pulled pages written in one transaction each. The network and the OS
//! keyring are the desktop crate's (`incubook::sync::client`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::domain::{Id, new_id, to_utc};
use crate::error::{CoreError, ErrorCode, Result};
use crate::protocol::{Change, MutationOutcome, PullResponse, PushedMutation};
use crate::store::{Store, sql_value, table_columns};
use crate::tables::table;

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
    /// Signed in as a district operator, who reads the district's figures from the server.
    pub district_operator: bool,
    /// The latest changes made here that the server refused for good, newest first.
    pub refused: Vec<RefusedChange>,
}

/// A change made on this desktop that the server refused for good: which (a check-in, and of
/// which booking), and why.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedChange {
    /// The command's name, like `check_in`.
    pub name: String,
    pub booking_id: Option<Id>,
    pub code: String,
    pub message: String,
    pub at: DateTime<Utc>,
}

/// How many refused changes a desktop keeps.
const REFUSED_KEPT: i64 = 200;
/// How many `sync_status` shows.
const REFUSED_SHOWN: usize = 10;

impl Store {
    /// Remembers the server and the signed-in user, with the token itself unless the OS
    /// keyring keeps it. Reconnecting as the same user to the same server keeps the client id
    /// and the cursor; anything else starts over — under the client this person's held
    /// changes wait for, if any, so that they go out now.
    pub fn save_connection(
        &mut self,
        server_url: &str,
        username: &str,
        person_id: &str,
        kept: Option<&str>,
        in_keyring: bool,
    ) -> Result<SyncStatus> {
        let same = self.sync_status()?.is_some_and(|s| s.server_url == server_url && s.person_id == person_id);
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
    pub fn db_path(&self) -> &str {
        self.conn.path().unwrap_or_default()
    }

    /// Gives this desktop's account a client id the server has never seen, with its waiting
    /// changes.
    pub fn new_client_id(&mut self) -> Result<String> {
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

    /// Forgets the stored token; waiting changes stay in the outbox for the next connection.
    pub fn forget_token(&mut self) -> Result<()> {
        self.write(|tx| Ok(tx.execute("UPDATE sync_state SET token = NULL, token_in_keyring = 0 WHERE id = 1", []).map(drop)?))
    }

    /// Remembers whether the signed-in account is a district operator (the server said so at
    /// sign-in).
    pub fn set_district_operator(&mut self, operator: bool) -> Result<()> {
        self.conn.execute("UPDATE sync_state SET district_operator = ?1 WHERE id = 1", [operator])?;
        Ok(())
    }

    pub fn sync_status(&self) -> Result<Option<SyncStatus>> {
        let (waiting, held): (i64, i64) = self.conn.query_row(
            "SELECT count(*) FILTER (WHERE o.client_id IS s.client_id), count(*) FILTER (WHERE o.client_id IS NOT s.client_id)
             FROM outbox o LEFT JOIN sync_state s ON s.id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let status = self
            .conn
            .query_row(
                "SELECT server_url, username, person_id, client_id, token IS NOT NULL OR token_in_keyring = 1, cursor, last_sync_at, last_error,
                        district_operator FROM sync_state WHERE id = 1",
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
                        district_operator: r.get::<_, bool>(4)? && r.get::<_, bool>(8)?,
                        refused: Vec::new(),
                    })
                },
            )
            .optional()?;
        status.map(|status| self.refused_changes(REFUSED_SHOWN).map(|refused| SyncStatus { refused, ..status })).transpose()
    }

    /// Keeps the changes of `sent` that the server refused for good (`outcomes`), and forgets
    /// all but the latest `REFUSED_KEPT`.
    pub fn record_refused(&mut self, sent: &[PushedMutation], outcomes: &[MutationOutcome], now: DateTime<Utc>) -> Result<()> {
        self.write(|tx| {
            for outcome in outcomes {
                let (Some(code), Some(m)) = (&outcome.code, sent.iter().find(|m| m.id == outcome.id)) else { continue };
                let booking_id = m.args.get("booking_id").and_then(|b| b.as_str());
                tx.prepare_cached(
                    "INSERT INTO refused_change(mutation_id, name, booking_id, code, message, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![m.id, m.name, booking_id, code, outcome.message.as_deref().unwrap_or(code), now.timestamp()])?;
            }
            tx.execute(
                "DELETE FROM refused_change WHERE rowid NOT IN (SELECT rowid FROM refused_change ORDER BY at DESC, rowid DESC LIMIT ?1)",
                [REFUSED_KEPT],
            )?;
            Ok(())
        })
    }

    /// The latest refused changes, newest first.
    pub fn refused_changes(&self, limit: usize) -> Result<Vec<RefusedChange>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, booking_id, code, message, at FROM refused_change ORDER BY at DESC, rowid DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(RefusedChange {
                name: r.get(0)?,
                booking_id: r.get(1)?,
                code: r.get(2)?,
                message: r.get(3)?,
                at: to_utc(r.get(4)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
    pub fn drop_unsendable(&mut self, mutation_id: i64) -> Result<()> {
        self.write(|tx| Ok(tx.execute("DELETE FROM outbox WHERE mutation_id = ?1", [mutation_id]).map(drop)?))
    }

    /// The connection, the token kept in the database (if any), and whether the OS keyring
    /// keeps it instead.
    pub fn stored_token(&self) -> Result<(SyncStatus, Option<String>, bool)> {
        let status = self.sync_status()?.ok_or_else(|| CoreError::invalid("sync", "not connected to a district server"))?;
        let (token, in_keyring) =
            self.conn
                .query_row("SELECT token, token_in_keyring FROM sync_state WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok((status, token, in_keyring))
    }

    pub fn sync_cursor(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT cursor FROM sync_state WHERE id = 1", [], |r| r.get(0))?)
    }

    pub fn record_sync_result(&mut self, error: Option<String>, now: DateTime<Utc>) -> Result<()> {
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
            if page.resync {
                // Behind the server's compacted deletes: the rows from the server go, and the
                // pages from 0 bring back every row that stands. The outbox stays.
                for t in crate::tables::SYNCED_TABLES.iter().rev() {
                    tx.execute(&format!("DELETE FROM {}", t.name), [])?;
                }
                tx.execute("UPDATE sync_state SET cursor = 0 WHERE id = 1", [])?;
            }
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
