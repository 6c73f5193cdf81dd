//! Push on PostgreSQL: each mutation in its own transaction, together with the client's
//! acknowledgement; the client's row is locked first, so a retried push that overlaps the
//! original one still applies each mutation once.

use chrono::{DateTime, Utc};
use incubook_core::protocol::{
    BookingAsked, KEPT_FAILURE_SQL, Mutation, MutationOutcome, PRUNE_FAILURES_SQL, PushRequest, PushResponse, PushTarget,
    PushedMutation, RefusalLedger, ResentBookings, ToldBooker, consume_refused, push_once,
};
use incubook_core::tables::SyncedTable;
use incubook_core::{CoreError, Refusal};
use postgres::error::SqlState;

use super::bookings::{Failure, Res};
use super::ledger::PgLedger;
use super::optimistic::{self, Booked};
use super::refusal::DECLINED_SQL;
use super::sql::{PgConn, Tx};
use crate::error::{Result, ServerError};

/// Serialization failures and deadlocks are retried this many times before the push stops.
const ATTEMPTS: usize = 8;

pub(super) fn client_owner(conn: &mut PgConn, client_id: &str, person_id: &str) -> Result<i64> {
    let mut client = conn.sql();
    let select = "SELECT person_id, last_mutation_id FROM sync_client WHERE client_id = $1";
    // A known client costs one round trip; a new one is registered first.
    let row = match client.query_opt(select, &[&client_id])? {
        Some(row) => row,
        None => {
            client.execute(
                "INSERT INTO sync_client(client_id, person_id, last_mutation_id) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING",
                &[&client_id, &person_id],
            )?;
            client.query_one(select, &[&client_id])?
        }
    };
    if row.get::<_, &str>(0) != person_id {
        return Err(CoreError::Forbidden("this client id belongs to another user".into()).into());
    }
    Ok(row.get(1))
}

/// PostgreSQL as a push target: the client's row is locked by each mutation's claim, so an
/// overlapping retry of the same push applies nothing twice.
struct PgPush<'a> {
    client: &'a mut PgConn,
    now: DateTime<Utc>,
}

impl PushTarget for PgPush<'_> {
    type Error = ServerError;

    fn last_processed(&mut self, client_id: &str, person_id: &str) -> Result<i64> {
        client_owner(self.client, client_id, person_id)
    }

    fn prune_failures(&mut self, client_id: &str, first: i64) -> Result<()> {
        self.client.sql().execute(PRUNE_FAILURES_SQL, &[&client_id, &first])?;
        Ok(())
    }

    fn apply_once(&mut self, person_id: &str, client_id: &str, pushed: &PushedMutation) -> Result<Option<MutationOutcome>> {
        apply_once(self.client, person_id, client_id, pushed, self.now)
    }

    fn earlier_outcome(&mut self, client_id: &str, id: i64) -> Result<MutationOutcome> {
        let kept = self.client.sql().query_opt(KEPT_FAILURE_SQL, &[&client_id, &id])?;
        Ok(MutationOutcome::earlier(id, kept.map(|row| (row.get(0), row.get(1)))))
    }
}

pub(super) fn push(client: &mut PgConn, person_id: &str, request: &PushRequest, now: DateTime<Utc>) -> Result<PushResponse> {
    push_once(&mut PgPush { client, now }, person_id, request)
}

/// Claims the mutation for this transaction: locks the client's row and moves its last
/// processed id on, in one statement; false when an earlier push (or an overlapping retry,
/// once it commits) already did. Rolled back with the transaction if the attempt is retried.
fn claim(tx: &mut Tx<'_, '_>, client_id: &str, id: i64) -> std::result::Result<bool, postgres::Error> {
    let claimed = tx.execute(
        "UPDATE sync_client SET last_mutation_id = $2 WHERE client_id = $1 AND last_mutation_id < $2",
        &[&client_id, &id],
    )?;
    Ok(claimed == 1)
}

/// A database error that a retry can cure.
pub(super) fn retryable(e: &postgres::Error) -> bool {
    matches!(e.code(), Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED)
}

/// A database error that says the mutation itself is wrong, the same way every time.
fn refusal_of(e: &postgres::Error) -> Option<CoreError> {
    let code = e.code()?;
    if *code == SqlState::EXCLUSION_VIOLATION {
        return Some(Refusal::SlotTaken.into());
    }
    if code.code().starts_with("23") || code.code().starts_with("22") {
        return Some(CoreError::Conflict(e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_string())));
    }
    None
}

/// Applies or consumes the mutation; its outcome, unless another push of this client did it first.
fn apply_once(
    client: &mut PgConn,
    person: &str,
    client_id: &str,
    pushed: &PushedMutation,
    now: DateTime<Utc>,
) -> Result<Option<MutationOutcome>> {
    let mutation = match pushed.parse() {
        Ok(m) => m,
        Err(e) => return consume_failed(client, person, client_id, pushed.id, None, &e, now),
    };
    match optimistic::book(client, person, client_id, pushed.id, &mutation, now) {
        Ok(Booked::Decided(outcome)) => return Ok(outcome),
        Ok(Booked::Locking) => {}
        Err(Failure::Db(e)) if retryable(&e) => {}
        Err(Failure::Db(e)) => match refusal_of(&e) {
            Some(refusal) => return consume_failed(client, person, client_id, pushed.id, Some(&mutation), &refusal, now),
            None => return Err(Failure::Db(e).into()),
        },
        Err(e) => return Err(e.into()),
    }
    // A refused mutation is consumed in the same transaction as its attempt (undone to a
    // savepoint): one commit either way. A booking checks everything before it writes, so a
    // refusal leaves nothing to undo and it needs no savepoint (two round trips fewer); only
    // a database error while writing it aborts the transaction, and it is consumed anew.
    let checks_before_writing = matches!(mutation, Mutation::Book { .. } | Mutation::UploadBooking { .. });
    for _ in 0..ATTEMPTS {
        let result = client.transaction(|tx| -> Res<Option<MutationOutcome>> {
            if !claim(tx, client_id, pushed.id)? {
                return Ok(None);
            }
            let attempt = if checks_before_writing {
                apply_mutation(tx, person, &mutation, now.timestamp())
            } else {
                tx.savepoint(|sp| apply_mutation(sp, person, &mutation, now.timestamp()))
            };
            let refusal = match attempt {
                Ok(()) => return Ok(Some(MutationOutcome::applied(pushed.id))),
                Err(Failure::Core(e)) => e,
                Err(Failure::Db(e)) if checks_before_writing => return Err(Failure::Db(e)),
                Err(Failure::Db(e)) if !retryable(&e) => refusal_of(&e).ok_or(Failure::Db(e))?,
                Err(e) => return Err(e),
            };
            Ok(Some(record_failure(tx, person, client_id, pushed.id, Some(&mutation), &refusal, now)?))
        });
        match result {
            Ok(outcome) => return Ok(outcome),
            Err(Failure::Db(e)) if retryable(&e) => continue,
            Err(Failure::Db(e)) if checks_before_writing => match refusal_of(&e) {
                Some(refusal) => return consume_failed(client, person, client_id, pushed.id, Some(&mutation), &refusal, now),
                None => return Err(Failure::Db(e).into()),
            },
            Err(e) => return Err(e.into()),
        }
    }
    Err(ServerError::Postgres("too much contention; try again".into()))
}

fn apply_mutation(tx: &mut Tx<'_, '_>, person: &str, mutation: &Mutation, now: i64) -> Res<()> {
    Ok(incubook_core::apply::apply(&mut PgLedger::new(tx), person, mutation, now)?)
}

/// Consumes a mutation that failed for good, in a transaction of its own (one that could
/// not even be parsed).
fn consume_failed(
    client: &mut PgConn,
    person: &str,
    client_id: &str,
    id: i64,
    mutation: Option<&Mutation>,
    error: &CoreError,
    now: DateTime<Utc>,
) -> Result<Option<MutationOutcome>> {
    client.transaction(|tx| -> Result<Option<MutationOutcome>> {
        if !claim(tx, client_id, id)? {
            return Ok(None);
        }
        Ok(Some(record_failure(tx, person, client_id, id, mutation, error, now)?))
    })
}

/// For a claimed mutation: the failure, and what the client must learn by pull — a refused new
/// booking is kept as rejected with its reason; any other refused change re-sends the rows
/// it tried to change.
fn record_failure(
    tx: &mut Tx<'_, '_>,
    person: &str,
    client_id: &str,
    id: i64,
    mutation: Option<&Mutation>,
    error: &CoreError,
    now: DateTime<Utc>,
) -> std::result::Result<MutationOutcome, postgres::Error> {
    consume_refused(&mut Refusals { tx, client_id, id }, person, mutation, error, now.timestamp())?;
    Ok(MutationOutcome::refused(id, error))
}

/// PostgreSQL's writes for a refused mutation (see `protocol::consume_refused`).
struct Refusals<'t, 'a, 'b> {
    tx: &'t mut Tx<'a, 'b>,
    client_id: &'t str,
    id: i64,
}

impl RefusalLedger for Refusals<'_, '_, '_> {
    type Error = postgres::Error;

    fn record_failure(&mut self, code: &str, message: &str) -> std::result::Result<(), postgres::Error> {
        self.tx.execute(
            "INSERT INTO sync_failure(client_id, mutation_id, code, message) VALUES ($1, $2, $3, $4)
             ON CONFLICT (client_id, mutation_id) DO UPDATE SET code = excluded.code, message = excluded.message",
            &[&self.client_id, &self.id, &code, &message],
        )?;
        Ok(())
    }

    fn keep_declined(&mut self, asked: &BookingAsked<'_>, rejection: &str, now: i64) -> std::result::Result<(), postgres::Error> {
        let (start, end) = (asked.start.timestamp(), asked.end.timestamp());
        self.tx.execute(
            DECLINED_SQL,
            &[&asked.id, &asked.resource_id, &asked.booker_id, &start, &end, &asked.topic, &now, &rejection],
        )?;
        Ok(())
    }

    fn resend(&mut self, t: &SyncedTable, key: &[&str]) -> std::result::Result<bool, postgres::Error> {
        let filter = t.key.iter().enumerate().map(|(i, k)| format!("{k} = ${}", i + 1)).collect::<Vec<_>>().join(" AND ");
        let key: Vec<&(dyn postgres::types::ToSql + Sync)> =
            key.iter().map(|k| k as &(dyn postgres::types::ToSql + Sync)).collect();
        Ok(self.tx.execute(&format!("UPDATE {} SET version = version WHERE {filter}", t.name), &key)? > 0)
    }

    fn tombstone(&mut self, table: &str, key: &str) -> std::result::Result<(), postgres::Error> {
        self.tx.execute(
            "INSERT INTO sync_tombstone(version, table_name, row_key) VALUES (sync_version(), $1, $2)",
            &[&table, &key],
        )?;
        Ok(())
    }

    fn resend_series(&mut self, booking_id: &str) -> std::result::Result<(), postgres::Error> {
        self.tx.execute(incubook_sqlite::store::RESEND_SERIES_SQL, &[&booking_id])?;
        Ok(())
    }

    fn resend_bookings(&mut self, resent: &ResentBookings<'_>, now: i64) -> std::result::Result<(), postgres::Error> {
        self.tx.execute(incubook_core::protocol::RESEND_BOOKINGS_SQL, &[&resent.resource_id, &now, &resent.from, &resent.to])?;
        Ok(())
    }

    fn tell_booker(&mut self, told: &ToldBooker<'_>, now: i64) -> std::result::Result<(), postgres::Error> {
        let (id, detail) = (incubook_core::domain::new_id(), told.detail.to_string());
        self.tx.execute(
            incubook_core::protocol::TELL_BOOKER_SQL,
            &[&id, &told.kind, &detail, &now, &told.booking_id, &told.pusher],
        )?;
        Ok(())
    }
}
