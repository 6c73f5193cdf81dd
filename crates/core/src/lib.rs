//! `incubook-core`: what Incubook decides, with no I/O. The domain and its validation, the
//! interval maths of availability, the booking rules, the commands and one
//! [`apply`](apply::apply) that decides each of them through the [`Ledger`](ledger::Ledger)
//! port, the sync protocol's wire types, and the error codes. Every backend — the desktop's
//! SQLite file, the district server's SQLite file and PostgreSQL, memory in tests — implements
//! the ledger inside its own transaction; none of them holds a rule.

pub mod allocation;
pub mod apply;
pub mod availability;
pub mod calls;
pub mod clock;
pub mod command;
pub mod decide;
pub mod domain;
pub mod error;
pub mod events;
pub mod feedback;
pub mod i18n;
pub mod interval;
pub mod kpi;
pub mod ledger;
pub mod matching;
pub mod office;
pub mod place;
pub mod protocol;
pub mod recurrence;
pub mod register;
pub mod rules;
pub mod startup;
pub mod tables;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod unified_code;
pub mod usage;
pub mod validate;
pub mod zones;

pub use error::{CoreError, Refusal, Result};
