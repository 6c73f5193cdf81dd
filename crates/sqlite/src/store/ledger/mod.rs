//! The SQLite [`Ledger`]: the rows `apply` reads and writes, inside the store's open write
//! transaction (the desktop's file, or the district server's).

use rusqlite::{Connection, OptionalExtension, params};

use super::calendar::{load_busy, load_rules};
use super::directory::{makerspace_by_code, makerspace_from_row};
use super::labs::{insert_blackout, insert_equipment, insert_lab, lab_home};
use super::mentors::{insert_mentor, write_facets, write_policy};
use super::series::{JOIN_SERIES_SQL, SERIES_OF_SQL};
use super::startups::{load_startup, startup_by_code, startup_of, write_startup_effect};
use super::usage::{
    CLOSE_SESSION_SQL, CORRECT_SESSION_SQL, INSERT_SESSION_SQL, NO_SHOWS_SQL, OPEN_AFTER_END_SQL, OPEN_SESSIONS_SQL,
    SESSION_BY_BOOKING_SQL, SESSION_BY_ID_SQL, SET_RATES_SQL, SET_REGISTER_SQL, SET_USAGE_RULES_SQL, UNCHECKED_STARTED_SQL,
    USAGE_RULES_SQL, basis_text, register_columns, stored_session, usage_rules_of,
};
use super::{Actor, load_actor};
use crate::domain::{BookingStatus, Id, Lab, Makerspace, OverrideKind, encode_weekly, new_id};
use crate::error::{CoreError, Result};
use crate::interval::Span;
use crate::ledger::*;
use crate::rules::ResourceRules;
use crate::startup::StoredStartup;
use crate::usage::{Rates, UsageRules};

mod booking;
mod calendar;
mod call;
mod directory;
mod event;
mod lab;
mod mentor;
mod money;
mod office;
mod record;
mod startup;
mod usage;

/// `None` for a row that is not there; other failures stay failures.
fn found<T>(read: Result<T>) -> Result<Option<T>> {
    match read {
        Ok(v) => Ok(Some(v)),
        Err(CoreError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn stored_booking(r: &rusqlite::Row) -> rusqlite::Result<(Id, Id, Id, i64, i64, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

fn to_stored((id, resource_id, booker_id, start, end, status): (Id, Id, Id, i64, i64, String)) -> Result<StoredBooking> {
    Ok(StoredBooking { id, resource_id, booker_id, span: Span::new(start, end), status: BookingStatus::parse(&status)? })
}

type SessionColumns = ((Id, Id, Id, Id), (i64, Option<i64>), (String, String), (i64, i64, i64, bool));

fn session_columns(r: &rusqlite::Row) -> rusqlite::Result<SessionColumns> {
    Ok((
        (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
        (r.get(4)?, r.get(5)?),
        (r.get(6)?, r.get(7)?),
        (r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?),
    ))
}

fn session_facts((ids, times, (class, purpose), money): SessionColumns) -> Result<StoredSession> {
    stored_session(ids, times, (&class, &purpose), money)
}

pub struct SqliteLedger<'a> {
    tx: &'a Connection,
}

impl<'a> SqliteLedger<'a> {
    pub fn new(tx: &'a Connection) -> SqliteLedger<'a> {
        SqliteLedger { tx }
    }
}
