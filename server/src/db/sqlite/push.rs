//! Pushes on the server's SQLite file: each mutation applied by the store's own methods (the
//! desktop's rules), acknowledged in the transaction of its change, and a mutation refused
//! for good consumed so that it cannot block its client's queue.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use incubook_core::protocol::{
    BookingAsked, KEPT_FAILURE_SQL, Mutation, MutationOutcome, PRUNE_FAILURES_SQL, PushRequest, PushResponse, PushTarget,
    PushedMutation, RefusalLedger, ResentBookings, ToldBooker, consume_refused, push_once,
};
use incubook_core::tables::SyncedTable;
use incubook_core::{CoreError, Result};
use incubook_sqlite::store::{Journal, Store, is_transient};
use rusqlite::{Connection, OptionalExtension, params};

/// The pushed mutation being applied: written in the same transaction as its change.
#[derive(Debug, Clone)]
struct Ack {
    client_id: String,
    person_id: String,
    mutation_id: i64,
}

fn write_ack(tx: &Connection, ack: &Ack) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_client(client_id, person_id, last_mutation_id) VALUES (?1, ?2, ?3)
         ON CONFLICT(client_id) DO UPDATE SET last_mutation_id = excluded.last_mutation_id",
    )?
    .execute(params![ack.client_id, ack.person_id, ack.mutation_id])?;
    Ok(())
}

/// The server's journal: the first write of a pushed mutation also records it as processed,
/// so a mutation and its acknowledgement commit together or not at all. Shared between the
/// store (which calls it) and the push loop (which names the mutation being applied).
#[derive(Clone, Default)]
pub struct Acknowledgement(Arc<Mutex<Option<Ack>>>);

impl Acknowledgement {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Ack>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn expect(&self, ack: Ack) {
        *self.slot() = Some(ack);
    }

    /// The acknowledgement no write has taken yet: the mutation changed nothing.
    fn take(&self) -> Option<Ack> {
        self.slot().take()
    }

    /// Forgets the mutation being applied (after a panic, so that no later write acknowledges it).
    pub fn clear(&self) {
        self.slot().take();
    }
}

impl Journal for Acknowledgement {
    fn record(&self, _tx: &Connection, _command: &Mutation, _now: i64) -> Result<()> {
        Ok(())
    }

    fn before_commit(&self, tx: &Connection) -> Result<()> {
        match self.take() {
            Some(ack) => write_ack(tx, &ack),
            None => Ok(()),
        }
    }
}

/// The SQLite server's writes for a refused mutation (see `protocol::consume_refused`).
struct Refusals<'a> {
    tx: &'a Connection,
    ack: &'a Ack,
}

impl RefusalLedger for Refusals<'_> {
    type Error = CoreError;

    fn record_failure(&mut self, code: &str, message: &str) -> Result<()> {
        self.tx
            .prepare_cached("INSERT OR REPLACE INTO sync_failure(client_id, mutation_id, code, message) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![self.ack.client_id, self.ack.mutation_id, code, message])?;
        Ok(())
    }

    fn keep_declined(&mut self, asked: &BookingAsked<'_>, rejection: &str, now: i64) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, topic, created_at, updated_at, rejection)
                 SELECT ?1, ?2, ?3, ?4, ?5, 'declined', ?6, ?7, ?7, ?8
                 WHERE EXISTS(SELECT 1 FROM resource WHERE id = ?2) AND EXISTS(SELECT 1 FROM person WHERE id = ?3)
                   AND NOT EXISTS(SELECT 1 FROM booking WHERE id = ?1)
                   AND ?5 > ?4 AND length(?1) BETWEEN 1 AND 64 AND length(?6) <= 500",
            )?
            .execute(params![
                asked.id,
                asked.resource_id,
                asked.booker_id,
                asked.start.timestamp(),
                asked.end.timestamp(),
                asked.topic,
                now,
                rejection
            ])?;
        Ok(())
    }

    fn resend(&mut self, t: &SyncedTable, key: &[&str]) -> Result<bool> {
        let filter = t.key.iter().enumerate().map(|(i, k)| format!("{k} = ?{}", i + 1)).collect::<Vec<_>>().join(" AND ");
        let n = self
            .tx
            .execute(&format!("UPDATE {} SET version = version WHERE {filter}", t.name), rusqlite::params_from_iter(key))?;
        Ok(n > 0)
    }

    fn tombstone(&mut self, table: &str, key: &str) -> Result<()> {
        self.tx.execute("UPDATE sync_clock SET value = value + 1 WHERE id = 1", [])?;
        self.tx.execute(
            "INSERT INTO sync_tombstone(version, table_name, row_key) VALUES ((SELECT value FROM sync_clock WHERE id = 1), ?1, ?2)",
            params![table, key],
        )?;
        Ok(())
    }

    fn resend_series(&mut self, booking_id: &str) -> Result<()> {
        self.tx.execute(incubook_sqlite::store::RESEND_SERIES_SQL, [booking_id])?;
        Ok(())
    }

    fn resend_bookings(&mut self, resent: &ResentBookings<'_>, now: i64) -> Result<()> {
        self.tx.prepare_cached(incubook_core::protocol::RESEND_BOOKINGS_SQL)?.execute(params![
            resent.resource_id,
            now,
            resent.from,
            resent.to
        ])?;
        Ok(())
    }

    fn tell_booker(&mut self, told: &ToldBooker<'_>, now: i64) -> Result<()> {
        let row = params![incubook_core::domain::new_id(), told.kind, told.detail.to_string(), now, told.booking_id, told.pusher];
        self.tx.prepare_cached(incubook_core::protocol::TELL_BOOKER_SQL)?.execute(row)?;
        Ok(())
    }
}

/// The server's SQLite file as a push target: each mutation applied by the store, its
/// acknowledgement written by the store's journal in the same transaction.
struct SqlitePush<'a> {
    store: &'a mut Store,
    acks: &'a Acknowledgement,
    now: DateTime<Utc>,
}

impl PushTarget for SqlitePush<'_> {
    type Error = CoreError;

    fn last_processed(&mut self, client_id: &str, person_id: &str) -> Result<i64> {
        last_mutation_id(self.store, client_id, person_id)
    }

    fn prune_failures(&mut self, client_id: &str, first: i64) -> Result<()> {
        self.store.conn().prepare_cached(PRUNE_FAILURES_SQL)?.execute(params![client_id, first])?;
        Ok(())
    }

    fn apply_once(&mut self, person_id: &str, client_id: &str, pushed: &PushedMutation) -> Result<Option<MutationOutcome>> {
        let ack = Ack { client_id: client_id.to_string(), person_id: person_id.to_string(), mutation_id: pushed.id };
        self.acks.expect(ack.clone());
        let (parsed, result) = match pushed.parse() {
            Ok(m) => {
                let result = self.store.apply(person_id, &m, self.now);
                (Some(m), result)
            }
            Err(e) => (None, Err(e)),
        };
        let pending_ack = self.acks.take();
        match result {
            Ok(()) => {
                // A mutation that changed nothing never opened a transaction.
                if let Some(ack) = pending_ack {
                    self.store.transaction(|tx| write_ack(tx, &ack))?;
                }
                Ok(Some(MutationOutcome::applied(pushed.id)))
            }
            Err(e) if is_transient(&e) => Err(e),
            Err(e) => {
                consume_failed(self.store, &ack, parsed.as_ref(), &e, self.now)?;
                Ok(Some(MutationOutcome::refused(pushed.id, &e)))
            }
        }
    }

    fn earlier_outcome(&mut self, client_id: &str, id: i64) -> Result<MutationOutcome> {
        let kept = self
            .store
            .conn()
            .prepare_cached(KEPT_FAILURE_SQL)?
            .query_row(params![client_id, id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(MutationOutcome::earlier(id, kept))
    }
}

/// The last mutation of this client the server has processed.
pub(super) fn last_mutation_id(store: &Store, client_id: &str, person_id: &str) -> Result<i64> {
    let row: Option<(String, i64)> = store
        .conn()
        .query_row("SELECT person_id, last_mutation_id FROM sync_client WHERE client_id = ?1", [client_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    match row {
        None => Ok(0),
        Some((owner, last)) if owner == person_id => Ok(last),
        Some(_) => Err(CoreError::Forbidden("this client id belongs to another user".into())),
    }
}

/// Applies a push for the signed-in person: in order, one transaction per mutation,
/// skipping ids already processed for this client (`protocol::push_once`).
pub fn apply_push(
    store: &mut Store,
    acks: &Acknowledgement,
    person_id: &str,
    push: &PushRequest,
    now: DateTime<Utc>,
) -> Result<PushResponse> {
    push_once(&mut SqlitePush { store, acks, now }, person_id, push)
}

/// Consumes a mutation that failed for good, in one transaction: the client's ack, the
/// failure, and what the client must learn by pull — a refused new booking is kept as
/// rejected with its reason; any other refused change re-sends the row it tried to change.
fn consume_failed(
    store: &mut Store,
    ack: &Ack,
    mutation: Option<&Mutation>,
    error: &CoreError,
    now: DateTime<Utc>,
) -> Result<()> {
    store.transaction(|tx| {
        write_ack(tx, ack)?;
        consume_refused(&mut Refusals { tx, ack }, &ack.person_id, mutation, error, now.timestamp())
    })
}
