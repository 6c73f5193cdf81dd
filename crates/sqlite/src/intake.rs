//! The district's intake figures (受理情况): for one call, the applications received by state,
//! by the makerspace each applicant was resident in on the closing date, by industry, and the
//! reasons given for returns and refusals; and for one credit code, every application the
//! organisation made, across programmes and years (the base of the district's roll-up of
//! public S&T money, which review and vouchers will complete). Counted in SQL, so a district
//! year of applications is read in one pass.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::calls::lifecycle::State;
use crate::domain::{Fen, Id, to_utc};
use crate::error::{CoreError, Result};
use crate::i18n::Lang;
use crate::report::{excel_csv, xlsx_table};
use crate::store::Store;

/// One line of a breakdown.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub key: String,
    pub count: u32,
}

/// A reason given at intake, and how often.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonTally {
    /// `returned` or `refused`.
    pub decision: State,
    pub reason: String,
    pub count: u32,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeSummary {
    pub call_id: Id,
    pub call_title: String,
    pub closes_at: DateTime<Utc>,
    /// Applications the district has received (drafts are their applicants' own).
    pub received: u32,
    /// Public money they ask for, in fen.
    pub requested_fen: Fen,
    pub by_state: Vec<Tally>,
    /// By the makerspace the applicant was resident in on the closing date ("" for none).
    pub by_makerspace: Vec<Tally>,
    pub by_industry: Vec<Tally>,
    pub reasons: Vec<ReasonTally>,
}

/// One application of an organisation, as the roll-up by credit code lists it.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationRecord {
    pub application_id: Id,
    pub programme_code: String,
    pub year: u16,
    pub batch: u8,
    pub call_title: String,
    pub title: String,
    pub state: State,
    pub code: Option<String>,
    pub requested_fen: Fen,
}

const RECEIVED: &str = "a.call_id = ?1 AND a.state <> 'draft'";

fn tallies(store: &Store, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Tally>> {
    let mut stmt = store.conn().prepare_cached(sql)?;
    let rows =
        stmt.query_map(args, |r| Ok(Tally { key: r.get::<_, Option<String>>(0)?.unwrap_or_default(), count: r.get(1)? }))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    fn require_operator(&self, viewer: &str) -> Result<()> {
        if crate::store::is_district_operator(self.conn(), viewer)? {
            Ok(())
        } else {
            Err(CoreError::Forbidden("the district's intake figures are for its operators".into()))
        }
    }

    /// The intake figures of a call, for a district operator.
    pub fn intake_summary(&self, viewer: &str, call_id: &str) -> Result<IntakeSummary> {
        self.require_operator(viewer)?;
        let (call_title, closes_at): (String, i64) = self
            .conn()
            .query_row("SELECT title_zh, closes_at FROM funding_call WHERE id = ?1", [call_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|_| CoreError::not_found("call", call_id))?;
        let close_date = to_utc(closes_at).with_timezone(&incubook_core::clock::DISTRICT_ZONE).date_naive().to_string();
        let (received, requested_fen): (u32, Fen) = self.conn().query_row(
            &format!("SELECT count(*), coalesce(sum(a.requested_fen), 0) FROM application a WHERE {RECEIVED}"),
            [call_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let by_state = tallies(
            self,
            &format!(
                "SELECT a.state, count(*) FROM application a WHERE {RECEIVED} GROUP BY a.state ORDER BY count(*) DESC, a.state"
            ),
            [call_id],
        )?;
        let by_makerspace = tallies(
            self,
            &format!(
                "SELECT k.name, count(*) FROM application a
                 LEFT JOIN residency r ON r.startup_id = a.startup_id AND r.status = 'active' AND r.move_in <= ?2
                      AND (r.move_out IS NULL OR r.move_out > ?2)
                 LEFT JOIN makerspace k ON k.id = r.makerspace_id
                 WHERE {RECEIVED} GROUP BY k.name ORDER BY count(*) DESC, k.name"
            ),
            params![call_id, close_date],
        )?;
        let by_industry = tallies(
            self,
            &format!(
                "SELECT s.industry, count(*) FROM application a JOIN startup s ON s.id = a.startup_id
                 WHERE {RECEIVED} GROUP BY s.industry ORDER BY count(*) DESC, s.industry"
            ),
            [call_id],
        )?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT e.to_state, e.reason, count(*) FROM application_event e JOIN application a ON a.id = e.application_id
             WHERE a.call_id = ?1 AND e.to_state IN ('returned', 'refused', 'refusal_upheld')
             GROUP BY e.to_state, e.reason ORDER BY count(*) DESC, e.to_state, e.reason",
        )?;
        let reasons = stmt
            .query_map([call_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .map(|(state, reason, count)| Ok(ReasonTally { decision: crate::store::calls::state_of(&state)?, reason, count }))
            .collect::<Result<Vec<_>>>()?;
        Ok(IntakeSummary {
            call_id: call_id.into(),
            call_title,
            closes_at: to_utc(closes_at),
            received,
            requested_fen,
            by_state,
            by_makerspace,
            by_industry,
            reasons,
        })
    }

    /// Every application of the organisation with this credit code, across programmes and
    /// years, for a district operator.
    pub fn applications_by_credit_code(&self, viewer: &str, credit_code: &str) -> Result<Vec<ApplicationRecord>> {
        self.require_operator(viewer)?;
        let code = crate::startup::check_credit_code(credit_code)?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT a.id, c.programme_code, c.year, c.batch, c.title_zh, a.title, a.state, a.code, a.requested_fen
             FROM application a JOIN funding_call c ON c.id = a.call_id JOIN startup s ON s.id = a.startup_id
             WHERE s.credit_code = ?1 AND a.state <> 'draft' ORDER BY c.year, c.programme_code, c.batch, a.id",
        )?;
        let rows = stmt
            .query_map([&code], |r| {
                Ok((
                    (r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?),
                    (r.get::<_, String>(4)?, r.get::<_, String>(5)?, r.get::<_, String>(6)?, r.get::<_, Option<String>>(7)?),
                    r.get::<_, i64>(8)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|((id, programme, year, batch), (call_title, title, state, code), requested)| {
                Ok(ApplicationRecord {
                    application_id: id,
                    programme_code: programme,
                    year: u16::try_from(year).unwrap_or_default(),
                    batch: u8::try_from(batch).unwrap_or_default(),
                    call_title,
                    title,
                    state: crate::store::calls::state_of(&state)?,
                    code,
                    requested_fen: requested,
                })
            })
            .collect()
    }
}

fn state_label(state: State, lang: Lang) -> &'static str {
    let zh = lang == Lang::Zh;
    match state {
        State::Draft => {
            if zh {
                "草稿"
            } else {
                "draft"
            }
        }
        State::Submitted => {
            if zh {
                "已提交"
            } else {
                "submitted"
            }
        }
        State::Accepted => {
            if zh {
                "已受理"
            } else {
                "accepted"
            }
        }
        State::Returned => {
            if zh {
                "退回补正"
            } else {
                "returned"
            }
        }
        State::Refused => {
            if zh {
                "不予受理"
            } else {
                "refused"
            }
        }
        State::RecheckRequested => {
            if zh {
                "申请复审"
            } else {
                "re-check asked"
            }
        }
        State::RefusalUpheld => {
            if zh {
                "复审维持"
            } else {
                "refusal upheld"
            }
        }
        State::Withdrawn => {
            if zh {
                "已撤回"
            } else {
                "withdrawn"
            }
        }
    }
}

/// The summary as one table: (section, item, count), sections in the order the district reads them.
fn intake_table(s: &IntakeSummary, lang: Lang) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let zh = lang == Lang::Zh;
    let header = if zh { vec!["类别", "项目", "数量"] } else { vec!["Section", "Item", "Count"] };
    let mut rows = vec![vec![
        (if zh { "合计" } else { "Total" }).into(),
        (if zh { "已收到申报" } else { "received" }).into(),
        s.received.to_string(),
    ]];
    let none = if zh { "未入驻" } else { "not resident" };
    for t in &s.by_state {
        let label = crate::store::calls::state_of(&t.key).map(|st| state_label(st, lang)).unwrap_or("");
        rows.push(vec![(if zh { "状态" } else { "State" }).into(), label.into(), t.count.to_string()]);
    }
    for t in &s.by_makerspace {
        let key = if t.key.is_empty() { none.to_string() } else { t.key.clone() };
        rows.push(vec![(if zh { "入驻空间" } else { "Makerspace" }).into(), key, t.count.to_string()]);
    }
    for t in &s.by_industry {
        rows.push(vec![(if zh { "行业" } else { "Industry" }).into(), t.key.clone(), t.count.to_string()]);
    }
    for r in &s.reasons {
        let section = format!("{}{}", state_label(r.decision, lang), if zh { "理由" } else { ": reason" });
        rows.push(vec![section, r.reason.clone(), r.count.to_string()]);
    }
    (header, rows)
}

/// The intake figures as CSV for Excel (UTF-8 with a BOM).
pub fn intake_csv(s: &IntakeSummary, lang: Lang) -> Result<String> {
    let (header, rows) = intake_table(s, lang);
    excel_csv(&header, rows)
}

/// The intake figures as an XLSX workbook, counts as numbers.
pub fn intake_xlsx(s: &IntakeSummary, lang: Lang) -> Result<Vec<u8>> {
    let (header, rows) = intake_table(s, lang);
    xlsx_table(if lang == Lang::Zh { "受理情况" } else { "Intake" }, &header, &rows, |c| c == 2)
}
