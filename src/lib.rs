//! Incubook core: the district's shared mentors and lab equipment, their availability,
//! the booking rules, and the SQLite store that keeps them on the user's machine.
//!
//! The pure modules (`domain`, `interval`, `availability`, `rules`, `decide`) do no I/O, so the
//! district server decides bookings with exactly the same code as the desktop.

pub mod csv_import;
pub mod ics;
pub mod report;
pub mod sample;
pub mod store;
pub mod sync;

// The core's modules, at the paths callers have always used.
pub use incubook_core::{CoreError, Refusal, Result};
pub use incubook_core::{apply, availability, command, decide, domain, error, i18n, interval, ledger, rules, testing, validate};

/// The current time, unless `INCUBOOK_NOW` (RFC 3339) pins it for scripts and tests.
pub fn now() -> Result<chrono::DateTime<chrono::Utc>> {
    match std::env::var("INCUBOOK_NOW") {
        Ok(text) => Ok(domain::to_utc(domain::parse_instant("INCUBOOK_NOW", &text)?)),
        Err(_) => Ok(chrono::Utc::now()),
    }
}
