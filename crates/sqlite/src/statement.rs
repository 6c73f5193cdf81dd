//! A month's statement of charges, for one person or one lab: every closed usage session that
//! began in the month with its fee, its waiver and what is due, in integer fen; exported as
//! CSV for Chinese Excel (UTF-8 with a BOM) and as XLSX.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::params;
use serde::Serialize;

use crate::domain::{Id, to_utc};
use crate::error::{CoreError, Result};
use crate::i18n::Lang;
use crate::indicators::{hours_text, yuan_text};
use crate::report::{excel_csv, range_of, xlsx_table};
use crate::store::Store;
use crate::usage::{Fen, Purpose, UserClass};

/// Whose statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementOf<'a> {
    Person(&'a str),
    Lab(&'a str),
}

/// One charged session.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    pub session_id: Id,
    pub instrument: String,
    pub lab: String,
    pub person_id: Id,
    pub person: String,
    pub user_class: UserClass,
    pub purpose: Purpose,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub fee_fen: Fen,
    pub waived_fen: Fen,
    /// What is owed: the fee less the waiver.
    pub due_fen: Fen,
    pub walk_up: bool,
    /// Closed by the app, not by a check-out.
    pub flagged: bool,
    pub corrected: bool,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// The person's or the lab's name.
    pub name: String,
    /// The first and the last day of the month.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub lines: Vec<StatementLine>,
    pub fee_fen: Fen,
    pub waived_fen: Fen,
    pub due_fen: Fen,
}

/// The first and last day of the month `YYYY-MM`.
pub fn month_of(text: &str) -> Result<(NaiveDate, NaiveDate)> {
    let bad = || CoreError::invalid("month", "a month as YYYY-MM, e.g. 2026-11");
    let first = NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").map_err(|_| bad())?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    let last = next.and_then(|n| n.pred_opt()).ok_or_else(bad)?;
    Ok((first, last))
}

impl Store {
    /// The statement of the sessions that began in `month` (see `month_of`) and are closed.
    pub fn statement(&self, of: StatementOf<'_>, month: &str) -> Result<Statement> {
        let (from, to) = month_of(month)?;
        let period = range_of(from, to)?;
        let (filter, id, name_sql) = match of {
            StatementOf::Person(id) => ("s.person_id = ?1", id, "SELECT name FROM person WHERE id = ?1"),
            StatementOf::Lab(id) => ("e.lab_id = ?1", id, "SELECT name FROM lab WHERE id = ?1"),
        };
        let name: String = self.conn().query_row(name_sql, [id], |r| r.get(0)).map_err(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => {
                CoreError::not_found(if matches!(of, StatementOf::Person(_)) { "person" } else { "lab" }, id)
            }
            other => other.into(),
        })?;
        let mut stmt = self.conn().prepare(&format!(
            "SELECT s.id, r.name, l.name, s.person_id, p.name, s.user_class, s.purpose, s.started_at, s.ended_at,
                    s.fee_fen, s.waived_fen, s.walk_up, s.flagged, s.corrected
             FROM usage_session s JOIN resource r ON r.id = s.resource_id JOIN equipment e ON e.resource_id = s.resource_id
             JOIN lab l ON l.id = e.lab_id JOIN person p ON p.id = s.person_id
             WHERE {filter} AND s.ended_at IS NOT NULL AND s.started_at >= ?2 AND s.started_at < ?3
             ORDER BY s.started_at, s.id"
        ))?;
        let parse_err = |i: usize| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, "enum".into());
        let rows = stmt.query_map(params![id, period.start, period.end], |r| {
            let (fee_fen, waived_fen): (Fen, Fen) = (r.get(9)?, r.get(10)?);
            Ok(StatementLine {
                session_id: r.get(0)?,
                instrument: r.get(1)?,
                lab: r.get(2)?,
                person_id: r.get(3)?,
                person: r.get(4)?,
                user_class: r.get::<_, String>(5)?.parse().map_err(|_| parse_err(5))?,
                purpose: r.get::<_, String>(6)?.parse().map_err(|_| parse_err(6))?,
                started_at: to_utc(r.get(7)?),
                ended_at: to_utc(r.get(8)?),
                fee_fen,
                waived_fen,
                due_fen: fee_fen - waived_fen,
                walk_up: r.get(11)?,
                flagged: r.get(12)?,
                corrected: r.get(13)?,
            })
        })?;
        let lines: Vec<StatementLine> = rows.collect::<rusqlite::Result<_>>()?;
        let sum = |f: fn(&StatementLine) -> Fen| lines.iter().map(f).sum::<Fen>();
        let (fee_fen, waived_fen, due_fen) = (sum(|l| l.fee_fen), sum(|l| l.waived_fen), sum(|l| l.due_fen));
        Ok(Statement { name, from, to, lines, fee_fen, waived_fen, due_fen })
    }
}

fn header(lang: Lang) -> Vec<&'static str> {
    if lang == Lang::Zh {
        vec![
            "日期",
            "仪器",
            "实验室",
            "使用人",
            "用户类别",
            "用途",
            "开始",
            "结束",
            "使用机时(小时)",
            "费用(元)",
            "减免(元)",
            "应收(元)",
            "备注",
        ]
    } else {
        vec![
            "Date",
            "Instrument",
            "Lab",
            "User",
            "Class",
            "Purpose",
            "Start",
            "End",
            "Hours",
            "Fee (yuan)",
            "Waived (yuan)",
            "Due (yuan)",
            "Notes",
        ]
    }
}

fn class_text(class: UserClass, zh: bool) -> &'static str {
    match (class, zh) {
        (UserClass::Internal, true) => "本空间",
        (UserClass::External, true) => "区内其他空间",
        (UserClass::Enterprise, true) => "企业",
        (class, false) => class.into(),
    }
}

fn purpose_text(purpose: Purpose, zh: bool) -> &'static str {
    match (purpose, zh) {
        (Purpose::Research, true) => "科研/技术开发",
        (Purpose::Testing, true) => "测试",
        (Purpose::Teaching, true) => "教学",
        (Purpose::Certification, true) => "法定认证",
        (Purpose::CommercialInspection, true) => "商业检验",
        (Purpose::BulkInspection, true) => "大批量验货",
        (purpose, false) => purpose.into(),
    }
}

fn table(statement: &Statement, lang: Lang) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let zh = lang == Lang::Zh;
    let tz = incubook_core::clock::DISTRICT_ZONE;
    let local = |t: DateTime<Utc>| t.with_timezone(&tz);
    let mut rows: Vec<Vec<String>> = statement
        .lines
        .iter()
        .map(|l| {
            let notes: Vec<&str> = [
                (l.walk_up, if zh { "现场使用" } else { "walk-up" }),
                (l.flagged, if zh { "未签退，系统结束" } else { "not checked out" }),
                (l.corrected, if zh { "已更正" } else { "corrected" }),
            ]
            .into_iter()
            .filter_map(|(on, text)| on.then_some(text))
            .collect();
            vec![
                local(l.started_at).format("%Y-%m-%d").to_string(),
                l.instrument.clone(),
                l.lab.clone(),
                l.person.clone(),
                class_text(l.user_class, zh).to_string(),
                purpose_text(l.purpose, zh).to_string(),
                local(l.started_at).format("%H:%M").to_string(),
                local(l.ended_at).format("%H:%M").to_string(),
                hours_text((l.ended_at - l.started_at).num_seconds()),
                yuan_text(l.fee_fen),
                yuan_text(l.waived_fen),
                yuan_text(l.due_fen),
                notes.join(if zh { "；" } else { "; " }),
            ]
        })
        .collect();
    let mut total = vec![String::new(); 13];
    total[0] = if zh { "合计".into() } else { "Total".into() };
    total[9] = yuan_text(statement.fee_fen);
    total[10] = yuan_text(statement.waived_fen);
    total[11] = yuan_text(statement.due_fen);
    rows.push(total);
    (header(lang), rows)
}

/// The statement as CSV for Excel (UTF-8 with a BOM), a total row last.
pub fn statement_csv(statement: &Statement, lang: Lang) -> Result<String> {
    let (header, rows) = table(statement, lang);
    excel_csv(&header, rows)
}

/// The statement as an XLSX workbook, amounts as numbers.
pub fn statement_xlsx(statement: &Statement, lang: Lang) -> Result<Vec<u8>> {
    let (header, rows) = table(statement, lang);
    xlsx_table(if lang == Lang::Zh { "对账单" } else { "Statement" }, &header, &rows, |c| (8..12).contains(&c))
}
