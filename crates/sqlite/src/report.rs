//! Reports for space admins and the district: mentor hours by mentor and by expertise,
//! equipment utilization by equipment and by lab, over a range of local dates — as data,
//! and as CSV that opens cleanly in Excel (UTF-8 with BOM, CRLF).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::params;
use serde::Serialize;

use crate::availability::{Days, available_spans};
use crate::error::{CoreError, Result};
use crate::i18n::{self, Lang};
use crate::interval::Span;
use crate::store::{ResourceRules, Store, local_range};

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct MentorHours {
    pub mentor_id: String,
    pub mentor: String,
    pub makerspace_code: String,
    pub tags: Vec<String>,
    pub sessions: u32,
    pub hours: f64,
    pub no_shows: u32,
    pub average_rating: Option<f64>,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ExpertiseHours {
    pub tag: String,
    pub mentors: u32,
    pub sessions: u32,
    pub hours: f64,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct MentorReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by_mentor: Vec<MentorHours>,
    pub by_expertise: Vec<ExpertiseHours>,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct EquipmentUse {
    pub equipment_id: String,
    pub equipment: String,
    pub lab: String,
    pub makerspace_code: String,
    pub bookings: u32,
    pub booked_hours: f64,
    pub open_hours: f64,
    /// Booked unit-hours over open unit-hours (capacity counts), 0–100.
    pub utilization_pct: f64,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct LabUse {
    pub lab: String,
    pub makerspace_code: String,
    pub equipment: u32,
    pub bookings: u32,
    pub booked_hours: f64,
    pub open_hours: f64,
    pub utilization_pct: f64,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct EquipmentReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by_equipment: Vec<EquipmentUse>,
    pub by_lab: Vec<LabUse>,
}

#[derive(Default)]
struct LabTotals {
    equipment: u32,
    bookings: u32,
    booked_s: i64,
    open_s: i64,
    open_units: f64,
}

/// Seconds as hours, to one decimal, as every report shows them.
pub fn hours(seconds: i64) -> f64 {
    (seconds as f64 / 360.0).round() / 10.0
}

fn pct(part: f64, whole: f64) -> f64 {
    if whole <= 0.0 { 0.0 } else { (part / whole * 1000.0).round() / 10.0 }
}

/// The instants of a report's local dates (the district's zone), both ends included.
pub fn range_of(from: NaiveDate, to: NaiveDate) -> Result<Span> {
    local_range(incubook_core::clock::DISTRICT_ZONE, from, to)
}

/// Open time of a resource in the range: its hours, minus blackouts.
pub fn open_seconds(rules: &ResourceRules, range: Span) -> i64 {
    let days = Days::covering(rules.tz, range);
    available_spans(&rules.calendar(), &days, range).iter().map(Span::len).sum()
}

/// The mentor report from each mentor's figures (with tags): sums per expertise.
pub fn mentor_report_of(from: NaiveDate, to: NaiveDate, by_mentor: Vec<MentorHours>) -> MentorReport {
    let mut by_tag: BTreeMap<String, (u32, u32, f64)> = BTreeMap::new();
    for m in &by_mentor {
        for t in &m.tags {
            let e = by_tag.entry(t.clone()).or_default();
            e.0 += 1;
            e.1 += m.sessions;
            e.2 += m.hours;
        }
    }
    let by_expertise = by_tag
        .into_iter()
        .map(|(tag, (mentors, sessions, h))| ExpertiseHours { tag, mentors, sessions, hours: (h * 10.0).round() / 10.0 })
        .collect();
    MentorReport { from, to, by_mentor, by_expertise }
}

/// One piece of equipment's bookings and open time in a report's range.
#[derive(Debug, Clone)]
pub struct EquipmentCount {
    pub id: String,
    pub name: String,
    pub lab: String,
    pub makerspace_code: String,
    pub capacity: u32,
    pub bookings: u32,
    pub booked_s: i64,
    pub open_s: i64,
}

/// The equipment report from each instrument's counts: utilization, and sums per lab.
pub fn equipment_report_of(from: NaiveDate, to: NaiveDate, counts: Vec<EquipmentCount>) -> EquipmentReport {
    let mut by_equipment = Vec::with_capacity(counts.len());
    let mut by_lab: BTreeMap<(String, String), LabTotals> = BTreeMap::new();
    for c in counts {
        let open_units = c.open_s as f64 * f64::from(c.capacity);
        let totals = by_lab.entry((c.makerspace_code.clone(), c.lab.clone())).or_default();
        totals.equipment += 1;
        totals.bookings += c.bookings;
        totals.booked_s += c.booked_s;
        totals.open_s += c.open_s;
        totals.open_units += open_units;
        by_equipment.push(EquipmentUse {
            equipment_id: c.id,
            equipment: c.name,
            lab: c.lab,
            makerspace_code: c.makerspace_code,
            bookings: c.bookings,
            booked_hours: hours(c.booked_s),
            open_hours: hours(c.open_s),
            utilization_pct: pct(c.booked_s as f64, open_units),
        });
    }
    let by_lab = by_lab
        .into_iter()
        .map(|((code, lab), t)| LabUse {
            lab,
            makerspace_code: code,
            equipment: t.equipment,
            bookings: t.bookings,
            booked_hours: hours(t.booked_s),
            open_hours: hours(t.open_s),
            utilization_pct: pct(t.booked_s as f64, t.open_units),
        })
        .collect();
    EquipmentReport { from, to, by_equipment, by_lab }
}

impl Store {
    /// Completed sessions (and no-shows) of every mentor in the range.
    pub fn mentor_report(&self, from: NaiveDate, to: NaiveDate) -> Result<MentorReport> {
        let range = range_of(from, to)?;
        let mut stmt = self.conn().prepare(
            "SELECT r.id, r.name, ms.code,
                    SUM(CASE WHEN b.status = 'completed' THEN 1 ELSE 0 END),
                    SUM(CASE WHEN b.status = 'completed' THEN b.end_at - b.start_at ELSE 0 END),
                    SUM(CASE WHEN b.status = 'no_show' THEN 1 ELSE 0 END),
                    AVG(f.rating)
             FROM resource r JOIN makerspace ms ON ms.id = r.makerspace_id
             JOIN booking b ON b.resource_id = r.id AND b.start_at >= ?1 AND b.start_at < ?2 AND b.deleted = 0
             LEFT JOIN feedback f ON f.booking_id = b.id
             WHERE r.kind = 'mentor' GROUP BY r.id ORDER BY ms.code, r.name",
        )?;
        let mut by_mentor: Vec<MentorHours> = stmt
            .query_map(params![range.start, range.end], |r| {
                Ok(MentorHours {
                    mentor_id: r.get(0)?,
                    mentor: r.get(1)?,
                    makerspace_code: r.get(2)?,
                    tags: Vec::new(),
                    sessions: r.get(3)?,
                    hours: hours(r.get(4)?),
                    no_shows: r.get(5)?,
                    average_rating: r.get::<_, Option<f64>>(6)?.map(|a| (a * 10.0).round() / 10.0),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut tags_of =
            self.conn().prepare("SELECT value FROM mentor_facet WHERE mentor_id = ?1 AND facet = 'tag' ORDER BY value")?;
        for m in &mut by_mentor {
            m.tags = tags_of.query_map([&m.mentor_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        }
        Ok(mentor_report_of(from, to, by_mentor))
    }

    /// Booked time against open time (open hours minus blackouts) of every equipment.
    pub fn equipment_report(&self, from: NaiveDate, to: NaiveDate) -> Result<EquipmentReport> {
        let range = range_of(from, to)?;
        let mut stmt = self.conn().prepare(
            "SELECT r.id, r.name, l.name, ms.code, r.capacity,
                    COUNT(b.id), COALESCE(SUM(MIN(b.end_at, ?2) - MAX(b.start_at, ?1)), 0)
             FROM resource r JOIN equipment e ON e.resource_id = r.id JOIN lab l ON l.id = e.lab_id JOIN makerspace ms ON ms.id = r.makerspace_id
             LEFT JOIN booking b ON b.resource_id = r.id AND b.start_at < ?2 AND b.end_at > ?1 AND b.deleted = 0
                  AND b.status IN ('confirmed', 'completed', 'no_show')
             WHERE r.deleted = 0 GROUP BY r.id ORDER BY ms.code, l.name, r.name",
        )?;
        let rows: Vec<(String, String, String, String, u32, u32, i64)> = stmt
            .query_map(params![range.start, range.end], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut counted = Vec::with_capacity(rows.len());
        for (id, name, lab, makerspace_code, capacity, bookings, booked_s) in rows {
            let open_s = open_seconds(&self.resource_rules(&id)?, range);
            counted.push(EquipmentCount { id, name, lab, makerspace_code, capacity, bookings, booked_s, open_s });
        }
        Ok(equipment_report_of(from, to, counted))
    }
}

/// A cell Excel shows as the text it is: names come from other makerspaces, and a cell that
/// starts with `=`, `+`, `-`, `@`, a tab or a CR would be run as a formula. A number keeps its
/// sign.
pub fn excel_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() { format!("'{cell}").into() } else { cell.into() }
}

/// A one-sheet XLSX workbook: a bold header, then the rows; the cells of the `numeric`
/// columns that read as numbers are written as numbers Excel can sum (the rest stay text, so
/// that an asset number keeps its leading zeros).
pub(crate) fn xlsx_table(
    sheet_name: &str,
    header: &[&str],
    rows: &[Vec<String>],
    numeric: impl Fn(u16) -> bool,
) -> Result<Vec<u8>> {
    let failed = |e: rust_xlsxwriter::XlsxError| CoreError::Io(std::io::Error::other(e.to_string()));
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name).map_err(failed)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, title) in header.iter().enumerate() {
        sheet.write_with_format(0, c as u16, *title, &bold).map_err(failed)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell.parse::<f64>() {
                Ok(n) if numeric(c) && !cell.is_empty() => sheet.write_number(r, c, n).map_err(failed)?,
                _ => sheet.write_string(r, c, cell.as_str()).map_err(failed)?,
            };
        }
    }
    sheet.autofit();
    book.save_to_buffer().map_err(failed)
}

/// CSV text for Excel: a BOM so it reads UTF-8 (Chinese) correctly, CRLF line ends.
pub(crate) fn excel_csv(header: &[&str], rows: Vec<Vec<String>>) -> Result<String> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let io = |e: csv::Error| CoreError::Io(std::io::Error::other(e.to_string()));
    w.write_record(header).map_err(io)?;
    for row in rows {
        w.write_record(row.iter().map(|cell| excel_safe(cell).into_owned())).map_err(io)?;
    }
    let bytes = w.into_inner().map_err(|e| CoreError::Io(std::io::Error::other(e.to_string())))?;
    Ok(format!("\u{feff}{}", String::from_utf8_lossy(&bytes)))
}

pub fn mentor_hours_csv(report: &MentorReport, lang: Lang) -> Result<String> {
    let header: &[&str] = if lang == Lang::Zh {
        &["导师", "空间编码", "专长", "完成辅导次数", "辅导小时", "未到场次数", "平均评分"]
    } else {
        &["Mentor", "Makerspace", "Expertise", "Sessions", "Hours", "No-shows", "Average rating"]
    };
    let rows = report
        .by_mentor
        .iter()
        .map(|m| {
            vec![
                m.mentor.clone(),
                m.makerspace_code.clone(),
                m.tags.iter().map(|t| i18n::expertise_label(t, lang)).collect::<Vec<_>>().join("、"),
                m.sessions.to_string(),
                format!("{:.1}", m.hours),
                m.no_shows.to_string(),
                m.average_rating.map(|a| format!("{a:.1}")).unwrap_or_default(),
            ]
        })
        .collect();
    excel_csv(header, rows)
}

pub fn expertise_hours_csv(report: &MentorReport, lang: Lang) -> Result<String> {
    let header: &[&str] = if lang == Lang::Zh {
        &["专长", "导师人数", "完成辅导次数", "辅导小时"]
    } else {
        &["Expertise", "Mentors", "Sessions", "Hours"]
    };
    let rows = report
        .by_expertise
        .iter()
        .map(|e| {
            vec![
                i18n::expertise_label(&e.tag, lang).to_string(),
                e.mentors.to_string(),
                e.sessions.to_string(),
                format!("{:.1}", e.hours),
            ]
        })
        .collect();
    excel_csv(header, rows)
}

pub fn equipment_use_csv(report: &EquipmentReport, lang: Lang) -> Result<String> {
    let header: &[&str] = if lang == Lang::Zh {
        &["设备", "实验室", "空间编码", "预约次数", "预约小时", "开放小时", "利用率(%)"]
    } else {
        &["Equipment", "Lab", "Makerspace", "Bookings", "Booked hours", "Open hours", "Utilization (%)"]
    };
    let rows = report
        .by_equipment
        .iter()
        .map(|e| {
            vec![
                e.equipment.clone(),
                e.lab.clone(),
                e.makerspace_code.clone(),
                e.bookings.to_string(),
                format!("{:.1}", e.booked_hours),
                format!("{:.1}", e.open_hours),
                format!("{:.1}", e.utilization_pct),
            ]
        })
        .collect();
    excel_csv(header, rows)
}

pub fn lab_use_csv(report: &EquipmentReport, lang: Lang) -> Result<String> {
    let header: &[&str] = if lang == Lang::Zh {
        &["实验室", "空间编码", "设备数", "预约次数", "预约小时", "开放小时", "利用率(%)"]
    } else {
        &["Lab", "Makerspace", "Equipment", "Bookings", "Booked hours", "Open hours", "Utilization (%)"]
    };
    let rows = report
        .by_lab
        .iter()
        .map(|l| {
            vec![
                l.lab.clone(),
                l.makerspace_code.clone(),
                l.equipment.to_string(),
                l.bookings.to_string(),
                format!("{:.1}", l.booked_hours),
                format!("{:.1}", l.open_hours),
                format!("{:.1}", l.utilization_pct),
            ]
        })
        .collect();
    excel_csv(header, rows)
}

/// Today in the district's zone, for reports that default to "the last 30 days".
/// One makerspace's share of the district: mentor hours and equipment use.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct MakerspaceUse {
    pub makerspace_code: String,
    pub mentors: u32,
    pub mentor_sessions: u32,
    pub mentor_hours: f64,
    pub no_shows: u32,
    pub equipment: u32,
    pub equipment_bookings: u32,
    pub equipment_booked_hours: f64,
    pub equipment_open_hours: f64,
    pub utilization_pct: f64,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct DistrictReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by_makerspace: Vec<MakerspaceUse>,
}

impl Store {
    /// The district platform's figures: the mentor and equipment reports summed per makerspace.
    pub fn district_report(&self, from: NaiveDate, to: NaiveDate) -> Result<DistrictReport> {
        Ok(district_report_of(&self.mentor_report(from, to)?, &self.equipment_report(from, to)?))
    }
}

/// The district's figures: the mentor and equipment reports summed per makerspace.
pub fn district_report_of(mentors: &MentorReport, equipment: &EquipmentReport) -> DistrictReport {
    let (from, to) = (mentors.from, mentors.to);
    let mut by: BTreeMap<String, MakerspaceUse> = BTreeMap::new();
    for m in &mentors.by_mentor {
        let e = by.entry(m.makerspace_code.clone()).or_default();
        e.mentors += 1;
        e.mentor_sessions += m.sessions;
        e.mentor_hours += m.hours;
        e.no_shows += m.no_shows;
    }
    for q in &equipment.by_equipment {
        let e = by.entry(q.makerspace_code.clone()).or_default();
        e.equipment += 1;
        e.equipment_bookings += q.bookings;
        e.equipment_booked_hours += q.booked_hours;
        e.equipment_open_hours += q.open_hours;
    }
    let by_makerspace = by
        .into_iter()
        .map(|(code, mut e)| {
            e.makerspace_code = code;
            e.mentor_hours = (e.mentor_hours * 10.0).round() / 10.0;
            e.equipment_booked_hours = (e.equipment_booked_hours * 10.0).round() / 10.0;
            e.equipment_open_hours = (e.equipment_open_hours * 10.0).round() / 10.0;
            e.utilization_pct = if e.equipment_open_hours > 0.0 {
                (e.equipment_booked_hours / e.equipment_open_hours * 1000.0).round() / 10.0
            } else {
                0.0
            };
            e
        })
        .collect();
    DistrictReport { from, to, by_makerspace }
}

pub fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&incubook_core::clock::DISTRICT_ZONE).date_naive()
}
