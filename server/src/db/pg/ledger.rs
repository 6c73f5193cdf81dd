//! The PostgreSQL [`Ledger`]: the rows `apply` reads and writes inside one transaction. A
//! resource read with `lock` holds its row (and bumps its calendar counter, which the
//! optimistic path checks), so the changes to one calendar run one at a time.

use incubook::CoreError;
use incubook::decide::Actor;
use incubook::domain::{Id, new_id};
use incubook::interval::Span;
use incubook::ledger::{ApplyError, Effect, Entity, Ledger, MentorFacts, StoredBooking};
use incubook::rules::ResourceRules;

use super::bookings::{Failure, Res, load_actor, load_booking, load_busy, load_rules, lock_rules};
use super::sql::Tx;

pub(super) struct PgLedger<'t, 'a, 'b> {
    tx: &'t mut Tx<'a, 'b>,
}

impl<'t, 'a, 'b> PgLedger<'t, 'a, 'b> {
    pub(super) fn new(tx: &'t mut Tx<'a, 'b>) -> Self {
        PgLedger { tx }
    }
}

/// A decision is consumed and answered; a database failure stops the push (or is retried).
impl From<ApplyError<Failure>> for Failure {
    fn from(e: ApplyError<Failure>) -> Failure {
        match e {
            ApplyError::Decided(e) => Failure::Core(e),
            ApplyError::Storage(f) => f,
        }
    }
}

/// `None` for a row that is not there; other failures stay failures.
fn found<T>(read: Res<T>) -> Res<Option<T>> {
    match read {
        Ok(v) => Ok(Some(v)),
        Err(Failure::Core(CoreError::NotFound { .. })) => Ok(None),
        Err(e) => Err(e),
    }
}

impl Ledger for PgLedger<'_, '_, '_> {
    type Error = Failure;

    fn actor(&mut self, person_id: &str) -> Res<Option<Actor>> {
        found(load_actor(self.tx, person_id))
    }

    fn rules(&mut self, resource_id: &str, lock: bool) -> Res<Option<ResourceRules>> {
        found(if lock { lock_rules(self.tx, resource_id) } else { load_rules(self.tx, resource_id) })
    }

    fn busy(&mut self, resource_id: &str, window: Span, except: Option<&str>) -> Res<Vec<Span>> {
        load_busy(self.tx, resource_id, window, except)
    }

    fn qualification(&mut self, person_id: &str, resource_id: &str) -> Res<Option<Option<i64>>> {
        let row = self.tx.query_opt(
            "SELECT expires_at FROM qualification WHERE person_id = $1 AND resource_id = $2",
            &[&person_id, &resource_id],
        )?;
        Ok(row.map(|r| r.get(0)))
    }

    fn mentor(&mut self, resource_id: &str) -> Res<Option<MentorFacts>> {
        let row = self.tx.query_opt("SELECT person_id, visibility FROM mentor WHERE resource_id = $1", &[&resource_id])?;
        Ok(row.map(|r| MentorFacts { person_id: r.get(0), visibility: r.get(1) }))
    }

    fn booking(&mut self, id: &str) -> Res<Option<StoredBooking>> {
        Ok(found(load_booking(self.tx, id))?.map(|b| StoredBooking {
            id: id.to_string(),
            resource_id: b.resource_id,
            booker_id: b.booker_id,
            span: Span::new(b.start, b.end),
            status: b.status,
        }))
    }

    fn exists(&mut self, entity: Entity, id: &str) -> Res<bool> {
        let sql = match entity {
            // Any id ever used, deleted or not: an id names one booking for good.
            Entity::Booking => "SELECT 1 FROM booking WHERE id = $1",
            Entity::Person => "SELECT 1 FROM person WHERE id = $1 AND deleted = 0",
            Entity::Waitlist => "SELECT 1 FROM waitlist WHERE id = $1",
            Entity::Feedback => "SELECT 1 FROM feedback WHERE booking_id = $1",
        };
        Ok(self.tx.query_opt(sql, &[&id])?.is_some())
    }

    fn lab_managers(&mut self, makerspace_id: &str) -> Res<Vec<Id>> {
        let rows = self
            .tx
            .query("SELECT person_id FROM person_role WHERE makerspace_id = $1 AND role = 'lab_manager'", &[&makerspace_id])?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn first_waiting(&mut self, resource_id: &str, freed: Span) -> Res<Option<(Id, Id)>> {
        let row = self.tx.query_opt(
            "SELECT id, person_id FROM waitlist WHERE resource_id = $1 AND notified_at IS NULL AND start_at < $3 AND end_at > $2
             ORDER BY created_at, id LIMIT 1",
            &[&resource_id, &freed.start, &freed.end],
        )?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    fn write(&mut self, effect: Effect<'_>) -> Res<()> {
        let tx = &mut *self.tx;
        match effect {
            Effect::InsertBooking { id, resource_id, booker_id, span, status, topic, at } => tx.execute(
                "INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, topic, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                &[&id, &resource_id, &booker_id, &span.start, &span.end, &status.as_str(), &topic, &at],
            ),
            Effect::SetStatus { id, status, reason, at } => tx.execute(
                "UPDATE booking SET status = $2, reason = COALESCE($3, reason), updated_at = $4 WHERE id = $1",
                &[&id, &status.as_str(), &reason, &at],
            ),
            Effect::MoveBooking { id, span, status, at } => tx.execute(
                "UPDATE booking SET start_at = $2, end_at = $3, status = $4, updated_at = $5 WHERE id = $1",
                &[&id, &span.start, &span.end, &status.as_str(), &at],
            ),
            Effect::InsertWaitlist { id, resource_id, person_id, span, at } => tx.execute(
                "INSERT INTO waitlist(id, resource_id, person_id, start_at, end_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&id, &resource_id, &person_id, &span.start, &span.end, &at],
            ),
            Effect::WaitlistNotified { id, at } => tx.execute("UPDATE waitlist SET notified_at = $2 WHERE id = $1", &[&id, &at]),
            Effect::SetSessionNote { booking_id, author_id, body, at } => tx.execute(
                "INSERT INTO session_note(booking_id, author_id, body, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (booking_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                &[&booking_id, &author_id, &body, &at],
            ),
            Effect::InsertFeedback { booking_id, author_id, rating, comment, at } => tx.execute(
                "INSERT INTO feedback(booking_id, author_id, rating, comment, created_at) VALUES ($1, $2, $3, $4, $5)",
                &[&booking_id, &author_id, &i64::from(rating), &comment, &at],
            ),
            Effect::Notify { person_id, kind, booking_id, resource_id, detail, at } => tx.execute(
                "INSERT INTO notification(id, person_id, kind, booking_id, resource_id, detail, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&new_id(), &person_id, &kind, &booking_id, &resource_id, &detail.to_string(), &at],
            ),
            Effect::Audit { actor_id, action, entity, entity_id, detail, at } => tx.execute(
                "INSERT INTO audit_log(at, actor_id, action, entity, entity_id, detail) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&at, &actor_id, &action, &entity, &entity_id, &detail.to_string()],
            ),
        }?;
        Ok(())
    }
}
