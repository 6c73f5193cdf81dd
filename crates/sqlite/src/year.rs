//! A makerspace's yearly figures read from the replica (or the server's SQLite file) and
//! handed to `kpi::year_figures` in the core; as CSV (UTF-8 with BOM) and XLSX with the
//! zh-CN row names a makerspace files.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::params;

use crate::error::{CoreError, Result};
use crate::i18n::Lang;
use crate::kpi::{SessionFact, YearFigures, year_figures};
use crate::report::{excel_csv, xlsx_table};
use crate::store::{Store, local_range};

/// (makerspace) → its mentors' resource ids and names.
pub const YEAR_MENTORS_SQL: &str = "SELECT r.id, p.name FROM mentor m JOIN resource r ON r.id = m.resource_id
     JOIN person p ON p.id = m.person_id WHERE r.makerspace_id = $1 AND r.deleted = 0 ORDER BY p.name, r.id";
/// (makerspace, year start, year end) → the completed mentor sessions that concern it:
/// mentor, mentor here, booker here, booker's startup, seconds, rating.
pub const YEAR_SESSIONS_SQL: &str = "SELECT b.resource_id, r.makerspace_id = $1,
        EXISTS(SELECT 1 FROM person_role pr WHERE pr.person_id = b.booker_id AND pr.makerspace_id = $1),
        (SELECT sm.startup_id FROM startup_member sm WHERE sm.person_id = b.booker_id ORDER BY sm.startup_id LIMIT 1),
        b.end_at - b.start_at, f.rating
     FROM booking b JOIN resource r ON r.id = b.resource_id AND r.kind = 'mentor'
     LEFT JOIN feedback f ON f.booking_id = b.id
     WHERE b.status = 'completed' AND b.deleted = 0 AND b.start_at >= $2 AND b.start_at < $3
       AND (r.makerspace_id = $1
            OR EXISTS(SELECT 1 FROM person_role pr WHERE pr.person_id = b.booker_id AND pr.makerspace_id = $1))";
/// (makerspace, year start, year end, now) → events held.
pub const YEAR_ACTIVITIES_SQL: &str = "SELECT count(*) FROM event WHERE makerspace_id = $1 AND cancelled = 0 AND deleted = 0
     AND start_at >= $2 AND start_at < $3 AND start_at <= $4";

/// The calendar year in the district's zone, as instants.
pub fn year_range(year: i32) -> Result<crate::interval::Span> {
    let (Some(first), Some(last)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31)) else {
        return Err(CoreError::invalid("year", format!("{year} is not a year")));
    };
    local_range(chrono_tz::Asia::Shanghai, first, last)
}

impl Store {
    /// The figures of the makerspace (by code) for the calendar year, in the district's zone;
    /// activities count the events begun by `now`.
    pub fn year_figures(&self, code: &str, year: i32, now: DateTime<Utc>) -> Result<YearFigures> {
        let ms = self.makerspace_by_code(code)?;
        let range = year_range(year)?;
        let conn = self.conn();
        let mentors: Vec<(String, String)> = conn
            .prepare_cached(YEAR_MENTORS_SQL)?
            .query_map([&ms.id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let sessions: Vec<SessionFact> = conn
            .prepare_cached(YEAR_SESSIONS_SQL)?
            .query_map(params![ms.id, range.start, range.end], |r| {
                Ok(SessionFact {
                    mentor_id: r.get(0)?,
                    mentor_here: r.get(1)?,
                    booker_here: r.get(2)?,
                    booker_startup: r.get(3)?,
                    seconds: r.get(4)?,
                    rating: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let activities: u32 = conn
            .prepare_cached(YEAR_ACTIVITIES_SQL)?
            .query_row(params![ms.id, range.start, range.end, now.timestamp()], |r| r.get(0))?;
        Ok(year_figures((year, &ms.code, &ms.name), &mentors, &sessions, activities))
    }

    /// Every makerspace's figures of the year, by code: the district's side by side.
    pub fn district_year_figures(&self, year: i32, now: DateTime<Utc>) -> Result<Vec<YearFigures>> {
        let mut out = Vec::new();
        for ms in self.makerspaces()? {
            out.push(self.year_figures(&ms.code, year, now)?);
        }
        Ok(out)
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
