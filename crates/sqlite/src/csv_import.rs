//! Import of mentors and equipment from CSV files saved by Excel or WPS (UTF-8, with or
//! without BOM; headers in English or Chinese). The whole file is checked first; one bad
//! row means nothing from the file is written, and every bad row is reported with its
//! line and field.

mod startups;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use serde::Serialize;

use crate::domain::{Policy, Role, Visibility, WeeklyHours, new_id};
use crate::error::{CoreError, Result, RowError};
use crate::store::{NewEquipment, NewMentor, Store, load_actor};

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Mentors,
    Equipment,
    Startups,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ImportSummary {
    pub kind: ImportKind,
    pub rows: usize,
    pub created_ids: Vec<String>,
}

/// Header names (English and Chinese) → the field they fill.
const MENTOR_COLUMNS: &[(&str, &[&str])] = &[
    ("name", &["name", "姓名"]),
    ("makerspace_code", &["makerspace_code", "makerspace", "空间编码"]),
    ("phone", &["phone", "电话", "手机"]),
    ("email", &["email", "邮箱"]),
    ("title", &["title", "头衔", "职务"]),
    ("tags", &["tags", "expertise", "专长"]),
    ("industries", &["industries", "行业"]),
    ("languages", &["languages", "语言"]),
    ("bio", &["bio", "简介"]),
    ("visibility", &["visibility", "可见范围"]),
    ("approval", &["approval", "预约方式"]),
    ("session_minutes", &["session_minutes", "辅导时长"]),
    ("weekly_hours", &["weekly_hours", "每周时间"]),
    ("timezone", &["timezone", "time_zone", "时区"]),
    ("full_time", &["full_time", "employment", "专职", "专兼职"]),
];

const EQUIPMENT_COLUMNS: &[(&str, &[&str])] = &[
    ("makerspace_code", &["makerspace_code", "makerspace", "空间编码"]),
    ("lab", &["lab", "实验室"]),
    ("name", &["name", "设备名称", "名称"]),
    ("category", &["category", "类别"]),
    ("model", &["model", "型号"]),
    ("capacity", &["capacity", "容量"]),
    ("granularity_min", &["granularity_min", "时间粒度"]),
    ("min_minutes", &["min_minutes", "最短时长"]),
    ("max_minutes", &["max_minutes", "最长时长"]),
    ("min_notice_min", &["min_notice_min", "提前预约分钟"]),
    ("horizon_days", &["horizon_days", "可预约天数"]),
    ("cancel_cutoff_min", &["cancel_cutoff_min", "取消截止分钟"]),
    ("approval_required", &["approval_required", "需要审批"]),
    ("qualification_required", &["qualification_required", "需要资格"]),
    ("max_per_person", &["max_per_person", "每人最多预约"]),
    ("hourly_fee", &["hourly_fee", "每小时收费"]),
    ("subsidy_pct", &["subsidy_pct", "补贴比例"]),
    ("weekly_hours", &["weekly_hours", "开放时间"]),
];

/// The person behind an imported mentor.
#[derive(Debug, Clone)]
struct MentorPerson {
    name: String,
    phone: Option<String>,
    email: Option<String>,
}

struct Row {
    line: u64,
    fields: HashMap<&'static str, String>,
}

impl Row {
    fn get(&self, field: &str) -> &str {
        self.fields.get(field).map(|s| s.trim()).unwrap_or("")
    }
}

fn read_rows(bytes: &[u8], columns: &[(&'static str, &[&str])], required: &[&str]) -> Result<Vec<Row>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        return Err(CoreError::Csv(vec![RowError {
            line: 1,
            field: "file".into(),
            message:
                "the file is not UTF-8; in Excel or WPS save it as \"CSV UTF-8\" (文件不是 UTF-8 编码，请另存为「CSV UTF-8」)"
                    .into(),
        }]));
    }
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let headers = reader.headers().map_err(|e| csv_error(1, "header", &e))?.clone();
    let mut index: Vec<Option<&'static str>> = Vec::new();
    for h in headers.iter() {
        let h = h.trim();
        index.push(columns.iter().find(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(h))).map(|(f, _)| *f));
    }
    let missing: Vec<RowError> = required
        .iter()
        .filter(|r| !index.iter().any(|i| i == &Some(**r)))
        .map(|r| RowError { line: 1, field: (*r).into(), message: "this column is missing from the header".into() })
        .collect();
    if !missing.is_empty() {
        return Err(CoreError::Csv(missing));
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        match record {
            Ok(rec) => {
                let line = rec.position().map(|p| p.line()).unwrap_or(0);
                let mut fields = HashMap::new();
                for (i, value) in rec.iter().enumerate() {
                    if let Some(Some(f)) = index.get(i) {
                        fields.insert(*f, value.to_string());
                    }
                }
                rows.push(Row { line, fields });
            }
            Err(e) => errors.push(RowError {
                line: e.position().map(|p| p.line()).unwrap_or(0),
                field: "row".into(),
                message: e.to_string(),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(CoreError::Csv(errors));
    }
    Ok(rows)
}

fn csv_error(line: u64, field: &str, e: &csv::Error) -> CoreError {
    CoreError::Csv(vec![RowError { line, field: field.into(), message: e.to_string() }])
}

fn split_list(text: &str) -> Vec<String> {
    text.split([';', '；', '、', '|', ',']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// Weekly hours like `1-5 09:00-12:00 14:00-18:00; 6 10:00-16:00` (1 = Monday … 7 = Sunday).
pub fn parse_weekly_hours(text: &str) -> std::result::Result<Vec<WeeklyHours>, String> {
    let mut out = Vec::new();
    for part in text.split([';', '；']).map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = part.split_whitespace();
        let days = words.next().ok_or("missing weekdays")?;
        let mut weekdays = Vec::new();
        for d in days.split(',') {
            let (a, b) = d.split_once('-').unwrap_or((d, d));
            let a: u8 = a.parse().map_err(|_| format!("'{d}' is not a weekday 1–7"))?;
            let b: u8 = b.parse().map_err(|_| format!("'{d}' is not a weekday 1–7"))?;
            if !(1..=7).contains(&a) || !(1..=7).contains(&b) || b < a {
                return Err(format!("'{d}' is not a weekday range within 1–7"));
            }
            weekdays.extend(a..=b);
        }
        let mut any = false;
        for span in words {
            any = true;
            let (s, e) = span.split_once('-').ok_or_else(|| format!("'{span}' is not a time range like 09:00-12:00"))?;
            let (s, e) = (clock_minutes(s)?, clock_minutes(e)?);
            for &d in &weekdays {
                let h = WeeklyHours { weekday: d - 1, start_min: s, end_min: e };
                h.validate().map_err(|err| err.to_string())?;
                out.push(h);
            }
        }
        if !any {
            return Err(format!("'{part}' has no time range"));
        }
    }
    Ok(out)
}

fn clock_minutes(text: &str) -> std::result::Result<u16, String> {
    let (h, m) = text.trim().split_once(':').ok_or_else(|| format!("'{text}' is not a time like 09:30"))?;
    let h: u16 = h.parse().map_err(|_| format!("'{text}' is not a time like 09:30"))?;
    let m: u16 = m.parse().map_err(|_| format!("'{text}' is not a time like 09:30"))?;
    if h > 24 || m > 59 || (h == 24 && m != 0) {
        return Err(format!("'{text}' is not a time of day"));
    }
    Ok(h * 60 + m)
}

fn yes_no(text: &str) -> std::result::Result<bool, String> {
    match text.trim().to_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" | "否" | "不需要" => Ok(false),
        "yes" | "y" | "true" | "1" | "是" | "需要" => Ok(true),
        other => Err(format!("'{other}' is not yes/no (是/否)")),
    }
}

fn number<T: std::str::FromStr>(text: &str, default: T) -> std::result::Result<T, String> {
    if text.trim().is_empty() { Ok(default) } else { text.trim().parse().map_err(|_| format!("'{text}' is not a whole number")) }
}

fn optional_number(text: &str) -> std::result::Result<Option<u32>, String> {
    if text.trim().is_empty() { Ok(None) } else { number(text, 0).map(Some) }
}

struct Checked<T> {
    errors: Vec<RowError>,
    items: Vec<(u64, T)>,
}

impl<T> Checked<T> {
    fn push(&mut self, line: u64, result: std::result::Result<T, (&str, String)>) {
        match result {
            Ok(item) => self.items.push((line, item)),
            Err((field, message)) => self.errors.push(RowError { line, field: field.to_string(), message }),
        }
    }
}

fn mentor_from_row(row: &Row) -> std::result::Result<(MentorPerson, NewMentor), (&'static str, String)> {
    let name = row.get("name");
    if name.is_empty() {
        return Err(("name", "must not be empty".into()));
    }
    let code = row.get("makerspace_code");
    if code.is_empty() {
        return Err(("makerspace_code", "must not be empty".into()));
    }
    let tags = split_list(row.get("tags"));
    crate::store::tag_keys(&tags).map_err(|e| ("tags", e.to_string()))?;
    let mut languages = split_list(row.get("languages"));
    if languages.is_empty() {
        languages.push("zh".into());
    }
    crate::store::language_codes(&languages).map_err(|e| ("languages", e.to_string()))?;
    let visibility = match row.get("visibility").to_lowercase().as_str() {
        "" | "district" | "全区" => Visibility::District,
        "makerspace" | "本空间" => Visibility::Makerspace,
        other => return Err(("visibility", format!("'{other}' is not district (全区) or makerspace (本空间)"))),
    };
    let approval = match row.get("approval").to_lowercase().as_str() {
        "" | "instant" | "即时" | "即时确认" => false,
        "request" | "审核" | "需确认" => true,
        other => return Err(("approval", format!("'{other}' is not instant (即时) or request (审核)"))),
    };
    let mut durations = Vec::new();
    for d in split_list(row.get("session_minutes")) {
        durations.push(d.parse::<u32>().map_err(|_| ("session_minutes", format!("'{d}' is not a number of minutes")))?);
    }
    if durations.is_empty() {
        durations = vec![60];
    }
    durations.sort_unstable();
    durations.dedup();
    let policy = Policy {
        min_duration_min: durations[0],
        max_duration_min: *durations.last().unwrap_or(&60),
        durations_min: durations,
        granularity_min: 30,
        approval_required: approval,
        ..Policy::default()
    };
    policy.validate().map_err(|e| ("session_minutes", e.to_string()))?;
    let weekly_hours = parse_weekly_hours(row.get("weekly_hours")).map_err(|e| ("weekly_hours", e))?;
    // An overseas mentor's hours are in their own zone (America/New_York); the makerspace's otherwise.
    let timezone = match row.get("timezone") {
        "" => None,
        zone => Some(crate::domain::parse_tz("timezone", zone).map_err(|e| ("timezone", e.to_string()))?.name().to_string()),
    };
    let full_time = match row.get("full_time") {
        "" | "no" | "part_time" | "part-time" | "否" | "兼职" | "0" => false,
        "yes" | "full_time" | "full-time" | "是" | "专职" | "1" => true,
        other => return Err(("full_time", format!("'{other}' is not 专职 (full-time) or 兼职 (part-time)"))),
    };
    let person = MentorPerson {
        name: name.to_string(),
        phone: Some(row.get("phone").to_string()).filter(|s| !s.is_empty()),
        email: Some(row.get("email").to_string()).filter(|s| !s.is_empty()),
    };
    if person.email.as_deref().is_some_and(|e| !e.contains('@')) {
        return Err(("email", format!("'{}' is not an e-mail address", row.get("email"))));
    }
    Ok((
        person,
        NewMentor {
            full_time,
            person_id: String::new(),
            makerspace_code: code.to_string(),
            title: row.get("title").to_string(),
            bio: row.get("bio").to_string(),
            tags,
            industries: split_list(row.get("industries")),
            languages,
            formats: vec!["in_person".into(), "online".into()],
            visibility,
            timezone,
            policy,
            weekly_hours,
        },
    ))
}

fn equipment_from_row(row: &Row) -> std::result::Result<(String, String, NewEquipment), (&'static str, String)> {
    let code = row.get("makerspace_code");
    let lab = row.get("lab");
    if code.is_empty() {
        return Err(("makerspace_code", "must not be empty".into()));
    }
    if lab.is_empty() {
        return Err(("lab", "must not be empty".into()));
    }
    let granularity: u32 = number(row.get("granularity_min"), 30).map_err(|e| ("granularity_min", e))?;
    let policy = Policy {
        capacity: number(row.get("capacity"), 1).map_err(|e| ("capacity", e))?,
        granularity_min: granularity,
        min_duration_min: number(row.get("min_minutes"), granularity).map_err(|e| ("min_minutes", e))?,
        max_duration_min: number(row.get("max_minutes"), 240).map_err(|e| ("max_minutes", e))?,
        min_notice_min: number(row.get("min_notice_min"), 60).map_err(|e| ("min_notice_min", e))?,
        horizon_days: number(row.get("horizon_days"), 30).map_err(|e| ("horizon_days", e))?,
        cancel_cutoff_min: number(row.get("cancel_cutoff_min"), 120).map_err(|e| ("cancel_cutoff_min", e))?,
        approval_required: yes_no(row.get("approval_required")).map_err(|e| ("approval_required", e))?,
        qualification_required: yes_no(row.get("qualification_required")).map_err(|e| ("qualification_required", e))?,
        max_per_person: optional_number(row.get("max_per_person")).map_err(|e| ("max_per_person", e))?,
        ..Policy::default()
    };
    policy.validate().map_err(|e| (field_of(&e), e.to_string()))?;
    let fee = row.get("hourly_fee");
    let fee_cents = if fee.is_empty() {
        0
    } else {
        let yuan: f64 = fee.parse().map_err(|_| ("hourly_fee", format!("'{fee}' is not an amount in yuan")))?;
        if !(0.0..=1_000_000.0).contains(&yuan) {
            return Err(("hourly_fee", format!("'{fee}' is not between 0 and 1,000,000 yuan")));
        }
        (yuan * 100.0).round() as i64
    };
    let subsidy: u8 = number(row.get("subsidy_pct"), 0).map_err(|e| ("subsidy_pct", e))?;
    if subsidy > 100 {
        return Err(("subsidy_pct", "must be between 0 and 100".into()));
    }
    let weekly_hours = parse_weekly_hours(row.get("weekly_hours")).map_err(|e| ("weekly_hours", e))?;
    let name = row.get("name");
    let category = row.get("category");
    if name.is_empty() {
        return Err(("name", "must not be empty".into()));
    }
    if category.is_empty() {
        return Err(("category", "must not be empty".into()));
    }
    Ok((
        code.to_string(),
        lab.to_string(),
        NewEquipment {
            lab_id: String::new(),
            name: name.to_string(),
            category: category.to_string(),
            model: row.get("model").to_string(),
            hourly_fee_cents: fee_cents,
            subsidy_pct: subsidy,
            policy,
            weekly_hours,
        },
    ))
}

fn field_of(e: &CoreError) -> &'static str {
    match e {
        CoreError::Invalid { field, .. } => field,
        _ => "row",
    }
}

impl Store {
    /// Imports a CSV file of mentors (space admin) or equipment (lab manager).
    /// `progress(done, total)` is called as rows are written.
    pub fn import_csv(
        &mut self,
        actor_id: &str,
        kind: ImportKind,
        bytes: &[u8],
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportSummary> {
        match kind {
            ImportKind::Mentors => self.import_mentors(actor_id, bytes, now, progress),
            ImportKind::Equipment => self.import_equipment(actor_id, bytes, now, progress),
            ImportKind::Startups => self.import_startups(actor_id, bytes, now, progress),
        }
    }

    fn import_mentors(
        &mut self,
        actor_id: &str,
        bytes: &[u8],
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportSummary> {
        let rows = read_rows(bytes, MENTOR_COLUMNS, &["name", "makerspace_code", "tags"])?;
        let mut checked = Checked { errors: Vec::new(), items: Vec::new() };
        for row in &rows {
            checked.push(row.line, mentor_from_row(row));
        }
        let total = checked.items.len();
        let created = self.write(|tx| {
            let actor = load_actor(tx, actor_id)?;
            let mut spaces: HashMap<String, (String, String)> = HashMap::new();
            for (line, (_, m)) in &checked.items {
                let found: Option<(String, String)> = tx
                    .query_row("SELECT id, timezone FROM makerspace WHERE code = ?1 AND deleted = 0", [&m.makerspace_code], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()?;
                match found {
                    None => checked.errors.push(RowError {
                        line: *line,
                        field: "makerspace_code".into(),
                        message: format!("no makerspace {}", m.makerspace_code),
                    }),
                    Some((id, tz)) => {
                        if !actor.has(Role::SpaceAdmin, &id) {
                            checked.errors.push(RowError {
                                line: *line,
                                field: "makerspace_code".into(),
                                message: format!("you are not a space admin of {}", m.makerspace_code),
                            });
                        }
                        spaces.insert(m.makerspace_code.clone(), (id, tz));
                    }
                }
            }
            if !checked.errors.is_empty() {
                checked.errors.sort_by_key(|e| e.line);
                return Err(CoreError::Csv(std::mem::take(&mut checked.errors)));
            }
            let mut created = Vec::new();
            for (done, (_, (p, m))) in checked.items.iter().enumerate() {
                let Some((space_id, tz)) = spaces.get(&m.makerspace_code) else { continue };
                let person_id = new_id();
                tx.execute(
                    "INSERT INTO person(id, name, phone, email, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    rusqlite::params![person_id, p.name, p.phone, p.email, now.timestamp()],
                )?;
                tx.execute(
                    "INSERT INTO person_role(person_id, makerspace_id, role) VALUES (?1, ?2, 'mentor')",
                    rusqlite::params![person_id, space_id],
                )?;
                let id = new_id();
                let new = crate::store::normalize_new_mentor(&NewMentor { person_id: person_id.clone(), ..m.clone() })?;
                let zone = new.timezone.as_deref().unwrap_or(tz);
                crate::store::insert_mentor(tx, &id, space_id, &p.name, zone, &new)?;
                crate::store::audit(
                    tx,
                    now.timestamp(),
                    Some(actor_id),
                    "import",
                    "mentor",
                    &id,
                    serde_json::json!({"name": p.name}),
                )?;
                created.push(id);
                progress(done + 1, total);
            }
            Ok(created)
        })?;
        Ok(ImportSummary { kind: ImportKind::Mentors, rows: created.len(), created_ids: created })
    }

    fn import_equipment(
        &mut self,
        actor_id: &str,
        bytes: &[u8],
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportSummary> {
        let rows = read_rows(bytes, EQUIPMENT_COLUMNS, &["makerspace_code", "lab", "name", "category"])?;
        let mut checked = Checked { errors: Vec::new(), items: Vec::new() };
        for row in &rows {
            checked.push(row.line, equipment_from_row(row));
        }
        let total = checked.items.len();
        let created = self.write(|tx| {
            let actor = load_actor(tx, actor_id)?;
            let mut targets = Vec::new();
            for (line, (code, lab, _)) in &checked.items {
                let found: Option<(String, String, String)> = tx
                    .query_row(
                        "SELECT l.id, m.id, m.timezone FROM lab l JOIN makerspace m ON m.id = l.makerspace_id WHERE m.code = ?1 AND l.name = ?2 AND l.deleted = 0",
                        [code, lab],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?;
                match found {
                    None => checked.errors.push(RowError { line: *line, field: "lab".into(), message: format!("no lab '{lab}' in makerspace {code}") }),
                    Some((lab_id, space_id, tz)) => {
                        if !actor.has(Role::LabManager, &space_id) {
                            checked.errors.push(RowError { line: *line, field: "makerspace_code".into(), message: format!("you are not a lab manager of {code}") });
                        }
                        targets.push((lab_id, space_id, tz));
                    }
                }
            }
            if !checked.errors.is_empty() {
                checked.errors.sort_by_key(|e| e.line);
                return Err(CoreError::Csv(std::mem::take(&mut checked.errors)));
            }
            let mut created = Vec::new();
            for (done, ((_, (_, _, e)), (lab_id, space_id, tz))) in checked.items.iter().zip(&targets).enumerate() {
                let id = new_id();
                let new = NewEquipment { lab_id: lab_id.clone(), ..e.clone() };
                crate::store::insert_equipment(tx, &id, space_id, tz, &new)?;
                crate::store::audit(tx, now.timestamp(), Some(actor_id), "import", "equipment", &id, serde_json::json!({"name": e.name}))?;
                created.push(id);
                progress(done + 1, total);
            }
            Ok(created)
        })?;
        Ok(ImportSummary { kind: ImportKind::Equipment, rows: created.len(), created_ids: created })
    }
}
