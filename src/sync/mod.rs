//! Sync with the district server, after Replicache's push/pull model: the desktop keeps an
//! outbox of its mutations (written in the same transaction as the local change) and a
//! replica of the rows the server lets it see; the server applies each mutation once, in
//! order, with the same store code and rules, and versions every row it writes.
//!
//! The wire types here are pure data; `server` is the server's half (used by the SQLite
//! backend of `incubook-server`), `client` the desktop's half over a [`client::Transport`].

pub mod client;
pub mod http;
pub mod redact;
pub mod server;
mod tables;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::domain::{DateOverride, Id, Policy, WeeklyHours};
use crate::error::{CoreError, Result};

pub use tables::{SYNCED_TABLES, SyncedTable, table};

/// One change a client made, as it travels in a push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "args", rename_all = "snake_case", deny_unknown_fields)]
pub enum Mutation {
    Book {
        booking_id: Id,
        resource_id: Id,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        topic: String,
    },
    Cancel {
        booking_id: Id,
        reason: Option<String>,
    },
    Approve {
        booking_id: Id,
    },
    Decline {
        booking_id: Id,
        reason: String,
    },
    Complete {
        booking_id: Id,
    },
    NoShow {
        booking_id: Id,
    },
    Reschedule {
        booking_id: Id,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// A mentor's or equipment's weekly open hours, replaced whole.
    SetWeeklyHours {
        resource_id: Id,
        hours: Vec<WeeklyHours>,
    },
    /// A mentor's or equipment's booking rules, replaced whole.
    SetPolicy {
        resource_id: Id,
        policy: Policy,
    },
    /// A day off, part of a day off, or extra hours on one date, under an id the client chose.
    AddDateOverride {
        override_id: Id,
        resource_id: Id,
        date_override: DateOverride,
        note: String,
    },
    RemoveDateOverride {
        override_id: Id,
    },
}

impl Mutation {
    /// The table and id of the row the mutation changes: a mutation the server refuses
    /// re-sends that row, so the replica drops its optimistic copy.
    pub fn entity(&self) -> (&'static str, &str) {
        match self {
            Mutation::Book { booking_id, .. }
            | Mutation::Cancel { booking_id, .. }
            | Mutation::Approve { booking_id }
            | Mutation::Decline { booking_id, .. }
            | Mutation::Complete { booking_id }
            | Mutation::NoShow { booking_id }
            | Mutation::Reschedule { booking_id, .. } => ("booking", booking_id),
            Mutation::SetWeeklyHours { resource_id, .. } | Mutation::SetPolicy { resource_id, .. } => ("resource", resource_id),
            Mutation::AddDateOverride { override_id, .. } | Mutation::RemoveDateOverride { override_id } => {
                ("date_override", override_id)
            }
        }
    }
}

/// A mutation in a push: the client's sequence number, the mutation's name and arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushedMutation {
    pub id: i64,
    pub name: String,
    pub args: serde_json::Value,
}

impl PushedMutation {
    pub fn new(id: i64, mutation: &Mutation) -> Result<PushedMutation> {
        // The enum is adjacently tagged, so its JSON is exactly {"name": …, "args": …}.
        match serde_json::to_value(mutation) {
            Ok(serde_json::Value::Object(mut map)) => Ok(PushedMutation {
                id,
                name: map.remove("name").and_then(|n| n.as_str().map(str::to_string)).unwrap_or_default(),
                args: map.remove("args").unwrap_or(serde_json::Value::Null),
            }),
            Ok(other) => Err(CoreError::invalid("mutation", format!("not an object: {other}"))),
            Err(e) => Err(CoreError::invalid("mutation", e.to_string())),
        }
    }

    /// The typed mutation, or `invalid.mutation` for an unknown name or wrong arguments.
    pub fn parse(&self) -> Result<Mutation> {
        serde_json::from_value(serde_json::json!({"name": self.name, "args": self.args}))
            .map_err(|e| CoreError::invalid("mutation", format!("{} #{}: {e}", self.name, self.id)))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub client_id: String,
    pub mutations: Vec<PushedMutation>,
}

/// What became of one pushed mutation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MutationOutcome {
    pub id: i64,
    pub applied: bool,
    /// The error code when it failed for good (and was consumed).
    pub code: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushResponse {
    pub last_mutation_id: i64,
    pub outcomes: Vec<MutationOutcome>,
}

/// One change in a pull: a row to keep (insert or replace) or a row to delete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    Put { table: String, version: i64, row: serde_json::Map<String, serde_json::Value> },
    Delete { table: String, version: i64, key: serde_json::Map<String, serde_json::Value> },
}

impl Change {
    pub fn version(&self) -> i64 {
        match self {
            Change::Put { version, .. } | Change::Delete { version, .. } => *version,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// The cursor to ask with next.
    pub cursor: i64,
    /// More changes wait after this page.
    pub more: bool,
    /// The last of this client's mutations the server has processed (0 for none).
    pub last_mutation_id: i64,
}

/// Pull pages hold at most this many changes.
pub const MAX_PULL_PAGE: u32 = 5_000;

/// Appends a mutation to the outbox, inside the transaction of the local change, when this
/// database syncs with a server. On the server and on unconnected desktops it does nothing.
pub(crate) fn record(tx: &Connection, mutation: &Mutation, now: i64) -> Result<()> {
    let connected: bool = tx.prepare_cached("SELECT EXISTS(SELECT 1 FROM sync_state)")?.query_row([], |r| r.get(0))?;
    if !connected {
        return Ok(());
    }
    let pushed = PushedMutation::new(0, mutation)?;
    let (_, entity_id) = mutation.entity();
    tx.prepare_cached("INSERT INTO outbox(name, args, entity_id, created_at) VALUES (?1, ?2, ?3, ?4)")?.execute(params![
        pushed.name,
        pushed.args.to_string(),
        entity_id,
        now
    ])?;
    Ok(())
}
