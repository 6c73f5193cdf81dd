//! At the instrument and in its books, at the command line: walking up to a free instrument,
//! a person's no-shows, the asset register, and a month's statement of charges.

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use incubook::register::{Funding, InstrumentRegister};
use incubook::statement::{StatementOf, statement_csv, statement_xlsx};
use incubook::store::{Store, WalkUpAsked};
use incubook::{CoreError, Result};

use crate::output::Output;
use crate::usage_commands::{fen_of, local, purpose_of, session_line, yuan};

#[derive(Subcommand, Debug)]
pub enum InstrumentCommand {
    /// Walk up to a free instrument: the slot under way is booked and the session starts now
    WalkUp {
        /// The equipment, by its resource id
        resource_id: String,
        /// How long, in minutes from the start of the slot under way
        #[arg(long, default_value_t = 60)]
        minutes: u32,
        /// Who uses it, by person id (default: whoever is acting)
        #[arg(long = "for", value_name = "PERSON_ID", conflicts_with = "phone")]
        person: Option<String>,
        /// At the lab's kiosk: who uses it, by phone number (with --pin)
        #[arg(long, requires = "pin")]
        phone: Option<String>,
        /// Their kiosk PIN
        #[arg(long, requires = "phone")]
        pin: Option<String>,
        /// What for: research, testing, teaching, certification, commercial_inspection or bulk_inspection
        #[arg(long, default_value = "testing")]
        purpose: String,
        /// How many samples
        #[arg(long, default_value_t = 0)]
        samples: u32,
        /// Who is acting (the user, or a lab manager at the kiosk), by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// A person's kiosk PIN (4 to 6 digits): set or cleared by the person, or by a lab manager or
    /// space admin of their makerspace
    #[command(subcommand)]
    KioskPin(KioskPinCommand),
    /// The six-digit code printed on an instrument booking, which checks it in at the lab's kiosk:
    /// for its booker, or a manager of its lab
    CheckInCode {
        /// The booking, by its id
        booking_id: String,
        /// Who asks (the booker, or a lab manager), by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// A person's no-shows of the last 90 days (the window the approval rule counts)
    NoShows {
        /// The person, by id
        person_id: String,
    },
    /// Show an instrument's asset register entry, or set it (a lab manager)
    Register(RegisterArgs),
    /// A month's statement of charges for a person or a lab
    Statement {
        /// The month, like 2026-11
        #[arg(long)]
        month: String,
        /// The person, by id
        #[arg(long, conflicts_with = "lab", required_unless_present = "lab")]
        person: Option<String>,
        /// The lab, by id
        #[arg(long)]
        lab: Option<String>,
        /// CSV for Excel instead of a table
        #[arg(long)]
        csv: bool,
        /// Also write the statement to this XLSX file
        #[arg(long, value_name = "FILE")]
        xlsx: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum KioskPinCommand {
    /// Set the PIN
    Set {
        /// The PIN, 4 to 6 digits
        pin: String,
        /// Whose PIN, by person id (default: whoever is acting)
        #[arg(long = "for", value_name = "PERSON_ID")]
        person: Option<String>,
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Clear the PIN: the kiosk no longer knows the person by phone number
    Clear {
        /// Whose PIN, by person id (default: whoever is acting)
        #[arg(long = "for", value_name = "PERSON_ID")]
        person: Option<String>,
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
}

#[derive(Args, Debug)]
pub struct RegisterArgs {
    /// The equipment, by its resource id
    resource_id: String,
    /// 原值: what it cost, in yuan
    #[arg(long)]
    value: Option<String>,
    /// Bought on, like 2023-03-01
    #[arg(long)]
    purchased: Option<String>,
    /// Accepted on, like 2023-04-15
    #[arg(long)]
    accepted: Option<String>,
    /// Who paid: fiscal (财政资金) or other
    #[arg(long)]
    funding: Option<String>,
    /// The asset number
    #[arg(long)]
    asset_number: Option<String>,
    /// Open for sharing: yes or no
    #[arg(long)]
    open: Option<String>,
    /// The person responsible for running it, by id
    #[arg(long)]
    operator: Option<String>,
    /// Who is acting (a lab manager), by person id; needed to set
    #[arg(long = "as", value_name = "PERSON_ID")]
    actor: Option<String>,
}

pub fn run(store: &mut Store, command: &InstrumentCommand, out: &Output, now: DateTime<Utc>) -> Result<()> {
    match command {
        InstrumentCommand::WalkUp { resource_id, minutes, person, phone, pin, purpose, samples, actor } => {
            let person_id = match phone.as_deref().zip(pin.as_deref()) {
                Some((phone, pin)) => store.person_with_pin(phone, pin, now)?,
                None => person.clone().unwrap_or_else(|| actor.clone()),
            };
            let asked = WalkUpAsked {
                resource_id,
                person_id: &person_id,
                minutes: *minutes,
                purpose: purpose_of(purpose)?,
                samples: *samples,
            };
            let session = store.walk_up(actor, &asked, now)?;
            out.show(&session, || format!("{} {}", out.t("已开始现场使用：", "walked up:"), session_line(out, &session)))
        }
        InstrumentCommand::KioskPin(command) => {
            let (pin, person, actor) = match command {
                KioskPinCommand::Set { pin, person, actor } => (Some(pin.as_str()), person, actor),
                KioskPinCommand::Clear { person, actor } => (None, person, actor),
            };
            let holder = person.as_deref().unwrap_or(actor);
            store.set_kiosk_pin(actor, holder, pin, now)?;
            let value = serde_json::json!({"person_id": holder, "pin_set": pin.is_some()});
            out.show(&value, || {
                if pin.is_some() {
                    out.t("签到机 PIN 已设置", "kiosk PIN set")
                } else {
                    out.t("签到机 PIN 已清除", "kiosk PIN cleared")
                }
                .to_string()
            })
        }
        InstrumentCommand::CheckInCode { booking_id, actor } => {
            let code = store.check_in_code_for(actor, booking_id)?;
            let value = serde_json::json!({"booking_id": booking_id, "code": code,
                                           "qr_text": format!("{}{code}", incubook::usage::CHECK_IN_QR_PREFIX)});
            out.show(&value, || format!("{} {code}", out.t("签到码：", "check-in code:")))
        }
        InstrumentCommand::NoShows { person_id } => {
            let missed = store.no_show_history(person_id, now)?;
            out.show(&missed, || {
                let mut lines =
                    vec![format!("{} {}", out.t("近 90 天未签到次数：", "no-shows in the last 90 days:"), missed.len())];
                lines.extend(missed.iter().map(|m| format!("{}  {}  {}", local(m.start), m.resource_name, m.booking_id)));
                lines.join("\n")
            })
        }
        InstrumentCommand::Register(args) => register(store, args, out, now),
        InstrumentCommand::Statement { month, person, lab, csv, xlsx } => {
            let of = match (person, lab) {
                (Some(p), _) => StatementOf::Person(p),
                (None, Some(l)) => StatementOf::Lab(l),
                (None, None) => return Err(CoreError::invalid("person", "say whose statement with --person or --lab")),
            };
            let statement = store.statement(of, month)?;
            if let Some(path) = xlsx {
                std::fs::write(path, statement_xlsx(&statement, out.lang)?)?;
            }
            let text = statement_csv(&statement, out.lang)?;
            if *csv {
                crate::commands::print_csv(&text)
            } else {
                out.show(&statement, || {
                    format!(
                        "{} · {} {}\n{}",
                        statement.name,
                        out.t("应收合计", "due"),
                        yuan(statement.due_fen),
                        crate::commands::csv_as_table(&text)
                    )
                })
            }
        }
    }
}

fn register(store: &mut Store, a: &RegisterArgs, out: &Output, now: DateTime<Utc>) -> Result<()> {
    let mut register = store.register(&a.resource_id)?;
    let before = register.clone();
    let date = |field, text: &str| incubook::domain::parse_date(field, text);
    if let Some(v) = &a.value {
        register.original_value_fen = Some(fen_of("value", v)?);
    }
    if let Some(v) = &a.purchased {
        register.purchased_on = Some(date("purchased", v)?);
    }
    if let Some(v) = &a.accepted {
        register.accepted_on = Some(date("accepted", v)?);
    }
    if let Some(v) = &a.funding {
        register.funding = Some(match v.as_str() {
            "fiscal" | "财政" => Funding::Fiscal,
            "other" | "其他" => Funding::Other,
            _ => return Err(CoreError::invalid("funding", "fiscal or other")),
        });
    }
    if let Some(v) = &a.asset_number {
        register.asset_number = v.clone();
    }
    if let Some(v) = &a.open {
        register.open_for_sharing = match v.as_str() {
            "yes" | "是" => true,
            "no" | "否" => false,
            _ => return Err(CoreError::invalid("open", "yes or no")),
        };
    }
    if let Some(v) = &a.operator {
        register.operator_id = Some(v.clone());
    }
    if register != before {
        let actor = a.actor.as_deref().ok_or_else(|| CoreError::invalid("as", "say who sets the register with --as"))?;
        store.set_register(actor, &a.resource_id, &register, now)?;
    }
    let shown = Shown { large: register.large(), national: register.national(), register };
    out.show(&shown, || {
        let r = &shown.register;
        let value = r.original_value_fen.map_or_else(|| "—".to_string(), yuan);
        let flags = match (shown.national, shown.large) {
            (true, _) => out.t("（≥50 万元，纳入国家考核）", " (≥ ¥500,000: national evaluation)"),
            (false, true) => out.t("（≥30 万元，纳入上海考核）", " (≥ ¥300,000: Shanghai evaluation)"),
            _ => "",
        };
        let date = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "—".to_string(), |d| d.to_string());
        format!(
            "{} {value}{flags}\n{} {} · {} {} · {} {}\n{} {} · {} {}",
            out.t("原值", "value"),
            out.t("购置", "bought"),
            date(r.purchased_on),
            out.t("验收", "accepted"),
            date(r.accepted_on),
            out.t("资产编号", "asset number"),
            if r.asset_number.is_empty() { "—" } else { &r.asset_number },
            out.t("对外开放", "open for sharing"),
            if r.open_for_sharing { out.t("是", "yes") } else { out.t("否", "no") },
            out.t("负责人", "operator"),
            r.operator_id.as_deref().unwrap_or("—"),
        )
    })
}

#[derive(serde::Serialize)]
struct Shown {
    #[serde(flatten)]
    register: InstrumentRegister,
    /// ≥ ¥300,000 (the Shanghai evaluation).
    large: bool,
    /// ≥ ¥500,000 (the national evaluation).
    national: bool,
}
