//! Startups on PostgreSQL: the same statements as SQLite's (`incubook_sqlite::store`), the
//! facts `apply` reads, and the district's startup database for its operators.

use chrono::NaiveDate;
use incubook_core::domain::Id;
use incubook_core::ledger::StartupEffect;
use incubook_core::startup::{Member, MemberName, ResidencyAt, StartupFilter, StartupRecord, StoredStartup};
use incubook_sqlite::store::{
    ALL_MEMBERS_SQL, ALL_MENTOR_RATINGS_SQL, ALL_RESIDENCIES_SQL, ALL_STARTUPS_SQL, CONFIRM_CREDIT_CODE_SQL,
    INSERT_RESIDENCY_SQL, INSERT_STARTUP_SQL, REMOVE_MEMBER_SQL, SET_MEMBER_SQL, SET_MOVE_OUT_SQL, SET_RESIDENCY_STATUS_SQL,
    STARTUP_BY_CODE_SQL, STARTUP_MEMBERS_SQL, STARTUP_OF_SQL, STARTUP_RESIDENCIES_SQL, STARTUP_SQL, UPDATE_STARTUP_SQL, assemble,
    parse_kind, residency_of,
};
use postgres::GenericClient;

use super::bookings::Res;
use super::sql::{Sql, Tx};

pub(super) fn load_startup(tx: &mut Tx<'_, '_>, id: &str) -> Res<Option<StoredStartup>> {
    let Some(head) = tx.query_opt(STARTUP_SQL, &[&id])? else { return Ok(None) };
    let members = tx
        .query(STARTUP_MEMBERS_SQL, &[&id])?
        .iter()
        .map(|r| Member { person_id: r.get(0), lead: r.get::<_, i64>(1) == 1 })
        .collect();
    let mut residencies = Vec::new();
    for r in tx.query(STARTUP_RESIDENCIES_SQL, &[&id])? {
        residencies.push(residency_of(r.get(0), r.get(1), (r.get(2), r.get(3), r.get(4), r.get(5)))?);
    }
    Ok(Some(StoredStartup {
        id: head.get(0),
        name: head.get(1),
        kind: parse_kind(head.get(2))?,
        credit_code: head.get(3),
        code_verified: head.get::<_, i64>(4) == 1,
        industry: head.get(5),
        headcount: u32::try_from(head.get::<_, i64>(6)).unwrap_or(0),
        members,
        residencies,
    }))
}

pub(super) fn startup_of(tx: &mut Tx<'_, '_>, person_id: &str) -> Res<Option<Id>> {
    Ok(tx.query_opt(STARTUP_OF_SQL, &[&person_id])?.map(|r| r.get(0)))
}

pub(super) fn startup_by_code(tx: &mut Tx<'_, '_>, code: &str) -> Res<Option<(Id, String)>> {
    Ok(tx.query_opt(STARTUP_BY_CODE_SQL, &[&code])?.map(|r| (r.get(0), r.get(1))))
}

pub(super) fn write_startup_effect(tx: &mut Tx<'_, '_>, effect: StartupEffect<'_>) -> Res<()> {
    match effect {
        StartupEffect::InsertStartup { id, startup: s, code_verified, at } => {
            let (headcount, verified) = (i64::from(s.headcount), i64::from(code_verified));
            tx.execute(
                INSERT_STARTUP_SQL,
                &[
                    &id,
                    &s.name,
                    &s.kind.as_str(),
                    &s.credit_code,
                    &s.stage,
                    &s.industry,
                    &headcount,
                    &s.description,
                    &at,
                    &verified,
                ],
            )?;
        }
        StartupEffect::UpdateStartup { id, startup: s, code_verified } => {
            let (headcount, verified) = (i64::from(s.headcount), i64::from(code_verified));
            tx.execute(
                UPDATE_STARTUP_SQL,
                &[&s.name, &s.kind.as_str(), &s.credit_code, &s.stage, &s.industry, &headcount, &s.description, &verified, &id],
            )?;
        }
        StartupEffect::ConfirmCreditCode { id } => {
            tx.execute(CONFIRM_CREDIT_CODE_SQL, &[&id])?;
        }
        StartupEffect::SetStartupMember { startup_id, person_id, lead, at } => {
            tx.execute(SET_MEMBER_SQL, &[&startup_id, &person_id, &i64::from(lead), &at])?;
        }
        StartupEffect::RemoveStartupMember { startup_id, person_id } => {
            tx.execute(REMOVE_MEMBER_SQL, &[&startup_id, &person_id])?;
        }
        StartupEffect::InsertResidency { startup_id, residency: r } => {
            let move_in = r.move_in.to_string();
            tx.execute(
                INSERT_RESIDENCY_SQL,
                &[&r.id, &startup_id, &r.makerspace_id, &move_in, &r.status.as_str(), &r.requested_by],
            )?;
        }
        StartupEffect::SetMoveOut { residency_id, date } => {
            tx.execute(SET_MOVE_OUT_SQL, &[&date.to_string(), &residency_id])?;
        }
        StartupEffect::SetResidencyStatus { residency_id, status } => {
            tx.execute(SET_RESIDENCY_STATUS_SQL, &[&status.as_str(), &residency_id])?;
        }
    }
    Ok(())
}

/// The district's startups the filter finds, as the SQLite store lists them.
pub(super) fn startups<C: GenericClient>(
    sql: &mut Sql<'_, C>,
    filter: &StartupFilter,
    today: NaiveDate,
) -> incubook_core::Result<Vec<StartupRecord>> {
    let mut heads = Vec::new();
    for r in sql.query(ALL_STARTUPS_SQL, &[])? {
        heads.push(StartupRecord {
            id: r.get(0),
            name: r.get(1),
            kind: parse_kind(r.get(2))?,
            credit_code: r.get(3),
            code_verified: r.get::<_, i64>(8) == 1,
            stage: r.get(4),
            industry: r.get(5),
            headcount: u32::try_from(r.get::<_, i64>(6)).unwrap_or(0),
            description: r.get(7),
            members: Vec::new(),
            residencies: Vec::new(),
            at_risk: false,
            manageable: false,
        });
    }
    let members = sql
        .query(ALL_MEMBERS_SQL, &[])?
        .iter()
        .map(|r| (r.get(0), MemberName { person_id: r.get(1), name: r.get(2), lead: r.get::<_, i64>(3) == 1 }))
        .collect();
    let mut residencies = Vec::new();
    for r in sql.query(ALL_RESIDENCIES_SQL, &[])? {
        let residency = residency_of(r.get(1), r.get(2), (r.get(4), r.get(5), r.get(6), r.get(7)))?;
        residencies.push((r.get(0), ResidencyAt { residency, makerspace_name: r.get(3) }));
    }
    let ratings = sql
        .query(ALL_MENTOR_RATINGS_SQL, &[])?
        .iter()
        .map(|r| (r.get(0), u8::try_from(r.get::<_, i64>(1)).unwrap_or(0)))
        .collect();
    Ok(assemble(heads, members, residencies, ratings).into_iter().filter(|s| filter.matches(s, today)).collect())
}
