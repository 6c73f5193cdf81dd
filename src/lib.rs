//! Incubook core: the district's shared mentors and lab equipment, their availability,
//! the booking rules, and the SQLite store that keeps them on the user's machine.
//!
//! The pure modules (`domain`, `interval`, `availability`, `rules`, `decide`) do no I/O, so the
//! district server decides bookings with exactly the same code as the desktop.

pub mod apply;
pub mod availability;
pub mod command;
pub mod csv_import;
pub mod decide;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod ics;
pub mod interval;
pub mod ledger;
pub mod report;
pub mod rules;
pub mod sample;
pub mod store;
pub mod sync;
pub mod validate;

pub use error::{CoreError, Refusal, Result};

/// The current time, unless `INCUBOOK_NOW` (RFC 3339) pins it for scripts and tests.
pub fn now() -> Result<chrono::DateTime<chrono::Utc>> {
    match std::env::var("INCUBOOK_NOW") {
        Ok(text) => Ok(domain::to_utc(domain::parse_instant("INCUBOOK_NOW", &text)?)),
        Err(_) => Ok(chrono::Utc::now()),
    }
}
