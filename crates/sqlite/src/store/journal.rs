//! What the store tells about each command it writes, inside the write's own transaction: the
//! desktop appends it to the sync outbox, the district server acknowledges the pushed
//! mutation it came from. The store calls the hook and knows neither.

use std::ops::Deref;

use rusqlite::Connection;

use crate::command::Command;
use crate::error::Result;

/// A hook the store calls inside every write transaction. A failure rolls the write back,
/// so a change and its journal entry commit together or not at all.
pub trait Journal: Send {
    /// A command the write made, as the sync protocol carries it.
    fn record(&self, tx: &Connection, command: &Command, now: i64) -> Result<()>;

    /// Just before the write's transaction (or savepoint) commits.
    fn before_commit(&self, _tx: &Connection) -> Result<()> {
        Ok(())
    }
}

/// A store that journals nothing: a read-only connection, a file opened to be copied from.
pub struct NoJournal;

impl Journal for NoJournal {
    fn record(&self, _tx: &Connection, _command: &Command, _now: i64) -> Result<()> {
        Ok(())
    }
}

/// The open write transaction, with the journal its commands go to. It reads and writes as
/// the connection it wraps.
pub struct Tx<'a> {
    conn: &'a Connection,
    journal: &'a dyn Journal,
}

impl<'a> Tx<'a> {
    pub(super) fn new(conn: &'a Connection, journal: &'a dyn Journal) -> Tx<'a> {
        Tx { conn, journal }
    }

    /// Journals a command this transaction wrote.
    pub fn record(&self, command: &Command, now: i64) -> Result<()> {
        self.journal.record(self.conn, command, now)
    }
}

impl Deref for Tx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}
