//! The SQLite store of the desktop app (and of the CLI, which opens the same file).
//!
//! Every write runs in one `BEGIN IMMEDIATE` transaction that takes the database's write
//! lock before it reads, re-checks the rules against the rows it sees, and appends to the
//! audit log — so two writers, threads or processes, can never both win one slot.

/// The zone of a person (the column or parameter named): their makerspace's, the first by
/// id where they hold a role; NULL for someone with none, whom the readers give the district's
/// zone (`clock::DISTRICT_ZONE`, the one place it is named). One rule for every statement that
/// shows a person's clock.
macro_rules! makerspace_zone_of {
    ($person:literal) => {
        concat!(
            "(SELECT k.timezone FROM person_role pr JOIN makerspace k ON k.id = pr.makerspace_id WHERE pr.person_id = ",
            $person,
            " ORDER BY pr.makerspace_id LIMIT 1)"
        )
    };
}

mod allocations;
mod bookings;
mod calendar;
pub(crate) mod calls;
mod checkpoint;
mod directory;
mod events;
mod feedback;
mod journal;
mod kiosk;
mod labs;
mod ledger;
mod matching;
mod mentors;
mod notices;
mod office;
mod places;
mod rows;
mod series;
mod startups;
mod usage;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use rusqlite_migration::{M, Migrations};

use crate::domain::Role;
use crate::error::{CoreError, Result, StorageFailure};

pub use allocations::{ALLOCATION_SQL, INSERT_ALLOCATION_SQL, INSERT_TOPUP_SQL, TopUp};
pub use bookings::{BookingView, CalendarEntry, INSERT_BOOKING_SQL, Notification, REINSTATE_SQL, SeriesLink, WaitlistEntry};
pub use calendar::{SlotSearch, local_range};
pub use calls::{
    APPLICATION_EVENTS_SQL, APPLICATION_SQL, APPLICATIONS_OF_CALL_SQL, ApplicationView, CALL_IN_BATCH_SQL, CALL_SQL,
    CANCEL_CALL_SQL, CallStatus, CallView, INSERT_APPLICATION_EVENT_SQL, INSERT_APPLICATION_SQL, INSERT_CALL_SQL,
    INSERT_PROGRAMME_SQL, LED_ONGOING_SQL, PROGRAMME_SQL, TAKE_SERIAL_SQL, TRANSITION_SQL, UPDATE_CALL_SQL, UPDATE_DRAFT_SQL,
    application_of, brief_of, call_columns, call_of, call_terms, draft_columns, event_columns, programme_kind, programme_of,
};
pub use directory::{NewMakerspace, PeopleFilter};
pub use events::{
    CANCEL_EVENT_SQL, COUNT_REGISTERED_SQL, EVENT_SQL, EventView, INSERT_EVENT_SQL, REGISTRATIONS_SQL, SET_ATTENDANCE_SQL,
    SET_REGISTRATION_SQL,
};
pub use feedback::{GivenFeedback, PAIR_SESSIONS_BEFORE_SQL, SessionFeedback, insert_feedback_sql};
pub use journal::{Journal, NoJournal, Tx};
pub use kiosk::{KioskBooking, KioskDay, KioskInstrument, SET_KIOSK_PIN_SQL};
pub use labs::{BlackoutMode, BlackoutOutcome, EquipmentFilter, QualificationGrant};
pub use ledger::SqliteLedger;
pub use matching::{MATCHES_SHOWN, MentorMatch};
pub use mentors::{INSERT_MENTOR_SQL, MentorCard, MentorSearch, SET_RESOURCE_ZONE_SQL, UPDATE_MENTOR_PROFILE_SQL};
pub use notices::Notice;
pub use office::{
    BLOCK_SQL, BlockRow, BlockView, CANCEL_BLOCK_SQL, INSERT_BLOCK_SQL, OfficeHoursPlan, PUT_SEAT_SQL, SEATS_SQL,
    SET_BLOCK_HELD_SQL, SeatView, stored_block, stored_seat,
};
pub use places::{
    MENTOR_PLACES_SQL, SET_PLACE_DEFAULTS_SQL, SET_PLACE_SQL, defaults_json, mentor_places, parse_place, place_json,
};
pub use rows::{sql_value, table_columns};
pub use series::{JOIN_SERIES_SQL, RESEND_SERIES_SQL, SERIES_OF_SQL};
pub use series::{NewSeries, SeriesOccurrence, SeriesPlan};
pub use startups::{
    ALL_MEMBERS_SQL, ALL_MENTOR_RATINGS_SQL, ALL_RESIDENCIES_SQL, ALL_STARTUPS_SQL, CONFIRM_CREDIT_CODE_SQL,
    INSERT_RESIDENCY_SQL, INSERT_STARTUP_SQL, REMOVE_MEMBER_SQL, SET_MEMBER_SQL, SET_MOVE_OUT_SQL, SET_RESIDENCY_STATUS_SQL,
    STARTUP_BY_CODE_SQL, STARTUP_MEMBERS_SQL, STARTUP_OF_SQL, STARTUP_RESIDENCIES_SQL, STARTUP_SQL, UPDATE_STARTUP_SQL, assemble,
    parse_kind, residency_of,
};
pub use usage::{
    CLOSE_SESSION_SQL, CORRECT_SESSION_SQL, INSERT_SESSION_SQL, MENTOR_SESSIONS_SQL, NO_SHOWS_SQL, NoShow, OPEN_AFTER_END_SQL,
    OPEN_SESSIONS_SQL, RATES_SQL, REGISTER_SQL, SESSION_BY_BOOKING_SQL, SESSION_BY_ID_SQL, SET_RATES_SQL, SET_REGISTER_SQL,
    SET_USAGE_RULES_SQL, UNANSWERED_REQUESTS_SQL, UNCHECKED_STARTED_SQL, USAGE_RULES_SQL, UsageSession, WalkUpAsked,
    ZONE_NOTICE_EXISTS_SQL, basis_text, rates_of, register_columns, register_of, stored_session, usage_rules_of,
};
// The commands' payloads and rule inputs live below the store; callers still find them here.
pub use crate::command::{
    MentorProfile, NewBooking, NewEquipment, NewLab, NewMentor, NewPerson, check_person, validate_new_mentor, validate_profile,
};
pub use crate::decide::blackout_cancel_reason;
pub use crate::domain::{decode_weekly, encode_weekly};
pub use crate::rules::ResourceRules;

pub(crate) use crate::command::normalize_new_mentor;
pub(crate) use crate::validate::{language_codes, tag_keys};
pub(crate) use directory::{insert_makerspace, makerspace_by_code};
pub(crate) use labs::{insert_equipment, insert_lab};
pub(crate) use mentors::insert_mentor;

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../../../../migrations/sqlite/0001_initial.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0002_sync.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0003_outbox_owner.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0004_token_in_keyring.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0005_per_person_limit.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0006_usage.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0007_register.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0008_series.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0009_kiosk_pin.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0010_startups.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0011_events.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0012_places.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0013_feedback_both_ways.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0014_office_hours.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0015_hour_allocations.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0016_full_time_mentors.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0017_booking_startup.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0018_holding_by_booker.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0019_compacted_deletes.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0020_check_in_keys.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0021_startup_consent.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0022_refused_changes.sql")),
        M::up(include_str!("../../../../migrations/sqlite/0023_calls.sql")),
    ])
}

pub struct Store {
    pub(crate) conn: Connection,
    /// Told of every command written, inside its transaction (the desktop's outbox, the
    /// server's acknowledgement).
    journal: Box<dyn Journal>,
    /// Inside `batch`: each write is a savepoint of the batch's one transaction.
    in_batch: bool,
    /// Copies the log back into the file beside the commits, not inside them (a file only).
    checkpointer: Option<checkpoint::Checkpointer>,
}

/// `PowerSafe` (SQLite `synchronous=FULL`) syncs the log on every commit, so a booking
/// reported as saved survives a power cut. `CrashSafe` (`NORMAL` in WAL mode) survives a
/// crash of the app but may lose the last commits on power loss; it exists to measure
/// what the disk costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    PowerSafe,
    CrashSafe,
}

/// Makes the database file readable by its owner alone (0600), before SQLite opens it: its
/// journal and WAL take the same mode, and it holds people's contact details and, on a
/// connected desktop, the sign-in token. A directory made for it is the owner's alone (0700).
fn private_file(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        std::fs::create_dir_all(dir)?;
        #[cfg(unix)]
        std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !path.exists() {
            std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(path)?;
        }
        let beside = |suffix: &str| {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        };
        for file in [path.to_path_buf(), beside("-wal"), beside("-shm")] {
            // Best effort on a file someone else owns (opened read-only, say).
            if file.exists() {
                let _ = std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600));
            }
        }
    }
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the database file, brings its schema up to date, and tells
    /// `journal` of every command written to it.
    pub fn open_with(path: &Path, journal: Box<dyn Journal>) -> Result<Store> {
        private_file(path)?;
        Store::configure(Connection::open(path)?, journal)
    }

    pub fn open_in_memory_with(journal: Box<dyn Journal>) -> Result<Store> {
        Store::configure(Connection::open_in_memory()?, journal)
    }

    /// The database the desktop app and the CLI share by default.
    pub fn default_path() -> PathBuf {
        directories::ProjectDirs::from("cn", "Incubook", "incubook")
            .map(|d| d.data_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from(".incubook"))
            .join("incubook.db")
    }

    fn configure(mut conn: Connection, journal: Box<dyn Journal>) -> Result<Store> {
        // WAL lets readers run beside the one writer; FULL makes every acknowledged
        // booking survive a power cut, not just a process crash.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(Duration::from_secs(30))?;
        // Search reads many resources' rows at once: a larger page cache and memory-mapped
        // reads keep that off the read() path.
        conn.pragma_update(None, "cache_size", -32_768)?;
        conn.pragma_update(None, "mmap_size", 268_435_456)?;
        // A booking alone runs about twenty distinct statements and sync one per table: with
        // rusqlite's default of 16 cached statements they would be parsed again every time.
        conn.set_prepared_statement_cache_capacity(256);
        // `rarray(?)` lets one query take a list of ids (search over many mentors).
        rusqlite::vtab::array::load_module(&conn)?;
        migrations().to_latest(&mut conn).map_err(|e| CoreError::Migration(StorageFailure::new(e)))?;
        let checkpointer = checkpoint::Checkpointer::start(conn.path());
        if checkpointer.is_some() {
            conn.pragma_update(None, "wal_autocheckpoint", checkpoint::BACKSTOP_PAGES)?;
        }
        Ok(Store { conn, journal, in_batch: false, checkpointer })
    }

    /// How hard each commit waits for the disk. The default is `PowerSafe`.
    pub fn set_durability(&mut self, durability: Durability) -> Result<()> {
        let level = match durability {
            Durability::PowerSafe => "FULL",
            Durability::CrashSafe => "NORMAL",
        };
        self.conn.pragma_update(None, "synchronous", level)?;
        Ok(())
    }

    /// Read access for queries that need no transaction.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` inside one `BEGIN IMMEDIATE` transaction (a savepoint inside `batch`);
    /// nothing is kept if it fails. The journal sees the commands `f` records and the commit
    /// in the same transaction, so a change and its journal entry commit together or not at all.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let journal = &*self.journal;
        if self.in_batch {
            let sp = self.conn.savepoint()?;
            let value = f(&Tx::new(&sp, journal))?;
            journal.before_commit(&sp)?;
            sp.commit()?;
            return Ok(value);
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&Tx::new(&tx, journal))?;
        journal.before_commit(&tx)?;
        tx.commit()?;
        self.committed();
        Ok(value)
    }

    fn committed(&mut self) {
        if let Some(checkpointer) = &mut self.checkpointer {
            checkpointer.committed();
        }
    }

    /// Group commit: everything `f` writes commits together at its end, with one sync of
    /// the log, and each write inside still succeeds or fails alone (a savepoint each). If
    /// `f` fails, nothing of it is kept.
    pub fn batch<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        if self.in_batch {
            return f(self);
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        self.in_batch = true;
        let result = f(self);
        self.in_batch = false;
        match result {
            Ok(value) => match self.conn.execute_batch("COMMIT") {
                Ok(()) => {
                    self.committed();
                    Ok(value)
                }
                Err(e) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    Err(e.into())
                }
            },
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// After a caller caught a panic in the middle of a write: the open transaction (and any
    /// savepoint in it) is rolled back, so the next write starts clean.
    pub fn recover_after_panic(&mut self) {
        self.in_batch = false;
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }

    /// One `BEGIN IMMEDIATE` transaction for tables the store has no methods for (the
    /// district server's accounts). Domain rows go through the store's methods.
    pub fn transaction<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        self.write(f)
    }

    /// Bulk loads (the sample district) trade durability for speed: a crash mid-load
    /// loses only the load, which is repeated.
    pub(crate) fn with_fast_writes<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        self.conn.pragma_update(None, "synchronous", "OFF")?;
        let result = f(self);
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        result
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO setting(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
            Ok(())
        })
    }

    /// Entries of the audit log, newest first.
    pub fn audit_log(&self, limit: u32) -> Result<Vec<AuditEntry>> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, at, actor_id, action, entity, entity_id, detail FROM audit_log ORDER BY seq DESC LIMIT ?1")?;
        let rows = stmt.query_map([limit], |r| {
            Ok(AuditEntry {
                seq: r.get(0)?,
                at: crate::domain::to_utc(r.get(1)?),
                actor_id: r.get(2)?,
                action: r.get(3)?,
                entity: r.get(4)?,
                entity_id: r.get(5)?,
                // Stored as JSON text; shown as JSON (a text that is not JSON stays a string).
                detail: {
                    let text: String = r.get(6)?;
                    serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub detail: serde_json::Value,
}

pub(crate) use crate::decide::Actor;

/// Errors that say nothing about what was asked (a busy or broken disk): a sync push stops
/// and the client retries later. Everything else fails the same way every time. SQLite's
/// answer to the question PostgreSQL's `retryable` answers for its backend.
pub fn is_transient(e: &CoreError) -> bool {
    match e {
        CoreError::Database(failure) => match failure.downcast_ref::<rusqlite::Error>() {
            Some(rusqlite::Error::SqliteFailure(e, _)) => {
                !matches!(e.code, rusqlite::ErrorCode::ConstraintViolation | rusqlite::ErrorCode::TypeMismatch)
            }
            _ => true,
        },
        CoreError::Io(_) | CoreError::Migration(_) => true,
        _ => false,
    }
}

/// A person with their roles in each makerspace.
pub fn load_actor(conn: &Connection, id: &str) -> Result<Actor> {
    let exists: bool = conn
        .prepare_cached("SELECT EXISTS(SELECT 1 FROM person WHERE id = ?1 AND deleted = 0)")?
        .query_row([id], |r| r.get(0))?;
    if !exists {
        return Err(CoreError::not_found("person", id));
    }
    let mut stmt = conn.prepare_cached("SELECT makerspace_id, role FROM person_role WHERE person_id = ?1")?;
    let roles = stmt
        .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .filter_map(|row| row.ok())
        .filter_map(|(m, role)| Role::parse(&role).ok().map(|role| (m, role)))
        .collect();
    Ok(Actor { id: id.to_string(), roles, district_operator: is_district_operator(conn, id)? })
}

/// Whether the person works for the district: the server keeps its operators; a desktop knows
/// only whether the person signed in is one.
pub(crate) fn is_district_operator(conn: &Connection, id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS(SELECT 1 FROM district_operator WHERE person_id = ?1)
                 OR EXISTS(SELECT 1 FROM sync_state WHERE person_id = ?1 AND district_operator = 1)",
        )?
        .query_row([id], |r| r.get(0))?)
}

pub(crate) fn audit(
    tx: &Connection,
    at: i64,
    actor_id: Option<&str>,
    action: &str,
    entity: &str,
    entity_id: &str,
    detail: serde_json::Value,
) -> Result<()> {
    tx.prepare_cached("INSERT INTO audit_log(at, actor_id, action, entity, entity_id, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(params![at, actor_id, action, entity, entity_id, detail.to_string()])?;
    Ok(())
}

/// Rejects text fields that are empty or absurdly long before they reach the database.
pub(crate) use crate::validate::check_text;

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_valid() {
        assert_eq!(super::migrations().validate(), Ok(()));
    }
}
