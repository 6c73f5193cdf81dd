//! The PostgreSQL [`Ledger`]: the rows `apply` reads and writes inside one transaction. A
//! resource read with `lock` holds its row (and bumps its calendar counter, which the
//! optimistic path checks), so the changes to one calendar run one at a time.

use incubook_core::CoreError;
use incubook_core::command::NewEquipment;
use incubook_core::decide::Actor;
use incubook_core::domain::{BlackoutWhen, BookingStatus, Id, Makerspace, OverrideKind, Policy, encode_weekly, new_id};
use incubook_core::interval::Span;
use incubook_core::ledger::*;
use incubook_core::rules::ResourceRules;
use incubook_core::startup::StoredStartup;
use incubook_core::usage::{Rates, UsageRules};
use incubook_sqlite::store::{
    CLOSE_SESSION_SQL, CORRECT_SESSION_SQL, INSERT_SESSION_SQL, JOIN_SERIES_SQL, NO_SHOWS_SQL, OPEN_AFTER_END_SQL,
    OPEN_SESSIONS_SQL, RATES_SQL, SERIES_OF_SQL, SESSION_BY_BOOKING_SQL, SESSION_BY_ID_SQL, SET_RATES_SQL, SET_REGISTER_SQL,
    SET_USAGE_RULES_SQL, UNCHECKED_STARTED_SQL, USAGE_RULES_SQL, basis_text, rates_of, register_columns, stored_session,
    usage_rules_of,
};

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

/// The core's store-level ledger contract over PostgreSQL: each check in a fresh database of
/// the test server (`INCUBOOK_TEST_POSTGRES_URL`), inside one transaction.
#[cfg(test)]
mod contract {
    use incubook_core::testing::contract::Seed;

    use super::PgLedger;
    use crate::db::pg::PostgresDatabase;
    use crate::db::pg::bookings::Failure;

    fn postgres(check: impl FnOnce(&mut PgLedger<'_, '_, '_>, &Seed)) {
        let admin_url = std::env::var("INCUBOOK_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| panic!("set INCUBOOK_TEST_POSTGRES_URL (`make test` starts PostgreSQL and sets it)"));
        let name = format!("incubook_contract_{}", uuid::Uuid::now_v7().simple());
        let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap_or_else(|e| panic!("connect: {e}"));
        admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap_or_else(|e| panic!("create: {e}"));
        let (server, _) = admin_url.rsplit_once('/').unwrap_or((&admin_url, ""));
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let db = PostgresDatabase::open(&format!("{server}/{name}")).unwrap_or_else(|e| panic!("open: {e}"));
            let mut conn = db.conn().unwrap_or_else(|e| panic!("conn: {e}"));
            let seed = Seed { makerspace_id: "ms-1".into(), makerspace_code: "PD".into(), timezone: "Asia/Shanghai".into() };
            conn.transaction(|tx| {
                tx.execute(
                    "INSERT INTO makerspace(id, code, name, timezone) VALUES ($1, $2, '浦东', $3)",
                    &[&seed.makerspace_id, &seed.makerspace_code, &seed.timezone],
                )?;
                check(&mut PgLedger::new(tx), &seed);
                Ok::<(), Failure>(())
            })
            .unwrap_or_else(|e| panic!("commit: {e:?}"));
        }));
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }

    incubook_core::ledger_contract!(postgres);
}
