//! Calls and applications through the district server, on SQLite and PostgreSQL: the
//! district's operator publishes a call from their desktop, founders draft and submit on
//! theirs, the server's clock decides the close, and the server mints the unified code when
//! the operator's acceptance reaches it — never a desktop connected to it.

mod common;

use std::collections::BTreeMap;

use chrono::Duration;
use common::{Arg, Backend, TestServer, founders_of, ok};
use incubook::calls::application::{ApplicationDraft, Intake};
use incubook::calls::form::Answer;
use incubook::calls::lifecycle::State;
use incubook::calls::{NewCall, sample};
use incubook::unified_code::UnifiedCode;
use incubook_server::db::ServerRole;

fn draft() -> ApplicationDraft {
    ApplicationDraft {
        title: "固态激光雷达".into(),
        answers: BTreeMap::from([("summary".into(), Answer::Text("车规级".into()))]),
        requested_fen: 20_000_000,
        pledged: true,
        ..ApplicationDraft::default()
    }
}

fn a_founder_applies_offline_and_the_server_decides_the_close_and_the_code(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let hash = ok(incubook_server::auth::hash_password(common::PASSWORD));
    ok(server.db.add_account("PD-0001", "operator", &hash, &[ServerRole::DistrictOperator], None, 0));
    let founders = founders_of(&seed, "PD-0001");
    let startup_of =
        |person: &str| server.text("SELECT startup_id FROM startup_member WHERE person_id = $1 AND lead = 1", &[Arg::T(person)]);
    let leads: Vec<(String, String)> = founders.iter().filter_map(|f| startup_of(f).map(|s| (f.clone(), s))).take(2).collect();
    let [(early, early_startup), (late, late_startup)] = [leads[0].clone(), leads[1].clone()];
    server.account("early", &early, "PD-0001", &[ServerRole::Founder]);
    server.account("late", &late, "PD-0001", &[ServerRole::Founder]);
    let mut operator = server.client("operator", now);
    let operator_id = operator.person_id.clone();

    // Two batches: one closed a minute before the server's now, one closing a second after it.
    ok(operator.store.create_programme(&operator_id, &sample::programme(), now));
    let call = |batch: u8, closes: chrono::DateTime<chrono::Utc>| NewCall {
        batch,
        opens_at: now - Duration::days(1),
        closes_at: closes,
        ..sample::grant_call()
    };
    let closed = ok(operator.store.publish_call(&operator_id, &call(1, now - Duration::minutes(1)), now - Duration::minutes(30)));
    let closing =
        ok(operator.store.publish_call(&operator_id, &call(2, now + Duration::seconds(1)), now - Duration::minutes(30)));
    assert!(operator.sync(now).refused.is_empty());
    let (mut early_desk, mut late_desk) = (server.client("early", now), server.client("late", now));

    // Drafted and submitted offline before the first batch closed, received after: refused with
    // the reason, and still there as a draft.
    let before_close = now - Duration::minutes(2);
    let kept = ok(late_desk.store.draft_application(&late, (None, &closed, &late_startup), &draft(), before_close));
    ok(late_desk.store.submit_application(&late, &kept, before_close));
    let offline = ok(late_desk.store.application_for(&late, &kept));
    assert_eq!((offline.state, offline.waiting_for_server), (State::Submitted, true), "submitted here, not yet received");
    assert_eq!(late_desk.sync(now).refused, vec!["refused.call_closed".to_string()]);
    let after = ok(late_desk.store.application_for(&late, &kept));
    assert_eq!((after.state, after.waiting_for_server), (State::Draft, false), "kept as a draft");
    assert_eq!(after.draft.title, "固态激光雷达");
    assert!(after.events.is_empty(), "the submission the server refused is not in its history");

    // Received a second before the close: submitted.
    let taken = ok(early_desk.store.draft_application(&early, (None, &closing, &early_startup), &draft(), now));
    ok(early_desk.store.submit_application(&early, &taken, now));
    assert!(early_desk.sync(now).refused.is_empty());
    assert_eq!(server.text("SELECT state FROM application WHERE id = $1", &[Arg::T(&taken)]).as_deref(), Some("submitted"));

    // The operator accepts on their desktop: no code there until the server mints it.
    operator.sync(now);
    ok(operator.store.decide_application(&operator_id, &taken, &Intake::Accept, now));
    assert_eq!(ok(operator.store.application_for(&operator_id, &taken)).code, None, "a desktop mints no code");
    assert!(operator.sync(now).refused.is_empty());
    let code = ok(operator.store.application_for(&operator_id, &taken)).code.unwrap_or_default();
    let parsed = ok(UnifiedCode::parse(&code));
    assert_eq!((parsed.programme.as_str(), parsed.batch, parsed.serial), ("KJ", 2, 1));
    early_desk.sync(now);
    let seen = ok(early_desk.store.application_for(&early, &taken));
    assert_eq!((seen.state, seen.code.as_deref()), (State::Accepted, Some(code.as_str())));
    let states: Vec<_> = seen.events.iter().map(|e| (e.from, e.to)).collect();
    assert_eq!(states, vec![(State::Draft, State::Submitted), (State::Submitted, State::Accepted)]);
    assert!(ok(early_desk.store.notifications(&early)).iter().any(|n| n.kind == "application_accepted"));

    // Another founder's desktop holds no other startup's application.
    assert!(late_desk.store.application_for(&late, &taken).is_err());
    let others: i64 =
        ok(late_desk
            .store
            .conn()
            .query_row("SELECT count(*) FROM application WHERE startup_id <> ?1", [&late_startup], |r| r.get(0)));
    assert_eq!(others, 0, "only its own");
}

on_both_backends!(a_founder_applies_offline_and_the_server_decides_the_close_and_the_code,);
