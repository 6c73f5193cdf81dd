//! The sample's district programmes and calls, written through `apply` as the district's
//! operator and the startups' leads would: the district S&T development fund (区科技发展基金)
//! with a closed batch whose applications stand in every state of intake and an open batch
//! taking applications, and an innovation-voucher quota call (创新券额度申领) that opens soon,
//! ready for the vouchers that come later.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rusqlite::{Connection, params};

use crate::calls::application::{ApplicationDraft, AvoidedExpert, Intake};
use crate::calls::eligibility::Rule;
use crate::calls::form::{Answer, FieldKind, FormField};
use crate::calls::{AttachmentRule, FileType, MAX_ATTACHMENT_BYTES, NewCall, NewProgramme, ProgrammeKind};
use crate::command::Command;
use crate::domain::Id;
use crate::error::{CoreError, Result};
use crate::ledger::ApplyError;
use crate::store::SqliteLedger;

/// The sample's district operator: registered with no password (nobody signs in as them on a
/// server; on a desktop without one they publish and take in, as `--as`).
pub(super) fn insert_operator(tx: &Connection, id: &str, now: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO person(id, name, phone, email, created_at) VALUES (?1, '赵科员', '13900009999', 'kjw@example.cn', ?2)",
        params![id, now],
    )?;
    tx.execute(
        "INSERT INTO account(person_id, username, password_hash, created_at) VALUES (?1, 'sample-operator', '!', ?2)",
        params![id, now],
    )?;
    tx.execute("INSERT INTO district_operator(person_id) VALUES (?1)", [id])?;
    Ok(())
}

fn run(tx: &Connection, person: &str, command: &Command, at: DateTime<Utc>) -> Result<()> {
    crate::apply::apply(&mut SqliteLedger::new(tx), person, command, at.timestamp()).map_err(ApplyError::into_core)
}

/// 16:30 in Shanghai, `days` from `now`'s date: when the district's calls close.
fn half_past_four(now: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    let date = (now + Duration::days(days)).with_timezone(&incubook_core::clock::DISTRICT_ZONE).date_naive();
    incubook_core::clock::DISTRICT_ZONE
        .with_ymd_and_hms(chrono::Datelike::year(&date), chrono::Datelike::month(&date), chrono::Datelike::day(&date), 16, 30, 0)
        .single()
        .map(|t| t.to_utc())
        .unwrap_or(now)
}

fn fund_call(year: u16, batch: u8, opens_at: DateTime<Utc>, closes_at: DateTime<Utc>) -> NewCall {
    NewCall {
        programme_code: "KF".into(),
        year,
        batch,
        title_zh: format!("{year} 年度区科技发展基金（第{}批）", ["一", "二", "三"].get(usize::from(batch) - 1).unwrap_or(&"")),
        title_en: format!("District S&T development fund {year}, batch {batch}"),
        guide:
            "支持在区内注册或入驻区内众创空间的科技型初创企业开展研发。单项资助不超过 50 万元，财政资金不超过项目总投入的 50%。\
                申报单位须签署诚信承诺，每家单位每批次限报 1 项。"
                .into(),
        opens_at,
        closes_at,
        ceiling_fen: 50_000_000,
        budget_fen: 3_000_000_000,
        public_share_pct: 50,
        max_per_organisation: 1,
        max_ongoing_led: Some(2),
        attachments: vec![AttachmentRule {
            kind: "business_plan".into(),
            label_zh: "项目申报书".into(),
            label_en: "Project proposal".into(),
            types: vec![FileType::Pdf, FileType::Docx],
            max_bytes: MAX_ATTACHMENT_BYTES,
            required: true,
        }],
        form: vec![
            FormField {
                key: "summary".into(),
                label_zh: "项目简介".into(),
                label_en: "Summary".into(),
                kind: FieldKind::Text { max_chars: 2000 },
                required: true,
            },
            FormField {
                key: "total_cost_fen".into(),
                label_zh: "项目总投入（分）".into(),
                label_en: "Total cost (fen)".into(),
                kind: FieldKind::Money { max_fen: 1_000_000_000 },
                required: true,
            },
        ],
        eligibility: vec![Rule::InDistrict { min_team_members: 1 }],
        recommendation: None,
    }
}

fn draft(n: usize, title: &str) -> ApplicationDraft {
    ApplicationDraft {
        title: title.into(),
        answers: BTreeMap::from([
            ("summary".into(), Answer::Text(format!("{title}：面向区内产业的研发与中试。"))),
            ("total_cost_fen".into(), Answer::Number(120_000_000)),
        ]),
        requested_fen: 30_000_000 + (n as i64 % 4) * 5_000_000,
        avoid_experts: if n.is_multiple_of(5) {
            vec![AvoidedExpert {
                name: "李专家".into(),
                organisation: "某投资机构".into(),
                reason: "曾为竞争对手提供咨询".into(),
            }]
        } else {
            Vec::new()
        },
        pledged: true,
        founded_on: None,
        declared_address: None,
    }
}

const TITLES: [&str; 10] = [
    "固态激光雷达中试",
    "低空物流无人机",
    "医用微流控芯片",
    "工业视觉质检平台",
    "钠离子电池材料",
    "智能康复外骨骼",
    "碳化硅功率模块",
    "农业遥感服务",
    "手术机器人力反馈",
    "开源 RISC-V 边缘网关",
];

/// What happens to a closed batch's applications, in order: the first few are accepted.
const CLOSED_FATES: [&str; 8] = ["accept", "accept", "accept", "return", "refuse", "recheck", "upheld", "withdrawn"];

/// The sample's programmes, calls and applications; how many applications.
pub(super) fn generate_calls(tx: &Connection, operator: &str, leads: &[(Id, Id)], now: DateTime<Utc>) -> Result<usize> {
    let year = u16::try_from(chrono::Datelike::year(&now.with_timezone(&incubook_core::clock::DISTRICT_ZONE))).unwrap_or(2026);
    let long_ago = now - Duration::days(60);
    let fund = NewProgramme {
        code: "KF".into(),
        kind: ProgrammeKind::Grant,
        name_zh: "区科技发展基金".into(),
        name_en: "District S&T development fund".into(),
        funder: "区科技和经济委员会".into(),
        yearly_budget_fen: 10_000_000_000,
    };
    let vouchers = NewProgramme {
        code: "CXQ".into(),
        kind: ProgrammeKind::Voucher,
        name_zh: "科技创新券".into(),
        name_en: "Innovation vouchers".into(),
        funder: "区科技和经济委员会".into(),
        yearly_budget_fen: 2_000_000_000,
    };
    run(tx, operator, &Command::CreateProgramme { programme: fund }, long_ago)?;
    run(tx, operator, &Command::CreateProgramme { programme: vouchers }, long_ago)?;
    let closed = fund_call(year, 1, now - Duration::days(40), half_past_four(now, -10));
    let open = fund_call(year, 2, now - Duration::days(5), half_past_four(now, 20));
    let quota = NewCall {
        programme_code: "CXQ".into(),
        batch: 1,
        title_zh: format!("{} 年度创新券额度申领", year + 1),
        title_en: format!("Innovation voucher quota {}", year + 1),
        guide: "创新券用于向区内共享技术平台购买检测、加工等服务，按实际发生的机时核销。".into(),
        opens_at: now + Duration::days(3),
        closes_at: half_past_four(now, 33),
        ceiling_fen: 10_000_000,
        budget_fen: 500_000_000,
        public_share_pct: 100,
        attachments: Vec::new(),
        form: Vec::new(),
        eligibility: Vec::new(),
        year: year + 1,
        ..fund_call(year, 1, now, now)
    };
    for (id, call) in [("sample-call-kf-1", &closed), ("sample-call-kf-2", &open), ("sample-call-cxq-1", &quota)] {
        run(tx, operator, &Command::PublishCall { call_id: id.into(), call: call.clone() }, long_ago)?;
    }

    let mut made = 0;
    let mut leads = leads.iter();
    let mut event = 0;
    let mut next_event = || {
        event += 1;
        format!("sample-event-{event:04}")
    };
    // The closed batch: submitted before its close, taken in after it.
    let submitted_at = closed.closes_at - Duration::days(3);
    let decided_at = closed.closes_at + Duration::days(2);
    let mut fates = CLOSED_FATES.iter();
    let mut fate = fates.next();
    while let (Some(&what), Some((lead, startup))) = (fate, leads.next()) {
        let id = format!("sample-application-{made:03}");
        run(
            tx,
            lead,
            &Command::DraftApplication {
                application_id: id.clone(),
                call_id: "sample-call-kf-1".into(),
                startup_id: startup.clone(),
                draft: draft(made, TITLES[made % TITLES.len()]),
            },
            submitted_at - Duration::days(1),
        )?;
        made += 1;
        // A startup this call's rules do not admit (a code nobody has confirmed yet) stays a draft.
        match run(tx, lead, &Command::SubmitApplication { application_id: id.clone(), event_id: next_event() }, submitted_at) {
            Ok(()) => {}
            Err(CoreError::Refused(_)) => continue,
            Err(e) => return Err(e),
        }
        let decide = |intake: Intake, event_id: String, at| {
            run(tx, operator, &Command::DecideApplication { application_id: id.clone(), event_id, intake }, at)
        };
        let by_lead = |command: Command, at| run(tx, lead, &command, at);
        match what {
            "accept" => decide(Intake::Accept, next_event(), decided_at)?,
            "return" => {
                decide(Intake::Return { reason: "请补充近两年财务报表".into(), days: Some(10) }, next_event(), decided_at)?
            }
            "refuse" => {
                decide(Intake::Refuse { reason: "项目不属于本专项支持范围".into(), days: Some(10) }, next_event(), decided_at)?
            }
            "recheck" | "upheld" => {
                decide(Intake::Refuse { reason: "申报单位注册地不在本区".into(), days: Some(10) }, next_event(), decided_at)?;
                let reason = "已迁入区内众创空间，附入驻协议".to_string();
                by_lead(
                    Command::RequestRecheck { application_id: id.clone(), event_id: next_event(), reason },
                    decided_at + Duration::days(1),
                )?;
                if what == "upheld" {
                    decide(Intake::Uphold { reason: "入驻日期晚于截止日".into() }, next_event(), decided_at + Duration::days(3))?;
                }
            }
            _ => {
                let command = Command::WithdrawApplication {
                    application_id: id.clone(),
                    event_id: next_event(),
                    reason: "团队调整".into(),
                };
                by_lead(command, decided_at - Duration::days(1))?;
            }
        }
        fate = fates.next();
    }
    // The open batch: two received, two still drafts.
    for k in 0..4 {
        let Some((lead, startup)) = leads.next() else { break };
        let id = format!("sample-application-{made:03}");
        run(
            tx,
            lead,
            &Command::DraftApplication {
                application_id: id.clone(),
                call_id: "sample-call-kf-2".into(),
                startup_id: startup.clone(),
                draft: draft(made, TITLES[made % TITLES.len()]),
            },
            now - Duration::days(2),
        )?;
        made += 1;
        if k < 2 {
            match run(
                tx,
                lead,
                &Command::SubmitApplication { application_id: id, event_id: next_event() },
                now - Duration::days(1),
            ) {
                Ok(()) | Err(CoreError::Refused(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(made)
}
