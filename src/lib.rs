//! Incubook on the desktop: the sync client (HTTP and the OS keyring), calendar export and
//! the command line, over the SQLite store (`incubook-sqlite`) and the rulebook
//! (`incubook-core`), which are re-exported at the paths callers have always used.

pub mod ics;
pub mod sync;

pub use incubook_sqlite::{csv_import, indicators, intake, report, sample, statement, store, utilisation, year};

// The core's modules, at the paths callers have always used.
pub use incubook_core::{CoreError, Refusal, Result};
pub use incubook_core::{
    allocation, apply, availability, calls, clock, command, decide, domain, error, events, feedback, i18n, interval, kpi, ledger,
    matching, office, place, recurrence, register, rules, startup, unified_code, usage, validate, zones,
};

/// The current time by the process's clock ([`clock::Clock::from_env`]): the system's,
/// unless `INCUBOOK_NOW` (RFC 3339) pins it for scripts, demos and tests.
pub fn now() -> Result<chrono::DateTime<chrono::Utc>> {
    Ok(clock::Clock::from_env()?.now())
}

/// Today in the district's zone, by the same clock.
pub fn today() -> Result<chrono::NaiveDate> {
    Ok(clock::Clock::from_env()?.today())
}
