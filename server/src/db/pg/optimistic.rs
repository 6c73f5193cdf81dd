//! A new booking on PostgreSQL outside a batch (`batch.rs` takes pushes of new bookings only;
//! this takes the bookings of any other push, and those a batch hands back) in two round
//! trips: one statement reads everything the core's `apply` needs together with the
//! calendar's counter (`resource_calendar`, V3), `apply` decides over what was read
//! (`ahead.rs`), and one statement writes the outcome — the booking, its audit entry, the
//! people told, or the refusal, and the client's acknowledgement — only if the counter is still
//! the one read. Every other change to a calendar moves the counter under its lock
//! (`bookings::lock_rules`), so a booking decided on rows that changed since is decided again;
//! the write is its own transaction, and the calendar's lock is held for that one statement
//! only. The exclusion constraint still backs capacity-1 resources. Anything unusual (a
//! missing row, a taken id, a fact not read ahead) goes the locking way
//! (`push::apply_once`), which handles every case.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use incubook_core::decide;
use incubook_core::protocol::{Mutation, MutationOutcome};
use postgres::types::ToSql;

use super::ahead::{self, Asked, EFFECT_PARAMS, Earlier, Effects};
use super::bookings::Res;
use super::sql::PgConn;

/// Times a booking is decided again because its calendar changed meanwhile, before it waits
/// its turn on the locking way.
const ATTEMPTS: usize = 4;

/// The effects, written only if the client's mutation is not taken yet and, for an accepted
/// booking, the calendar's counter is still the one read (moving it on); answers whether the
/// counter held and whether the mutation was still the client's to take.
static WRITE_SQL: LazyLock<String> = LazyLock::new(|| {
    let (client, id, seq, accepting, resource) =
        (EFFECT_PARAMS + 1, EFFECT_PARAMS + 2, EFFECT_PARAMS + 3, EFFECT_PARAMS + 4, EFFECT_PARAMS + 5);
    format!(
        "WITH bumped AS (
           INSERT INTO resource_calendar(resource_id, seq) SELECT ${resource}::text, 1 WHERE ${accepting}::boolean
           ON CONFLICT (resource_id) DO UPDATE SET seq = resource_calendar.seq + 1 WHERE resource_calendar.seq = ${seq}
           RETURNING seq),
         ready AS (SELECT 1 WHERE NOT ${accepting}::boolean OR EXISTS (SELECT 1 FROM bumped)),
         claimed AS (
           UPDATE sync_client SET last_mutation_id = ${id}
           WHERE client_id = ${client} AND last_mutation_id < ${id} AND EXISTS (SELECT 1 FROM ready) RETURNING client_id),
         {}
         SELECT (SELECT count(*) FROM ready), (SELECT count(*) FROM claimed)",
        ahead::effects_sql("EXISTS (SELECT 1 FROM claimed)")
    )
});

/// What became of a booking tried this way.
pub(super) enum Booked {
    /// Decided: its outcome, or `None` when another push of the client took it first.
    Decided(Option<MutationOutcome>),
    /// To be applied the locking way.
    Locking,
}

/// Decides and writes a `Book` for `person`, as mutation `id` of `client_id`.
pub(super) fn book(
    conn: &mut PgConn,
    person: &str,
    client_id: &str,
    id: i64,
    mutation: &Mutation,
    now: DateTime<Utc>,
) -> Res<Booked> {
    // A session booked in a format reads the mentor's places, which only the locking way does.
    let Mutation::Book { booking_id, resource_id, start, end, topic, format: None } = mutation else {
        return Ok(Booked::Locking);
    };
    let now = now.timestamp();
    let Ok(request) = decide::validate_request(*start, *end, topic, now) else {
        return Ok(Booked::Locking);
    };
    for _ in 0..ATTEMPTS {
        let asked = Asked { booking_id, person, resource_id, request, now };
        let Some(context) = ahead::read_contexts(&mut conn.sql(), &[asked])?.pop().flatten() else {
            return Ok(Booked::Locking);
        };
        if context.taken || context.actor.is_none() {
            return Ok(Booked::Locking);
        }
        let mut effects = Effects::default();
        let Ok(refusal) = ahead::decide(&mut effects, (person, client_id, id), &context, Earlier::default(), mutation, now)
        else {
            return Ok(Booked::Locking);
        };
        let accepting = refusal.is_none();
        let mut params: Vec<&(dyn ToSql + Sync)> = effects.params().to_vec();
        params.extend([&client_id as &(dyn ToSql + Sync), &id, &context.seq, &accepting, &context.rules.id]);
        let row = conn.sql().query_one(&WRITE_SQL, &params)?;
        let (ready, claimed): (i64, i64) = (row.get(0), row.get(1));
        if ready == 0 {
            continue;
        }
        let outcome = match refusal {
            None => MutationOutcome::applied(id),
            Some(refusal) => MutationOutcome::refused(id, &refusal),
        };
        return Ok(Booked::Decided((claimed == 1).then_some(outcome)));
    }
    Ok(Booked::Locking)
}
