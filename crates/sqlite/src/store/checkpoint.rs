//! Checkpoints off the commit path. SQLite copies the write-ahead log back into the database
//! file (a checkpoint) inside whichever commit pushes the log past its threshold: that commit
//! writes a thousand pages and syncs the file twice. Measured on the district sample, those
//! commits made the mean booking commit twice its median (issue #30). Here a thread with its
//! own connection checkpoints after every few commits instead, so a commit costs its own
//! pages and one sync of the log; SQLite's own checkpoint stays as a backstop at a higher
//! threshold, should the thread fall behind.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// Commits between two nudges of the checkpointer: a booking writes about ten pages, so the
/// log is copied back every few hundred pages.
pub const COMMITS_PER_CHECKPOINT: u32 = 32;

/// SQLite's own checkpoint, for when the thread falls behind: at this many pages of log
/// (40 MB), the committing connection checkpoints as it would have at its default of 1,000.
pub const BACKSTOP_PAGES: u32 = 10_000;

pub(crate) struct Checkpointer {
    nudge: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
    commits: u32,
}

impl Checkpointer {
    /// A checkpointer for the database file at `path`; none for a database in memory, or
    /// where no thread can be started (then SQLite's own checkpoints do the work).
    pub(crate) fn start(path: Option<&str>) -> Option<Checkpointer> {
        let path = PathBuf::from(path.filter(|p| !p.is_empty())?);
        // A capacity of one: nudges that come while a checkpoint runs fold into the next.
        let (nudge, nudged) = sync_channel(1);
        let thread = std::thread::Builder::new().name("sqlite-checkpoint".into()).spawn(move || run(&path, &nudged)).ok()?;
        Some(Checkpointer { nudge: Some(nudge), thread: Some(thread), commits: 0 })
    }

    /// Counts a commit; every `COMMITS_PER_CHECKPOINT`th wakes the thread, without waiting.
    pub(crate) fn committed(&mut self) {
        self.commits += 1;
        if self.commits >= COMMITS_PER_CHECKPOINT {
            self.commits = 0;
            // Full: a checkpoint is under way or already asked for.
            if let Some(nudge) = &self.nudge {
                let _ = nudge.try_send(());
            }
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop after the checkpoint it may be running.
        self.nudge.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(path: &PathBuf, nudged: &Receiver<()>) {
    // The file exists: the store opened it first. No migrations, no pragmas but the wait.
    let Ok(conn) = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX) else {
        return;
    };
    let _ = conn.busy_timeout(Duration::from_secs(5));
    // PASSIVE never waits for the writer or readers: it copies what it can, and the writer
    // starts the log over once everything is copied.
    while nudged.recv().is_ok() {
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}
