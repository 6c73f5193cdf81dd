//! Startups at the command line: add one, list and find them, change members, move in and
//! out (`incubook startups …`). Importing a CSV file of them is `incubook import startups`.

use chrono::{DateTime, Utc};
use clap::Subcommand;
use incubook::Result;
use incubook::domain::parse_date;
use incubook::startup::{NewStartup, StartupFilter, StartupKind, StartupRecord};
use incubook::store::Store;

use crate::output::{Output, table};

#[derive(Subcommand, Debug)]
pub enum StartupCommand {
    /// Add a startup (团队 or 企业) with its lead
    Add {
        /// Its name
        name: String,
        /// team (团队) or enterprise (企业, needs --credit-code)
        #[arg(long, default_value = "team")]
        kind: StartupKind,
        /// 统一社会信用代码 (18 characters)
        #[arg(long)]
        credit_code: Option<String>,
        /// Stage, like 种子期 or A轮
        #[arg(long, default_value = "")]
        stage: String,
        /// Industry, like 智能硬件
        #[arg(long, default_value = "")]
        industry: String,
        /// How many people work in it
        #[arg(long, default_value_t = 0)]
        headcount: u32,
        /// The lead, by person id (default: whoever is acting)
        #[arg(long)]
        lead: Option<String>,
        /// Who is acting (a space admin, or the founder of their own startup), by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// List the startups, or find them by name, kind, industry, stage, residency or credit code
    List {
        /// Part of the name
        #[arg(long)]
        text: Option<String>,
        /// team or enterprise
        #[arg(long)]
        kind: Option<StartupKind>,
        /// Industry, exactly
        #[arg(long)]
        industry: Option<String>,
        /// Stage, exactly
        #[arg(long)]
        stage: Option<String>,
        /// Resident at this makerspace, by its code (like PD-0001)
        #[arg(long)]
        makerspace: Option<String>,
        /// Resident on this date (default today), like 2026-10-01
        #[arg(long)]
        on: Option<String>,
        /// 统一社会信用代码
        #[arg(long)]
        credit_code: Option<String>,
    },
    /// Add a member to a startup, make one its lead, or remove one
    Members {
        /// The startup, by id
        startup_id: String,
        /// The person, by id
        person_id: String,
        /// Make them the lead (the lead before stays a member)
        #[arg(long, conflicts_with = "remove")]
        lead: bool,
        /// Remove them instead
        #[arg(long)]
        remove: bool,
        /// Who is acting (the lead or a space admin), by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Move a startup in to a makerspace (入驻), or out of one (迁出, with --out)
    Residency {
        /// The startup, by id
        startup_id: String,
        /// The makerspace, by its code (moving in)
        #[arg(long, required_unless_present = "out")]
        makerspace: Option<String>,
        /// The residency to end, by id (moving out)
        #[arg(long, value_name = "RESIDENCY_ID")]
        out: Option<String>,
        /// The date, like 2026-03-01
        #[arg(long)]
        date: String,
        /// Who is acting (a space admin of that makerspace), by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Agree to a move-in another makerspace asked for (the startup's lead, or a space admin
    /// where it lives), or decline it with --decline
    AnswerMoveIn {
        /// The startup, by id
        startup_id: String,
        /// The move-in asked for, by its residency id
        residency_id: String,
        /// Decline instead of agreeing
        #[arg(long)]
        decline: bool,
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Confirm a startup's credit code (统一社会信用代码核验): a space admin where it lives
    ConfirmCode {
        /// The startup, by id
        startup_id: String,
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
}

/// A stay as a line: where, since when, and whether it is only asked for.
fn stay_text(out: &Output, r: &incubook::startup::ResidencyAt) -> String {
    use incubook::startup::ResidencyStatus;
    let until = r.residency.move_out.map(|d| d.to_string()).unwrap_or_else(|| out.t("至今", "now").into());
    let state = match r.residency.status {
        ResidencyStatus::Active => String::new(),
        ResidencyStatus::Requested => {
            format!(" ({})", out.t("已申请入驻，待负责人确认", "asked for, waiting for the lead's consent"))
        }
        ResidencyStatus::Declined => format!(" ({})", out.t("入驻申请已被拒绝", "declined")),
    };
    format!("{} {} – {until} [{}]{state}", r.makerspace_name, r.residency.move_in, r.residency.id)
}

fn kind_text(out: &Output, kind: StartupKind) -> &str {
    match kind {
        StartupKind::Team => out.t("团队", "team"),
        StartupKind::Enterprise => out.t("企业", "enterprise"),
    }
}

fn human(out: &Output, list: &[StartupRecord], on: chrono::NaiveDate) -> String {
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|s| {
            let lead = s.members.iter().find(|m| m.lead).map(|m| m.name.clone()).unwrap_or_default();
            let resident: Vec<&str> =
                s.residencies.iter().filter(|r| r.residency.covers(on)).map(|r| r.makerspace_name.as_str()).collect();
            let code = match (&s.credit_code, s.code_verified) {
                (Some(code), true) => code.clone(),
                (Some(code), false) => format!("{code} ({})", out.t("未核验", "unverified")),
                (None, _) => String::new(),
            };
            vec![
                s.id.clone(),
                s.name.clone(),
                kind_text(out, s.kind).to_string(),
                code,
                s.industry.clone(),
                s.stage.clone(),
                lead,
                resident.join("、"),
            ]
        })
        .collect();
    table(
        &[
            out.t("编号", "id"),
            out.t("名称", "name"),
            out.t("类型", "kind"),
            out.t("统一社会信用代码", "credit code"),
            out.t("行业", "industry"),
            out.t("阶段", "stage"),
            out.t("负责人", "lead"),
            out.t("入驻空间", "resident at"),
        ],
        &rows,
    )
}

pub fn run(store: &mut Store, command: &StartupCommand, out: &Output, now: DateTime<Utc>) -> Result<()> {
    match command {
        StartupCommand::Add { name, kind, credit_code, stage, industry, headcount, lead, actor } => {
            let new = NewStartup {
                name: name.clone(),
                kind: *kind,
                credit_code: credit_code.clone(),
                stage: stage.clone(),
                industry: industry.clone(),
                headcount: *headcount,
                description: String::new(),
            };
            let id = store.create_startup(actor, &new, lead.as_deref().unwrap_or(actor), now)?;
            let record = store.startup(&id)?;
            let lead_name = record.members.iter().find(|m| m.lead).map(|m| m.name.clone()).unwrap_or_default();
            out.show(&record, || {
                let mut text =
                    format!("{} {id}，{}：{lead_name}", out.t("已添加创业团队/企业", "Startup added:"), out.t("负责人", "lead"));
                if record.credit_code.is_some() && !record.code_verified {
                    text.push_str(out.t(
                        "\n统一社会信用代码待入驻空间管理员核验",
                        "\nIts credit code is unverified until a space admin where it is resident confirms it",
                    ));
                }
                text
            })
        }
        StartupCommand::List { text, kind, industry, stage, makerspace, on, credit_code } => {
            let makerspace_id = makerspace.as_deref().map(|code| store.makerspace_by_code(code).map(|m| m.id)).transpose()?;
            let on = on.as_deref().map(|d| parse_date("on", d)).transpose()?;
            let filter = StartupFilter {
                text: text.clone(),
                kind: *kind,
                industry: industry.clone(),
                stage: stage.clone(),
                makerspace_id,
                credit_code: credit_code.clone(),
                on,
            };
            let today = now.with_timezone(&crate::output::DISTRICT_TZ).date_naive();
            let list = store.startups(&filter, today)?;
            out.show(&list, || human(out, &list, on.unwrap_or(today)))
        }
        StartupCommand::Members { startup_id, person_id, lead, remove, actor } => {
            store.set_startup_member(actor, (startup_id, person_id), (!*remove, *lead), now)?;
            let record = store.startup(startup_id)?;
            out.show(&record, || {
                let names: Vec<String> = record
                    .members
                    .iter()
                    .map(|m| if m.lead { format!("{}（{}）", m.name, out.t("负责人", "lead")) } else { m.name.clone() })
                    .collect();
                format!("{}：{}", record.name, names.join("、"))
            })
        }
        StartupCommand::Residency { startup_id, makerspace, out: residency, date, actor } => {
            let date = parse_date("date", date)?;
            match (residency, makerspace) {
                (Some(residency_id), _) => store.move_out(actor, (startup_id, residency_id), date, now)?,
                (None, Some(code)) => {
                    let ms = store.makerspace_by_code(code)?;
                    store.move_in(actor, (startup_id, &ms.id), date, now)?;
                }
                (None, None) => return Err(incubook::CoreError::invalid("makerspace", "give --makerspace or --out")),
            }
            let record = store.startup(startup_id)?;
            out.show(&record, || {
                let stays: Vec<String> =
                    record.residencies.iter().map(|r| format!("{} {}", record.name, stay_text(out, r))).collect();
                stays.join("\n")
            })
        }
        StartupCommand::AnswerMoveIn { startup_id, residency_id, decline, actor } => {
            store.answer_move_in(actor, (startup_id, residency_id), !*decline, now)?;
            let record = store.startup(startup_id)?;
            out.show(&record, || {
                let stays: Vec<String> =
                    record.residencies.iter().map(|r| format!("{} {}", record.name, stay_text(out, r))).collect();
                stays.join("\n")
            })
        }
        StartupCommand::ConfirmCode { startup_id, actor } => {
            store.confirm_credit_code(actor, startup_id, now)?;
            let record = store.startup(startup_id)?;
            let code = record.credit_code.clone().unwrap_or_default();
            out.show(&record, || {
                format!("{} {code}（{}）", out.t("已核验统一社会信用代码", "Credit code confirmed:"), record.name)
            })
        }
    }
}

/// `incubook match`: the best five mentors for a need, with each score's parts.
#[derive(clap::Args, Debug)]
pub struct MatchArgs {
    /// The startup whose need it is, by id (its industry counts unless --industry says otherwise)
    #[arg(long)]
    startup: Option<String>,
    /// Expertise wanted, like 融资 or fundraising (repeat for more)
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// Industry, like 智能硬件
    #[arg(long)]
    industry: Option<String>,
    /// A language the mentor should speak, like en (default zh)
    #[arg(long)]
    lang: Option<String>,
    /// Only online sessions count as a fit
    #[arg(long, conflicts_with = "in_person")]
    online: bool,
    /// Only in-person sessions count as a fit
    #[arg(long)]
    in_person: bool,
    /// Length of the session in minutes
    #[arg(long, default_value_t = 60)]
    minutes: u32,
    /// Who is looking (a founder), by person id
    #[arg(long = "as", value_name = "PERSON_ID")]
    actor: String,
}

pub fn run_match(store: &Store, args: &MatchArgs, out: &Output, now: DateTime<Utc>) -> Result<()> {
    let industry = match (&args.industry, &args.startup) {
        (Some(i), _) => Some(i.clone()),
        (None, Some(id)) => Some(store.startup(id)?.industry).filter(|i| !i.is_empty()),
        (None, None) => None,
    };
    let format = if args.online {
        Some("online".to_string())
    } else if args.in_person {
        Some("in_person".to_string())
    } else {
        None
    };
    let need = incubook::matching::MatchNeed {
        tags: args.tags.clone(),
        industry,
        language: args.lang.clone(),
        format,
        minutes: Some(args.minutes),
    };
    let matches = store.match_mentors(&args.actor, &need, now)?;
    out.show(&matches, || {
        let rows: Vec<Vec<String>> = matches
            .iter()
            .map(|m| {
                let s = m.score;
                vec![
                    m.name.clone(),
                    s.total.to_string(),
                    format!("{}/{}/{}/{}/{}/{}", s.expertise, s.industry, s.language, s.format, s.availability, s.capacity),
                    m.suggested.map(|slot| out.span(slot.start, slot.end)).unwrap_or_default(),
                    m.mentor_id.clone(),
                ]
            })
            .collect();
        table(
            &[
                out.t("导师", "mentor"),
                out.t("得分", "score"),
                out.t("专长/行业/语言/形式/空闲/余量", "expertise/industry/language/format/free/spare"),
                out.t("建议时段", "suggested slot"),
                out.t("编号", "id"),
            ],
            &rows,
        )
    })
}
