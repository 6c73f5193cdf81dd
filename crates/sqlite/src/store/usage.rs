//! Usage sessions and rates on SQLite: the statements the ledger runs (shared with the
//! PostgreSQL backend), and what the desktop reads back. SQLite numbers `$n` parameters in
//! the order they first appear, so each statement names `$1`, `$2`… in that order for
//! both backends to bind alike.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::Store;
use crate::command::Command;
use crate::domain::{Id, new_id, to_utc};
use crate::error::{CoreError, Result};
use crate::ledger::StoredSession;
use crate::register::InstrumentRegister;
use crate::usage::{ChargeBasis, Fen, Purpose, Rates, UsageRules, UserClass};

/// The columns of a session's facts, in the order `stored_session` takes them.
macro_rules! session_facts {
    () => {
        "s.id, s.resource_id, s.booking_id, s.person_id, s.started_at, s.ended_at, s.user_class, s.purpose, s.samples, s.fee_fen, s.waived_fen, s.walk_up"
    };
}

/// A session's facts for `apply`, by its id (`$1`).
pub const SESSION_BY_ID_SQL: &str = concat!("SELECT ", session_facts!(), " FROM usage_session s WHERE s.id = $1");
/// The session of booking `$1`.
pub const SESSION_BY_BOOKING_SQL: &str = concat!("SELECT ", session_facts!(), " FROM usage_session s WHERE s.booking_id = $1");
pub const INSERT_SESSION_SQL: &str =
    "INSERT INTO usage_session(id, resource_id, booking_id, person_id, started_at, user_class, purpose, samples, walk_up, startup_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
/// (ended at, fee, flagged 0/1, session id).
pub const CLOSE_SESSION_SQL: &str = "UPDATE usage_session SET ended_at = $1, fee_fen = $2, flagged = $3 WHERE id = $4";
/// Open sessions whose booking ended at or before `$1`.
pub const OPEN_AFTER_END_SQL: &str = concat!(
    "SELECT ",
    session_facts!(),
    " FROM usage_session s JOIN booking b ON b.id = s.booking_id WHERE s.ended_at IS NULL AND b.end_at <= $1
     ORDER BY s.started_at, s.id"
);
/// The open sessions of instrument `$1`.
pub const OPEN_SESSIONS_SQL: &str = concat!(
    "SELECT ",
    session_facts!(),
    " FROM usage_session s WHERE s.resource_id = $1 AND s.ended_at IS NULL ORDER BY s.started_at, s.id"
);
/// (started, ended, purpose, samples, fee, waived, session id).
pub const CORRECT_SESSION_SQL: &str = "UPDATE usage_session SET started_at = $1, ended_at = $2, purpose = $3, samples = $4,
     fee_fen = $5, waived_fen = $6, corrected = 1 WHERE id = $7";
/// An instrument's rates (`$1`, its resource id).
pub const RATES_SQL: &str =
    "SELECT rate_internal_fen, rate_external_fen, rate_enterprise_fen, charge_basis, minimum_fen, rounding_min
     FROM equipment WHERE resource_id = $1";
/// (internal, external, enterprise fen per hour, basis, minimum, rounding step, resource id).
pub const SET_RATES_SQL: &str = "UPDATE equipment SET rate_internal_fen = $1, rate_external_fen = $2, rate_enterprise_fen = $3,
     charge_basis = $4, minimum_fen = $5, rounding_min = $6 WHERE resource_id = $7";

/// An instrument's check-in and release rules (`$1`, its resource id).
pub const USAGE_RULES_SQL: &str = "SELECT check_in_opens_min, no_show_after_min, close_grace_min, approval_after_no_shows FROM equipment WHERE resource_id = $1";
/// (opens, release after, close grace, approval after no-shows, resource id).
pub const SET_USAGE_RULES_SQL: &str =
    "UPDATE equipment SET check_in_opens_min = $1, no_show_after_min = $2, close_grace_min = $3,
     approval_after_no_shows = $4 WHERE resource_id = $5";
/// How many of person `$1`'s bookings that started at or after `$2` were released as no-shows.
pub const NO_SHOWS_SQL: &str =
    "SELECT count(*) FROM booking WHERE booker_id = $1 AND status = 'no_show' AND deleted = 0 AND start_at >= $2";
/// An instrument's register entry (`$1`, its resource id), in `register_of`'s order.
pub const REGISTER_SQL: &str = "SELECT original_value_fen, purchased_on, accepted_on, funding, asset_number, open_for_sharing,
     operator_id FROM equipment WHERE resource_id = $1";
/// (value, bought, accepted, funding, asset number, open 0/1, operator, resource id).
pub const SET_REGISTER_SQL: &str = "UPDATE equipment SET original_value_fen = $1, purchased_on = $2, accepted_on = $3,
     funding = $4, asset_number = $5, open_for_sharing = $6, operator_id = $7 WHERE resource_id = $8";
/// Confirmed bookings of instruments under way at `$1` with no session: what `release_no_shows` weighs.
pub const UNCHECKED_STARTED_SQL: &str = "SELECT b.id, b.resource_id, b.booker_id, b.start_at, b.end_at, b.status
     FROM booking b JOIN equipment e ON e.resource_id = b.resource_id
     WHERE b.status = 'confirmed' AND b.deleted = 0 AND b.start_at <= $1 AND b.end_at > $1
       AND NOT EXISTS(SELECT 1 FROM usage_session s WHERE s.booking_id = b.id)
     ORDER BY b.start_at, b.id";

/// Mentors' bookings holding their time that start in `$1..$2`, with the mentor's zone and the
/// booker's (their makerspace's, the first by id), by start.
pub const MENTOR_SESSIONS_SQL: &str = concat!(
    "SELECT * FROM (SELECT b.id, b.resource_id, b.booker_id, b.start_at, b.end_at, b.status, r.timezone AS mentor_zone, ",
    makerspace_zone_of!("b.booker_id"),
    " AS booker_zone
     FROM booking b JOIN resource r ON r.id = b.resource_id
     WHERE r.kind = 'mentor' AND b.status IN ('requested', 'confirmed') AND b.deleted = 0 AND b.start_at >= $1 AND b.start_at < $2) s
     -- Sides in one zone never see their clocks move apart: only the others go back to the app.
     WHERE booker_zone IS NULL OR mentor_zone <> booker_zone ORDER BY start_at, id"
);
/// Whether the booker of booking `$1` was told of a zone change before it.
pub const ZONE_NOTICE_EXISTS_SQL: &str =
    "SELECT EXISTS(SELECT 1 FROM notification WHERE booking_id = $1 AND kind = 'zone_change')";

/// Requests to mentors made at or before `$1` that nobody has answered, oldest first.
pub const UNANSWERED_REQUESTS_SQL: &str = "SELECT b.id, b.resource_id, b.booker_id, b.start_at, b.end_at, b.status
     FROM booking b JOIN mentor m ON m.resource_id = b.resource_id
     WHERE b.status = 'requested' AND b.deleted = 0 AND b.created_at <= $1
     ORDER BY b.created_at, b.id";

/// Usage rules from their columns (`USAGE_RULES_SQL`), as both backends read them.
pub fn usage_rules_of([check_in_opens_min, no_show_after_min, close_grace_min, approval_after_no_shows]: [i64; 4]) -> UsageRules {
    let minutes = |m: i64| u32::try_from(m).unwrap_or_default();
    UsageRules {
        check_in_opens_min: minutes(check_in_opens_min),
        no_show_after_min: minutes(no_show_after_min),
        close_grace_min: minutes(close_grace_min),
        approval_after_no_shows: minutes(approval_after_no_shows),
    }
}

/// The register's columns as the statements bind them: (value, bought, accepted, funding,
/// asset number, open 0/1, operator).
pub type RegisterColumns = (Option<Fen>, Option<String>, Option<String>, Option<String>, String, i64, Option<Id>);

/// A register entry from its columns (`REGISTER_SQL`), as both backends read them.
pub fn register_of((value, bought, accepted, funding, asset_number, open, operator): RegisterColumns) -> InstrumentRegister {
    let date = |d: Option<String>| d.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    InstrumentRegister {
        original_value_fen: value,
        purchased_on: date(bought),
        accepted_on: date(accepted),
        funding: funding.and_then(|f| f.parse().ok()),
        asset_number,
        open_for_sharing: open != 0,
        operator_id: operator,
    }
}

/// A register entry as the statements bind it.
pub fn register_columns(r: &InstrumentRegister) -> RegisterColumns {
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    (
        r.original_value_fen,
        date(r.purchased_on),
        date(r.accepted_on),
        r.funding.map(|f| <&str>::from(f).to_string()),
        r.asset_number.trim().to_string(),
        i64::from(r.open_for_sharing),
        r.operator_id.clone(),
    )
}

/// A session row's facts (the columns of `session_facts!`), as both backends read them.
pub fn stored_session(
    (id, resource_id, booking_id, person_id): (Id, Id, Id, Id),
    (started_at, ended_at): (i64, Option<i64>),
    (class, purpose): (&str, &str),
    (samples, fee_fen, waived_fen, walk_up): (i64, Fen, Fen, bool),
) -> Result<StoredSession> {
    let class = class.parse().map_err(|_| CoreError::invalid("user_class", class.to_string()))?;
    let purpose = purpose.parse().map_err(|_| CoreError::invalid("purpose", purpose.to_string()))?;
    let samples = u32::try_from(samples).unwrap_or_default();
    Ok(StoredSession {
        id,
        resource_id,
        booking_id,
        person_id,
        started_at,
        ended_at,
        class,
        purpose,
        samples,
        fee_fen,
        waived_fen,
        walk_up,
    })
}

/// Rates from their columns, as both backends read them.
/// An instrument's rates; `None` for a resource that is not equipment.
pub(crate) fn read_rates(conn: &Connection, resource_id: &str) -> Result<Option<Rates>> {
    Ok(conn
        .prepare_cached(RATES_SQL)?
        .query_row([resource_id], |r| {
            Ok(rates_of([r.get(0)?, r.get(1)?, r.get(2)?], &r.get::<_, String>(3)?, r.get(4)?, r.get(5)?))
        })
        .optional()?)
}

pub fn rates_of(fen: [Fen; 3], basis: &str, minimum_fen: Fen, rounding_min: i64) -> Rates {
    Rates {
        internal_fen_per_hour: fen[0],
        external_fen_per_hour: fen[1],
        enterprise_fen_per_hour: fen[2],
        basis: if basis == "booked" { ChargeBasis::Booked } else { ChargeBasis::Actual },
        minimum_fen,
        rounding_min: u32::try_from(rounding_min).unwrap_or(15),
    }
}

pub fn basis_text(basis: ChargeBasis) -> &'static str {
    match basis {
        ChargeBasis::Actual => "actual",
        ChargeBasis::Booked => "booked",
    }
}

/// What a walk-up asks for (`Store::walk_up`).
#[derive(Debug, Clone, Copy)]
pub struct WalkUpAsked<'a> {
    pub resource_id: &'a str,
    /// Who uses the instrument: the actor, or the person a lab manager starts it for.
    pub person_id: &'a str,
    /// How long, counted from the start of the slot under way.
    pub minutes: u32,
    pub purpose: Purpose,
    pub samples: u32,
}

/// A booking released because nobody checked in.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoShow {
    pub booking_id: Id,
    pub resource_id: Id,
    pub resource_name: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A usage session as the lab and its user see it.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageSession {
    pub id: Id,
    pub resource_id: Id,
    pub booking_id: Id,
    pub person_id: Id,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub user_class: UserClass,
    pub purpose: Purpose,
    pub samples: u32,
    /// Charged at check-out, in fen.
    pub fee_fen: Fen,
    pub waived_fen: Fen,
    /// Closed by the app, not by a check-out.
    pub flagged: bool,
    /// Corrected by a lab manager.
    pub corrected: bool,
    /// Started at the instrument without a booking made ahead.
    pub walk_up: bool,
    /// The startup the person used it for.
    pub startup_id: Option<Id>,
}

const VIEW_COLUMNS: &str = "id, resource_id, booking_id, person_id, started_at, ended_at, user_class, purpose, samples, fee_fen,
     waived_fen, flagged, corrected, walk_up, startup_id";

fn view(r: &rusqlite::Row) -> rusqlite::Result<UsageSession> {
    let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let parse_err = |i: usize, what: &str| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, what.into());
    Ok(UsageSession {
        id: r.get(0)?,
        resource_id: r.get(1)?,
        booking_id: r.get(2)?,
        person_id: r.get(3)?,
        started_at: to_utc(r.get(4)?),
        ended_at: r.get::<_, Option<i64>>(5)?.map(to_utc),
        user_class: text(6)?.parse().map_err(|_| parse_err(6, "user_class"))?,
        purpose: text(7)?.parse().map_err(|_| parse_err(7, "purpose"))?,
        samples: r.get(8)?,
        fee_fen: r.get(9)?,
        waived_fen: r.get(10)?,
        flagged: r.get(11)?,
        corrected: r.get(12)?,
        walk_up: r.get(13)?,
        startup_id: r.get(14)?,
    })
}

impl Store {
    /// Checks the actor (the booker, or a lab manager for them) in to an instrument's booking:
    /// its usage session starts now.
    pub fn check_in(
        &mut self,
        actor_id: &str,
        booking_id: &str,
        purpose: Purpose,
        samples: u32,
        now: DateTime<Utc>,
    ) -> Result<UsageSession> {
        let session_id = new_id();
        let command =
            Command::CheckIn { session_id: session_id.clone(), booking_id: booking_id.to_string(), purpose, samples, at: now };
        self.apply(actor_id, &command, now)?;
        self.usage_session(&session_id)
    }

    /// Someone walks up to a free instrument (`Command::WalkUp`): the slot under way is booked
    /// for `person_id` for `minutes` from its start, and their session starts now.
    pub fn walk_up(&mut self, actor_id: &str, walk_up: &WalkUpAsked<'_>, now: DateTime<Utc>) -> Result<UsageSession> {
        let rules = self.resource_rules(walk_up.resource_id)?;
        let step = i64::from(rules.policy.granularity_min) * 60;
        let start = crate::availability::slot_under_way(rules.tz, now.timestamp(), step);
        let session_id = new_id();
        let command = Command::WalkUp {
            session_id: session_id.clone(),
            booking_id: new_id(),
            resource_id: walk_up.resource_id.to_string(),
            person_id: walk_up.person_id.to_string(),
            start: to_utc(start),
            end: to_utc(start + i64::from(walk_up.minutes) * 60),
            purpose: walk_up.purpose,
            samples: walk_up.samples,
            at: now,
        };
        self.apply(actor_id, &command, now)?;
        self.usage_session(&session_id)
    }

    /// Ends a running session now and charges it.
    pub fn check_out(&mut self, actor_id: &str, session_id: &str, now: DateTime<Utc>) -> Result<UsageSession> {
        self.apply(actor_id, &Command::CheckOut { session_id: session_id.to_string(), at: now }, now)?;
        self.usage_session(session_id)
    }

    /// A lab manager corrects a closed session; the values before stay in the audit log.
    pub fn correct_session(&mut self, actor_id: &str, correction: &Command, now: DateTime<Utc>) -> Result<UsageSession> {
        let Command::CorrectSession { session_id, .. } = correction else {
            return Err(CoreError::invalid("command", "not a correction of a session"));
        };
        self.apply(actor_id, correction, now)?;
        self.usage_session(session_id)
    }

    pub fn set_rates(&mut self, actor_id: &str, resource_id: &str, rates: &Rates, now: DateTime<Utc>) -> Result<()> {
        self.apply(actor_id, &Command::SetRates { resource_id: resource_id.to_string(), rates: rates.clone() }, now)
    }

    pub fn rates(&self, resource_id: &str) -> Result<Rates> {
        read_rates(&self.conn, resource_id)?.ok_or_else(|| CoreError::not_found("equipment", resource_id))
    }

    pub fn set_usage_rules(&mut self, actor_id: &str, resource_id: &str, rules: &UsageRules, now: DateTime<Utc>) -> Result<()> {
        self.apply(actor_id, &Command::SetUsageRules { resource_id: resource_id.to_string(), rules: rules.clone() }, now)
    }

    pub fn set_register(
        &mut self,
        actor_id: &str,
        resource_id: &str,
        register: &InstrumentRegister,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let command = Command::SetRegister { resource_id: resource_id.to_string(), register: register.clone() };
        self.apply(actor_id, &command, now)
    }

    pub fn register(&self, resource_id: &str) -> Result<InstrumentRegister> {
        self.conn
            .prepare_cached(REGISTER_SQL)?
            .query_row([resource_id], |r| {
                Ok(register_of((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
            })
            .optional()?
            .ok_or_else(|| CoreError::not_found("equipment", resource_id))
    }

    /// A person's no-shows that started in the window the approval rule counts (the replica's
    /// share of them on a desktop; the district's on the server), newest first.
    pub fn no_show_history(&self, person_id: &str, now: DateTime<Utc>) -> Result<Vec<NoShow>> {
        let since = UsageRules::no_show_window_start(now.timestamp());
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.id, b.resource_id, r.name, b.start_at, b.end_at FROM booking b JOIN resource r ON r.id = b.resource_id
             WHERE b.booker_id = ?1 AND b.status = 'no_show' AND b.deleted = 0 AND b.start_at >= ?2
             ORDER BY b.start_at DESC, b.id",
        )?;
        let rows = stmt.query_map(params![person_id, since], |r| {
            Ok(NoShow {
                booking_id: r.get(0)?,
                resource_id: r.get(1)?,
                resource_name: r.get(2)?,
                start: to_utc(r.get(3)?),
                end: to_utc(r.get(4)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn usage_rules(&self, resource_id: &str) -> Result<UsageRules> {
        self.conn
            .prepare_cached(USAGE_RULES_SQL)?
            .query_row([resource_id], |r| Ok(usage_rules_of([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?])))
            .optional()?
            .ok_or_else(|| CoreError::not_found("equipment", resource_id))
    }

    /// Releases the bookings nobody checked in to in time (see `apply::release_no_shows`):
    /// the app's own change, in one transaction, and no command in the outbox — a connected
    /// desktop leaves this to the district server, whose release it pulls.
    pub fn release_no_shows(&mut self, now: DateTime<Utc>) -> Result<Vec<Id>> {
        let now = now.timestamp();
        self.write(|tx| {
            crate::apply::release_no_shows(&mut super::SqliteLedger::new(tx), now).map_err(crate::ledger::ApplyError::into_core)
        })
    }

    /// The app's sweep (`apply::sweep`): no-shows released, forgotten sessions closed and
    /// flagged. Like `release_no_shows`, the app's own change, with nothing in the outbox.
    pub fn sweep_usage(&mut self, now: DateTime<Utc>) -> Result<crate::apply::Swept> {
        let now = now.timestamp();
        self.write(|tx| crate::apply::sweep(&mut super::SqliteLedger::new(tx), now).map_err(crate::ledger::ApplyError::into_core))
    }

    pub fn usage_session(&self, id: &str) -> Result<UsageSession> {
        self.conn
            .prepare_cached(&format!("SELECT {VIEW_COLUMNS} FROM usage_session WHERE id = ?1"))?
            .query_row([id], view)
            .optional()?
            .ok_or_else(|| CoreError::not_found("usage_session", id))
    }

    /// The session of a booking, if it was checked in.
    pub fn session_of_booking(&self, booking_id: &str) -> Result<Option<UsageSession>> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {VIEW_COLUMNS} FROM usage_session WHERE booking_id = ?1"))?
            .query_row([booking_id], view)
            .optional()?)
    }

    /// An instrument's sessions that started in `from..to`, oldest first.
    pub fn usage_sessions(&self, resource_id: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<UsageSession>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {VIEW_COLUMNS} FROM usage_session WHERE resource_id = ?1 AND started_at >= ?2 AND started_at < ?3
             ORDER BY started_at, id"
        ))?;
        let rows = stmt.query_map(params![resource_id, from.timestamp(), to.timestamp()], view)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
