//! Sync with the district server, after Replicache's push/pull model: the desktop keeps an
//! outbox of its mutations (written in the same transaction as the local change) and a
//! replica of the rows the server lets it see; the server applies each mutation once, in
//! order, with the same store code and rules, and versions every row it writes.
//!
//! The wire types (`protocol`) are pure data; `client` is the desktop's half over a
//! [`client::Transport`] and the OS keyring. The outbox (the store's journal) and the
//! replica's rows live with the store in `incubook-sqlite`; the server's half in
//! `incubook-server`.

pub mod client;
pub mod http;
mod secret;

pub use incubook_sqlite::{redact, upload};

pub use crate::command::Command as Mutation;
pub use incubook_core::protocol;
pub use incubook_core::tables::{SYNCED_TABLES, SyncedTable, key_match, table};
pub use incubook_sqlite::outbox::Outbox;
pub use protocol::*;
