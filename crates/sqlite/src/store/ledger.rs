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
use crate::ledger::{
    Effect, Entity, Ledger, MakerspaceKey, MentorFacts, MentorPlaces, OwnedRow, SeriesMember, SessionKey, StoredBooking,
    StoredSession,
};
use crate::rules::ResourceRules;
use crate::startup::StoredStartup;
use crate::usage::{Rates, UsageRules};

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

impl Ledger for SqliteLedger<'_> {
    type Error = CoreError;

    fn actor(&mut self, person_id: &str) -> Result<Option<Actor>> {
        found(load_actor(self.tx, person_id))
    }

    /// SQLite's one writer holds the file for the whole transaction: nothing to lock.
    fn rules(&mut self, resource_id: &str, _lock: bool) -> Result<Option<ResourceRules>> {
        found(load_rules(self.tx, resource_id))
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

    fn holding(&mut self, person_id: &str, resource_id: &str, after: i64, except: Option<&str>) -> Result<u32> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT count(*) FROM booking WHERE resource_id = ?1 AND booker_id = ?2 AND end_at > ?3
                 AND status IN ('requested', 'confirmed') AND deleted = 0 AND (?4 IS NULL OR id <> ?4)",
            )?
            .query_row(params![resource_id, person_id, after, except], |r| r.get(0))?)
    }

    fn mentor(&mut self, resource_id: &str) -> Result<Option<MentorFacts>> {
        Ok(self
            .tx
            .prepare_cached("SELECT person_id, visibility FROM mentor WHERE resource_id = ?1")?
            .query_row([resource_id], |r| Ok(MentorFacts { person_id: r.get(0)?, visibility: r.get(1)? }))
            .optional()?)
    }

    fn allocation(&mut self, id: &str) -> Result<Option<(Id, Id)>> {
        super::allocations::load_allocation(self.tx, id)
    }

    fn office_block(&mut self, id: &str, _lock: bool) -> Result<Option<crate::office::StoredBlock>> {
        super::office::load_block(self.tx, id)
    }

    fn seats(&mut self, block_id: &str) -> Result<Vec<crate::office::StoredSeat>> {
        super::office::load_seats(self.tx, block_id)
    }

    fn pair_sessions_before(&mut self, booker_id: &str, resource_id: &str, start: i64) -> Result<u32> {
        Ok(self
            .tx
            .prepare_cached(super::PAIR_SESSIONS_BEFORE_SQL)?
            .query_row(params![booker_id, resource_id, start], |r| r.get(0))?)
    }

    fn mentor_places(&mut self, resource_id: &str) -> Result<Option<MentorPlaces>> {
        let row: Option<(String, String)> = self
            .tx
            .prepare_cached(super::MENTOR_PLACES_SQL)?
            .query_row([resource_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(formats, places)| super::mentor_places(&formats, &places)).transpose()
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
            Entity::Person => "SELECT EXISTS(SELECT 1 FROM person WHERE id = ?1)",
            Entity::LivePerson => "SELECT EXISTS(SELECT 1 FROM person WHERE id = ?1 AND deleted = 0)",
            Entity::Waitlist => "SELECT EXISTS(SELECT 1 FROM waitlist WHERE id = ?1)",
            Entity::Feedback => "SELECT EXISTS(SELECT 1 FROM feedback WHERE booking_id = ?1)",
            Entity::MentorFeedback => "SELECT EXISTS(SELECT 1 FROM mentor_feedback WHERE booking_id = ?1)",
            Entity::Allocation => "SELECT EXISTS(SELECT 1 FROM hour_allocation WHERE id = ?1)",
            Entity::TopUp => "SELECT EXISTS(SELECT 1 FROM hour_topup WHERE id = ?1)",
            Entity::Resource => "SELECT EXISTS(SELECT 1 FROM resource WHERE id = ?1)",
            Entity::Lab => "SELECT EXISTS(SELECT 1 FROM lab WHERE id = ?1)",
            Entity::DateOverride => "SELECT EXISTS(SELECT 1 FROM date_override WHERE id = ?1)",
            Entity::Blackout => "SELECT EXISTS(SELECT 1 FROM blackout WHERE id = ?1)",
            Entity::MentorPerson => "SELECT EXISTS(SELECT 1 FROM mentor WHERE person_id = ?1)",
            Entity::UsageSession => "SELECT EXISTS(SELECT 1 FROM usage_session WHERE id = ?1)",
            Entity::Startup => "SELECT EXISTS(SELECT 1 FROM startup WHERE id = ?1)",
            Entity::ZoneChangeNotice => super::ZONE_NOTICE_EXISTS_SQL,
            Entity::Event => "SELECT EXISTS(SELECT 1 FROM event WHERE id = ?1)",
            Entity::Residency => "SELECT EXISTS(SELECT 1 FROM residency WHERE id = ?1)",
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

    fn makerspace(&mut self, key: MakerspaceKey<'_>) -> Result<Option<Makerspace>> {
        match key {
            MakerspaceKey::Code(code) => found(makerspace_by_code(self.tx, code)),
            MakerspaceKey::Id(id) => Ok(self
                .tx
                .prepare_cached("SELECT id, code, name, address, timezone FROM makerspace WHERE id = ?1 AND deleted = 0")?
                .query_row([id], makerspace_from_row)
                .optional()?),
        }
    }

    fn lab_home(&mut self, lab_id: &str) -> Result<Option<(Id, String)>> {
        found(lab_home(self.tx, lab_id))
    }

    fn owner_of(&mut self, row: OwnedRow<'_>) -> Result<Option<Id>> {
        let (sql, id) = match row {
            OwnedRow::DateOverride(id) => ("SELECT resource_id FROM date_override WHERE id = ?1", id),
            OwnedRow::Blackout(id) => ("SELECT resource_id FROM blackout WHERE id = ?1 AND deleted = 0", id),
        };
        Ok(self.tx.prepare_cached(sql)?.query_row([id], |r| r.get(0)).optional()?)
    }

    fn person_name(&mut self, person_id: &str) -> Result<Option<String>> {
        Ok(self
            .tx
            .prepare_cached("SELECT name FROM person WHERE id = ?1 AND deleted = 0")?
            .query_row([person_id], |r| r.get(0))
            .optional()?)
    }

    fn active_bookings(&mut self, resource_id: &str, after: i64) -> Result<Vec<StoredBooking>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, resource_id, booker_id, start_at, end_at, status FROM booking
             WHERE resource_id = ?1 AND end_at > ?2 AND status IN ('requested', 'confirmed') AND deleted = 0 ORDER BY start_at, id",
        )?;
        let rows = stmt.query_map(params![resource_id, after], stored_booking)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(to_stored).collect()
    }

    fn usage_session(&mut self, key: SessionKey<'_>) -> Result<Option<StoredSession>> {
        let (sql, id) = match key {
            SessionKey::Id(id) => (SESSION_BY_ID_SQL, id),
            SessionKey::Booking(id) => (SESSION_BY_BOOKING_SQL, id),
        };
        let row = self.tx.prepare_cached(sql)?.query_row([id], session_columns).optional()?;
        row.map(session_facts).transpose()
    }

    fn rates(&mut self, resource_id: &str) -> Result<Option<Rates>> {
        super::usage::read_rates(self.tx, resource_id)
    }

    fn usage_rules(&mut self, resource_id: &str) -> Result<Option<UsageRules>> {
        Ok(self
            .tx
            .prepare_cached(USAGE_RULES_SQL)?
            .query_row([resource_id], |r| Ok(usage_rules_of([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?])))
            .optional()?)
    }

    fn open_sessions(&mut self, resource_id: &str) -> Result<Vec<StoredSession>> {
        let mut stmt = self.tx.prepare_cached(OPEN_SESSIONS_SQL)?;
        let rows = stmt.query_map([resource_id], session_columns)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(session_facts).collect()
    }

    fn no_shows(&mut self, person_id: &str, since: i64) -> Result<u32> {
        let count: i64 = self.tx.prepare_cached(NO_SHOWS_SQL)?.query_row(params![person_id, since], |r| r.get(0))?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    fn series_of(&mut self, booking_id: &str) -> Result<Vec<SeriesMember>> {
        let mut stmt = self.tx.prepare_cached(SERIES_OF_SQL)?;
        let rows = stmt.query_map([booking_id], |r| Ok((stored_booking(r)?, r.get::<_, i64>(6)?)))?;
        let rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|(b, recurrence_at)| Ok(SeriesMember { booking: to_stored(b)?, recurrence_at })).collect()
    }

    fn mentor_sessions(&mut self, window: Span) -> Result<Vec<(StoredBooking, String, String)>> {
        let mut stmt = self.tx.prepare_cached(super::MENTOR_SESSIONS_SQL)?;
        let rows = stmt
            .query_map([window.start, window.end], |r| Ok((stored_booking(r)?, r.get::<_, String>(6)?, r.get::<_, String>(7)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|(b, m, p)| Ok((to_stored(b)?, m, p))).collect()
    }

    fn unanswered_requests(&mut self, before: i64) -> Result<Vec<StoredBooking>> {
        let mut stmt = self.tx.prepare_cached(super::UNANSWERED_REQUESTS_SQL)?;
        let rows = stmt.query_map([before], stored_booking)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(to_stored).collect()
    }

    fn unchecked_started(&mut self, now: i64) -> Result<Vec<StoredBooking>> {
        let mut stmt = self.tx.prepare_cached(UNCHECKED_STARTED_SQL)?;
        let rows = stmt.query_map([now], stored_booking)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(to_stored).collect()
    }

    fn open_after_end(&mut self, now: i64) -> Result<Vec<StoredSession>> {
        let mut stmt = self.tx.prepare_cached(OPEN_AFTER_END_SQL)?;
        let rows = stmt.query_map([now], session_columns)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(session_facts).collect()
    }

    fn event(&mut self, id: &str, _lock: bool) -> Result<Option<crate::events::StoredEvent>> {
        super::events::load_event(self.tx, id)
    }

    fn registrations(&mut self, event_id: &str) -> Result<Vec<crate::events::Registration>> {
        super::events::load_registrations(self.tx, event_id)
    }

    fn startup(&mut self, id: &str) -> Result<Option<StoredStartup>> {
        load_startup(self.tx, id)
    }

    fn startup_of(&mut self, person_id: &str) -> Result<Option<Id>> {
        startup_of(self.tx, person_id)
    }

    fn startup_by_credit_code(&mut self, code: &str) -> Result<Option<(Id, String)>> {
        startup_by_code(self.tx, code)
    }

    fn write(&mut self, effect: Effect<'_>) -> Result<()> {
        let tx = self.tx;
        match effect {
            Effect::InsertStartup { .. }
            | Effect::UpdateStartup { .. }
            | Effect::SetStartupMember { .. }
            | Effect::RemoveStartupMember { .. }
            | Effect::InsertResidency { .. }
            | Effect::SetMoveOut { .. } => write_startup_effect(tx, &effect)?,
            Effect::InsertAllocation { .. } | Effect::InsertTopUp { .. } => {
                super::allocations::write_allocation_effect(tx, &effect)?
            }
            Effect::InsertBlock { .. } | Effect::CancelBlock { .. } | Effect::SetBlockHeld { .. } | Effect::PutSeat { .. } => {
                super::office::write_office_effect(tx, &effect)?
            }
            Effect::InsertEvent { .. }
            | Effect::CancelEvent { .. }
            | Effect::SetRegistration { .. }
            | Effect::SetAttendance { .. } => super::events::write_event_effect(tx, &effect)?,
            Effect::InsertBooking { id, resource_id, booker_id, startup_id, span, status, topic, at } => {
                tx.prepare_cached(super::INSERT_BOOKING_SQL)?.execute(params![
                    id,
                    resource_id,
                    booker_id,
                    span.start,
                    span.end,
                    status.as_str(),
                    topic,
                    at,
                    startup_id
                ])?;
            }
            Effect::SetKioskPin { person_id, pin_hash } => {
                tx.prepare_cached(super::SET_KIOSK_PIN_SQL)?.execute(params![pin_hash, person_id])?;
            }
            Effect::JoinSeries { booking_id, series_id, rule, recurrence, rejection } => {
                tx.prepare_cached(JOIN_SERIES_SQL)?.execute(params![
                    series_id,
                    rule,
                    recurrence.start,
                    recurrence.end,
                    rejection,
                    booking_id
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
            Effect::InsertFeedback { booking_id, author_id, side, rating, comment, pairing_fits, startup_id, at } => {
                tx.prepare_cached(super::insert_feedback_sql(side))?.execute(params![
                    booking_id,
                    author_id,
                    rating,
                    comment,
                    pairing_fits,
                    startup_id,
                    at
                ])?;
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
            Effect::SetWeeklyHours { resource_id, hours } => {
                tx.prepare_cached("UPDATE resource SET weekly_hours = ?2 WHERE id = ?1")?
                    .execute(params![resource_id, encode_weekly(hours)])?;
            }
            Effect::SetPolicy { resource_id, policy } => write_policy(tx, resource_id, policy)?,
            Effect::InsertDateOverride { id, resource_id, date_override: o, note } => {
                let kind = if o.kind == OverrideKind::Off { "off" } else { "extra" };
                tx.prepare_cached(
                    "INSERT INTO date_override(id, resource_id, date, kind, start_min, end_min, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![id, resource_id, o.date.format("%Y-%m-%d").to_string(), kind, o.start_min, o.end_min, note])?;
            }
            Effect::DeleteDateOverride { id } => {
                tx.prepare_cached("DELETE FROM date_override WHERE id = ?1")?.execute([id])?;
            }
            Effect::InsertEquipment { id, makerspace_id, timezone, equipment } => {
                insert_equipment(tx, id, makerspace_id, timezone, equipment)?;
            }
            Effect::UpdateEquipment { id, equipment: new } => {
                tx.prepare_cached(
                    "UPDATE equipment SET lab_id = ?2, category = ?3, model = ?4, hourly_fee_cents = ?5, subsidy_pct = ?6 WHERE resource_id = ?1",
                )?
                .execute(params![id, new.lab_id, new.category, new.model, new.hourly_fee_cents, new.subsidy_pct])?;
                tx.prepare_cached("UPDATE resource SET name = ?2, weekly_hours = ?3 WHERE id = ?1")?.execute(params![
                    id,
                    new.name,
                    encode_weekly(&new.weekly_hours)
                ])?;
                write_policy(tx, id, &new.policy)?;
            }
            Effect::InsertBlackout { blackout, created_by, at } => insert_blackout(tx, blackout, created_by, at)?,
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
                tx.prepare_cached(INSERT_SESSION_SQL)?.execute(params![
                    id,
                    resource_id,
                    booking_id,
                    person_id,
                    at,
                    class,
                    purpose,
                    samples,
                    walk_up,
                    startup_id
                ])?;
            }
            Effect::SetUsageRules { resource_id, rules } => {
                tx.prepare_cached(SET_USAGE_RULES_SQL)?.execute(params![
                    rules.check_in_opens_min,
                    rules.no_show_after_min,
                    rules.close_grace_min,
                    rules.approval_after_no_shows,
                    resource_id
                ])?;
            }
            Effect::SetRegister { resource_id, register } => {
                let (value, bought, accepted, funding, asset, open, operator) = register_columns(register);
                tx.prepare_cached(SET_REGISTER_SQL)?.execute(params![
                    value,
                    bought,
                    accepted,
                    funding,
                    asset,
                    open,
                    operator,
                    resource_id
                ])?;
            }
            Effect::CorrectUsageSession { id, ran, purpose, samples, fee_fen, waived_fen } => {
                let purpose: &str = purpose.into();
                tx.prepare_cached(CORRECT_SESSION_SQL)?
                    .execute(params![ran.start, ran.end, purpose, samples, fee_fen, waived_fen, id])?;
            }
            Effect::CloseUsageSession { id, ended_at, fee_fen, flagged } => {
                tx.prepare_cached(CLOSE_SESSION_SQL)?.execute(params![ended_at, fee_fen, flagged, id])?;
            }
            Effect::SetRates { resource_id, rates: r } => {
                tx.prepare_cached(SET_RATES_SQL)?.execute(params![
                    r.internal_fen_per_hour,
                    r.external_fen_per_hour,
                    r.enterprise_fen_per_hour,
                    basis_text(r.basis),
                    r.minimum_fen,
                    r.rounding_min,
                    resource_id
                ])?;
            }
            Effect::DeleteBlackout { id } => {
                tx.prepare_cached("UPDATE blackout SET deleted = 1 WHERE id = ?1")?.execute([id])?;
            }
            Effect::SetQualification { person_id, resource_id, granted_by, expires_at, at } => {
                tx.prepare_cached(
                    "INSERT INTO qualification(person_id, resource_id, granted_by, granted_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT(person_id, resource_id) DO UPDATE SET granted_by = excluded.granted_by,
                       granted_at = excluded.granted_at, expires_at = excluded.expires_at",
                )?
                .execute(params![person_id, resource_id, granted_by, at, expires_at])?;
            }
            Effect::DeleteQualification { person_id, resource_id } => {
                tx.prepare_cached("DELETE FROM qualification WHERE person_id = ?1 AND resource_id = ?2")?
                    .execute(params![person_id, resource_id])?;
            }
            Effect::InsertPerson { id, name, person: p, at } => {
                tx.prepare_cached(
                    "INSERT INTO person(id, name, phone, email, startup_name, industry, stage, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![id, name, p.phone, p.email, p.startup_name, p.industry, p.stage, at])?;
            }
            Effect::GrantRole { person_id, makerspace_id, role } => {
                tx.prepare_cached("INSERT OR IGNORE INTO person_role(person_id, makerspace_id, role) VALUES (?1, ?2, ?3)")?
                    .execute(params![person_id, makerspace_id, role.as_str()])?;
            }
            Effect::RevokeRole { person_id, makerspace_id, role } => {
                tx.prepare_cached("DELETE FROM person_role WHERE person_id = ?1 AND makerspace_id = ?2 AND role = ?3")?
                    .execute(params![person_id, makerspace_id, role.as_str()])?;
            }
            Effect::InsertLab { id, makerspace_id, name, description, manager_ids } => {
                let lab = Lab {
                    id: id.to_string(),
                    makerspace_code: String::new(),
                    name: name.to_string(),
                    description: description.to_string(),
                    manager_ids: manager_ids.to_vec(),
                };
                insert_lab(tx, &lab, makerspace_id)?;
            }
            Effect::InsertMentor { id, makerspace_id, name, timezone, mentor } => {
                insert_mentor(tx, id, makerspace_id, name, timezone, mentor)?;
            }
            Effect::SetPlace { booking_id, format, place, at } => {
                let place = super::place_json(place)?;
                tx.prepare_cached(super::SET_PLACE_SQL)?.execute(params![format.as_str(), place, at, booking_id])?;
            }
            Effect::SetPlaceDefaults { mentor_id, defaults } => {
                tx.prepare_cached(super::SET_PLACE_DEFAULTS_SQL)?.execute(params![super::defaults_json(defaults)?, mentor_id])?;
            }
            Effect::UpdateMentorProfile { id, profile: p } => {
                tx.prepare_cached(super::mentors::UPDATE_MENTOR_PROFILE_SQL)?.execute(params![
                    p.title,
                    p.bio,
                    p.formats.join(","),
                    p.visibility.as_str(),
                    i64::from(p.full_time),
                    id
                ])?;
                tx.prepare_cached("DELETE FROM mentor_facet WHERE mentor_id = ?1")?.execute([id])?;
                write_facets(tx, id, &p.tags, &p.industries, &p.languages)?;
                if let Some(zone) = &p.timezone {
                    tx.prepare_cached(super::SET_RESOURCE_ZONE_SQL)?.execute(params![zone, id])?;
                }
            }
        }
        Ok(())
    }
}
