//! Import of startups from CSV: each row a startup with its lead (found by phone, or added as
//! a founder of the row's makerspace), its members and its residency. Every row goes through
//! the same commands as a startup made by hand, in one transaction: one bad row and nothing
//! is written, every bad row reported with its line and field. A row whose credit code the
//! district already has moves that startup in rather than making a second record.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::OptionalExtension;

use super::{Checked, ImportKind, ImportSummary, Row, read_rows, split_list};
use crate::command::{Command, NewPerson};
use crate::domain::{Id, Role, RoleGrant, new_id};
use crate::error::{CoreError, Result, RowError};
use crate::ledger::{ApplyError, StartupLedger};
use crate::startup::{NewStartup, StartupKind};
use crate::store::{SqliteLedger, Store};

const STARTUP_COLUMNS: &[(&str, &[&str])] = &[
    ("name", &["name", "名称", "企业名称", "团队名称"]),
    ("kind", &["kind", "类型"]),
    ("credit_code", &["credit_code", "统一社会信用代码", "信用代码"]),
    ("stage", &["stage", "阶段"]),
    ("industry", &["industry", "行业"]),
    ("headcount", &["headcount", "人数"]),
    ("description", &["description", "简介"]),
    ("lead_name", &["lead_name", "负责人"]),
    ("lead_phone", &["lead_phone", "负责人手机", "负责人电话"]),
    ("member_phones", &["member_phones", "成员手机"]),
    ("makerspace_code", &["makerspace_code", "makerspace", "入驻空间", "空间编码"]),
    ("move_in", &["move_in", "入驻日期"]),
];

/// A row, checked on its own.
struct StartupRow {
    startup: NewStartup,
    lead: (String, String),
    members: Vec<String>,
    residency: Option<(String, NaiveDate)>,
}

fn startup_from_row(row: &Row) -> std::result::Result<StartupRow, (&'static str, String)> {
    let kind = match row.get("kind").to_lowercase().as_str() {
        "" | "team" | "团队" => StartupKind::Team,
        "enterprise" | "company" | "企业" | "公司" => StartupKind::Enterprise,
        other => return Err(("kind", format!("'{other}' is not team (团队) or enterprise (企业)"))),
    };
    let headcount = match row.get("headcount") {
        "" => 0,
        n => n.parse().map_err(|_| ("headcount", format!("'{n}' is not a whole number")))?,
    };
    let startup = NewStartup {
        name: row.get("name").into(),
        kind,
        credit_code: Some(row.get("credit_code").to_string()).filter(|c| !c.is_empty()),
        stage: row.get("stage").into(),
        industry: row.get("industry").into(),
        headcount,
        description: row.get("description").into(),
    }
    .validate()
    .map_err(|e| (super::field_of(&e), e.to_string()))?;
    let lead_phone = row.get("lead_phone");
    if lead_phone.is_empty() {
        return Err(("lead_phone", "must not be empty: the lead is found (or added) by phone".into()));
    }
    let residency = match (row.get("makerspace_code"), row.get("move_in")) {
        ("", "") => None,
        ("", _) => return Err(("makerspace_code", "a move-in date needs the makerspace".into())),
        (code, date) => {
            let date = if date.is_empty() {
                None
            } else {
                Some(crate::domain::parse_date("move_in", date).map_err(|e| ("move_in", e.to_string()))?)
            };
            Some((code.to_string(), date.ok_or(("move_in", "must not be empty when a makerspace is given".to_string()))?))
        }
    };
    Ok(StartupRow {
        startup,
        lead: (row.get("lead_name").to_string(), lead_phone.to_string()),
        members: split_list(row.get("member_phones")),
        residency,
    })
}

fn person_by_phone(tx: &rusqlite::Connection, phone: &str) -> Result<Option<Id>> {
    Ok(tx
        .prepare_cached("SELECT id FROM person WHERE phone = ?1 AND deleted = 0 ORDER BY id LIMIT 1")?
        .query_row([phone], |r| r.get(0))
        .optional()?)
}

impl Store {
    pub(super) fn import_startups(
        &mut self,
        actor_id: &str,
        bytes: &[u8],
        now: DateTime<Utc>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportSummary> {
        let rows = read_rows(bytes, STARTUP_COLUMNS, &["name", "lead_phone"])?;
        let mut checked = Checked { errors: Vec::new(), items: Vec::new() };
        for row in &rows {
            checked.push(row.line, startup_from_row(row));
        }
        if !checked.errors.is_empty() {
            return Err(CoreError::Csv(checked.errors));
        }
        let total = checked.items.len();
        let at = now.timestamp();
        let created = self.write(|tx| {
            let mut errors: Vec<RowError> = Vec::new();
            let mut created = Vec::new();
            for (done, (line, r)) in checked.items.iter().enumerate() {
                let mut commands: Vec<Command> = Vec::new();
                let fail = |field: &str, message: String| RowError { line: *line, field: field.into(), message };
                let lead_id = match person_by_phone(tx, &r.lead.1)? {
                    Some(id) => id,
                    None => {
                        let Some((code, _)) = &r.residency else {
                            errors.push(fail(
                                "lead_phone",
                                format!("nobody has phone {}: give the makerspace to add them as its founder", r.lead.1),
                            ));
                            continue;
                        };
                        if r.lead.0.is_empty() {
                            errors.push(fail(
                                "lead_name",
                                format!("nobody has phone {}: give the lead's name to add them", r.lead.1),
                            ));
                            continue;
                        }
                        let person_id = new_id();
                        let person = NewPerson {
                            name: r.lead.0.clone(),
                            phone: Some(r.lead.1.clone()),
                            roles: vec![RoleGrant { makerspace_code: code.clone(), role: Role::Founder }],
                            ..NewPerson::default()
                        };
                        commands.push(Command::CreatePerson { person_id: person_id.clone(), person });
                        person_id
                    }
                };
                let existing: Option<Id> = match r.startup.credit_code.as_deref() {
                    Some(code) => {
                        tx.prepare_cached(crate::store::STARTUP_BY_CODE_SQL)?.query_row([code], |row| row.get(0)).optional()?
                    }
                    None => None,
                };
                // A record of the district is not merged into silently: the row must name the
                // lead it has (an import run again), or it is a conflict to look at — a founder
                // may have claimed the company's code first.
                if let Some(id) = &existing {
                    let stored = SqliteLedger::new(tx).startup(id)?;
                    let (name, lead) = stored.map(|s| (s.name.clone(), s.lead().map(str::to_string))).unwrap_or_default();
                    if lead.as_deref() != Some(lead_id.as_str()) {
                        errors.push(fail(
                            "credit_code",
                            format!(
                                "credit code {} is startup {name}'s already, led by someone else: an import does not merge into it (统一社会信用代码已属于「{name}」，负责人不同，未合并)",
                                r.startup.credit_code.as_deref().unwrap_or_default()
                            ),
                        ));
                        continue;
                    }
                }
                let startup_id = existing.clone().unwrap_or_else(new_id);
                if existing.is_none() {
                    commands.push(Command::CreateStartup {
                        startup_id: startup_id.clone(),
                        startup: r.startup.clone(),
                        lead_id: lead_id.clone(),
                    });
                }
                for phone in &r.members {
                    match person_by_phone(tx, phone)? {
                        Some(person_id) if person_id != lead_id => commands.push(Command::SetStartupMember {
                            startup_id: startup_id.clone(),
                            person_id,
                            member: true,
                            lead: false,
                        }),
                        Some(_) => {}
                        None => errors.push(fail("member_phones", format!("nobody has phone {phone}"))),
                    }
                }
                if let Some((code, date)) = &r.residency {
                    match crate::store::makerspace_by_code(tx, code) {
                        Ok(ms) => commands.push(Command::MoveIn {
                            residency_id: new_id(),
                            startup_id: startup_id.clone(),
                            makerspace_id: ms.id,
                            date: *date,
                        }),
                        Err(_) => errors.push(fail("makerspace_code", format!("no makerspace {code}"))),
                    }
                }
                for command in &commands {
                    match crate::apply::apply(&mut SqliteLedger::new(tx), actor_id, command, at) {
                        Ok(()) => tx.record(command, at)?,
                        Err(ApplyError::Decided(e)) => {
                            errors.push(fail(super::field_of(&e), e.to_string()));
                            break;
                        }
                        Err(ApplyError::Storage(e)) => return Err(e),
                    }
                }
                created.push(startup_id);
                progress(done + 1, total);
            }
            if !errors.is_empty() {
                errors.sort_by_key(|e| e.line);
                return Err(CoreError::Csv(errors));
            }
            Ok(created)
        })?;
        Ok(ImportSummary { kind: ImportKind::Startups, rows: created.len(), created_ids: created })
    }
}
