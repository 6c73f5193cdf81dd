//! Programmes, calls and applications in SQLite: the statements both server backends share
//! (`$n` in order of appearance, as SQLite binds them), the facts `apply` reads, and the lists
//! the desktop and the command line show.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::Store;
use crate::calls::application::{ApplicationBrief, ApplicationDraft, AvoidedExpert, Intake, StoredApplication, StoredCall};
use crate::calls::eligibility::Rule;
use crate::calls::form::{Answer, FormField};
use crate::calls::lifecycle::{Action, Event, State};
use crate::calls::{AttachmentRule, NewCall, NewProgramme, ProgrammeKind, RecommendationRule};
use crate::command::Command;
use crate::domain::{Fen, Id, new_id, to_utc};
use crate::error::{CoreError, Result};

pub const PROGRAMME_SQL: &str = "SELECT code, kind, name_zh, name_en, funder, yearly_budget_fen FROM programme WHERE code = $1";
pub const INSERT_PROGRAMME_SQL: &str =
    "INSERT INTO programme(code, kind, name_zh, name_en, funder, yearly_budget_fen, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
macro_rules! call_columns {
    () => {
        "id, programme_code, year, batch, title_zh, title_en, guide, opens_at, closes_at, ceiling_fen, budget_fen,
         public_share_pct, max_per_organisation, max_ongoing_led, terms, cancelled"
    };
}
pub const CALL_SQL: &str = concat!("SELECT ", call_columns!(), " FROM funding_call WHERE id = $1");
const ALL_CALLS_SQL: &str = concat!("SELECT ", call_columns!(), " FROM funding_call ORDER BY opens_at DESC, id");
pub const CALL_IN_BATCH_SQL: &str = "SELECT id FROM funding_call WHERE programme_code = $1 AND year = $2 AND batch = $3";
/// The call's columns (`call_columns`), then (at, id, author). `UPDATE_CALL_SQL` takes the
/// same first sixteen, so both backends bind one list for both.
pub const INSERT_CALL_SQL: &str = "INSERT INTO funding_call(programme_code, year, batch, title_zh, title_en, guide, opens_at,
     closes_at, ceiling_fen, budget_fen, public_share_pct, max_per_organisation, max_ongoing_led, terms, updated_at, id, created_by,
     created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $15)";
/// The call's columns, then (at, id).
pub const UPDATE_CALL_SQL: &str =
    "UPDATE funding_call SET programme_code = $1, year = $2, batch = $3, title_zh = $4, title_en = $5,
     guide = $6, opens_at = $7, closes_at = $8, ceiling_fen = $9, budget_fen = $10, public_share_pct = $11,
     max_per_organisation = $12, max_ongoing_led = $13, terms = $14, updated_at = $15 WHERE id = $16";
/// (reason, at, id).
pub const CANCEL_CALL_SQL: &str = "UPDATE funding_call SET cancelled = 1, cancel_reason = $1, updated_at = $2 WHERE id = $3";
macro_rules! application_columns {
    () => {
        "a.id, a.call_id, a.startup_id, a.applicant_id, a.state, a.title, a.answers, a.requested_fen, a.avoid_experts, a.pledged,
         a.founded_on, a.declared_address, a.code, a.returned_before, a.until_at"
    };
}
pub const APPLICATION_SQL: &str = concat!("SELECT ", application_columns!(), " FROM application a WHERE a.id = $1");
/// (programme, person, except) → the programme's accepted applications the person leads.
pub const LED_ONGOING_SQL: &str = "SELECT count(*) FROM application a JOIN funding_call c ON c.id = a.call_id
     WHERE c.programme_code = $1 AND a.applicant_id = $2 AND a.state = 'accepted' AND a.id <> $3";
pub const APPLICATIONS_OF_CALL_SQL: &str = "SELECT id, startup_id, applicant_id, state FROM application WHERE call_id = $1";
/// A new draft: (id, call, startup, applicant, then the draft's columns, then at).
pub const INSERT_APPLICATION_SQL: &str = "INSERT INTO application(id, call_id, startup_id, applicant_id, state, title, answers,
     requested_fen, avoid_experts, pledged, founded_on, declared_address, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $12, $12)";
/// (the draft's columns, at, id).
pub const UPDATE_DRAFT_SQL: &str = "UPDATE application SET title = $1, answers = $2, requested_fen = $3, avoid_experts = $4,
     pledged = $5, founded_on = $6, declared_address = $7, updated_at = $8 WHERE id = $9";
pub const INSERT_APPLICATION_EVENT_SQL: &str =
    "INSERT INTO application_event(id, application_id, actor_id, at, from_state, to_state, action,
     reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
/// (state, until, returned 0/1, code or NULL, at, id).
pub const TRANSITION_SQL: &str = "UPDATE application SET state = $1, until_at = $2,
     returned_before = CASE WHEN CAST($3 AS BIGINT) = 1 THEN 1 ELSE returned_before END, code = COALESCE($4, code),
     updated_at = $5 WHERE id = $6";
/// (programme, year) → the next serial, taken: the row stays locked until the transaction
/// ends, so two accepting transactions (two server processes on one PostgreSQL) take turns,
/// and a rolled-back one gives its serial back.
pub const TAKE_SERIAL_SQL: &str = "INSERT INTO code_serial(programme_code, year, last) VALUES ($1, $2, 1)
     ON CONFLICT (programme_code, year) DO UPDATE SET last = code_serial.last + 1 RETURNING last";
/// (application) → its events, in the order they happened.
pub const APPLICATION_EVENTS_SQL: &str =
    "SELECT id, application_id, actor_id, at, from_state, to_state, action, reason FROM application_event
     WHERE application_id = $1 ORDER BY at, id";

/// What a call keeps as JSON in `terms`: the parts that are lists.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CallTerms {
    attachments: Vec<AttachmentRule>,
    form: Vec<FormField>,
    eligibility: Vec<Rule>,
    recommendation: Option<RecommendationRule>,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> CoreError {
    CoreError::invalid("stored", format!("a stored {what} does not read back: {e}"))
}

pub fn programme_of(
    (code, kind, name_zh, name_en, funder, budget): (String, String, String, String, String, i64),
) -> Result<NewProgramme> {
    let kind: ProgrammeKind = kind.parse().map_err(|e| corrupt("programme kind", e))?;
    Ok(NewProgramme { code, kind, name_zh, name_en, funder, yearly_budget_fen: budget })
}

pub fn programme_kind(p: &NewProgramme) -> &'static str {
    p.kind.into()
}

/// A call's row: (id, programme, year, batch), (titles, guide), the instants and amounts, and
/// (terms, cancelled).
pub type CallRow = ((Id, String, i64, i64), (String, String, String), (i64, i64, Fen, Fen, i64, i64, Option<i64>), (String, i64));

pub fn call_row(r: &rusqlite::Row) -> rusqlite::Result<CallRow> {
    Ok((
        (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
        (r.get(4)?, r.get(5)?, r.get(6)?),
        (r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?, r.get(13)?),
        (r.get(14)?, r.get(15)?),
    ))
}

pub fn call_of(
    (
        (id, programme_code, year, batch),
        (title_zh, title_en, guide),
        (opens, closes, ceiling, budget, share, per_org, ongoing),
        (terms, cancelled),
    ): CallRow,
) -> Result<StoredCall> {
    let terms: CallTerms = serde_json::from_str(&terms).map_err(|e| corrupt("call", e))?;
    let small = |v: i64| u32::try_from(v).map_err(|e| corrupt("call", e));
    let call = NewCall {
        programme_code,
        year: u16::try_from(year).map_err(|e| corrupt("call", e))?,
        batch: u8::try_from(batch).map_err(|e| corrupt("call", e))?,
        title_zh,
        title_en,
        guide,
        opens_at: to_utc(opens),
        closes_at: to_utc(closes),
        ceiling_fen: ceiling,
        budget_fen: budget,
        public_share_pct: u8::try_from(share).map_err(|e| corrupt("call", e))?,
        max_per_organisation: small(per_org)?,
        max_ongoing_led: ongoing.map(small).transpose()?,
        attachments: terms.attachments,
        form: terms.form,
        eligibility: terms.eligibility,
        recommendation: terms.recommendation,
    };
    Ok(StoredCall { id, call, cancelled: cancelled == 1 })
}

/// A call's columns as both statements bind them: programme, year, batch, titles, guide,
/// opens, closes, ceiling, budget, share, per organisation, ongoing led, terms.
pub type CallColumns = (String, i64, i64, String, String, String, i64, i64, Fen, Fen, i64, i64, Option<i64>, String);

pub fn call_columns(c: &NewCall) -> CallColumns {
    (
        c.programme_code.clone(),
        i64::from(c.year),
        i64::from(c.batch),
        c.title_zh.clone(),
        c.title_en.clone(),
        c.guide.clone(),
        c.opens_at.timestamp(),
        c.closes_at.timestamp(),
        c.ceiling_fen,
        c.budget_fen,
        i64::from(c.public_share_pct),
        i64::from(c.max_per_organisation),
        c.max_ongoing_led.map(i64::from),
        call_terms(c),
    )
}

/// The call's `terms` column.
pub fn call_terms(call: &NewCall) -> String {
    let terms = CallTerms {
        attachments: call.attachments.clone(),
        form: call.form.clone(),
        eligibility: call.eligibility.clone(),
        recommendation: call.recommendation,
    };
    serde_json::to_string(&terms).unwrap_or_else(|_| "{}".into())
}

/// The draft's columns as stored: title, answers JSON, requested, avoid JSON, pledged 0/1,
/// founded on, declared address.
pub type DraftColumns = (String, String, Fen, String, i64, Option<String>, Option<String>);

pub fn draft_columns(d: &ApplicationDraft) -> DraftColumns {
    (
        d.title.clone(),
        serde_json::to_string(&d.answers).unwrap_or_else(|_| "{}".into()),
        d.requested_fen,
        serde_json::to_string(&d.avoid_experts).unwrap_or_else(|_| "[]".into()),
        i64::from(d.pledged),
        d.founded_on.map(|d| d.to_string()),
        d.declared_address.clone(),
    )
}

/// An application's row: its ids and state, its draft's columns, and (code, returned, until).
pub type ApplicationRow = ((Id, Id, Id, Id, String), DraftColumns, (Option<String>, i64, Option<i64>));

pub fn application_row(r: &rusqlite::Row) -> rusqlite::Result<ApplicationRow> {
    Ok((
        (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?),
        (r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?),
        (r.get(12)?, r.get(13)?, r.get(14)?),
    ))
}

pub fn state_of(text: &str) -> Result<State> {
    text.parse().map_err(|e| corrupt("application state", e))
}

pub fn application_of(
    (
        (id, call_id, startup_id, applicant_id, state),
        (title, answers, requested, avoid, pledged, founded, address),
        (code, returned, until),
    ): ApplicationRow,
) -> Result<StoredApplication> {
    let answers: std::collections::BTreeMap<String, Answer> =
        serde_json::from_str(&answers).map_err(|e| corrupt("answers", e))?;
    let avoid_experts: Vec<AvoidedExpert> = serde_json::from_str(&avoid).map_err(|e| corrupt("avoided experts", e))?;
    let founded_on = founded.map(|d| crate::domain::parse_date("founded_on", &d)).transpose()?;
    let draft = ApplicationDraft {
        title,
        answers,
        requested_fen: requested,
        avoid_experts,
        pledged: pledged == 1,
        founded_on,
        declared_address: address,
    };
    Ok(StoredApplication {
        id,
        call_id,
        startup_id,
        applicant_id,
        state: state_of(&state)?,
        draft,
        code,
        returned_before: returned == 1,
        until,
    })
}

pub fn brief_of((id, startup_id, applicant_id, state): (Id, Id, Id, String)) -> Result<ApplicationBrief> {
    Ok(ApplicationBrief { id, startup_id, applicant_id, state: state_of(&state)? })
}

/// An event's row as stored.
pub type EventRow = (Id, Id, Id, i64, String, String, String, String);

pub fn event_of((id, application_id, actor_id, at, from, to, action, reason): EventRow) -> Result<Event> {
    let action: Action = serde_json::from_str(&action).map_err(|e| corrupt("application event", e))?;
    Ok(Event { id, application_id, actor_id, at, from: state_of(&from)?, to: state_of(&to)?, action, reason })
}

pub fn event_columns(e: &Event) -> (String, &'static str, &'static str) {
    (serde_json::to_string(&e.action).unwrap_or_default(), e.from.as_str(), e.to.as_str())
}

pub(super) fn load_call(tx: &Connection, id: &str) -> Result<Option<StoredCall>> {
    tx.prepare_cached(CALL_SQL)?.query_row([id], call_row).optional()?.map(call_of).transpose()
}

pub(super) fn load_application(tx: &Connection, id: &str) -> Result<Option<StoredApplication>> {
    tx.prepare_cached(APPLICATION_SQL)?.query_row([id], application_row).optional()?.map(application_of).transpose()
}

/// Writes the calls family's effects `apply` decided.
pub(super) fn write_call_effect(tx: &Connection, effect: crate::ledger::CallEffect<'_>) -> Result<()> {
    use crate::ledger::CallEffect;
    match effect {
        CallEffect::InsertProgramme { programme: p, at } => {
            let row = params![p.code, programme_kind(p), p.name_zh, p.name_en, p.funder, p.yearly_budget_fen, at];
            tx.prepare_cached(INSERT_PROGRAMME_SQL)?.execute(row)?;
        }
        CallEffect::InsertCall { id, call, created_by, at } => {
            let (p, y, b, tz, te, g, o, cl, ce, bu, sh, pe, on, te2) = call_columns(call);
            let row = params![p, y, b, tz, te, g, o, cl, ce, bu, sh, pe, on, te2, at, id, created_by];
            tx.prepare_cached(INSERT_CALL_SQL)?.execute(row)?;
        }
        CallEffect::UpdateCall { id, call, at } => {
            let (p, y, b, tz, te, g, o, cl, ce, bu, sh, pe, on, te2) = call_columns(call);
            tx.prepare_cached(UPDATE_CALL_SQL)?.execute(params![p, y, b, tz, te, g, o, cl, ce, bu, sh, pe, on, te2, at, id])?;
        }
        CallEffect::CancelCall { id, reason, at } => {
            tx.prepare_cached(CANCEL_CALL_SQL)?.execute(params![reason, at, id])?;
        }
        CallEffect::InsertApplication { id, call_id, startup_id, applicant_id, draft, at } => {
            let (title, answers, requested, avoid, pledged, founded, address) = draft_columns(draft);
            tx.prepare_cached(INSERT_APPLICATION_SQL)?.execute(params![
                id,
                call_id,
                startup_id,
                applicant_id,
                title,
                answers,
                requested,
                avoid,
                pledged,
                founded,
                address,
                at
            ])?;
        }
        CallEffect::UpdateDraft { id, draft, at } => {
            let (title, answers, requested, avoid, pledged, founded, address) = draft_columns(draft);
            let row = params![title, answers, requested, avoid, pledged, founded, address, at, id];
            tx.prepare_cached(UPDATE_DRAFT_SQL)?.execute(row)?;
        }
        CallEffect::Transition { event_id, event: e, code, until } => {
            let (action, from, to) = event_columns(e);
            let row = params![event_id, e.application_id, e.actor_id, e.at, from, to, action, e.reason];
            tx.prepare_cached(INSERT_APPLICATION_EVENT_SQL)?.execute(row)?;
            let returned = i64::from(e.to == State::Returned);
            tx.prepare_cached(TRANSITION_SQL)?.execute(params![to, until, returned, code, e.at, e.application_id])?;
        }
    }
    Ok(())
}

/// The next serial of a programme's year, where this database mints codes: the server's, or
/// a desktop that syncs with none.
pub(super) fn take_serial(tx: &Connection, programme_code: &str, year: u16) -> Result<Option<u32>> {
    let replica: bool = tx.prepare_cached("SELECT EXISTS(SELECT 1 FROM sync_state)")?.query_row([], |r| r.get(0))?;
    if replica {
        return Ok(None);
    }
    let last: i64 = tx.prepare_cached(TAKE_SERIAL_SQL)?.query_row(params![programme_code, year], |r| r.get(0))?;
    Ok(Some(u32::try_from(last).map_err(|e| corrupt("serial", e))?))
}

/// Whether a call takes applications at `now`.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallStatus {
    /// 即将开始
    Upcoming,
    /// 受理中
    Open,
    /// 已截止
    Closed,
    /// 已撤销
    Cancelled,
}

/// A call as lists show it.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallView {
    pub id: Id,
    pub programme_name_zh: String,
    pub programme_name_en: String,
    pub status: CallStatus,
    /// Open, and closing within a day: drafts not yet received by the server are at risk.
    pub closing_soon: bool,
    #[serde(flatten)]
    pub call: NewCall,
}

/// An application as its applicant and the district see it, with its history.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationView {
    pub id: Id,
    pub call_id: Id,
    pub call_title: String,
    pub startup_id: Id,
    pub startup_name: String,
    pub applicant_id: Id,
    pub state: State,
    /// 统一编码, once accepted by the district.
    pub code: Option<String>,
    /// The deadline of a return (to correct) or a refusal (to ask for a re-check).
    pub until: Option<DateTime<Utc>>,
    /// A change to it made here has not reached the server yet: a submission counts only
    /// once the server has it.
    pub waiting_for_server: bool,
    pub draft: ApplicationDraft,
    pub events: Vec<Event>,
}

impl Store {
    /// A district operator registers a programme.
    pub fn create_programme(&mut self, actor: &str, programme: &NewProgramme, now: DateTime<Utc>) -> Result<()> {
        self.apply(actor, &Command::CreateProgramme { programme: programme.clone() }, now)
    }

    /// A district operator publishes a call; its id.
    pub fn publish_call(&mut self, actor: &str, call: &NewCall, now: DateTime<Utc>) -> Result<Id> {
        let call_id = new_id();
        self.apply(actor, &Command::PublishCall { call_id: call_id.clone(), call: call.clone() }, now)?;
        Ok(call_id)
    }

    /// A district operator corrects a call before it opens.
    pub fn correct_call(&mut self, actor: &str, call_id: &str, call: &NewCall, now: DateTime<Utc>) -> Result<()> {
        self.apply(actor, &Command::CorrectCall { call_id: call_id.into(), call: call.clone() }, now)
    }

    pub fn cancel_call(&mut self, actor: &str, call_id: &str, reason: &str, now: DateTime<Utc>) -> Result<()> {
        self.apply(actor, &Command::CancelCall { call_id: call_id.into(), reason: reason.into() }, now)
    }

    /// Saves a draft: a new one (`application_id` None; its id is returned) or again.
    pub fn draft_application(
        &mut self,
        actor: &str,
        (application_id, call_id, startup_id): (Option<&str>, &str, &str),
        draft: &ApplicationDraft,
        now: DateTime<Utc>,
    ) -> Result<Id> {
        let id = application_id.map_or_else(new_id, str::to_string);
        let command = Command::DraftApplication {
            application_id: id.clone(),
            call_id: call_id.into(),
            startup_id: startup_id.into(),
            draft: draft.clone(),
        };
        self.apply(actor, &command, now)?;
        Ok(id)
    }

    pub fn submit_application(&mut self, actor: &str, application_id: &str, now: DateTime<Utc>) -> Result<()> {
        self.apply(actor, &Command::SubmitApplication { application_id: application_id.into(), event_id: new_id() }, now)
    }

    pub fn decide_application(&mut self, actor: &str, application_id: &str, intake: &Intake, now: DateTime<Utc>) -> Result<()> {
        let command =
            Command::DecideApplication { application_id: application_id.into(), event_id: new_id(), intake: intake.clone() };
        self.apply(actor, &command, now)
    }

    pub fn request_recheck(&mut self, actor: &str, application_id: &str, reason: &str, now: DateTime<Utc>) -> Result<()> {
        let command =
            Command::RequestRecheck { application_id: application_id.into(), event_id: new_id(), reason: reason.into() };
        self.apply(actor, &command, now)
    }

    pub fn withdraw_application(&mut self, actor: &str, application_id: &str, reason: &str, now: DateTime<Utc>) -> Result<()> {
        let command =
            Command::WithdrawApplication { application_id: application_id.into(), event_id: new_id(), reason: reason.into() };
        self.apply(actor, &command, now)
    }

    /// Every call, newest first, with whether it takes applications at `now`.
    pub fn calls(&self, now: DateTime<Utc>) -> Result<Vec<CallView>> {
        let rows = self.conn().prepare_cached(ALL_CALLS_SQL)?.query_map([], call_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|row| self.call_view(call_of(row)?, now)).collect()
    }

    pub fn call_view_of(&self, call_id: &str, now: DateTime<Utc>) -> Result<CallView> {
        let call = load_call(self.conn(), call_id)?.ok_or_else(|| CoreError::not_found("call", call_id))?;
        self.call_view(call, now)
    }

    fn call_view(&self, stored: StoredCall, now: DateTime<Utc>) -> Result<CallView> {
        let (name_zh, name_en): (String, String) = self
            .conn()
            .prepare_cached("SELECT name_zh, name_en FROM programme WHERE code = ?1")?
            .query_row([&stored.call.programme_code], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or_default();
        let status = match (stored.cancelled, now < stored.call.opens_at, now <= stored.call.closes_at) {
            (true, _, _) => CallStatus::Cancelled,
            (false, true, _) => CallStatus::Upcoming,
            (false, false, true) => CallStatus::Open,
            (false, false, false) => CallStatus::Closed,
        };
        let closing_soon = status == CallStatus::Open && stored.call.closes_at - now <= chrono::Duration::hours(24);
        Ok(CallView {
            id: stored.id,
            programme_name_zh: name_zh,
            programme_name_en: name_en,
            status,
            closing_soon,
            call: stored.call,
        })
    }

    /// One application with its history, for its startup's members and the district's
    /// operators only.
    pub fn application_for(&self, viewer: &str, application_id: &str) -> Result<ApplicationView> {
        let a =
            load_application(self.conn(), application_id)?.ok_or_else(|| CoreError::not_found("application", application_id))?;
        let who = super::load_actor(self.conn(), viewer)?;
        let member = super::startups::startup_of(self.conn(), viewer)?.as_deref() == Some(a.startup_id.as_str());
        if !member && !who.district_operator {
            return Err(CoreError::Forbidden("an application is its team's and the district's to read".into()));
        }
        self.application_view(a)
    }

    /// The applications of the viewer's startup, or — for a district operator — of a call (or
    /// every call).
    pub fn applications_for(&self, viewer: &str, call_id: Option<&str>) -> Result<Vec<ApplicationView>> {
        let who = super::load_actor(self.conn(), viewer)?;
        let ids: Vec<String> = if who.district_operator {
            let mut stmt = self
                .conn()
                .prepare_cached("SELECT id FROM application WHERE ?1 IS NULL OR call_id = ?1 ORDER BY created_at, id")?;
            stmt.query_map([call_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        } else {
            let Some(startup) = super::startups::startup_of(self.conn(), viewer)? else { return Ok(Vec::new()) };
            let mut stmt = self.conn().prepare_cached(
                "SELECT id FROM application WHERE startup_id = ?1 AND (?2 IS NULL OR call_id = ?2) ORDER BY created_at, id",
            )?;
            stmt.query_map(params![startup, call_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        ids.iter().filter_map(|id| load_application(self.conn(), id).transpose()).map(|a| self.application_view(a?)).collect()
    }

    fn application_view(&self, a: StoredApplication) -> Result<ApplicationView> {
        let conn = self.conn();
        let call_title: String = conn
            .prepare_cached("SELECT title_zh FROM funding_call WHERE id = ?1")?
            .query_row([&a.call_id], |r| r.get(0))
            .optional()?
            .unwrap_or_default();
        let startup_name: String = conn
            .prepare_cached("SELECT name FROM startup WHERE id = ?1")?
            .query_row([&a.startup_id], |r| r.get(0))
            .optional()?
            .unwrap_or_default();
        let waiting: bool =
            conn.prepare_cached("SELECT EXISTS(SELECT 1 FROM outbox WHERE entity_id = ?1)")?.query_row([&a.id], |r| r.get(0))?;
        let events = conn
            .prepare_cached(APPLICATION_EVENTS_SQL)?
            .query_map([&a.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)))?
            .collect::<rusqlite::Result<Vec<EventRow>>>()?
            .into_iter()
            .map(event_of)
            .collect::<Result<Vec<_>>>()?;
        Ok(ApplicationView {
            id: a.id,
            call_id: a.call_id,
            call_title,
            startup_id: a.startup_id,
            startup_name,
            applicant_id: a.applicant_id,
            state: a.state,
            code: a.code,
            until: a.until.map(to_utc),
            waiting_for_server: waiting,
            draft: a.draft,
            events,
        })
    }
}
