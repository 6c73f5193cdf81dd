//! The desktop's outbox: every command the store writes is appended, in the same
//! transaction, when this database syncs with a district server — so a change and the
//! mutation that will carry it commit together (DESIGN invariant 3).

use std::path::Path;

use rusqlite::{Connection, params};

use crate::command::Command;
use crate::error::Result;
use crate::protocol::PushedMutation;
use crate::store::{Journal, Store};

/// The desktop's journal. On an unconnected desktop it does nothing.
pub struct Outbox;

impl Journal for Outbox {
    fn record(&self, tx: &Connection, mutation: &Command, now: i64) -> Result<()> {
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
}

impl Store {
    /// Opens (creating if needed) the desktop's database file, with its outbox.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, Box::new(Outbox))
    }

    pub fn open_in_memory() -> Result<Store> {
        Store::open_in_memory_with(Box::new(Outbox))
    }
}
