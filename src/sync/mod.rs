//! Sync with the district server, after Replicache's push/pull model: the desktop keeps an
//! outbox of its mutations (written in the same transaction as the local change) and a
//! replica of the rows the server lets it see; the server applies each mutation once, in
//! order, with the same store code and rules, and versions every row it writes.
//!
//! The wire types here are pure data; `server` is the server's half (used by the SQLite
//! backend of `incubook-server`), `client` the desktop's half over a [`client::Transport`].

pub mod client;
pub mod http;
pub mod protocol;
pub mod redact;
mod secret;
pub mod server;
mod tables;
pub mod upload;

use rusqlite::{Connection, params};

use crate::error::Result;

pub use crate::command::Command as Mutation;
pub use protocol::*;
pub use tables::{SYNCED_TABLES, SyncedTable, table};

/// Appends a mutation to the outbox, inside the transaction of the local change, when this
/// database syncs with a server. On the server and on unconnected desktops it does nothing.
pub(crate) fn record(tx: &Connection, mutation: &Mutation, now: i64) -> Result<()> {
    let connected: bool = tx.prepare_cached("SELECT EXISTS(SELECT 1 FROM sync_state)")?.query_row([], |r| r.get(0))?;
    if !connected {
        return Ok(());
    }
    let pushed = PushedMutation::new(0, mutation)?;
    let entity_id = mutation.entity_id();
    // The change goes out under the client of the account signed in now, which the server
    // applies it as. Its id is the wall clock in microseconds (or the next id, if larger): a
    // database restored from a backup would otherwise number its new changes with ids the
    // server already took from the changes made after the backup, and they would be dropped
    // as duplicates. The ids stay increasing whatever the clock does.
    tx.prepare_cached(
        "INSERT INTO outbox(mutation_id, name, args, entity_id, created_at, client_id, person_id)
         SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0) + 1,
                    CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)),
                ?1, ?2, ?3, ?4, client_id, person_id
         FROM sync_state WHERE id = 1",
    )?
    .execute(params![pushed.name, pushed.args.to_string(), entity_id, now])?;
    Ok(())
}
