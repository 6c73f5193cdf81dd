//! Incubook on SQLite: the store the desktop app and the CLI open (and the district server's
//! SQLite backend builds on), its migrations, the core's `Ledger` over a transaction, and the
//! read models (search, slots, calendars, reports, imports).
//!
//! It depends on the core and on rusqlite, never on the network, the OS keyring or an async
//! runtime: the desktop's sync client lives in `incubook`, the server in `incubook-server`.

pub mod csv_import;
pub mod indicators;
pub mod intake;
pub mod outbox;
pub mod redact;
pub mod replica;
pub mod report;
pub mod sample;
pub mod secret;
pub mod statement;
pub mod store;
pub mod upload;
pub mod utilisation;
pub mod year;

// The core's modules at the paths this crate's files name them by.
pub(crate) use incubook_core::{
    allocation, apply, availability, calls, events, feedback, kpi, ledger, matching, office, place, register, startup, usage,
    zones,
};
pub(crate) use incubook_core::{command, decide, domain, error, i18n, interval, protocol, recurrence, rules, tables, validate};
