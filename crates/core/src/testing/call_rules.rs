//! Calls and applications decided by `apply` over the memory ledger: who publishes and who
//! applies, completeness and eligibility at submission, the server's clock at the close, the
//! organisation's limit, intake, and unified codes minted only at acceptance — unique and
//! gap-free whatever happens to the applications around them.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::district::{MemoryDistrict, cst, equipment_policy, mentor_policy, now};
use crate::calls::application::{ApplicationDraft, Intake};
use crate::calls::eligibility::Rule;
use crate::calls::form::Answer;
use crate::calls::lifecycle::{State, replay};
use crate::calls::{NewCall, sample};
use crate::command::Command;
use crate::error::CoreError;
use crate::startup::{NewStartup, StartupKind};
use crate::unified_code::UnifiedCode;

const OPERATOR: &str = "operator";

fn code_of(result: Result<(), CoreError>) -> String {
    match result {
        Ok(()) => "ok".into(),
        Err(e) => e.code(),
    }
}

/// The district with an operator, the fund's programme and its call, and a startup led by
/// each founder (resident at PD-0001).
fn district_with_call(call: NewCall) -> MemoryDistrict {
    let mut d = MemoryDistrict::new(mentor_policy(), equipment_policy(1));
    d.ledger.people.insert(OPERATOR.into(), Vec::new());
    d.ledger.operators.insert(OPERATOR.into());
    let setup = |d: &mut MemoryDistrict, person: &str, command: Command| {
        d.apply(person, &command, now()).unwrap_or_else(|e| panic!("{command:?}: {e}"));
    };
    setup(&mut d, OPERATOR, Command::CreateProgramme { programme: sample::programme() });
    setup(&mut d, OPERATOR, Command::PublishCall { call_id: "call".into(), call });
    let admin = d.admin.clone();
    for (i, founder) in d.founders.clone().iter().enumerate() {
        let startup = NewStartup {
            name: format!("团队{i}"),
            kind: StartupKind::Team,
            credit_code: None,
            stage: String::new(),
            industry: "硬科技".into(),
            headcount: 5,
            description: String::new(),
        };
        let id = format!("startup-{i}");
        setup(&mut d, &admin, Command::CreateStartup { startup_id: id.clone(), startup, lead_id: founder.clone() });
        let stay = Command::MoveIn {
            residency_id: format!("stay-{i}"),
            startup_id: id,
            makerspace_id: "ms-1".into(),
            date: now().date_naive(),
        };
        setup(&mut d, &admin, stay);
    }
    d
}

fn complete() -> ApplicationDraft {
    ApplicationDraft {
        title: "车规级激光雷达".into(),
        answers: BTreeMap::from([("summary".into(), Answer::Text("面向自动驾驶的固态激光雷达".into()))]),
        requested_fen: 30_000_000,
        pledged: true,
        ..ApplicationDraft::default()
    }
}

fn draft(n: usize, draft: ApplicationDraft) -> Command {
    Command::DraftApplication {
        application_id: format!("app-{n}"),
        call_id: "call".into(),
        startup_id: format!("startup-{n}"),
        draft,
    }
}

fn submit(app: &str, event: &str) -> Command {
    Command::SubmitApplication { application_id: app.into(), event_id: event.into() }
}

fn decide(app: &str, event: &str, intake: Intake) -> Command {
    Command::DecideApplication { application_id: app.into(), event_id: event.into(), intake }
}

#[test]
fn a_lead_applies_once_and_the_district_takes_it_in_by_the_servers_clock() {
    let mut d = district_with_call(sample::grant_call());
    let (lead, member) = (d.founders[0].clone(), d.founders[1].clone());
    let opened = cst(2026, 12, 10, 10, 0);
    // Only an operator publishes; only a startup's lead applies for it.
    let again = Command::PublishCall { call_id: "c2".into(), call: NewCall { batch: 2, ..sample::grant_call() } };
    assert_eq!(code_of(d.apply(&lead, &again, now())), "forbidden");
    assert_eq!(code_of(d.apply(&member, &draft(0, complete()), now())), "forbidden");
    // Drafted before the call opens (offline, say): kept; submitted before it opens: not.
    let incomplete = ApplicationDraft { answers: BTreeMap::new(), pledged: false, ..complete() };
    assert_eq!(code_of(d.apply(&lead, &draft(0, incomplete), now())), "ok");
    assert_eq!(code_of(d.apply(&lead, &submit("app-0", "e1"), now())), "refused.call_not_open");
    // Incomplete: every missing answer and the pledge named, nothing written.
    let missing = d.apply(&lead, &submit("app-0", "e1"), opened).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(missing.contains("summary") && missing.contains("pledge") && missing.contains("诚信承诺"), "{missing}");
    assert_eq!(d.ledger.applications["app-0"].state, State::Draft);
    assert_eq!(code_of(d.apply(&lead, &draft(0, complete()), opened)), "ok");
    assert_eq!(code_of(d.apply(&lead, &submit("app-0", "e1"), opened)), "ok");
    assert_eq!(d.ledger.applications["app-0"].code, None, "a code is minted at acceptance, never earlier");
    // One application per organisation to this call.
    let second = Command::DraftApplication {
        application_id: "app-0b".into(),
        call_id: "call".into(),
        startup_id: "startup-0".into(),
        draft: complete(),
    };
    assert_eq!(code_of(d.apply(&lead, &second, opened)), "ok");
    assert_eq!(code_of(d.apply(&lead, &submit("app-0b", "e2"), opened)), "refused.organisation_limit");

    // Intake: accepted with the first serial of the programme's year, its check character sound.
    assert_eq!(code_of(d.apply(&lead, &decide("app-0", "e3", Intake::Accept), opened)), "forbidden");
    assert_eq!(code_of(d.apply(OPERATOR, &decide("app-0", "e3", Intake::Accept), opened)), "ok");
    let code = d.ledger.applications["app-0"].code.clone().unwrap_or_default();
    assert_eq!(&code[..23], "310115-2026-KJ-01-00001");
    assert_eq!(UnifiedCode::parse(&code).map(|c| c.to_string()).ok(), Some(code.clone()));
    assert!(d.ledger.notifications.iter().any(|(p, k)| p == &lead && k == "application_accepted"));
    // A call with a decision on it is not cancelled.
    let cancel = Command::CancelCall { call_id: "call".into(), reason: "预算调整".into() };
    assert_eq!(code_of(d.apply(OPERATOR, &cancel, opened)), "invalid.call_id");

    // The close is the server's second: 16:30:00 counts, 16:30:01 keeps the draft a draft.
    let close = cst(2026, 12, 28, 16, 30);
    let (one, two) = (d.founders[1].clone(), d.founders[2].clone());
    assert_eq!(code_of(d.apply(&one, &draft(1, complete()), opened)), "ok");
    assert_eq!(code_of(d.apply(&two, &draft(2, complete()), opened)), "ok");
    assert_eq!(code_of(d.apply(&one, &submit("app-1", "e4"), close)), "ok");
    let late = close + chrono::Duration::seconds(1);
    assert_eq!(code_of(d.apply(&two, &submit("app-2", "e5"), late)), "refused.call_closed");
    assert_eq!(d.ledger.applications["app-2"].state, State::Draft);

    // Returned once, corrected after the close within its ten days, and accepted: serial 2.
    let back = Intake::Return { reason: "缺少财务报表".into(), days: None };
    assert_eq!(code_of(d.apply(OPERATOR, &decide("app-1", "e6", back.clone()), late)), "ok");
    assert_eq!(code_of(d.apply(&one, &draft(1, complete()), late)), "ok");
    assert_eq!(code_of(d.apply(&one, &submit("app-1", "e7"), late)), "ok");
    assert_eq!(code_of(d.apply(OPERATOR, &decide("app-1", "e8", back), late)), "refused.returned_once");
    assert_eq!(code_of(d.apply(OPERATOR, &decide("app-1", "e8", Intake::Accept), late)), "ok");
    assert_eq!(d.ledger.applications["app-1"].code.as_deref().map(|c| &c[18..23]), Some("00002"));

    // Every status is what its event log replays to.
    for a in d.ledger.applications.values() {
        let log: Vec<_> = d.ledger.application_events.iter().filter(|e| e.application_id == a.id).cloned().collect();
        let replayed = replay(&log, close.timestamp()).map(|(state, _)| state);
        assert_eq!(replayed, Ok(a.state), "{}", a.id);
    }
}

#[test]
fn eligibility_is_the_calls_rules_and_each_unmet_one_is_named() {
    let rules = vec![Rule::InDistrict { min_team_members: 3 }, Rule::Headcount { min: 10, max: 200 }];
    let mut d = district_with_call(NewCall { eligibility: rules, ..sample::grant_call() });
    let lead = d.founders[0].clone();
    let opened = cst(2026, 12, 10, 10, 0);
    assert_eq!(code_of(d.apply(&lead, &draft(0, complete()), opened)), "ok");
    let refused = d.apply(&lead, &submit("app-0", "e1"), opened).err();
    let message = refused.as_ref().map(|e| e.message(crate::i18n::Lang::Zh)).unwrap_or_default();
    assert_eq!(refused.map(|e| e.code()).as_deref(), Some("refused.ineligible"));
    // A team of one resident member (of three needed), and five people (of ten).
    assert!(message.contains("至少 3 人") && message.contains("现有 1 人") && message.contains("人数"), "{message}");
}

#[test]
fn a_desktop_that_syncs_with_a_server_leaves_the_code_to_the_server() {
    let mut d = district_with_call(sample::grant_call());
    d.ledger.replica_of_a_server = true;
    let lead = d.founders[0].clone();
    let opened = cst(2026, 12, 10, 10, 0);
    for command in [draft(0, complete()), submit("app-0", "e1"), decide("app-0", "e2", Intake::Accept)] {
        let person = if matches!(command, Command::DecideApplication { .. }) { OPERATOR.to_string() } else { lead.clone() };
        assert_eq!(code_of(d.apply(&person, &command, opened)), "ok");
    }
    assert_eq!(d.ledger.applications["app-0"].state, State::Accepted);
    assert_eq!(d.ledger.applications["app-0"].code, None);
    assert!(d.ledger.serials.is_empty());
}

/// One thing that may happen to application `n` (of four startups'), by whom it happens.
#[derive(Debug, Clone)]
enum Step {
    Submit(usize),
    Accept(usize),
    Return(usize),
    Refuse(usize),
    Recheck(usize),
    Uphold(usize),
    Withdraw(usize),
}

fn step() -> impl Strategy<Value = Step> {
    (0..7u8, 0..5usize).prop_map(|(kind, n)| match kind {
        0 => Step::Submit(n),
        1 => Step::Accept(n),
        2 => Step::Return(n),
        3 => Step::Refuse(n),
        4 => Step::Recheck(n),
        5 => Step::Uphold(n),
        _ => Step::Withdraw(n),
    })
}

proptest! {
    /// Whatever is tried in whatever order, the codes minted are 1..k of the programme's year,
    /// each once (a withdrawn application keeps its code; nobody else gets it), no startup
    /// has more applications in play than the call allows, and every status replays.
    #[test]
    fn codes_are_unique_and_gap_free_under_any_interleaving(steps in proptest::collection::vec(step(), 1..60)) {
        let mut d = district_with_call(sample::grant_call());
        let at = cst(2026, 12, 10, 10, 0);
        // Five applications: the fifth is the first startup's second, against its limit of one.
        let lead_of = |n: usize| n % 4;
        for n in 0..5 {
            let lead = d.founders[lead_of(n)].clone();
            let command = Command::DraftApplication {
                application_id: format!("app-{n}"),
                call_id: "call".into(),
                startup_id: format!("startup-{}", lead_of(n)),
                draft: complete(),
            };
            prop_assert_eq!(code_of(d.apply(&lead, &command, at)), "ok");
        }
        for (i, s) in steps.iter().enumerate() {
            let event = format!("e{i}");
            let (person, command) = match *s {
                Step::Submit(n) => (d.founders[lead_of(n)].clone(), submit(&format!("app-{n}"), &event)),
                Step::Recheck(n) => {
                    let reason = "材料齐全".to_string();
                    let command = Command::RequestRecheck { application_id: format!("app-{n}"), event_id: event, reason };
                    (d.founders[lead_of(n)].clone(), command)
                }
                Step::Withdraw(n) => {
                    let app = format!("app-{n}");
                    let command = Command::WithdrawApplication { application_id: app, event_id: event, reason: String::new() };
                    (d.founders[lead_of(n)].clone(), command)
                }
                Step::Accept(n) => (OPERATOR.into(), decide(&format!("app-{n}"), &event, Intake::Accept)),
                Step::Return(n) => (OPERATOR.into(), decide(&format!("app-{n}"), &event, Intake::Return { reason: "补正".into(), days: None })),
                Step::Refuse(n) => (OPERATOR.into(), decide(&format!("app-{n}"), &event, Intake::Refuse { reason: "不符".into(), days: None })),
                Step::Uphold(n) => (OPERATOR.into(), decide(&format!("app-{n}"), &event, Intake::Uphold { reason: "维持".into() })),
            };
            let _ = d.apply(&person, &command, at + chrono::Duration::minutes(i as i64));
        }
        let mut serials: Vec<u32> = d
            .ledger
            .applications
            .values()
            .filter_map(|a| a.code.as_deref())
            .filter_map(|c| UnifiedCode::parse(c).ok())
            .map(|c| c.serial)
            .collect();
        serials.sort_unstable();
        let in_play = d.ledger.applications.values().filter(|a| a.startup_id == "startup-0" && a.state.counts_against_limit()).count();
        prop_assert!(in_play <= 1, "the first startup has {} applications in play", in_play);
        prop_assert_eq!(serials, (1..=d.ledger.serials.values().sum::<u32>()).collect::<Vec<_>>());
        let close = sample::grant_call().closes_at.timestamp();
        for a in d.ledger.applications.values() {
            let log: Vec<_> = d.ledger.application_events.iter().filter(|e| e.application_id == a.id).cloned().collect();
            prop_assert_eq!(replay(&log, close).map(|(state, _)| state), Ok(a.state));
        }
    }
}

#[test]
fn a_lead_of_as_many_ongoing_projects_as_the_call_allows_applies_for_no_new_one() {
    let mut d = district_with_call(sample::grant_call());
    let lead = d.founders[0].clone();
    let opened = cst(2026, 12, 10, 10, 0);
    for command in [draft(0, complete()), submit("app-0", "e1")] {
        assert_eq!(code_of(d.apply(&lead, &command, opened)), "ok");
    }
    assert_eq!(code_of(d.apply(OPERATOR, &decide("app-0", "e2", Intake::Accept), opened)), "ok");
    // The programme's second batch allows a lead one ongoing project.
    let second = NewCall { batch: 2, max_ongoing_led: Some(1), ..sample::grant_call() };
    assert_eq!(code_of(d.apply(OPERATOR, &Command::PublishCall { call_id: "call-2".into(), call: second }, now())), "ok");
    let again = Command::DraftApplication {
        application_id: "app-2b".into(),
        call_id: "call-2".into(),
        startup_id: "startup-0".into(),
        draft: complete(),
    };
    assert_eq!(code_of(d.apply(&lead, &again, opened)), "ok");
    assert_eq!(code_of(d.apply(&lead, &submit("app-2b", "e3"), opened)), "refused.ongoing_limit");
    // Another lead of the district may.
    let other = d.founders[1].clone();
    let theirs = Command::DraftApplication {
        application_id: "app-2c".into(),
        call_id: "call-2".into(),
        startup_id: "startup-1".into(),
        draft: complete(),
    };
    assert_eq!(code_of(d.apply(&other, &theirs, opened)), "ok");
    assert_eq!(code_of(d.apply(&other, &submit("app-2c", "e4"), opened)), "ok");
}
