//! The PostgreSQL [`Ledger`]: the rows `apply` reads and writes inside one transaction. A
//! resource read with `lock` holds its row (and bumps its calendar counter, which the
//! optimistic path checks), so the changes to one calendar run one at a time.

use incubook_core::CoreError;
use incubook_core::command::NewEquipment;
use incubook_core::decide::Actor;
use incubook_core::domain::{BlackoutWhen, BookingStatus, Id, Makerspace, OverrideKind, Policy, encode_weekly, new_id};
use incubook_core::interval::Span;
use incubook_core::ledger::{
    ApplyError, Effect, Entity, Ledger, MakerspaceKey, MentorFacts, MentorPlaces, OwnedRow, SeriesMember, SessionKey,
    StoredBooking, StoredSession,
};
use incubook_core::rules::ResourceRules;
use incubook_core::startup::StoredStartup;
use incubook_core::usage::{Rates, UsageRules};
use incubook_sqlite::store::{
    CLOSE_SESSION_SQL, CORRECT_SESSION_SQL, INSERT_SESSION_SQL, JOIN_SERIES_SQL, NO_SHOWS_SQL, OPEN_AFTER_END_SQL,
    OPEN_SESSIONS_SQL, RATES_SQL, SERIES_OF_SQL, SESSION_BY_BOOKING_SQL, SESSION_BY_ID_SQL, SET_RATES_SQL, SET_REGISTER_SQL,
    SET_USAGE_RULES_SQL, UNCHECKED_STARTED_SQL, USAGE_RULES_SQL, basis_text, rates_of, register_columns, stored_session,
    usage_rules_of,
};

use super::bookings::{Failure, Res, load_actor, load_booking, load_busy, load_rules, lock_rules};
use super::sql::Tx;
use super::startups::{load_startup, startup_by_code, startup_of, write_startup_effect};

/// Writes a resource's booking rules.
fn write_policy(tx: &mut Tx<'_, '_>, resource_id: &str, policy: &Policy) -> Res<()> {
    let durations = serde_json::to_string(&policy.durations_min).unwrap_or_else(|_| "[]".into());
    let n = |v: u32| i64::from(v);
    tx.execute(
        "UPDATE resource SET capacity = $2, granularity_min = $3, min_duration_min = $4, max_duration_min = $5, durations_min = $6,
         min_notice_min = $7, horizon_days = $8, cancel_cutoff_min = $9, buffer_before_min = $10, buffer_after_min = $11,
         max_per_day = $12, max_per_week = $13, approval_required = $14, qualification_required = $15,
         max_per_person = $16 WHERE id = $1",
        &[
            &resource_id,
            &n(policy.capacity),
            &n(policy.granularity_min),
            &n(policy.min_duration_min),
            &n(policy.max_duration_min),
            &durations,
            &n(policy.min_notice_min),
            &n(policy.horizon_days),
            &n(policy.cancel_cutoff_min),
            &n(policy.buffer_before_min),
            &n(policy.buffer_after_min),
            &policy.max_per_day.map(n),
            &policy.max_per_week.map(n),
            &i64::from(policy.approval_required),
            &i64::from(policy.qualification_required),
            &policy.max_per_person.map(n),
        ],
    )?;
    Ok(())
}

fn write_equipment(tx: &mut Tx<'_, '_>, id: &str, new: &NewEquipment) -> Res<()> {
    tx.execute(
        "UPDATE resource SET name = $2, weekly_hours = $3 WHERE id = $1",
        &[&id, &new.name, &encode_weekly(&new.weekly_hours)],
    )?;
    write_policy(tx, id, &new.policy)?;
    tx.execute(
        "INSERT INTO equipment(resource_id, lab_id, category, model, hourly_fee_cents, subsidy_pct) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (resource_id) DO UPDATE SET lab_id = excluded.lab_id, category = excluded.category, model = excluded.model,
           hourly_fee_cents = excluded.hourly_fee_cents, subsidy_pct = excluded.subsidy_pct",
        &[&id, &new.lab_id, &new.category, &new.model, &new.hourly_fee_cents, &i64::from(new.subsidy_pct)],
    )?;
    Ok(())
}

fn write_facets(tx: &mut Tx<'_, '_>, id: &str, tags: &[String], industries: &[String], languages: &[String]) -> Res<()> {
    tx.execute("DELETE FROM mentor_facet WHERE mentor_id = $1", &[&id])?;
    for (facet, values) in [("tag", tags), ("industry", industries), ("language", languages)] {
        for v in values {
            tx.execute(
                "INSERT INTO mentor_facet(mentor_id, facet, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&id, &facet, v],
            )?;
        }
    }
    Ok(())
}

/// The rules' columns are written by `write_policy`; these placeholders pass the checks.
const INSERT_RESOURCE_SQL: &str = "INSERT INTO resource(id, kind, makerspace_id, name, timezone, capacity, granularity_min,
    min_duration_min, max_duration_min, min_notice_min, horizon_days, cancel_cutoff_min, weekly_hours)
    VALUES ($1, $2, $3, $4, $5, 1, 30, 30, 30, 0, 1, 0, $6)";

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

/// A booking's facts from (id, resource, booker, start, end, status) columns.
fn stored_booking(r: &postgres::Row) -> Res<StoredBooking> {
    Ok(StoredBooking {
        id: r.get(0),
        resource_id: r.get(1),
        booker_id: r.get(2),
        span: Span::new(r.get(3), r.get(4)),
        status: BookingStatus::parse(r.get(5))?,
    })
}

/// A session's facts from the columns of `SESSION_BY_ID_SQL` and its kin.
fn session_facts(r: &postgres::Row) -> incubook_core::Result<StoredSession> {
    stored_session(
        (r.get(0), r.get(1), r.get(2), r.get(3)),
        (r.get(4), r.get(5)),
        (r.get(6), r.get(7)),
        (r.get(8), r.get(9), r.get(10), r.get::<_, i64>(11) != 0),
    )
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

    fn holding(&mut self, person_id: &str, resource_id: &str, after: i64, except: Option<&str>) -> Res<u32> {
        let row = self.tx.query_one(
            "SELECT count(*) FROM booking WHERE resource_id = $1 AND booker_id = $2 AND end_at > $3
             AND status IN ('requested', 'confirmed') AND deleted = 0 AND ($4::text IS NULL OR id <> $4)",
            &[&resource_id, &person_id, &after, &except],
        )?;
        let n: i64 = row.get(0);
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn mentor(&mut self, resource_id: &str) -> Res<Option<MentorFacts>> {
        let row = self.tx.query_opt("SELECT person_id, visibility FROM mentor WHERE resource_id = $1", &[&resource_id])?;
        Ok(row.map(|r| MentorFacts { person_id: r.get(0), visibility: r.get(1) }))
    }

    fn allocation(&mut self, id: &str) -> Res<Option<(Id, Id)>> {
        let row = self.tx.query_opt(incubook_sqlite::store::ALLOCATION_SQL, &[&id])?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    fn office_block(&mut self, id: &str, lock: bool) -> Res<Option<incubook_core::office::StoredBlock>> {
        use incubook_sqlite::store::BLOCK_SQL;
        // Locked, the takers of one block's last seat run one after another.
        let row = if lock {
            self.tx.query_opt(&format!("{BLOCK_SQL} FOR UPDATE"), &[&id])?
        } else {
            self.tx.query_opt(BLOCK_SQL, &[&id])?
        };
        let Some(r) = row else { return Ok(None) };
        let read = (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5), r.get(6), r.get(7), r.get(8));
        Ok(Some(incubook_sqlite::store::stored_block(read)?))
    }

    fn seats(&mut self, block_id: &str) -> Res<Vec<incubook_core::office::StoredSeat>> {
        let rows = self.tx.query(incubook_sqlite::store::SEATS_SQL, &[&block_id])?;
        let seats = rows.iter().map(|r| incubook_sqlite::store::stored_seat(r.get(0), r.get(1), r.get(2), r.get(3)));
        Ok(seats.collect::<incubook_core::Result<_>>()?)
    }

    fn pair_sessions_before(&mut self, booker_id: &str, resource_id: &str, start: i64) -> Res<u32> {
        let row = self.tx.query_one(incubook_sqlite::store::PAIR_SESSIONS_BEFORE_SQL, &[&booker_id, &resource_id, &start])?;
        Ok(u32::try_from(row.get::<_, i64>(0)).unwrap_or(u32::MAX))
    }

    fn mentor_places(&mut self, resource_id: &str) -> Res<Option<MentorPlaces>> {
        let row = self.tx.query_opt(incubook_sqlite::store::MENTOR_PLACES_SQL, &[&resource_id])?;
        Ok(row.map(|r| incubook_sqlite::store::mentor_places(r.get(0), r.get(1))).transpose()?)
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
            Entity::Person => "SELECT 1 FROM person WHERE id = $1",
            Entity::LivePerson => "SELECT 1 FROM person WHERE id = $1 AND deleted = 0",
            Entity::Waitlist => "SELECT 1 FROM waitlist WHERE id = $1",
            Entity::Feedback => "SELECT 1 FROM feedback WHERE booking_id = $1",
            Entity::MentorFeedback => "SELECT 1 FROM mentor_feedback WHERE booking_id = $1",
            Entity::Allocation => "SELECT 1 FROM hour_allocation WHERE id = $1",
            Entity::TopUp => "SELECT 1 FROM hour_topup WHERE id = $1",
            Entity::Resource => "SELECT 1 FROM resource WHERE id = $1",
            Entity::Lab => "SELECT 1 FROM lab WHERE id = $1",
            Entity::DateOverride => "SELECT 1 FROM date_override WHERE id = $1",
            Entity::Blackout => "SELECT 1 FROM blackout WHERE id = $1",
            Entity::MentorPerson => "SELECT 1 FROM mentor WHERE person_id = $1",
            Entity::UsageSession => "SELECT 1 FROM usage_session WHERE id = $1",
            Entity::Startup => "SELECT 1 FROM startup WHERE id = $1",
            Entity::Event => "SELECT 1 FROM event WHERE id = $1",
            Entity::ZoneChangeNotice => "SELECT 1 FROM notification WHERE booking_id = $1 AND kind = 'zone_change'",
            Entity::Residency => "SELECT 1 FROM residency WHERE id = $1",
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

    fn makerspace(&mut self, key: MakerspaceKey<'_>) -> Res<Option<Makerspace>> {
        let (sql, k) = match key {
            MakerspaceKey::Code(code) => {
                ("SELECT id, code, name, address, timezone FROM makerspace WHERE code = $1 AND deleted = 0", code)
            }
            MakerspaceKey::Id(id) => {
                ("SELECT id, code, name, address, timezone FROM makerspace WHERE id = $1 AND deleted = 0", id)
            }
        };
        let row = self.tx.query_opt(sql, &[&k])?;
        Ok(row.map(|r| Makerspace { id: r.get(0), code: r.get(1), name: r.get(2), address: r.get(3), timezone: r.get(4) }))
    }

    fn lab_home(&mut self, lab_id: &str) -> Res<Option<(Id, String)>> {
        let row = self.tx.query_opt(
            "SELECT l.makerspace_id, m.timezone FROM lab l JOIN makerspace m ON m.id = l.makerspace_id WHERE l.id = $1 AND l.deleted = 0",
            &[&lab_id],
        )?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    fn owner_of(&mut self, row: OwnedRow<'_>) -> Res<Option<Id>> {
        let (sql, id) = match row {
            OwnedRow::DateOverride(id) => ("SELECT resource_id FROM date_override WHERE id = $1", id),
            OwnedRow::Blackout(id) => ("SELECT resource_id FROM blackout WHERE id = $1 AND deleted = 0", id),
        };
        Ok(self.tx.query_opt(sql, &[&id])?.map(|r| r.get(0)))
    }

    fn person_name(&mut self, person_id: &str) -> Res<Option<String>> {
        Ok(self.tx.query_opt("SELECT name FROM person WHERE id = $1 AND deleted = 0", &[&person_id])?.map(|r| r.get(0)))
    }

    /// Locked, like `booking`: a blackout cancels what it read.
    fn active_bookings(&mut self, resource_id: &str, after: i64) -> Res<Vec<StoredBooking>> {
        let rows = self.tx.query(
            "SELECT id, resource_id, booker_id, start_at, end_at, status FROM booking
             WHERE resource_id = $1 AND end_at > $2 AND status IN ('requested', 'confirmed') AND deleted = 0
             ORDER BY start_at, id FOR UPDATE",
            &[&resource_id, &after],
        )?;
        rows.iter().map(stored_booking).collect()
    }

    fn usage_session(&mut self, key: SessionKey<'_>) -> Res<Option<StoredSession>> {
        let (sql, id) = match key {
            SessionKey::Id(id) => (SESSION_BY_ID_SQL, id),
            SessionKey::Booking(id) => (SESSION_BY_BOOKING_SQL, id),
        };
        let Some(r) = self.tx.query_opt(sql, &[&id])? else { return Ok(None) };
        Ok(Some(session_facts(&r)?))
    }

    fn rates(&mut self, resource_id: &str) -> Res<Option<Rates>> {
        let row = self.tx.query_opt(RATES_SQL, &[&resource_id])?;
        Ok(row.map(|r| rates_of([r.get(0), r.get(1), r.get(2)], r.get(3), r.get(4), r.get(5))))
    }

    fn usage_rules(&mut self, resource_id: &str) -> Res<Option<UsageRules>> {
        let row = self.tx.query_opt(USAGE_RULES_SQL, &[&resource_id])?;
        Ok(row.map(|r| usage_rules_of([r.get(0), r.get(1), r.get(2), r.get(3)])))
    }

    fn open_sessions(&mut self, resource_id: &str) -> Res<Vec<StoredSession>> {
        let rows = self.tx.query(OPEN_SESSIONS_SQL, &[&resource_id])?;
        Ok(rows.iter().map(session_facts).collect::<incubook_core::Result<_>>()?)
    }

    fn no_shows(&mut self, person_id: &str, since: i64) -> Res<u32> {
        let count: i64 = self.tx.query_one(NO_SHOWS_SQL, &[&person_id, &since])?.get(0);
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    fn series_of(&mut self, booking_id: &str) -> Res<Vec<SeriesMember>> {
        let rows = self.tx.query(SERIES_OF_SQL, &[&booking_id])?;
        rows.iter().map(|r| Ok(SeriesMember { booking: stored_booking(r)?, recurrence_at: r.get(6) })).collect()
    }

    fn mentor_sessions(&mut self, window: Span) -> Res<Vec<(StoredBooking, String, String)>> {
        let rows = self.tx.query(incubook_sqlite::store::MENTOR_SESSIONS_SQL, &[&window.start, &window.end])?;
        rows.iter().map(|r| Ok((stored_booking(r)?, r.get(6), r.get(7)))).collect()
    }

    fn unanswered_requests(&mut self, before: i64) -> Res<Vec<StoredBooking>> {
        self.tx.query(incubook_sqlite::store::UNANSWERED_REQUESTS_SQL, &[&before])?.iter().map(stored_booking).collect()
    }

    fn unchecked_started(&mut self, now: i64) -> Res<Vec<StoredBooking>> {
        self.tx.query(UNCHECKED_STARTED_SQL, &[&now])?.iter().map(stored_booking).collect()
    }

    fn open_after_end(&mut self, now: i64) -> Res<Vec<StoredSession>> {
        let rows = self.tx.query(OPEN_AFTER_END_SQL, &[&now])?;
        Ok(rows.iter().map(session_facts).collect::<incubook_core::Result<_>>()?)
    }

    fn event(&mut self, id: &str, lock: bool) -> Res<Option<incubook_core::events::StoredEvent>> {
        use incubook_sqlite::store::EVENT_SQL;
        // Locked, registrations for one event's last places run one after another.
        let row = if lock {
            self.tx.query_opt(&format!("{EVENT_SQL} FOR UPDATE"), &[&id])?
        } else {
            self.tx.query_opt(EVENT_SQL, &[&id])?
        };
        Ok(row.map(|r| incubook_core::events::StoredEvent {
            id: r.get(0),
            makerspace_id: r.get(1),
            start: r.get(2),
            end: r.get(3),
            capacity: u32::try_from(r.get::<_, i64>(4)).unwrap_or(0),
            cancelled: r.get::<_, i64>(5) == 1,
        }))
    }

    fn registrations(&mut self, event_id: &str) -> Res<Vec<incubook_core::events::Registration>> {
        let rows = self.tx.query(incubook_sqlite::store::REGISTRATIONS_SQL, &[&event_id])?;
        Ok(rows
            .iter()
            .map(|r| incubook_core::events::Registration {
                person_id: r.get(0),
                active: r.get::<_, i64>(1) == 1,
                attended: r.get::<_, i64>(2) == 1,
            })
            .collect())
    }

    fn startup(&mut self, id: &str) -> Res<Option<StoredStartup>> {
        load_startup(self.tx, id)
    }

    fn startup_of(&mut self, person_id: &str) -> Res<Option<Id>> {
        startup_of(self.tx, person_id)
    }

    fn startup_by_credit_code(&mut self, code: &str) -> Res<Option<(Id, String)>> {
        startup_by_code(self.tx, code)
    }

    fn write(&mut self, effect: Effect<'_>) -> Res<()> {
        let tx = &mut *self.tx;
        match effect {
            Effect::InsertStartup { .. }
            | Effect::UpdateStartup { .. }
            | Effect::SetStartupMember { .. }
            | Effect::RemoveStartupMember { .. }
            | Effect::InsertResidency { .. }
            | Effect::SetMoveOut { .. } => return write_startup_effect(tx, &effect),
            Effect::InsertEvent { id, event: e, created_by, at } => {
                let kind: &str = e.kind.into();
                let (start, end, capacity) = (e.start.timestamp(), e.end.timestamp(), i64::from(e.capacity));
                tx.execute(
                    incubook_sqlite::store::INSERT_EVENT_SQL,
                    &[&id, &e.makerspace_id, &kind, &e.title, &start, &end, &e.place, &capacity, &created_by, &at],
                )
            }
            Effect::CancelEvent { id } => tx.execute(incubook_sqlite::store::CANCEL_EVENT_SQL, &[&id]),
            Effect::SetRegistration { event_id, person_id, active, at } => {
                tx.execute(incubook_sqlite::store::SET_REGISTRATION_SQL, &[&event_id, &person_id, &i64::from(active), &at])?;
                tx.execute(incubook_sqlite::store::COUNT_REGISTERED_SQL, &[&event_id])
            }
            Effect::SetAttendance { event_id, person_id, attended } => {
                tx.execute(incubook_sqlite::store::SET_ATTENDANCE_SQL, &[&i64::from(attended), &event_id, &person_id])
            }
            Effect::InsertBooking { id, resource_id, booker_id, startup_id, span, status, topic, at } => tx.execute(
                incubook_sqlite::store::INSERT_BOOKING_SQL,
                &[&id, &resource_id, &booker_id, &span.start, &span.end, &status.as_str(), &topic, &at, &startup_id],
            ),
            Effect::SetKioskPin { person_id, pin_hash } => {
                tx.execute(incubook_sqlite::store::SET_KIOSK_PIN_SQL, &[&pin_hash, &person_id])
            }
            Effect::JoinSeries { booking_id, series_id, rule, recurrence, rejection } => {
                tx.execute(JOIN_SERIES_SQL, &[&series_id, &rule, &recurrence.start, &recurrence.end, &rejection, &booking_id])
            }
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
            Effect::InsertFeedback { booking_id, author_id, side, rating, comment, pairing_fits, startup_id, at } => tx.execute(
                incubook_sqlite::store::insert_feedback_sql(side),
                &[&booking_id, &author_id, &i64::from(rating), &comment, &pairing_fits.map(i64::from), &startup_id, &at],
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
            Effect::SetWeeklyHours { resource_id, hours } => {
                tx.execute("UPDATE resource SET weekly_hours = $2 WHERE id = $1", &[&resource_id, &encode_weekly(hours)])
            }
            Effect::SetPolicy { resource_id, policy } => return write_policy(tx, resource_id, policy),
            Effect::InsertDateOverride { id, resource_id, date_override: o, note } => tx.execute(
                "INSERT INTO date_override(id, resource_id, date, kind, start_min, end_min, note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &id,
                    &resource_id,
                    &o.date.format("%Y-%m-%d").to_string(),
                    &if o.kind == OverrideKind::Off { "off" } else { "extra" },
                    &i64::from(o.start_min),
                    &i64::from(o.end_min),
                    &note,
                ],
            ),
            Effect::DeleteDateOverride { id } => tx.execute("DELETE FROM date_override WHERE id = $1", &[&id]),
            Effect::InsertEquipment { id, makerspace_id, timezone, equipment } => {
                tx.execute(INSERT_RESOURCE_SQL, &[&id, &"equipment", &makerspace_id, &equipment.name, &timezone, &"[]"])?;
                return write_equipment(tx, id, equipment);
            }
            Effect::UpdateEquipment { id, equipment } => return write_equipment(tx, id, equipment),
            Effect::InsertUsageSession {
                id,
                resource_id,
                booking_id,
                person_id,
                class,
                purpose,
                samples,
                walk_up,
                startup_id,
                at,
            } => {
                let (class, purpose): (&str, &str) = (class.into(), purpose.into());
                let (samples, walk_up) = (i64::from(samples), i64::from(walk_up));
                tx.execute(
                    INSERT_SESSION_SQL,
                    &[&id, &resource_id, &booking_id, &person_id, &at, &class, &purpose, &samples, &walk_up, &startup_id],
                )
            }
            Effect::SetRegister { resource_id, register } => {
                let (value, bought, accepted, funding, asset, open, operator) = register_columns(register);
                tx.execute(SET_REGISTER_SQL, &[&value, &bought, &accepted, &funding, &asset, &open, &operator, &resource_id])
            }
            Effect::SetUsageRules { resource_id, rules } => tx.execute(
                SET_USAGE_RULES_SQL,
                &[
                    &i64::from(rules.check_in_opens_min),
                    &i64::from(rules.no_show_after_min),
                    &i64::from(rules.close_grace_min),
                    &i64::from(rules.approval_after_no_shows),
                    &resource_id,
                ],
            ),
            Effect::CorrectUsageSession { id, ran, purpose, samples, fee_fen, waived_fen } => {
                let purpose: &str = purpose.into();
                tx.execute(
                    CORRECT_SESSION_SQL,
                    &[&ran.start, &ran.end, &purpose, &i64::from(samples), &fee_fen, &waived_fen, &id],
                )
            }
            Effect::CloseUsageSession { id, ended_at, fee_fen, flagged } => {
                tx.execute(CLOSE_SESSION_SQL, &[&ended_at, &fee_fen, &i64::from(flagged), &id])
            }
            Effect::SetRates { resource_id, rates: r } => tx.execute(
                SET_RATES_SQL,
                &[
                    &r.internal_fen_per_hour,
                    &r.external_fen_per_hour,
                    &r.enterprise_fen_per_hour,
                    &basis_text(r.basis),
                    &r.minimum_fen,
                    &i64::from(r.rounding_min),
                    &resource_id,
                ],
            ),
            Effect::InsertBlackout { blackout: b, created_by, at } => {
                let (once, weekly) = match &b.when {
                    BlackoutWhen::Once { start, end } => (Some((*start, *end)), None),
                    BlackoutWhen::Weekly { weekday, start_min, end_min, from, until } => (
                        None,
                        Some((
                            i64::from(*weekday),
                            i64::from(*start_min),
                            i64::from(*end_min),
                            from.format("%Y-%m-%d").to_string(),
                            until.map(|u| u.format("%Y-%m-%d").to_string()),
                        )),
                    ),
                };
                tx.execute(
                    "INSERT INTO blackout(id, resource_id, kind, start_at, end_at, weekday, start_min, end_min, valid_from, valid_until,
                     reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                    &[
                        &b.id,
                        &b.resource_id,
                        &if once.is_some() { "once" } else { "weekly" },
                        &once.map(|o| o.0),
                        &once.map(|o| o.1),
                        &weekly.as_ref().map(|w| w.0),
                        &weekly.as_ref().map(|w| w.1),
                        &weekly.as_ref().map(|w| w.2),
                        &weekly.as_ref().map(|w| w.3.clone()),
                        &weekly.as_ref().and_then(|w| w.4.clone()),
                        &b.reason,
                        &created_by,
                        &at,
                    ],
                )
            }
            Effect::DeleteBlackout { id } => tx.execute("UPDATE blackout SET deleted = 1 WHERE id = $1", &[&id]),
            Effect::SetQualification { person_id, resource_id, granted_by, expires_at, at } => tx.execute(
                "INSERT INTO qualification(person_id, resource_id, granted_by, granted_at, expires_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (person_id, resource_id) DO UPDATE SET granted_by = excluded.granted_by, granted_at = excluded.granted_at,
                   expires_at = excluded.expires_at",
                &[&person_id, &resource_id, &granted_by, &at, &expires_at],
            ),
            Effect::DeleteQualification { person_id, resource_id } => {
                tx.execute("DELETE FROM qualification WHERE person_id = $1 AND resource_id = $2", &[&person_id, &resource_id])
            }
            Effect::InsertPerson { id, name, person: p, at } => tx.execute(
                "INSERT INTO person(id, name, phone, email, startup_name, industry, stage, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[&id, &name, &p.phone, &p.email, &p.startup_name, &p.industry, &p.stage, &at],
            ),
            Effect::GrantRole { person_id, makerspace_id, role } => tx.execute(
                "INSERT INTO person_role(person_id, makerspace_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&person_id, &makerspace_id, &role.as_str()],
            ),
            Effect::RevokeRole { person_id, makerspace_id, role } => tx.execute(
                "DELETE FROM person_role WHERE person_id = $1 AND makerspace_id = $2 AND role = $3",
                &[&person_id, &makerspace_id, &role.as_str()],
            ),
            Effect::InsertLab { id, makerspace_id, name, description, manager_ids } => {
                tx.execute(
                    "INSERT INTO lab(id, makerspace_id, name, description) VALUES ($1, $2, $3, $4)",
                    &[&id, &makerspace_id, &name, &description],
                )?;
                for m in manager_ids {
                    tx.execute("INSERT INTO lab_manager(lab_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", &[&id, m])?;
                }
                return Ok(());
            }
            Effect::InsertMentor { id, makerspace_id, name, timezone, mentor: m } => {
                tx.execute(INSERT_RESOURCE_SQL, &[&id, &"mentor", &makerspace_id, &name, &timezone, &encode_weekly(&m.weekly_hours)])?;
                write_policy(tx, id, &m.policy)?;
                tx.execute(
                    incubook_sqlite::store::INSERT_MENTOR_SQL,
                    &[&id, &m.person_id, &m.title, &m.bio, &m.formats.join(","), &m.visibility.as_str(), &i64::from(m.full_time)],
                )?;
                return write_facets(tx, id, &m.tags, &m.industries, &m.languages);
            }
            Effect::InsertAllocation { id, allocation: a, created_by, at } => tx.execute(
                incubook_sqlite::store::INSERT_ALLOCATION_SQL,
                &[
                    &id,
                    &a.startup_id,
                    &a.makerspace_id,
                    &a.programme,
                    &a.starts_on.to_string(),
                    &a.ends_on.to_string(),
                    &i64::from(a.hours * 60),
                    &created_by,
                    &at,
                ],
            ),
            Effect::InsertTopUp { id, allocation_id, startup_id, minutes, reason, created_by, at } => tx.execute(
                incubook_sqlite::store::INSERT_TOPUP_SQL,
                &[&id, &allocation_id, &startup_id, &i64::from(minutes), &reason, &created_by, &at],
            ),
            Effect::InsertBlock { id, resource_id, kind, title, span, seat_minutes, capacity, at } => tx.execute(
                incubook_sqlite::store::INSERT_BLOCK_SQL,
                &[&id, &resource_id, &kind.as_str(), &title, &span.start, &span.end, &i64::from(seat_minutes), &i64::from(capacity), &at],
            ),
            Effect::CancelBlock { id } => tx.execute(incubook_sqlite::store::CANCEL_BLOCK_SQL, &[&id]),
            Effect::SetBlockHeld { id, held } => tx.execute(
                incubook_sqlite::store::SET_BLOCK_HELD_SQL,
                &[&incubook_core::office::held_text(held), &(held.len() as i64), &id],
            ),
            Effect::PutSeat { block_id, person_id, seat, state, at } => tx.execute(
                incubook_sqlite::store::PUT_SEAT_SQL,
                &[&block_id, &person_id, &seat.map(i64::from), &state.as_str(), &at],
            ),
            Effect::SetPlace { booking_id, format, place, at } => {
                let place = incubook_sqlite::store::place_json(place)?;
                tx.execute(incubook_sqlite::store::SET_PLACE_SQL, &[&format.as_str(), &place, &at, &booking_id])
            }
            Effect::SetPlaceDefaults { mentor_id, defaults } => {
                let json = incubook_sqlite::store::defaults_json(defaults)?;
                tx.execute(incubook_sqlite::store::SET_PLACE_DEFAULTS_SQL, &[&json, &mentor_id])
            }
            Effect::UpdateMentorProfile { id, profile: p } => {
                tx.execute(
                    incubook_sqlite::store::UPDATE_MENTOR_PROFILE_SQL,
                    &[&p.title, &p.bio, &p.formats.join(","), &p.visibility.as_str(), &i64::from(p.full_time), &id],
                )?;
                if let Some(zone) = &p.timezone {
                    tx.execute(incubook_sqlite::store::SET_RESOURCE_ZONE_SQL, &[zone, &id])?;
                }
                return write_facets(tx, id, &p.tags, &p.industries, &p.languages);
            }
        }?;
        Ok(())
    }
}
