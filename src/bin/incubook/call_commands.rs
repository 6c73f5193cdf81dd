//! District calls and one-stop applications at the command line: `incubook calls` (a district
//! operator registers programmes and publishes calls; anyone lists them), `incubook apply` (a
//! startup's lead drafts, submits, withdraws, asks for a re-check), `incubook intake` (the
//! operator accepts — the unified code is minted — returns, refuses, upholds).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use clap::Subcommand;
use incubook::calls::application::{ApplicationDraft, AvoidedExpert, Intake};
use incubook::calls::form::Answer;
use incubook::calls::{NewCall, NewProgramme, ProgrammeKind};
use incubook::domain::parse_date;
use incubook::store::{ApplicationView, CallStatus, CallView, Store};
use incubook::{CoreError, Result};

use crate::output::{Output, table};
use crate::usage_commands::{fen_of, yuan};

#[derive(Subcommand, Debug)]
pub enum CallCommand {
    /// Register a programme (专项): a district operator
    Programme {
        /// 2–4 capitals, part of every unified code, like KJ
        #[arg(long)]
        code: String,
        /// grant, voucher, service_purchase or recommendation
        #[arg(long, default_value = "grant")]
        kind: String,
        #[arg(long)]
        name_zh: String,
        #[arg(long, default_value = "")]
        name_en: String,
        /// Who pays, like 区科经委
        #[arg(long)]
        funder: String,
        /// The yearly budget in yuan
        #[arg(long)]
        budget_yuan: String,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Publish a call (指南/批次) from a JSON file of its terms (see `calls show --json` for the shape)
    Publish {
        /// The call as JSON: programme_code, year, batch, titles, guide, opens_at, closes_at, amounts in fen, form…
        file: std::path::PathBuf,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Correct a call before it opens, from a JSON file of its terms (audited: before and after)
    Correct {
        call_id: String,
        file: std::path::PathBuf,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// The calls, newest first, with whether each takes applications now
    List,
    /// One call with its terms
    Show { call_id: String },
    /// Cancel a call before any decision on it, with the reason
    Cancel {
        call_id: String,
        #[arg(long)]
        reason: String,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ApplyCommand {
    /// Draft an application of your startup to a call (or save a draft again with --id)
    Draft {
        #[arg(long)]
        call: String,
        /// An existing draft (or one returned for correction) to save again
        #[arg(long)]
        id: Option<String>,
        /// The project's name (项目名称)
        #[arg(long)]
        title: String,
        /// An answer to the call's form: key=value (numbers as digits; repeat for more)
        #[arg(long = "answer", value_name = "KEY=VALUE")]
        answers: Vec<String>,
        /// Public money asked for, in yuan
        #[arg(long, default_value = "0")]
        requested_yuan: String,
        /// An expert to avoid: "name|organisation|reason" (at most three)
        #[arg(long = "avoid", value_name = "NAME|ORG|REASON")]
        avoid: Vec<String>,
        /// Give the integrity pledge (诚信承诺)
        #[arg(long)]
        pledge: bool,
        /// When the organisation was founded, like 2023-03-01
        #[arg(long)]
        founded_on: Option<String>,
        /// A registered address in the district the enterprise declares
        #[arg(long)]
        address: Option<String>,
        /// The startup's lead, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Submit a draft: it counts once the district server has it, by the server's clock
    Submit {
        application_id: String,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Withdraw an application until a decision on it
    Withdraw {
        application_id: String,
        #[arg(long, default_value = "")]
        reason: String,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Ask for a re-check (复审) of a refusal, within its deadline
    Recheck {
        application_id: String,
        #[arg(long)]
        reason: String,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Your startup's applications (a district operator: every one, or one call's), or one with its history
    Status {
        application_id: Option<String>,
        #[arg(long)]
        call: Option<String>,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum IntakeCommand {
    /// Accept (受理): the unified code is minted
    Accept {
        application_id: String,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Return for correction (退回补正), once, with the reasons
    Return {
        application_id: String,
        #[arg(long)]
        reason: String,
        /// Days to correct it (default 10)
        #[arg(long)]
        days: Option<u32>,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Refuse (不予受理), with the reason; a re-check may be asked within the days
    Refuse {
        application_id: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        days: Option<u32>,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Uphold a refusal on re-check (复审维持)
    Uphold {
        application_id: String,
        #[arg(long)]
        reason: String,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
}

fn status_text(out: &Output, status: CallStatus) -> &str {
    match status {
        CallStatus::Upcoming => out.t("即将开始", "upcoming"),
        CallStatus::Open => out.t("受理中", "open"),
        CallStatus::Closed => out.t("已截止", "closed"),
        CallStatus::Cancelled => out.t("已撤销", "cancelled"),
    }
}

fn state_text(out: &Output, state: incubook::calls::lifecycle::State) -> &str {
    use incubook::calls::lifecycle::State;
    match state {
        State::Draft => out.t("草稿", "draft"),
        State::Submitted => out.t("已提交", "submitted"),
        State::Accepted => out.t("已受理", "accepted"),
        State::Returned => out.t("退回补正", "returned"),
        State::Refused => out.t("不予受理", "refused"),
        State::RecheckRequested => out.t("申请复审", "re-check asked"),
        State::RefusalUpheld => out.t("复审维持", "refusal upheld"),
        State::Withdrawn => out.t("已撤回", "withdrawn"),
    }
}

fn calls_table(out: &Output, list: &[CallView]) -> String {
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                format!("{} {} {:02}", c.call.programme_code, c.call.year, c.call.batch),
                if out.zh() || c.call.title_en.is_empty() { c.call.title_zh.clone() } else { c.call.title_en.clone() },
                out.instant(c.call.opens_at),
                out.instant(c.call.closes_at),
                yuan(c.call.ceiling_fen),
                status_text(out, c.status).to_string(),
            ]
        })
        .collect();
    table(
        &[
            out.t("编号", "id"),
            out.t("专项 年度 批次", "programme year batch"),
            out.t("名称", "title"),
            out.t("开始受理", "opens"),
            out.t("截止（上海时间）", "closes (Shanghai)"),
            out.t("单项资助上限", "ceiling"),
            out.t("状态", "status"),
        ],
        &rows,
    )
}

fn application_lines(out: &Output, a: &ApplicationView) -> String {
    let mut text = format!(
        "{} {}  {}  {}  {}",
        a.id,
        a.draft.title,
        a.startup_name,
        state_text(out, a.state),
        a.code.as_deref().unwrap_or(out.t("（未赋码）", "(no code yet)"))
    );
    if a.waiting_for_server {
        text.push_str(
            out.t("  待送达区平台：区平台收到后方为已提交", "  not yet received: it counts once the district server has it"),
        );
    }
    if let Some(until) = a.until {
        text.push_str(&format!("  {} {}", out.t("期限", "until"), out.instant(until)));
    }
    for e in &a.events {
        let when = out.instant(incubook::domain::to_utc(e.at));
        text.push_str(&format!("\n    {when}  {} → {}  {}", state_text(out, e.from), state_text(out, e.to), e.reason));
    }
    text
}

fn answers_of(pairs: &[String]) -> Result<BTreeMap<String, Answer>> {
    let mut answers = BTreeMap::new();
    for pair in pairs {
        let (key, value) =
            pair.split_once('=').ok_or_else(|| CoreError::invalid("answer", format!("'{pair}' is not key=value")))?;
        let answer = match value.trim().parse::<i64>() {
            Ok(n) => Answer::Number(n),
            Err(_) => Answer::Text(value.to_string()),
        };
        answers.insert(key.trim().to_string(), answer);
    }
    Ok(answers)
}

fn avoided(specs: &[String]) -> Result<Vec<AvoidedExpert>> {
    specs
        .iter()
        .map(|spec| {
            let parts: Vec<&str> = spec.splitn(3, '|').collect();
            match parts.as_slice() {
                [name, organisation, reason] => Ok(AvoidedExpert {
                    name: name.to_string(),
                    organisation: organisation.to_string(),
                    reason: reason.to_string(),
                }),
                _ => Err(CoreError::invalid("avoid", format!("'{spec}' is not name|organisation|reason"))),
            }
        })
        .collect()
}

pub fn run_calls(store: &mut Store, command: &CallCommand, out: &Output, now: DateTime<Utc>) -> Result<()> {
    match command {
        CallCommand::Programme { code, kind, name_zh, name_en, funder, budget_yuan, actor } => {
            let kind: ProgrammeKind = kind
                .parse()
                .map_err(|_| CoreError::invalid("kind", "one of grant, voucher, service_purchase, recommendation"))?;
            let programme = NewProgramme {
                code: code.clone(),
                kind,
                name_zh: name_zh.clone(),
                name_en: name_en.clone(),
                funder: funder.clone(),
                yearly_budget_fen: fen_of("budget_yuan", budget_yuan)?,
            };
            store.create_programme(actor, &programme, now)?;
            out.show(&programme, || format!("{} {code}", out.t("已登记专项", "Programme registered:")))
        }
        CallCommand::Publish { file, actor } => {
            let text = std::fs::read_to_string(file)?;
            let call: NewCall = serde_json::from_str(&text).map_err(|e| CoreError::invalid("file", e.to_string()))?;
            let id = store.publish_call(actor, &call, now)?;
            let view = store.call_view_of(&id, now)?;
            out.show(&view, || {
                format!("{} {id}\n{}", out.t("已发布申报批次", "Call published:"), calls_table(out, std::slice::from_ref(&view)))
            })
        }
        CallCommand::Correct { call_id, file, actor } => {
            let text = std::fs::read_to_string(file)?;
            let call: NewCall = serde_json::from_str(&text).map_err(|e| CoreError::invalid("file", e.to_string()))?;
            store.correct_call(actor, call_id, &call, now)?;
            let view = store.call_view_of(call_id, now)?;
            out.show(&view, || format!("{} {call_id}", out.t("已修改申报批次", "Call corrected:")))
        }
        CallCommand::List => {
            let list = store.calls(now)?;
            out.show(&list, || calls_table(out, &list))
        }
        CallCommand::Show { call_id } => {
            let view = store.call_view_of(call_id, now)?;
            out.show(&view, || format!("{}\n{}", calls_table(out, std::slice::from_ref(&view)), view.call.guide))
        }
        CallCommand::Cancel { call_id, reason, actor } => {
            store.cancel_call(actor, call_id, reason, now)?;
            let view = store.call_view_of(call_id, now)?;
            out.show(&view, || format!("{} {call_id}", out.t("已撤销申报批次", "Call cancelled:")))
        }
    }
}

pub fn run_apply(store: &mut Store, command: &ApplyCommand, out: &Output, now: DateTime<Utc>) -> Result<()> {
    let show = |store: &Store, actor: &str, id: &str| -> Result<()> {
        let view = store.application_for(actor, id)?;
        out.show(&view, || application_lines(out, &view))
    };
    match command {
        ApplyCommand::Draft { call, id, title, answers, requested_yuan, avoid, pledge, founded_on, address, actor } => {
            let startup = store
                .startup_of_person(actor)?
                .ok_or_else(|| CoreError::invalid("as", "applying is for a startup's lead: you are in no startup"))?;
            let draft = ApplicationDraft {
                title: title.clone(),
                answers: answers_of(answers)?,
                requested_fen: fen_of("requested_yuan", requested_yuan)?,
                avoid_experts: avoided(avoid)?,
                pledged: *pledge,
                founded_on: founded_on.as_deref().map(|d| parse_date("founded_on", d)).transpose()?,
                declared_address: address.clone(),
            };
            let id = store.draft_application(actor, (id.as_deref(), call, &startup.id), &draft, now)?;
            show(store, actor, &id)
        }
        ApplyCommand::Submit { application_id, actor } => {
            store.submit_application(actor, application_id, now)?;
            show(store, actor, application_id)
        }
        ApplyCommand::Withdraw { application_id, reason, actor } => {
            store.withdraw_application(actor, application_id, reason, now)?;
            show(store, actor, application_id)
        }
        ApplyCommand::Recheck { application_id, reason, actor } => {
            store.request_recheck(actor, application_id, reason, now)?;
            show(store, actor, application_id)
        }
        ApplyCommand::Status { application_id: Some(id), actor, .. } => show(store, actor, id),
        ApplyCommand::Status { application_id: None, call, actor } => {
            let list = store.applications_for(actor, call.as_deref())?;
            out.show(&list, || {
                if list.is_empty() {
                    return out.t("没有申报书。", "No applications.").to_string();
                }
                list.iter().map(|a| application_lines(out, a)).collect::<Vec<_>>().join("\n")
            })
        }
    }
}

pub fn run_intake(store: &mut Store, command: &IntakeCommand, out: &Output, now: DateTime<Utc>) -> Result<()> {
    let (id, intake, actor) = match command {
        IntakeCommand::Accept { application_id, actor } => (application_id, Intake::Accept, actor),
        IntakeCommand::Return { application_id, reason, days, actor } => {
            (application_id, Intake::Return { reason: reason.clone(), days: *days }, actor)
        }
        IntakeCommand::Refuse { application_id, reason, days, actor } => {
            (application_id, Intake::Refuse { reason: reason.clone(), days: *days }, actor)
        }
        IntakeCommand::Uphold { application_id, reason, actor } => {
            (application_id, Intake::Uphold { reason: reason.clone() }, actor)
        }
    };
    store.decide_application(actor, id, &intake, now)?;
    let view = store.application_for(actor, id)?;
    out.show(&view, || application_lines(out, &view))
}
