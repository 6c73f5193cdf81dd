//! A makerspace's yearly figures read from the replica (or the server's SQLite file) and
//! handed to `kpi::year_figures` in the core; as CSV (UTF-8 with BOM) and XLSX with the
//! zh-CN row names a makerspace files.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::params;

use crate::error::{CoreError, Result};
use crate::i18n::Lang;
use crate::kpi::{YearFacts, YearFigures, YearSession, district_year_figures};
use crate::report::{excel_csv, xlsx_table};
use crate::store::{Store, local_range};

/// Every mentor: resource id, name, home makerspace, full-time 0/1.
pub const YEAR_MENTORS_SQL: &str =
    "SELECT r.id, p.name, r.makerspace_id, m.full_time FROM mentor m JOIN resource r ON r.id = m.resource_id
     JOIN person p ON p.id = m.person_id WHERE r.deleted = 0 ORDER BY p.name, r.id";
/// (year start, year end) → every completed mentor session: mentor, its makerspace, booker,
/// seconds, the founder's rating, the startup it was booked for.
pub const YEAR_SESSIONS_SQL: &str =
    "SELECT b.resource_id, r.makerspace_id, b.booker_id, b.end_at - b.start_at, f.rating, b.startup_id
     FROM booking b JOIN resource r ON r.id = b.resource_id AND r.kind = 'mentor'
     LEFT JOIN feedback f ON f.booking_id = b.id
     WHERE b.status = 'completed' AND b.deleted = 0 AND b.start_at >= $1 AND b.start_at < $2";
/// Every (person, makerspace) membership.
pub const YEAR_MEMBERSHIPS_SQL: &str = "SELECT DISTINCT person_id, makerspace_id FROM person_role";
/// (year start, year end, now) → events held, per makerspace.
pub const YEAR_ACTIVITIES_SQL: &str = "SELECT makerspace_id, count(*) FROM event WHERE cancelled = 0 AND deleted = 0
     AND start_at >= $1 AND start_at < $2 AND start_at <= $3 GROUP BY makerspace_id";

/// The calendar year in the district's zone, as instants.
pub fn year_range(year: i32) -> Result<crate::interval::Span> {
    let (Some(first), Some(last)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31)) else {
        return Err(CoreError::invalid("year", format!("{year} is not a year")));
    };
    local_range(incubook_core::clock::DISTRICT_ZONE, first, last)
}

impl Store {
    /// The figures of the makerspace (by code) for the calendar year, in the district's zone;
    /// activities count the events begun by `now`.
    pub fn year_figures(&self, code: &str, year: i32, now: DateTime<Utc>) -> Result<YearFigures> {
        let ms = self.makerspace_by_code(code)?;
        let mut one = self.figures_of(&[(ms.id, ms.code, ms.name)], year, now)?;
        one.pop().ok_or_else(|| CoreError::not_found("makerspace", code))
    }

    /// Every makerspace's figures of the year, by code: the district's side by side, from
    /// one read of the year.
    pub fn district_year_figures(&self, year: i32, now: DateTime<Utc>) -> Result<Vec<YearFigures>> {
        let spaces: Vec<(String, String, String)> = self.makerspaces()?.into_iter().map(|m| (m.id, m.code, m.name)).collect();
        self.figures_of(&spaces, year, now)
    }

    fn figures_of(&self, makerspaces: &[(String, String, String)], year: i32, now: DateTime<Utc>) -> Result<Vec<YearFigures>> {
        let range = year_range(year)?;
        let conn = self.conn();
        let mentors: Vec<(String, String, String, bool)> = conn
            .prepare_cached(YEAR_MENTORS_SQL)?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, i64>(3)? == 1)))?
            .collect::<rusqlite::Result<_>>()?;
        let sessions: Vec<YearSession> = conn
            .prepare_cached(YEAR_SESSIONS_SQL)?
            .query_map(params![range.start, range.end], |r| {
                Ok(YearSession {
                    mentor_id: r.get(0)?,
                    mentor_makerspace: r.get(1)?,
                    booker_id: r.get(2)?,
                    seconds: r.get(3)?,
                    rating: r.get(4)?,
                    startup_id: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let memberships: Vec<(String, String)> = conn
            .prepare_cached(YEAR_MEMBERSHIPS_SQL)?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let activities: HashMap<String, u32> = conn
            .prepare_cached(YEAR_ACTIVITIES_SQL)?
            .query_map(params![range.start, range.end, now.timestamp()], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let facts = YearFacts {
            year,
            makerspaces,
            mentors: &mentors,
            sessions: &sessions,
            memberships: &memberships,
            activities: &activities,
        };
        Ok(district_year_figures(&facts))
    }
}

/// The figures as rows of (item, value, note), the mentors' own rows last.
fn table(f: &YearFigures, lang: Lang) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let zh = lang == Lang::Zh;
    let t = |a: &'static str, b: &'static str| if zh { a } else { b };
    let header = vec![t("项目", "Item"), t("数值", "Value"), t("备注", "Note")];
    let pct = |x: Option<f64>| x.map(|v| format!("{:.1}", v * 100.0)).unwrap_or_default();
    let mut rows = vec![
        vec![t("年度", "Year").into(), f.year.to_string(), format!("{} {}", f.makerspace_code, f.makerspace_name)],
        vec![t("创业导师人数", "Mentors").into(), f.mentors.to_string(), String::new()],
        vec![t("其中：专职导师", "of whom full-time").into(), f.full_time_mentors.to_string(), String::new()],
        vec![t("其中：兼职导师", "of whom part-time").into(), f.part_time_mentors.to_string(), String::new()],
        vec![
            t("外部导师人数（服务本空间）", "Mentors from outside who served here").into(),
            f.outside_mentors.to_string(),
            String::new(),
        ],
        vec![t("导师服务次数", "Sessions delivered").into(), f.sessions.to_string(), String::new()],
        vec![t("导师服务小时", "Mentor hours").into(), format!("{:.2}", f.mentor_hours), String::new()],
        vec![t("服务创业团队/企业数", "Startups served").into(), f.startups_served.to_string(), String::new()],
        vec![
            t("举办创新创业活动场次", "Activities held").into(),
            f.activities.to_string(),
            if f.activities < f.activities_floor {
                if zh {
                    format!("低于 {} 场的要求", f.activities_floor)
                } else {
                    format!("below the floor of {}", f.activities_floor)
                }
            } else {
                String::new()
            },
        ],
        vec![t("平均评分", "Mean rating").into(), f.mean_rating.map(|r| format!("{r:.2}")).unwrap_or_default(), String::new()],
        vec![t("反馈完成率（%）", "Feedback completion (%)").into(), pct(f.feedback_completion), String::new()],
    ];
    for m in &f.per_mentor {
        let item = if zh { format!("导师：{}（服务次数）", m.name) } else { format!("Mentor: {} (sessions)", m.name) };
        let note = if m.under_floor { t("全年服务少于 2 次", "fewer than 2 sessions in the year") } else { "" };
        rows.push(vec![item, m.sessions.to_string(), note.to_string()]);
    }
    (header, rows)
}

pub fn year_figures_csv(f: &YearFigures, lang: Lang) -> Result<String> {
    let (header, rows) = table(f, lang);
    excel_csv(&header, rows)
}

pub fn year_figures_xlsx(f: &YearFigures, lang: Lang) -> Result<Vec<u8>> {
    let (header, rows) = table(f, lang);
    xlsx_table(if lang == Lang::Zh { "年度统计" } else { "Year" }, &header, &rows, |c| c == 1)
}

/// The district's makerspaces side by side, one row each (the district operator's table).
fn district_table(all: &[YearFigures], lang: Lang) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let zh = lang == Lang::Zh;
    let t = |a: &'static str, b: &'static str| if zh { a } else { b };
    let header = vec![
        t("众创空间代码", "Code"),
        t("众创空间名称", "Makerspace"),
        t("创业导师人数", "Mentors"),
        t("其中：专职导师", "Full-time"),
        t("其中：兼职导师", "Part-time"),
        t("外部导师", "Mentors from outside"),
        t("导师服务次数", "Sessions delivered"),
        t("导师服务小时", "Mentor hours"),
        t("服务创业团队/企业数", "Startups served"),
        t("举办创新创业活动场次", "Activities held"),
        t("平均评分", "Mean rating"),
        t("反馈完成率（%）", "Feedback completion (%)"),
        t("全年服务少于 2 次的导师", "Mentors under 2 sessions"),
    ];
    let rows = all
        .iter()
        .map(|f| {
            vec![
                f.makerspace_code.clone(),
                f.makerspace_name.clone(),
                f.mentors.to_string(),
                f.full_time_mentors.to_string(),
                f.part_time_mentors.to_string(),
                f.outside_mentors.to_string(),
                f.sessions.to_string(),
                format!("{:.2}", f.mentor_hours),
                f.startups_served.to_string(),
                f.activities.to_string(),
                f.mean_rating.map(|r| format!("{r:.2}")).unwrap_or_default(),
                f.feedback_completion.map(|x| format!("{:.1}", x * 100.0)).unwrap_or_default(),
                f.per_mentor.iter().filter(|m| m.under_floor).count().to_string(),
            ]
        })
        .collect();
    (header, rows)
}

pub fn district_figures_csv(all: &[YearFigures], lang: Lang) -> Result<String> {
    let (header, rows) = district_table(all, lang);
    excel_csv(&header, rows)
}

pub fn district_figures_xlsx(all: &[YearFigures], lang: Lang) -> Result<Vec<u8>> {
    let (header, rows) = district_table(all, lang);
    xlsx_table(if lang == Lang::Zh { "全区年度统计" } else { "District" }, &header, &rows, |c| c >= 2)
}
