//! Incubook on the desktop: the sync client (HTTP and the OS keyring), calendar export and
//! the command line, over the SQLite store (`incubook-sqlite`) and the rulebook
//! (`incubook-core`), which are re-exported at the paths callers have always used.

pub mod ics;
pub mod sync;

pub use incubook_sqlite::{csv_import, indicators, report, sample, statement, store, utilisation, year};

// The core's modules, at the paths callers have always used.
pub use incubook_core::{CoreError, Refusal, Result};
pub use incubook_core::{
    allocation, apply, availability, command, decide, domain, error, events, feedback, i18n, interval, kpi, ledger, matching,
    office, place, recurrence, register, rules, startup, testing, usage, validate, zones,
};

/// The current time, unless `INCUBOOK_NOW` (RFC 3339) pins it for scripts and tests.
pub fn now() -> Result<chrono::DateTime<chrono::Utc>> {
    match std::env::var("INCUBOOK_NOW") {
        Ok(text) => Ok(domain::to_utc(domain::parse_instant("INCUBOOK_NOW", &text)?)),
        Err(_) => Ok(chrono::Utc::now()),
    }
}
