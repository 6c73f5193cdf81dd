//! What a refused push may leave on the server, and what a replica must still get (review
//! N1): a refusal writes no more than its refusal and what its own pusher must drop, keyed by
//! checked ids only; deletes are kept 90 days, and a replica further behind starts over from a
//! snapshot, keeping its outbox. On both backends.

mod common;

use chrono::Duration;
use common::{Arg, Backend, PASSWORD, TestServer, founders_of, mentor_slot, ok};
use incubook::command::Occurrence;
use incubook::office::{BlockAt, BlockKind, NewBlocks};
use incubook::recurrence::{Frequency, Repeat};
use incubook::sync::Mutation;
use incubook::sync::client::Transport;
use incubook::sync::http::HttpTransport;
use incubook::sync::protocol::Change;
use incubook::sync::{PushRequest, PushedMutation};
use incubook_server::db::ServerRole;
use serde_json::json;

fn raw(id: i64, name: &str, args: serde_json::Value) -> PushedMutation {
    PushedMutation { id, name: name.into(), args }
}

/// Every delete a person's pull from 0 brings, as (table, key).
fn deletes_for(http: &HttpTransport, token: &str) -> Vec<(String, serde_json::Map<String, serde_json::Value>)> {
    let (mut cursor, mut deletes) = (0, Vec::new());
    loop {
        let page = ok(http.pull(token, "reader", cursor));
        for change in page.changes {
            if let Change::Delete { table, key, .. } = change {
                deletes.push((table, key));
            }
        }
        if !page.more {
            return deletes;
        }
        cursor = page.cursor;
    }
}

fn a_refusal_leaves_nothing_for_others_and_nothing_longer_than_a_key(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let founders = founders_of(&seed, "PD-0001");
    server.account("f0", &founders[0], "PD-0001", &[ServerRole::Founder]);
    server.account("f1", &founders[1], "PD-0001", &[ServerRole::Founder]);
    let (mentor, slot) = mentor_slot(&seed, now);
    let http = ok(HttpTransport::new(&server.base));
    let (f0, f1) = (ok(http.sign_in("f0", PASSWORD)).token, ok(http.sign_in("f1", PASSWORD)).token);
    let deletes_before = deletes_for(&http, &f1).len();

    let huge = "x".repeat(900_000);
    let series = Mutation::BookSeries {
        series_id: "s".into(),
        resource_id: mentor.clone(),
        occurrences: (0..5_000)
            .map(|i| Occurrence {
                booking_id: format!("s-{i}"),
                start: slot.start + Duration::days(i),
                end: slot.end + Duration::days(i),
            })
            .collect(),
        topic: "t".repeat(500),
        repeat: Repeat { every: Frequency::Daily, days: Vec::new(), count: Some(52), until: None },
        skip_conflicts: false,
    };
    let blocks = Mutation::PublishOfficeHours {
        blocks: NewBlocks {
            resource_id: mentor.clone(),
            kind: BlockKind::Group,
            title: "t".into(),
            minutes: 60,
            seat_minutes: None,
            seats: Some(5),
            blocks: (0..5_000).map(|i| BlockAt { block_id: format!("b-{i}"), start: slot.start }).collect(),
        },
    };
    let mutations = vec![
        raw(1, "book", json!({"booking_id": huge, "resource_id": mentor, "start": slot.start, "end": slot.end, "topic": ""})),
        ok(PushedMutation::new(2, &series)),
        ok(PushedMutation::new(3, &blocks)),
        // Well formed, refused by the rules (no such booking): the pusher's replica drops it.
        raw(4, "cancel", json!({"booking_id": "never-on-the-server", "reason": null})),
    ];
    let mut codes = Vec::new();
    for mutation in mutations {
        let id = mutation.id;
        let answer = ok(http.push(&f0, &PushRequest { client_id: "attacker".into(), mutations: vec![mutation] }));
        assert!(!answer.outcomes[0].applied, "mutation {id} was applied");
        codes.push(answer.outcomes[0].code.clone().unwrap_or_default());
    }
    assert!(codes[..3].iter().all(|c| c.starts_with("invalid")), "refused as invalid when parsed: {codes:?}");
    let longest = server.count("SELECT coalesce(max(length(row_key)), 0) FROM sync_tombstone", &[]);
    assert!(longest <= 200, "a tombstone of {longest} bytes");
    assert_eq!(server.count("SELECT count(*) FROM booking WHERE id LIKE 's-%'", &[]), 0, "no declined occurrence kept");

    // Another founder's replica receives none of it; the pusher's drops its own row.
    assert_eq!(deletes_for(&http, &f1).len(), deletes_before, "a refusal's deletes reached another replica");
    let own = deletes_for(&http, &f0);
    assert!(
        own.iter().any(|(table, key)| table == "booking" && key.get("id") == Some(&json!("never-on-the-server"))),
        "the pusher is told to drop the row it made: {own:?}"
    );
    // The server still serves everyone.
    let fresh = server.client("f1", now);
    assert!(ok(fresh.store.sync_status()).is_some_and(|s| s.last_error.is_none()));
}

fn a_replica_behind_the_compacted_deletes_starts_over_and_keeps_its_outbox(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let founders = founders_of(&seed, "PD-0001");
    server.account("f0", &founders[0], "PD-0001", &[ServerRole::Founder]);
    let manager: String = ok(seed.conn().query_row(
        "SELECT p.person_id FROM person_role p JOIN makerspace m ON m.id = p.makerspace_id
         WHERE m.code = 'PD-0001' AND p.role = 'lab_manager' ORDER BY p.person_id LIMIT 1",
        [],
        |r| r.get(0),
    ));
    server.account("lm", &manager, "PD-0001", &[ServerRole::LabManager]);
    let printer: String = ok(seed.conn().query_row(
        "SELECT r.id FROM resource r JOIN equipment e ON e.resource_id = r.id JOIN lab_manager lm ON lm.lab_id = e.lab_id
         WHERE lm.person_id = ?1 AND r.kind = 'equipment' AND r.active = 1 ORDER BY r.id LIMIT 1",
        [&manager],
        |r| r.get(0),
    ));
    let (mut lm, mut old) = (server.client("lm", now), server.client("f0", now));

    // A blackout the old replica learns of, then lifted while it is away.
    let start = (now + Duration::days(20)).timestamp();
    let when = incubook::domain::BlackoutWhen::Once { start, end: start + 3_600 };
    let added =
        ok(lm.store.add_blackout(&lm.person_id, &printer, &when, "校准", incubook::store::BlackoutMode::KeepBookings, now));
    let blackout = added.blackout.map(|b| b.id).unwrap_or_default();
    lm.sync(now);
    old.sync(now);
    let blackouts = |c: &common::Client| -> i64 {
        ok(c.store.conn().query_row("SELECT count(*) FROM blackout WHERE id = ?1 AND deleted = 0", [&blackout], |r| r.get(0)))
    };
    assert_eq!(blackouts(&old), 1);
    ok(lm.store.remove_blackout(&lm.person_id, &blackout, now));
    lm.sync(now);
    let lifted_at = server.count("SELECT count(*) FROM blackout WHERE id = $1 AND deleted = 0", &[Arg::T(&blackout)]);
    assert_eq!(lifted_at, 0);

    // 91 days on, the server has compacted the deletes of that time.
    ok(server.db.compact_deletes(now));
    ok(server.db.compact_deletes(now + Duration::days(91)));
    assert!(server.count("SELECT below FROM sync_horizon", &[]) > 0, "nothing was compacted");

    // The old replica made a booking offline; it syncs, starts over, and keeps it.
    let (mentor, slot) = mentor_slot(&old.store, now);
    let new = incubook::store::NewBooking {
        resource_id: mentor,
        start: slot.start,
        end: slot.end,
        topic: "回来了".into(),
        format: None,
    };
    let booking = ok(old.store.book(&old.person_id, &new, now)).id;
    old.sync(now);
    assert_eq!(blackouts(&old), 0, "the lifted blackout is gone from the replica that was away");
    let status: String = ok(old.store.conn().query_row("SELECT status FROM booking WHERE id = ?1", [&booking], |r| r.get(0)));
    assert_eq!(status, "confirmed", "the offline booking reached the server and came back");
    let fresh = server.client("f0", now);
    let count = |c: &common::Client| -> i64 {
        ok(c.store.conn().query_row("SELECT count(*) FROM booking WHERE deleted = 0", [], |r| r.get(0)))
    };
    assert_eq!(count(&old), count(&fresh), "the replica that started over holds what a new one does");
}

/// The review's N2: a founder's pushes of series refused whole keep one declined row each,
/// and a blackout a founder may not add sends again only the active bookings in its window
/// (what it would have cancelled), not the declined ones, however wide the window.
fn refused_pushes_write_no_more_than_their_refusals(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    server.account("f0", &founders_of(&seed, "PD-0001")[0], "PD-0001", &[ServerRole::Founder]);
    let (mentor, slot) = mentor_slot(&seed, now);
    let http = ok(HttpTransport::new(&server.base));
    let f0 = ok(http.sign_in("f0", PASSWORD)).token;

    // Series whose first time has passed: refused whole.
    let past = slot.start - Duration::days(30);
    let series = |n: usize| Mutation::BookSeries {
        series_id: format!("series-{n}"),
        resource_id: mentor.clone(),
        occurrences: (0..52)
            .map(|i| Occurrence {
                booking_id: format!("series-{n}-{i}"),
                start: past + Duration::days(i),
                end: past + Duration::days(i) + Duration::hours(1),
            })
            .collect(),
        topic: "t".repeat(500),
        repeat: Repeat { every: Frequency::Daily, days: Vec::new(), count: Some(52), until: None },
        skip_conflicts: false,
    };
    // 180 series of 52 times: within the account's burst of rows.
    for round in 0..2 {
        let mutations =
            (0..90).map(|i| ok(PushedMutation::new(round * 90 + i + 1, &series((round * 90 + i) as usize)))).collect();
        let answer = ok(http.push(&f0, &PushRequest { client_id: "series".into(), mutations }));
        assert!(answer.outcomes.iter().all(|o| !o.applied), "a series in the past was applied");
    }
    let kept = server.count("SELECT count(*) FROM booking WHERE id LIKE 'series-%'", &[]);
    assert_eq!(kept, 180, "one declined row per refused series");

    // Weekly blackouts without an end, which the founder may not add, with cancel_hits: the
    // 180 declined rows are not sent again.
    let declined = || server.text("SELECT sum(version) FROM booking WHERE status = 'declined'", &[]);
    let before = declined();
    let blackouts = (1..=300)
        .map(|i| {
            raw(
                i,
                "add_blackout",
                json!({"blackout": {"id": format!("n2-{i}"), "resource_id": mentor,
                       "when": {"kind": "weekly", "weekday": 2, "start_min": 0, "end_min": 1439, "from": now.date_naive(), "until": null},
                       "reason": "x"}, "cancel_hits": true}),
            )
        })
        .collect();
    let answer = ok(http.push(&f0, &PushRequest { client_id: "blackouts".into(), mutations: blackouts }));
    assert!(answer.outcomes.iter().all(|o| !o.applied && o.code.as_deref() == Some("forbidden")), "{:?}", answer.outcomes[0]);
    assert_eq!(declined(), before, "a refused blackout sent declined bookings again");
}

on_both_backends!(
    refused_pushes_write_no_more_than_their_refusals,
    a_refusal_leaves_nothing_for_others_and_nothing_longer_than_a_key,
    a_replica_behind_the_compacted_deletes_starts_over_and_keeps_its_outbox,
);
