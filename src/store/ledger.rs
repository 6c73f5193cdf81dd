//! The SQLite [`Ledger`]: the rows `apply` reads and writes, inside the store's open write
//! transaction (the desktop's file, or the district server's).

use rusqlite::{Connection, OptionalExtension, params};

use super::Actor;
use super::calendar::{load_busy, load_rules};
use crate::domain::{BookingStatus, Id, new_id};
use crate::error::{CoreError, Result};
use crate::interval::Span;
use crate::ledger::{Effect, Entity, Ledger, MentorFacts, StoredBooking};
use crate::rules::ResourceRules;

pub struct SqliteLedger<'a> {
    tx: &'a Connection,
}

impl<'a> SqliteLedger<'a> {
    pub fn new(tx: &'a Connection) -> SqliteLedger<'a> {
        SqliteLedger { tx }
    }
}

impl Ledger for SqliteLedger<'_> {
    type Error = CoreError;

    fn actor(&mut self, person_id: &str) -> Result<Option<Actor>> {
        match Actor::load(self.tx, person_id) {
            Ok(actor) => Ok(Some(actor)),
            Err(CoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// SQLite's one writer holds the file for the whole transaction: nothing to lock.
    fn rules(&mut self, resource_id: &str, _lock: bool) -> Result<Option<ResourceRules>> {
        match load_rules(self.tx, resource_id) {
            Ok(rules) => Ok(Some(rules)),
            Err(CoreError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn busy(&mut self, resource_id: &str, window: Span, except: Option<&str>) -> Result<Vec<Span>> {
        load_busy(self.tx, resource_id, window, except)
    }

    fn qualification(&mut self, person_id: &str, resource_id: &str) -> Result<Option<Option<i64>>> {
        Ok(self
            .tx
            .prepare_cached("SELECT expires_at FROM qualification WHERE person_id = ?1 AND resource_id = ?2")?
            .query_row(params![person_id, resource_id], |r| r.get(0))
            .optional()?)
    }

    fn mentor(&mut self, resource_id: &str) -> Result<Option<MentorFacts>> {
        Ok(self
            .tx
            .prepare_cached("SELECT person_id, visibility FROM mentor WHERE resource_id = ?1")?
            .query_row([resource_id], |r| Ok(MentorFacts { person_id: r.get(0)?, visibility: r.get(1)? }))
            .optional()?)
    }

    fn booking(&mut self, id: &str) -> Result<Option<StoredBooking>> {
        let row: Option<(Id, Id, Id, i64, i64, String)> = self
            .tx
            .prepare_cached(
                "SELECT id, resource_id, booker_id, start_at, end_at, status FROM booking WHERE id = ?1 AND deleted = 0",
            )?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
            .optional()?;
        row.map(|(id, resource_id, booker_id, start, end, status)| {
            Ok(StoredBooking { id, resource_id, booker_id, span: Span::new(start, end), status: BookingStatus::parse(&status)? })
        })
        .transpose()
    }

    fn exists(&mut self, entity: Entity, id: &str) -> Result<bool> {
        let sql = match entity {
            // Any id ever used, deleted or not: an id names one booking for good.
            Entity::Booking => "SELECT EXISTS(SELECT 1 FROM booking WHERE id = ?1)",
            Entity::Person => "SELECT EXISTS(SELECT 1 FROM person WHERE id = ?1 AND deleted = 0)",
            Entity::Waitlist => "SELECT EXISTS(SELECT 1 FROM waitlist WHERE id = ?1)",
            Entity::Feedback => "SELECT EXISTS(SELECT 1 FROM feedback WHERE booking_id = ?1)",
        };
        Ok(self.tx.prepare_cached(sql)?.query_row([id], |r| r.get(0))?)
    }

    fn lab_managers(&mut self, makerspace_id: &str) -> Result<Vec<Id>> {
        let mut stmt =
            self.tx.prepare_cached("SELECT person_id FROM person_role WHERE makerspace_id = ?1 AND role = 'lab_manager'")?;
        let rows = stmt.query_map([makerspace_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn first_waiting(&mut self, resource_id: &str, freed: Span) -> Result<Option<(Id, Id)>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT id, person_id FROM waitlist WHERE resource_id = ?1 AND notified_at IS NULL AND start_at < ?3 AND end_at > ?2
                 ORDER BY created_at, id LIMIT 1",
            )?
            .query_row(params![resource_id, freed.start, freed.end], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    fn write(&mut self, effect: Effect<'_>) -> Result<()> {
        let tx = self.tx;
        match effect {
            Effect::InsertBooking { id, resource_id, booker_id, span, status, topic, at } => {
                tx.prepare_cached(
                    "INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, topic, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                )?
                .execute(params![
                    id,
                    resource_id,
                    booker_id,
                    span.start,
                    span.end,
                    status.as_str(),
                    topic,
                    at
                ])?;
            }
            Effect::SetStatus { id, status, reason, at } => {
                tx.prepare_cached(
                    "UPDATE booking SET status = ?2, reason = COALESCE(?3, reason), updated_at = ?4 WHERE id = ?1",
                )?
                .execute(params![id, status.as_str(), reason, at])?;
            }
            Effect::MoveBooking { id, span, status, at } => {
                tx.prepare_cached("UPDATE booking SET start_at = ?2, end_at = ?3, status = ?4, updated_at = ?5 WHERE id = ?1")?
                    .execute(params![id, span.start, span.end, status.as_str(), at])?;
            }
            Effect::InsertWaitlist { id, resource_id, person_id, span, at } => {
                tx.prepare_cached(
                    "INSERT INTO waitlist(id, resource_id, person_id, start_at, end_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![id, resource_id, person_id, span.start, span.end, at])?;
            }
            Effect::WaitlistNotified { id, at } => {
                tx.prepare_cached("UPDATE waitlist SET notified_at = ?2 WHERE id = ?1")?.execute(params![id, at])?;
            }
            Effect::SetSessionNote { booking_id, author_id, body, at } => {
                tx.prepare_cached(
                    "INSERT INTO session_note(booking_id, author_id, body, updated_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(booking_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                )?
                .execute(params![booking_id, author_id, body, at])?;
            }
            Effect::InsertFeedback { booking_id, author_id, rating, comment, at } => {
                tx.prepare_cached(
                    "INSERT INTO feedback(booking_id, author_id, rating, comment, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![booking_id, author_id, rating, comment, at])?;
            }
            Effect::Notify { person_id, kind, booking_id, resource_id, detail, at } => {
                tx.prepare_cached(
                    "INSERT INTO notification(id, person_id, kind, booking_id, resource_id, detail, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![new_id(), person_id, kind, booking_id, resource_id, detail.to_string(), at])?;
            }
            Effect::Audit { actor_id, action, entity, entity_id, detail, at } => {
                super::audit(tx, at, Some(actor_id), action, entity, entity_id, detail)?;
            }
        }
        Ok(())
    }
}
