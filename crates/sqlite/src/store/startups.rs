//! Startups in SQLite: the statements both server backends share (`$n` in order), the
//! startup facts `apply` reads, and the startup database as lists show it.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::Store;
use crate::command::Command;
use crate::domain::{Id, new_id};
use crate::error::{CoreError, Result};
use crate::startup::{
    Member, MemberName, NewStartup, Residency, ResidencyAt, StartupFilter, StartupKind, StartupRecord, StoredStartup,
};

/// (id) → id, name, kind, credit code, code verified 0/1, industry, headcount of a live startup.
pub const STARTUP_SQL: &str =
    "SELECT id, name, kind, credit_code, code_verified, industry, headcount FROM startup WHERE id = $1 AND deleted = 0";
/// (startup id) → person, lead 0/1.
pub const STARTUP_MEMBERS_SQL: &str = "SELECT person_id, lead FROM startup_member WHERE startup_id = $1 ORDER BY person_id";
/// (startup id) → id, makerspace, move-in, move-out, status, requested by.
pub const STARTUP_RESIDENCIES_SQL: &str = "SELECT id, makerspace_id, move_in, move_out, status, requested_by FROM residency
     WHERE startup_id = $1 ORDER BY move_in, id";
/// (person) → the live startup they are a member of.
pub const STARTUP_OF_SQL: &str = "SELECT m.startup_id FROM startup_member m JOIN startup s ON s.id = m.startup_id
     WHERE m.person_id = $1 AND s.deleted = 0 ORDER BY m.startup_id LIMIT 1";
/// (credit code) → id, name.
pub const STARTUP_BY_CODE_SQL: &str = "SELECT id, name FROM startup WHERE credit_code = $1 AND deleted = 0";
pub const INSERT_STARTUP_SQL: &str =
    "INSERT INTO startup(id, name, kind, credit_code, stage, industry, headcount, description, created_at, code_verified)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
/// (name, kind, code, stage, industry, headcount, description, code verified 0/1, id).
pub const UPDATE_STARTUP_SQL: &str = "UPDATE startup SET name = $1, kind = $2, credit_code = $3, stage = $4, industry = $5,
     headcount = $6, description = $7, code_verified = $8 WHERE id = $9";
/// (id).
pub const CONFIRM_CREDIT_CODE_SQL: &str = "UPDATE startup SET code_verified = 1 WHERE id = $1";
/// (startup, person, lead 0/1, at).
pub const SET_MEMBER_SQL: &str = "INSERT INTO startup_member(startup_id, person_id, lead, joined_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (startup_id, person_id) DO UPDATE SET lead = excluded.lead";
pub const REMOVE_MEMBER_SQL: &str = "DELETE FROM startup_member WHERE startup_id = $1 AND person_id = $2";
/// (id, startup, makerspace, move-in, status, requested by).
pub const INSERT_RESIDENCY_SQL: &str = "INSERT INTO residency(id, startup_id, makerspace_id, move_in, status, requested_by)
     VALUES ($1, $2, $3, $4, $5, $6)";
/// (status, id).
pub const SET_RESIDENCY_STATUS_SQL: &str = "UPDATE residency SET status = $1 WHERE id = $2";
/// (move-out, id).
pub const SET_MOVE_OUT_SQL: &str = "UPDATE residency SET move_out = $1 WHERE id = $2";
macro_rules! startups_where {
    ($where:literal) => {
        concat!(
            "SELECT id, name, kind, credit_code, stage, industry, headcount, description, code_verified FROM startup WHERE deleted = 0 ",
            $where,
            " ORDER BY name, id"
        )
    };
}
macro_rules! members_where {
    ($where:literal) => {
        concat!(
            "SELECT m.startup_id, m.person_id, p.name, m.lead FROM startup_member m JOIN person p ON p.id = m.person_id ",
            $where,
            " ORDER BY m.startup_id, m.lead DESC, p.name, m.person_id"
        )
    };
}
macro_rules! residencies_where {
    ($where:literal) => {
        concat!(
            "SELECT r.startup_id, r.id, r.makerspace_id, k.name, r.move_in, r.move_out, r.status, r.requested_by FROM residency r
             JOIN makerspace k ON k.id = r.makerspace_id ",
            $where,
            " ORDER BY r.startup_id, r.move_in, r.id"
        )
    };
}

macro_rules! mentor_ratings_where {
    ($where:literal) => {
        concat!(
            "SELECT startup_id, rating FROM (SELECT startup_id, rating,
                row_number() OVER (PARTITION BY startup_id ORDER BY created_at DESC, booking_id DESC) AS nth
             FROM mentor_feedback WHERE startup_id IS NOT NULL ",
            $where,
            ") recent WHERE nth <= 2 ORDER BY startup_id, nth"
        )
    };
}

/// Every live startup's fields, by name.
pub const ALL_STARTUPS_SQL: &str = startups_where!("");
/// Every member of a live startup with their name.
pub const ALL_MEMBERS_SQL: &str = members_where!("");
/// Every residency with its makerspace's name.
pub const ALL_RESIDENCIES_SQL: &str = residencies_where!("");
/// Every startup's last two ratings from mentors, latest first.
pub const ALL_MENTOR_RATINGS_SQL: &str = mentor_ratings_where!("");
/// The same of one startup (`$1`).
const ONE_STARTUP_SQLS: [&str; 4] = [
    startups_where!("AND id = $1"),
    members_where!("WHERE m.startup_id = $1"),
    residencies_where!("WHERE r.startup_id = $1"),
    mentor_ratings_where!("AND startup_id = $1"),
];

/// A startup's own fields as read: id, name, kind, credit code, stage, industry, headcount,
/// description, code verified 0/1.
type StartupRow = (String, String, String, Option<String>, String, String, i64, String, i64);
/// A residency as read: startup, id, makerspace, its name, and its own columns.
type ResidencyRow = (String, String, String, String, ResidencyColumns);

/// Startup records from the three statements (heads, members, residencies), run with `params`.
fn read_records(
    conn: &Connection,
    [heads, members, stays, ratings]: [&str; 4],
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<StartupRecord>> {
    let rows: Vec<StartupRow> = conn
        .prepare_cached(heads)?
        .query_map(params, |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let heads = rows
        .into_iter()
        .map(|(id, name, kind, credit_code, stage, industry, headcount, description, verified)| {
            Ok(StartupRecord {
                id,
                name,
                kind: parse_kind(&kind)?,
                credit_code,
                code_verified: verified == 1,
                stage,
                industry,
                headcount: u32::try_from(headcount).unwrap_or(0),
                description,
                members: Vec::new(),
                residencies: Vec::new(),
                at_risk: false,
                manageable: false,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let members = conn
        .prepare_cached(members)?
        .query_map(params, |r| {
            Ok((r.get(0)?, MemberName { person_id: r.get(1)?, name: r.get(2)?, lead: r.get::<_, i64>(3)? == 1 }))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let rows: Vec<ResidencyRow> = conn
        .prepare_cached(stays)?
        .query_map(params, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, (r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))))?
        .collect::<rusqlite::Result<_>>()?;
    let residencies = rows
        .into_iter()
        .map(|(sid, rid, ms, ms_name, columns)| {
            Ok((sid, ResidencyAt { residency: residency_of(rid, ms, columns)?, makerspace_name: ms_name }))
        })
        .collect::<Result<Vec<_>>>()?;
    let ratings =
        conn.prepare_cached(ratings)?.query_map(params, |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(assemble(heads, members, residencies, ratings))
}

pub fn parse_kind(text: &str) -> Result<StartupKind> {
    text.parse().map_err(|_| CoreError::invalid("kind", format!("'{text}' is not a startup kind")))
}

pub fn parse_day(field: &'static str, text: &str) -> Result<NaiveDate> {
    crate::domain::parse_date(field, text)
}

/// A residency's own columns after its id and makerspace: move-in, move-out, status,
/// requested by.
pub type ResidencyColumns = (String, Option<String>, String, Option<String>);

/// The residency of its columns.
pub fn residency_of(id: Id, makerspace_id: Id, (move_in, move_out, status, requested_by): ResidencyColumns) -> Result<Residency> {
    Ok(Residency {
        id,
        makerspace_id,
        move_in: parse_day("move_in", &move_in)?,
        move_out: move_out.map(|d| parse_day("move_out", &d)).transpose()?,
        status: status.parse().map_err(|_| CoreError::invalid("status", format!("'{status}' is not a residency status")))?,
        requested_by,
    })
}

/// A startup's facts for `apply`.
pub(super) fn load_startup(tx: &Connection, id: &str) -> Result<Option<StoredStartup>> {
    let head = tx
        .prepare_cached(STARTUP_SQL)?
        .query_row([id], |r| {
            let head = (r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get(3)?, r.get::<_, i64>(4)?);
            Ok((head, r.get::<_, String>(5)?, r.get::<_, i64>(6)?))
        })
        .optional()?;
    let Some(((id, name, kind, credit_code, verified), industry, headcount)) = head else { return Ok(None) };
    let members = tx
        .prepare_cached(STARTUP_MEMBERS_SQL)?
        .query_map([&id], |r| Ok(Member { person_id: r.get(0)?, lead: r.get::<_, i64>(1)? == 1 }))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let rows = tx
        .prepare_cached(STARTUP_RESIDENCIES_SQL)?
        .query_map([&id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let residencies = rows.into_iter().map(|(rid, ms, columns)| residency_of(rid, ms, columns)).collect::<Result<Vec<_>>>()?;
    let kind = parse_kind(&kind)?;
    let headcount = u32::try_from(headcount).unwrap_or(0);
    Ok(Some(StoredStartup {
        id,
        name,
        kind,
        credit_code,
        code_verified: verified == 1,
        industry,
        headcount,
        members,
        residencies,
    }))
}

pub(super) fn startup_of(tx: &Connection, person_id: &str) -> Result<Option<Id>> {
    Ok(tx.prepare_cached(STARTUP_OF_SQL)?.query_row([person_id], |r| r.get(0)).optional()?)
}

pub(super) fn startup_by_code(tx: &Connection, code: &str) -> Result<Option<(Id, String)>> {
    Ok(tx.prepare_cached(STARTUP_BY_CODE_SQL)?.query_row([code], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
}

/// Startup records put together from the three lists (each ordered by startup id, or not:
/// they are matched by id).
/// Records from their parts; `ratings` are (startup, mentor's rating), each startup's latest
/// first.
pub fn assemble(
    heads: Vec<StartupRecord>,
    members: Vec<(Id, MemberName)>,
    residencies: Vec<(Id, ResidencyAt)>,
    ratings: Vec<(Id, u8)>,
) -> Vec<StartupRecord> {
    let mut by_id: std::collections::HashMap<Id, StartupRecord> = heads.into_iter().map(|s| (s.id.clone(), s)).collect();
    for (startup_id, m) in members {
        if let Some(s) = by_id.get_mut(&startup_id) {
            s.members.push(m);
        }
    }
    for (startup_id, r) in residencies {
        if let Some(s) = by_id.get_mut(&startup_id) {
            s.residencies.push(r);
        }
    }
    let mut recent: std::collections::HashMap<Id, Vec<u8>> = std::collections::HashMap::new();
    for (startup_id, rating) in ratings {
        recent.entry(startup_id).or_default().push(rating);
    }
    for (startup_id, latest_first) in recent {
        if let Some(s) = by_id.get_mut(&startup_id) {
            s.at_risk = crate::feedback::at_risk(&latest_first);
        }
    }
    let mut out: Vec<StartupRecord> = by_id.into_values().collect();
    out.sort_by(|a, b| (a.name.as_str(), a.id.as_str()).cmp(&(b.name.as_str(), b.id.as_str())));
    out
}

impl Store {
    /// The startups the filter finds, by name, with members and residencies.
    pub fn startups(&self, filter: &StartupFilter, today: NaiveDate) -> Result<Vec<StartupRecord>> {
        let all =
            read_records(self.conn(), [ALL_STARTUPS_SQL, ALL_MEMBERS_SQL, ALL_RESIDENCIES_SQL, ALL_MENTOR_RATINGS_SQL], &[])?;
        Ok(all.into_iter().filter(|s| filter.matches(s, today)).collect())
    }

    /// As `startups`, each marked with whether `viewer` may change it.
    pub fn startups_seen_by(&self, viewer: &str, filter: &StartupFilter, today: NaiveDate) -> Result<Vec<StartupRecord>> {
        let who = super::load_actor(self.conn(), viewer)?;
        let mut all = self.startups(filter, today)?;
        for s in &mut all {
            let lead = s.lead().map(|id| super::load_actor(self.conn(), id)).transpose()?;
            let stays =
                s.residencies.iter().filter(|r| r.residency.current_on(today)).map(|r| r.residency.makerspace_id.as_str());
            s.manageable = crate::decide::may_run_startup(&who, lead.as_ref(), stays);
        }
        Ok(all)
    }

    /// One startup's record.
    pub fn startup(&self, id: &str) -> Result<StartupRecord> {
        read_records(self.conn(), ONE_STARTUP_SQLS, &[&id])?.pop().ok_or_else(|| CoreError::not_found("startup", id))
    }

    /// Makes a startup led by `lead_id` (the actor, or someone a space admin names); its id.
    pub fn create_startup(&mut self, actor: &str, new: &NewStartup, lead_id: &str, now: DateTime<Utc>) -> Result<Id> {
        let startup_id = new_id();
        let command = Command::CreateStartup { startup_id: startup_id.clone(), startup: new.clone(), lead_id: lead_id.into() };
        self.apply(actor, &command, now)?;
        Ok(startup_id)
    }

    pub fn update_startup(&mut self, actor: &str, startup_id: &str, new: &NewStartup, now: DateTime<Utc>) -> Result<()> {
        self.apply(actor, &Command::UpdateStartup { startup_id: startup_id.into(), startup: new.clone() }, now)
    }

    /// Adds, removes or makes lead a member (see `Command::SetStartupMember`).
    pub fn set_startup_member(
        &mut self,
        actor: &str,
        (startup_id, person_id): (&str, &str),
        (member, lead): (bool, bool),
        now: DateTime<Utc>,
    ) -> Result<()> {
        let command = Command::SetStartupMember { startup_id: startup_id.into(), person_id: person_id.into(), member, lead };
        self.apply(actor, &command, now)
    }

    /// The startup moves in to the makerspace on `date`; the residency's id.
    pub fn move_in(
        &mut self,
        actor: &str,
        (startup_id, makerspace_id): (&str, &str),
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Id> {
        let residency_id = new_id();
        let command = Command::MoveIn {
            residency_id: residency_id.clone(),
            startup_id: startup_id.into(),
            makerspace_id: makerspace_id.into(),
            date,
        };
        self.apply(actor, &command, now)?;
        Ok(residency_id)
    }

    pub fn move_out(
        &mut self,
        actor: &str,
        (startup_id, residency_id): (&str, &str),
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.apply(actor, &Command::MoveOut { startup_id: startup_id.into(), residency_id: residency_id.into(), date }, now)
    }

    /// The startup's lead (or a space admin where it lives) agrees to a move-in asked for, or
    /// declines it.
    pub fn answer_move_in(
        &mut self,
        actor: &str,
        (startup_id, residency_id): (&str, &str),
        accept: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let command = Command::AnswerMoveIn { startup_id: startup_id.into(), residency_id: residency_id.into(), accept };
        self.apply(actor, &command, now)
    }

    /// A space admin where the startup lives confirms its credit code.
    pub fn confirm_credit_code(&mut self, actor: &str, startup_id: &str, now: DateTime<Utc>) -> Result<()> {
        self.apply(actor, &Command::ConfirmCreditCode { startup_id: startup_id.into() }, now)
    }

    /// The startup the person is a member of.
    pub fn startup_of_person(&self, person_id: &str) -> Result<Option<StartupRecord>> {
        match startup_of(self.conn(), person_id)? {
            Some(id) => self.startup(&id).map(Some),
            None => Ok(None),
        }
    }
}

/// Writes the startup effects `apply` decided.
pub(super) fn write_startup_effect(tx: &Connection, effect: crate::ledger::StartupEffect<'_>) -> Result<()> {
    use crate::ledger::StartupEffect;
    match effect {
        StartupEffect::InsertStartup { id, startup: s, code_verified, at } => {
            tx.prepare_cached(INSERT_STARTUP_SQL)?.execute(params![
                id,
                s.name,
                s.kind.as_str(),
                s.credit_code,
                s.stage,
                s.industry,
                s.headcount,
                s.description,
                at,
                i64::from(code_verified)
            ])?;
        }
        StartupEffect::UpdateStartup { id, startup: s, code_verified } => {
            tx.prepare_cached(UPDATE_STARTUP_SQL)?.execute(params![
                s.name,
                s.kind.as_str(),
                s.credit_code,
                s.stage,
                s.industry,
                s.headcount,
                s.description,
                i64::from(code_verified),
                id
            ])?;
        }
        StartupEffect::ConfirmCreditCode { id } => {
            tx.prepare_cached(CONFIRM_CREDIT_CODE_SQL)?.execute([id])?;
        }
        StartupEffect::SetStartupMember { startup_id, person_id, lead, at } => {
            tx.prepare_cached(SET_MEMBER_SQL)?.execute(params![startup_id, person_id, i64::from(lead), at])?;
        }
        StartupEffect::RemoveStartupMember { startup_id, person_id } => {
            tx.prepare_cached(REMOVE_MEMBER_SQL)?.execute(params![startup_id, person_id])?;
        }
        StartupEffect::InsertResidency { startup_id, residency: r } => {
            let move_in = r.move_in.to_string();
            let row = params![r.id, startup_id, r.makerspace_id, move_in, r.status.as_str(), r.requested_by];
            tx.prepare_cached(INSERT_RESIDENCY_SQL)?.execute(row)?;
        }
        StartupEffect::SetMoveOut { residency_id, date } => {
            tx.prepare_cached(SET_MOVE_OUT_SQL)?.execute(params![date.to_string(), residency_id])?;
        }
        StartupEffect::SetResidencyStatus { residency_id, status } => {
            tx.prepare_cached(SET_RESIDENCY_STATUS_SQL)?.execute(params![status.as_str(), residency_id])?;
        }
    }
    Ok(())
}
