//! The sharing figures of a period per instrument, lab or makerspace (the annual
//! per-instrument table of the large-instrument sharing evaluation), from usage sessions —
//! never from bookings — and their export as CSV for Excel and as XLSX.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::params;
use serde::Serialize;

use crate::domain::Id;
use crate::error::{CoreError, Result};
use crate::i18n::Lang;
use crate::interval::Span;
use crate::report::{excel_csv, range_of, xlsx_table};
use crate::store::Store;
use crate::usage::{Fen, Indicators, SessionFacts, UserClass};

/// What one row of the figures stands for.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Instrument,
    Lab,
    Makerspace,
}

impl GroupBy {
    pub fn parse(text: &str) -> Result<GroupBy> {
        match text {
            "instrument" | "equipment" => Ok(GroupBy::Instrument),
            "lab" => Ok(GroupBy::Lab),
            "makerspace" => Ok(GroupBy::Makerspace),
            _ => Err(CoreError::invalid("by", "instrument, lab or makerspace")),
        }
    }
}

/// One instrument, lab or makerspace's figures.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorRow {
    pub id: Id,
    pub name: String,
    /// The lab (instrument rows) and the makerspace's code (instrument and lab rows).
    pub lab: String,
    pub makerspace_code: String,
    pub instruments: u32,
    pub figures: Indicators,
    /// 共享率 in per mille; none without hours.
    pub share_permille: Option<i64>,
    /// Bookings that began in the period and were kept or missed, and those missed.
    pub bookings_due: u32,
    pub no_shows: u32,
    /// Sum and count of the ratings of those bookings.
    pub rating_sum: u32,
    pub ratings: u32,
    /// An instrument row's register entry (the annual table lists it): 原值, asset number,
    /// open for sharing; none for a lab, a makerspace or the total.
    pub original_value_fen: Option<Fen>,
    pub asset_number: String,
    pub open_for_sharing: Option<bool>,
    /// The sessions behind the effective and the outside hours, when asked for
    /// (`Store::indicators_with_sessions`).
    pub session_ids: Vec<Id>,
    pub outside_session_ids: Vec<Id>,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: GroupBy,
    pub rows: Vec<IndicatorRow>,
    /// All of them together.
    pub total: IndicatorRow,
}

/// An instrument and the groups it belongs to (a row of `INSTRUMENTS_SQL`).
pub struct Instrument {
    pub id: Id,
    pub name: String,
    pub lab_id: Id,
    pub lab: String,
    pub makerspace_id: Id,
    pub makerspace_code: String,
    pub makerspace: String,
    /// From the asset register: 原值, the asset number, open for sharing.
    pub original_value_fen: Option<Fen>,
    pub asset_number: String,
    pub open_for_sharing: bool,
}

impl Instrument {
    /// (key, name, lab, makerspace code) of the instrument's group.
    fn group(&self, by: GroupBy) -> (&str, &str, &str, &str) {
        match by {
            GroupBy::Instrument => (&self.id, &self.name, &self.lab, &self.makerspace_code),
            GroupBy::Lab => (&self.lab_id, &self.lab, "", &self.makerspace_code),
            GroupBy::Makerspace => (&self.makerspace_id, &self.makerspace, "", &self.makerspace_code),
        }
    }
}

/// The statements the figures are read with, the same on SQLite and PostgreSQL (parameters
/// numbered in the order they appear). Every instrument, in the report's order.
pub const INSTRUMENTS_SQL: &str = "SELECT r.id, r.name, l.id, l.name, m.id, m.code, m.name,
            e.original_value_fen, e.asset_number, e.open_for_sharing
     FROM resource r JOIN equipment e ON e.resource_id = r.id JOIN lab l ON l.id = e.lab_id
     JOIN makerspace m ON m.id = r.makerspace_id
     ORDER BY m.code, l.name, r.name, r.id";
/// Who belongs to which makerspace.
pub const ROLES_SQL: &str = "SELECT DISTINCT person_id, makerspace_id FROM person_role ORDER BY 1, 2";
macro_rules! sessions_sql {
    ($id:literal) => {
        concat!(
            "SELECT s.resource_id, s.person_id, s.started_at, s.ended_at, s.user_class, s.purpose, s.fee_fen - s.waived_fen, ",
            $id,
            " FROM usage_session s WHERE s.ended_at > $1 AND s.started_at < $2 AND s.ended_at IS NOT NULL"
        )
    };
}
/// The closed sessions that overlap the period `$1..$2`, in `Tallier::session`'s order,
/// with their ids (for the figures that list the sessions behind them).
pub const SESSIONS_WITH_IDS_SQL: &str = sessions_sql!("s.id");
/// As `SESSIONS_WITH_IDS_SQL` without the ids: a tenth of a district year's bytes is ids.
pub const SESSIONS_SQL: &str = sessions_sql!("''");

/// The statement a tally reads its sessions with.
pub fn sessions_sql(with_sessions: bool) -> &'static str {
    if with_sessions { SESSIONS_WITH_IDS_SQL } else { SESSIONS_SQL }
}
/// Per instrument, the bookings that began in `$1..$2` and had ended by `$3`, kept or missed:
/// (resource, due, missed, rating sum, ratings).
pub const BOOKINGS_DUE_SQL: &str = "SELECT b.resource_id, count(*), count(*) FILTER (WHERE b.status = 'no_show'),
            CAST(coalesce(sum(f.rating), 0) AS BIGINT), count(f.rating)
     FROM booking b JOIN equipment e ON e.resource_id = b.resource_id
     LEFT JOIN feedback f ON f.booking_id = b.id
     WHERE b.deleted = 0 AND b.start_at >= $1 AND b.start_at < $2 AND b.end_at <= $3
       AND b.status IN ('completed', 'no_show', 'confirmed')
     GROUP BY b.resource_id";

#[derive(Default)]
struct Tally {
    sessions: Vec<SessionFacts>,
    instruments: u32,
    bookings_due: u32,
    no_shows: u32,
    rating_sum: u32,
    ratings: u32,
}

/// Numbers for the people and makerspaces of the district, so that 10⁶ sessions are counted
/// without a string of their own each. An organisation is a makerspace (numbered first) or,
/// for someone in none, the person themselves.
#[derive(Default)]
struct Numbers {
    makerspaces: HashMap<String, i64>,
    /// Person → their number, an index into `homes`.
    people: HashMap<String, usize>,
    /// Each person's makerspaces, by the person's number.
    homes: Vec<Vec<i64>>,
}

impl Numbers {
    fn makerspace(&mut self, id: &str) -> i64 {
        if let Some(n) = self.makerspaces.get(id) {
            return *n;
        }
        let n = self.makerspaces.len() as i64;
        self.makerspaces.insert(id.to_string(), n);
        n
    }

    /// The person's number and makerspaces: one lookup when known (10⁶ times a year), added
    /// when not (someone in no makerspace).
    fn person(&mut self, id: &str) -> (i64, &[i64]) {
        let n = match self.people.get(id) {
            Some(&n) => n,
            None => {
                self.homes.push(Vec::new());
                self.people.insert(id.to_string(), self.homes.len() - 1);
                self.homes.len() - 1
            }
        };
        (n as i64, self.homes.get(n).map(Vec::as_slice).unwrap_or(&[]))
    }
}

/// One closed session as a backend reads it (a row of `SESSIONS_SQL`).
pub struct SessionRow<'a> {
    pub resource_id: &'a str,
    pub person_id: &'a str,
    pub ran: Span,
    pub class: &'a str,
    pub purpose: &'a str,
    /// What was charged after waivers.
    pub charged_fen: Fen,
    pub id: &'a str,
}

/// Puts the figures together from what a backend reads — its instruments, who belongs where,
/// the sessions, the bookings due — the same for the desktop's SQLite and the district's
/// PostgreSQL. The rules of what counts are `Indicators::of`'s.
pub struct Tallier {
    by: GroupBy,
    period: Span,
    with_sessions: bool,
    instruments: Vec<Instrument>,
    /// The groups' tallies, by their number.
    tallies: Vec<Tally>,
    /// Group key → its number, in the key's order (the order of the totals' session lists).
    slot_of: BTreeMap<Id, usize>,
    /// Instrument → (its group's number, its makerspace's number): a session is tallied by
    /// index, not by looking its group's key up again (10⁶ times in a district year).
    group_of: HashMap<Id, (usize, i64)>,
    numbers: Numbers,
    /// Session number → id, when the ids are asked for.
    ids: HashMap<i64, Id>,
    next_session: i64,
}

impl Tallier {
    /// A tally of `instruments` (`INSTRUMENTS_SQL`), grouped `by`, over the local dates
    /// `from..=to`; with `with_sessions`, each figure lists the ids of its sessions.
    pub fn new(
        instruments: Vec<Instrument>,
        by: GroupBy,
        (from, to): (NaiveDate, NaiveDate),
        with_sessions: bool,
    ) -> Result<Tallier> {
        if to < from {
            return Err(CoreError::invalid("to", "the period ends before it starts"));
        }
        let mut t = Tallier {
            by,
            period: range_of(from, to)?,
            with_sessions,
            instruments: Vec::new(),
            tallies: Vec::new(),
            slot_of: BTreeMap::new(),
            group_of: HashMap::default(),
            numbers: Numbers::default(),
            ids: HashMap::default(),
            next_session: 0,
        };
        for i in &instruments {
            let next = t.slot_of.len();
            let slot = *t.slot_of.entry(i.group(by).0.to_string()).or_insert(next);
            if slot == t.tallies.len() {
                t.tallies.push(Tally::default());
            }
            t.tallies[slot].instruments += 1;
            let home = t.numbers.makerspace(&i.makerspace_id);
            t.group_of.insert(i.id.clone(), (slot, home));
        }
        t.instruments = instruments;
        Ok(t)
    }

    /// The period's instants, for the statements' parameters.
    pub fn period(&self) -> Span {
        self.period
    }

    /// A person belongs to a makerspace (`ROLES_SQL`, in its order): an outside user's
    /// organisation is their own makerspace (the first other than the instrument's).
    pub fn role(&mut self, person_id: &str, makerspace_id: &str) {
        let makerspace = self.numbers.makerspace(makerspace_id);
        let (person, _) = self.numbers.person(person_id);
        if let Some(homes) = self.numbers.homes.get_mut(person as usize) {
            homes.push(makerspace);
        }
    }

    pub fn session(&mut self, row: &SessionRow<'_>) -> Result<()> {
        let Some((key, home)) = self.group_of.get(row.resource_id) else { return Ok(()) };
        let class: UserClass = row.class.parse().map_err(|_| CoreError::invalid("user_class", row.class.to_string()))?;
        let purpose = row.purpose.parse().map_err(|_| CoreError::invalid("purpose", row.purpose.to_string()))?;
        let companies = self.numbers.makerspaces.len() as i64;
        let (person, homes) = self.numbers.person(row.person_id);
        let organisation = match class {
            UserClass::Internal => *home,
            _ => homes.iter().copied().find(|m| m != home).unwrap_or(companies + person),
        };
        let number = self.next_session;
        self.next_session += 1;
        if self.with_sessions {
            self.ids.insert(number, row.id.to_string());
        }
        let facts =
            SessionFacts { key: number, person, organisation, ran: row.ran, class, purpose, charged_fen: row.charged_fen };
        if let Some(tally) = self.tallies.get_mut(*key) {
            tally.sessions.push(facts);
        }
        Ok(())
    }

    /// An instrument's bookings due in the period (`BOOKINGS_DUE_SQL`).
    pub fn bookings(&mut self, resource_id: &str, (due, missed): (i64, i64), (rating_sum, ratings): (i64, i64)) {
        let Some((key, _)) = self.group_of.get(resource_id) else { return };
        let Some(t) = self.tallies.get_mut(*key) else { return };
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        t.bookings_due += count(due);
        t.no_shows += count(missed);
        t.rating_sum += count(rating_sum);
        t.ratings += count(ratings);
    }

    fn row(
        &self,
        t: &Tally,
        ((id, name, lab, code), instrument): ((&str, &str, &str, &str), Option<&Instrument>),
        figures: Indicators,
    ) -> IndicatorRow {
        let named = |keys: &[i64]| keys.iter().filter_map(|k| self.ids.get(k).cloned()).collect();
        IndicatorRow {
            id: id.into(),
            name: name.into(),
            lab: lab.into(),
            makerspace_code: code.into(),
            instruments: t.instruments,
            share_permille: figures.share_permille(),
            original_value_fen: instrument.and_then(|i| i.original_value_fen),
            asset_number: instrument.map(|i| i.asset_number.clone()).unwrap_or_default(),
            open_for_sharing: instrument.map(|i| i.open_for_sharing),
            session_ids: named(&figures.sessions),
            outside_session_ids: named(&figures.outside_sessions),
            figures,
            bookings_due: t.bookings_due,
            no_shows: t.no_shows,
            rating_sum: t.rating_sum,
            ratings: t.ratings,
        }
    }

    /// The report: a row per group, in the instruments' order, and the total.
    pub fn finish(self, (from, to): (NaiveDate, NaiveDate)) -> IndicatorReport {
        let mut seen = std::collections::BTreeSet::new();
        let mut rows = Vec::new();
        for i in &self.instruments {
            let group = i.group(self.by);
            if !seen.insert(group.0) {
                continue;
            }
            let Some(t) = self.slot_of.get(group.0).and_then(|&slot| self.tallies.get(slot)) else { continue };
            let instrument = (self.by == GroupBy::Instrument).then_some(i);
            rows.push(self.row(t, (group, instrument), Indicators::of(&t.sessions, self.period)));
        }
        // The total from the same sessions, by reference (a district year is 10⁶ of them).
        let in_key_order = || self.slot_of.values().filter_map(|&slot| self.tallies.get(slot));
        let figures = Indicators::of(in_key_order().flat_map(|t| t.sessions.iter()), self.period);
        let sum = |f: fn(&Tally) -> u32| self.tallies.iter().map(f).sum::<u32>();
        let all = Tally {
            sessions: Vec::new(),
            instruments: sum(|t| t.instruments),
            bookings_due: sum(|t| t.bookings_due),
            no_shows: sum(|t| t.no_shows),
            rating_sum: sum(|t| t.rating_sum),
            ratings: sum(|t| t.ratings),
        };
        let total = self.row(&all, (("", "", "", ""), None), figures);
        IndicatorReport { from, to, by: self.by, rows, total }
    }
}

impl Store {
    /// The figures of the local dates `from..=to` (the district's zone) per group, every
    /// instrument counted (those without sessions too), and their total. Bookings count as
    /// due once they have ended by `now`.
    pub fn indicators(&self, from: NaiveDate, to: NaiveDate, by: GroupBy, now: DateTime<Utc>) -> Result<IndicatorReport> {
        self.indicators_of((from, to), by, now, false)
    }

    /// As `indicators`, each figure with the ids of the sessions behind it.
    pub fn indicators_with_sessions(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        by: GroupBy,
        now: DateTime<Utc>,
    ) -> Result<IndicatorReport> {
        self.indicators_of((from, to), by, now, true)
    }

    fn indicators_of(
        &self,
        dates: (NaiveDate, NaiveDate),
        by: GroupBy,
        now: DateTime<Utc>,
        with_sessions: bool,
    ) -> Result<IndicatorReport> {
        let mut stmt = self.conn().prepare(INSTRUMENTS_SQL)?;
        let instruments = stmt
            .query_map([], |r| {
                Ok(Instrument {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    lab_id: r.get(2)?,
                    lab: r.get(3)?,
                    makerspace_id: r.get(4)?,
                    makerspace_code: r.get(5)?,
                    makerspace: r.get(6)?,
                    original_value_fen: r.get(7)?,
                    asset_number: r.get(8)?,
                    open_for_sharing: r.get::<_, i64>(9)? != 0,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut tally = Tallier::new(instruments, by, dates, with_sessions)?;
        let period = tally.period();
        let mut stmt = self.conn().prepare(ROLES_SQL)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            tally.role(r.get_ref(0)?.as_str()?, r.get_ref(1)?.as_str()?);
        }
        let mut stmt = self.conn().prepare(sessions_sql(with_sessions))?;
        let mut rows = stmt.query(params![period.start, period.end])?;
        while let Some(r) = rows.next()? {
            let text = |i: usize| -> Result<&str> { Ok(r.get_ref(i)?.as_str()?) };
            tally.session(&SessionRow {
                resource_id: text(0)?,
                person_id: text(1)?,
                ran: Span::new(r.get(2)?, r.get(3)?),
                class: text(4)?,
                purpose: text(5)?,
                charged_fen: r.get(6)?,
                id: text(7)?,
            })?;
        }
        let mut stmt = self.conn().prepare(BOOKINGS_DUE_SQL)?;
        let mut rows = stmt.query(params![period.start, period.end, now.timestamp()])?;
        while let Some(r) = rows.next()? {
            tally.bookings(r.get_ref(0)?.as_str()?, (r.get(1)?, r.get(2)?), (r.get(3)?, r.get(4)?));
        }
        Ok(tally.finish(dates))
    }
}

/// Seconds as hours with two decimals, rounded half up; exact for whole quarter hours.
pub fn hours_text(seconds: i64) -> String {
    let hundredths = (seconds * 100 + 1_800) / 3_600;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Fen as yuan with two decimals.
pub fn yuan_text(fen: Fen) -> String {
    format!("{}{}.{:02}", if fen < 0 { "-" } else { "" }, fen.abs() / 100, fen.abs() % 100)
}

/// Per mille as a percentage with one decimal.
fn percent_text(permille: Option<i64>) -> String {
    permille.map(|p| format!("{}.{}", p / 10, p % 10)).unwrap_or_default()
}

fn header(by: GroupBy, lang: Lang) -> Vec<&'static str> {
    let zh = lang == Lang::Zh;
    let first: &[&str] = match (by, zh) {
        (GroupBy::Instrument, true) => &["仪器名称", "所属实验室", "所属空间"],
        (GroupBy::Instrument, false) => &["Instrument", "Lab", "Makerspace"],
        (GroupBy::Lab, true) => &["实验室", "所属空间", "仪器台数"],
        (GroupBy::Lab, false) => &["Lab", "Makerspace", "Instruments"],
        (GroupBy::Makerspace, true) => &["空间", "空间编码", "仪器台数"],
        (GroupBy::Makerspace, false) => &["Makerspace", "Code", "Instruments"],
    };
    let rest: &[&str] = if zh {
        &[
            "有效工作机时(小时)",
            "对外服务机时(小时)",
            "共享率(%)",
            "对内服务收入(元)",
            "对外服务收入(元)",
            "服务用户数",
            "服务外单位数",
            "企业用户机时(小时)",
            "应到预约数",
            "未到(爽约)次数",
            "平均评分",
        ]
    } else {
        &[
            "Effective hours",
            "Outside service hours",
            "Share rate (%)",
            "Internal income (yuan)",
            "External income (yuan)",
            "Users",
            "Outside organisations",
            "Enterprise hours",
            "Bookings due",
            "No-shows",
            "Mean rating",
        ]
    };
    // The annual per-instrument table lists each instrument's register entry after its figures.
    let register: &[&str] = match (by, zh) {
        (GroupBy::Instrument, true) => &["原值(万元)", "资产编号", "对外开放"],
        (GroupBy::Instrument, false) => &["Original value (10k yuan)", "Asset number", "Open for sharing"],
        _ => &[],
    };
    first.iter().chain(rest).chain(register).copied().collect()
}

/// The columns after the names that are figures (and the register's value), as XLSX numbers.
fn numeric(by: GroupBy, column: u16) -> bool {
    match by {
        // name, lab, code | 11 figures | value, asset number, open
        GroupBy::Instrument => (3..15).contains(&column),
        _ => column >= 2,
    }
}

/// Fen as 万元 (10,000 yuan) with two decimals, rounded half up.
fn wan_text(fen: Fen) -> String {
    let hundredths = (fen + 5_000) / 10_000;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

fn cells(by: GroupBy, r: &IndicatorRow, lang: Lang) -> Vec<String> {
    let f = &r.figures;
    let mut row = match by {
        GroupBy::Instrument => vec![r.name.clone(), r.lab.clone(), r.makerspace_code.clone()],
        _ => vec![r.name.clone(), r.makerspace_code.clone(), r.instruments.to_string()],
    };
    let rating = if r.ratings == 0 { String::new() } else { format!("{:.1}", f64::from(r.rating_sum) / f64::from(r.ratings)) };
    row.extend([
        hours_text(f.effective_seconds),
        hours_text(f.outside_seconds),
        percent_text(r.share_permille),
        yuan_text(f.internal_income_fen),
        yuan_text(f.external_income_fen),
        f.distinct_users.to_string(),
        f.outside_organisations.to_string(),
        hours_text(f.enterprise_seconds),
        r.bookings_due.to_string(),
        r.no_shows.to_string(),
        rating,
    ]);
    if by == GroupBy::Instrument {
        let open = match (r.open_for_sharing, lang) {
            (Some(true), Lang::Zh) => "是",
            (Some(false), Lang::Zh) => "否",
            (Some(true), Lang::En) => "yes",
            (Some(false), Lang::En) => "no",
            (None, _) => "",
        };
        row.extend([r.original_value_fen.map(wan_text).unwrap_or_default(), r.asset_number.clone(), open.to_string()]);
    }
    row
}

fn table(report: &IndicatorReport, lang: Lang) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let mut rows: Vec<Vec<String>> = report.rows.iter().map(|r| cells(report.by, r, lang)).collect();
    let mut total = cells(report.by, &report.total, lang);
    total[0] = if lang == Lang::Zh { "合计".into() } else { "Total".into() };
    rows.push(total);
    (header(report.by, lang), rows)
}

/// The figures as CSV for Excel (UTF-8 with a BOM), a total row last.
pub fn indicators_csv(report: &IndicatorReport, lang: Lang) -> Result<String> {
    let (header, rows) = table(report, lang);
    excel_csv(&header, rows)
}

/// The figures as an XLSX workbook: the same columns as the CSV, numbers as numbers.
pub fn indicators_xlsx(report: &IndicatorReport, lang: Lang) -> Result<Vec<u8>> {
    let (header, rows) = table(report, lang);
    xlsx_table(if lang == Lang::Zh { "共享指标" } else { "Sharing figures" }, &header, &rows, |c| numeric(report.by, c))
}
