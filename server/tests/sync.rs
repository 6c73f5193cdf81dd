//! Real core clients syncing with the real server over HTTP on a loopback port.

mod common;

use chrono::{Duration, Utc};
use common::{Arg, Backend, Client, TestServer, founders_of, mentor_slot, ok};
use incubook::domain::Slot;
use incubook::store::{NewBooking, SlotSearch, Store};
use incubook::sync::BUSY_PERSON_ID;
use incubook::sync::client::{SyncClient, Transport};
use incubook::sync::{Mutation, PullResponse, PushRequest, PushResponse, PushedMutation};
use incubook::{CoreError, Result};
use incubook_server::db::ServerRole;

fn book(client: &mut Client, resource: &str, slot: &Slot, now: chrono::DateTime<Utc>) -> String {
    let new = NewBooking {
        format: None,
        resource_id: resource.to_string(),
        start: slot.start,
        end: slot.end,
        topic: "融资路演辅导".into(),
    };
    ok(client.store.book(&client.person_id.clone(), &new, now)).id
}

fn view(client: &Client, booking_id: &str) -> incubook::store::BookingView {
    ok(client.store.bookings_of(&client.person_id))
        .into_iter()
        .find(|b| b.booking.id == booking_id)
        .unwrap_or_else(|| panic!("no booking {booking_id}"))
}

/// The server with founders "a" and "b" of PD-0001, both synced once, and a free mentor slot.
fn two_clients(backend: Backend, now: chrono::DateTime<Utc>) -> (TestServer, Client, Client, String, Slot) {
    let server = TestServer::start_on(backend, now);
    two_founders(&server);
    let a = server.client("a", now);
    let b = server.client("b", now);
    let (resource, slot) = mentor_slot(&a.store, now);
    (server, a, b, resource, slot)
}

fn two_founders(server: &TestServer) -> (String, String) {
    let founders = founders_of(&server.seed(), "PD-0001");
    server.account("a", &founders[0], "PD-0001", &[ServerRole::Founder]);
    server.account("b", &founders[1], "PD-0001", &[ServerRole::Founder]);
    (founders[0].clone(), founders[1].clone())
}

fn holding_on_server(server: &TestServer, resource: &str, slot: &Slot) -> i64 {
    server.count(
        "SELECT count(*) FROM booking WHERE resource_id = $1 AND start_at < $3 AND end_at > $2 AND status IN ('requested', 'confirmed') AND deleted = 0",
        &[Arg::T(resource), Arg::I(slot.start.timestamp()), Arg::I(slot.end.timestamp())],
    )
}

fn two_offline_founders_book_one_slot_one_is_confirmed_the_other_rejected_with_its_reason(backend: Backend) {
    let now = common::now();
    let (server, mut a, mut b, resource, slot) = two_clients(backend, now);

    // Both offline: each replica accepts its own booking and marks it waiting.
    let booked_a = book(&mut a, &resource, &slot, now);
    let booked_b = book(&mut b, &resource, &slot, now);
    assert!(view(&a, &booked_a).pending);
    assert!(view(&b, &booked_b).pending);

    a.sync(now);
    let report_b = b.sync(now);
    a.sync(now);
    assert_eq!(report_b.refused, vec!["refused.slot_taken".to_string()]);

    let mine = view(&a, &booked_a);
    assert!(!mine.pending && mine.rejection.is_none());
    assert_eq!(mine.booking.status, incubook::domain::BookingStatus::Confirmed);
    let lost = view(&b, &booked_b);
    assert!(!lost.pending);
    let rejection = lost.rejection.unwrap_or_else(|| panic!("b's booking should be rejected"));
    assert_eq!(rejection.code, "refused.slot_taken");
    assert!(rejection.message_zh.contains("已被预约") || !rejection.message_zh.is_empty());
    assert!(!lost.booking.status.holds_slot());

    // One booking holds the slot on the server; b sees it as busy, without a's name or topic.
    assert_eq!(holding_on_server(&server, &resource, &slot), 1);
    let (booker, topic): (String, String) =
        ok(b.store
            .conn()
            .query_row("SELECT booker_id, topic FROM booking WHERE id = ?1", [&booked_a], |r| Ok((r.get(0)?, r.get(1)?))));
    assert_eq!((booker.as_str(), topic.as_str()), (BUSY_PERSON_ID, ""));
    let busy = ok(b.store.busy(&resource, incubook::interval::Span::new(slot.start.timestamp(), slot.end.timestamp())));
    assert_eq!(busy.len(), 1);
    // a's replica never hears of b's rejected attempt.
    let seen: bool =
        ok(a.store.conn().query_row("SELECT EXISTS(SELECT 1 FROM booking WHERE id = ?1)", [&booked_b], |r| r.get(0)));
    assert!(!seen);
}

/// Forwards pushes to the real server and then loses the answer, as a dropped connection would.
struct LosesPushAnswers<'a>(&'a dyn Transport);

impl Transport for LosesPushAnswers<'_> {
    fn push(&self, token: &str, request: &PushRequest) -> Result<PushResponse> {
        self.0.push(token, request)?;
        Err(CoreError::Offline("the answer was lost".into()))
    }

    fn pull(&self, token: &str, client_id: &str, cursor: i64) -> Result<PullResponse> {
        self.0.pull(token, client_id, cursor)
    }
}

/// Answers every push as the server does an account past its budget (see the hardening
/// tests for the real limit); pulls go to the real server.
struct TellsToWait<'a>(&'a dyn Transport);

impl Transport for TellsToWait<'_> {
    fn push(&self, _token: &str, _request: &PushRequest) -> Result<PushResponse> {
        Err(CoreError::Remote { code: "too_many_requests".into(), message: "too many tries: try again in 3 s".into() })
    }

    fn pull(&self, token: &str, client_id: &str, cursor: i64) -> Result<PullResponse> {
        self.0.pull(token, client_id, cursor)
    }
}

/// A desktop told to slow down keeps its changes for the next round, still receives what
/// others changed, and shows no error.
fn a_desktop_told_to_wait_keeps_its_changes_and_still_pulls(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    two_founders(&server);
    let mut a = server.client("a", now);
    let mut b = server.client("b", now);
    let (resource, slot) = mentor_slot(&b.store, now);
    let booked_by_b = book(&mut b, &resource, &slot, now);
    b.sync(now);
    a.sync(now);
    let (resource_a, slot_a) = mentor_slot(&a.store, now);
    let booked_by_a = book(&mut a, &resource_a, &slot_a, now);
    a.sync(now);
    ok(b.store.cancel(&b.person_id.clone(), &booked_by_b, Some("计划有变"), now));

    let report = ok(b.store.sync_once(&TellsToWait(&b.http), now));
    assert_eq!((report.pushed, report.waiting), (0, 1), "{report:?}");
    let seen: bool =
        ok(b.store.conn().query_row("SELECT EXISTS(SELECT 1 FROM booking WHERE id = ?1)", [&booked_by_a], |r| r.get(0)));
    assert!(seen, "what a booked came down");
    assert!(ok(b.store.sync_status()).is_some_and(|s| s.last_error.is_none()));
    assert_ne!(
        server.text("SELECT status FROM booking WHERE id = $1", &[Arg::T(&booked_by_b)]).as_deref(),
        Some("cancelled"),
        "not sent yet"
    );

    let later = b.sync(now);
    assert_eq!((later.pushed, later.waiting), (1, 0), "{later:?}");
    assert_eq!(server.text("SELECT status FROM booking WHERE id = $1", &[Arg::T(&booked_by_b)]).as_deref(), Some("cancelled"));
}

fn a_push_whose_answer_was_lost_is_applied_once_when_retried(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    two_founders(&server);
    let mut a = server.client("a", now);
    let (resource, slot) = mentor_slot(&a.store, now);
    let booked = book(&mut a, &resource, &slot, now);
    ok(a.store.cancel(&a.person_id.clone(), &booked, Some("计划有变"), now));
    assert_eq!(ok(a.store.outbox(10)).len(), 2);

    let lossy = LosesPushAnswers(&a.http);
    let failed = a.store.sync_once(&lossy, now);
    assert_eq!(failed.err().map(|e| e.code()), Some("sync.offline".to_string()));
    assert_eq!(ok(a.store.outbox(10)).len(), 2, "nothing is dropped before the server is heard");
    assert!(ok(a.store.sync_status()).and_then(|s| s.last_error).is_some_and(|e| e.contains("sync.offline")));

    let report = a.sync(now);
    assert_eq!(report.waiting, 0);
    assert!(report.refused.is_empty());
    let applied = server
        .count("SELECT count(*) FROM audit_log WHERE entity_id = $1 AND action IN ('book', 'cancelled')", &[Arg::T(&booked)]);
    assert_eq!(applied, 2, "one book and one cancel, each once");
    assert_eq!(view(&a, &booked).booking.status, incubook::domain::BookingStatus::Cancelled);
    assert_eq!(holding_on_server(&server, &resource, &slot), 0);
}

fn changes_made_offline_survive_a_restart_and_sync_later(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    two_founders(&server);
    let mut a = server.client("a", now);
    let (resource, slot) = mentor_slot(&a.store, now);
    let booked = book(&mut a, &resource, &slot, now);
    // The server is unreachable: a closed port.
    let nowhere = ok(incubook::sync::http::HttpTransport::new("http://127.0.0.1:9"));
    assert_eq!(a.store.sync_once(&nowhere, now).err().map(|e| e.code()), Some("sync.offline".to_string()));

    let path = a.path.clone();
    drop(std::mem::replace(&mut a.store, ok(Store::open_in_memory())));
    a.store = ok(Store::open(&path));
    assert!(view(&a, &booked).pending, "still waiting after the restart");
    a.sync(now);
    let after = view(&a, &booked);
    assert!(!after.pending && after.rejection.is_none());
    assert_eq!(holding_on_server(&server, &resource, &slot), 1);
}

fn forbidden_and_malformed_mutations_are_consumed_once_and_answered_the_same_when_retried(backend: Backend) {
    let now = common::now();
    let (server, mut a, mut b, resource, slot) = two_clients(backend, now);
    let booked = book(&mut a, &resource, &slot, now);
    a.sync(now);
    b.sync(now);

    // b's client sends a cancel of a's booking, whatever its own store would say.
    let token = b.token();
    let client_id = b.client_id();
    let cancel = ok(PushedMutation::new(1, &Mutation::Cancel { booking_id: booked.clone(), reason: None }));
    let pushed = ok(b.http.push(&token, &PushRequest { client_id: client_id.clone(), mutations: vec![cancel.clone()] }));
    assert_eq!(pushed.last_mutation_id, 1);
    assert_eq!(pushed.outcomes[0].code.as_deref(), Some("forbidden"));
    // Sent again, it is not applied again: the same outcome comes back.
    let again = ok(b.http.push(&token, &PushRequest { client_id, mutations: vec![cancel] }));
    assert_eq!(again.outcomes, pushed.outcomes);
    assert_eq!(holding_on_server(&server, &resource, &slot), 1);

    // An unknown mutation and wrong arguments are consumed too, so they cannot block the queue.
    let client_id = b.client_id();
    let junk = vec![
        PushedMutation { id: 2, name: "launch_rocket".into(), args: serde_json::json!({}) },
        PushedMutation { id: 3, name: "book".into(), args: serde_json::json!({"booking_id": 5}) },
    ];
    let pushed = ok(b.http.push(&token, &PushRequest { client_id, mutations: junk }));
    assert_eq!(pushed.last_mutation_id, 3);
    assert!(pushed.outcomes.iter().all(|o| o.code.as_deref() == Some("invalid.mutation")));
}

fn another_users_client_id_is_refused(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    two_founders(&server);
    let a = server.client("a", now);
    let b = server.client("b", now);
    let a_client = a.client_id();
    let b_token = b.token();
    // a's client id has pushed nothing yet: claim it by syncing a once with a change.
    let mut a = a;
    let (resource, slot) = mentor_slot(&a.store, now);
    book(&mut a, &resource, &slot, now);
    a.sync(now);
    let stolen = b.http.pull(&b_token, &a_client, 0);
    assert_eq!(stolen.err().map(|e| e.code()), Some("forbidden".to_string()));
}

fn a_reschedule_the_server_refuses_puts_the_booking_back_where_the_server_has_it(backend: Backend) {
    let now = common::now();
    let (_server, mut a, mut b, resource, slot) = two_clients(backend, now);
    let booked = book(&mut a, &resource, &slot, now);
    a.sync(now);
    b.sync(now);
    // b takes a later slot; a, offline, moves the booking onto it.
    let today = now.date_naive();
    let search = SlotSearch { from: today, to: today + Duration::days(14), minutes: None };
    let later = ok(b.store.slots(&resource, &search, now))
        .into_iter()
        .find(|s| s.start > slot.end + Duration::hours(3))
        .unwrap_or_else(|| panic!("no later slot"));
    book(&mut b, &resource, &later, now);
    ok(a.store.reschedule(&a.person_id.clone(), &booked, later.start, later.end, now));
    assert_eq!(view(&a, &booked).booking.start, later.start);
    b.sync(now);
    let report = a.sync(now);
    assert_eq!(report.refused, vec!["refused.slot_taken".to_string()]);
    let back = view(&a, &booked);
    assert_eq!((back.booking.start, back.booking.end), (slot.start, slot.end), "the server's time wins");
    assert!(!back.pending);
}

fn a_mentors_new_weekly_hours_reach_founders_and_a_founder_cannot_push_them(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    two_founders(&server);
    let mut a = server.client("a", now);
    let (resource, _) = mentor_slot(&a.store, now);
    let mentor_person: String =
        ok(server.seed().conn().query_row("SELECT person_id FROM mentor WHERE resource_id = ?1", [&resource], |r| r.get(0)));
    server.account("m", &mentor_person, "PD-0001", &[ServerRole::Mentor]);
    let mut m = server.client("m", now);

    // Offline, the mentor opens Saturday mornings only.
    let hours = vec![incubook::domain::WeeklyHours { weekday: 5, start_min: 9 * 60, end_min: 12 * 60 }];
    ok(m.store.set_weekly_hours(&mentor_person, &resource, &hours, now));
    assert_eq!(ok(m.store.sync_status()).map(|s| s.waiting), Some(1));
    m.sync(now);
    a.sync(now);
    assert_eq!(ok(a.store.resource_rules(&resource)).weekly, hours);

    // A founder's client pushing the same change for that mentor is refused and changes nothing.
    let token = a.token();
    let client_id = a.client_id();
    let open_all_week = Mutation::SetWeeklyHours { resource_id: resource.clone(), hours: vec![] };
    let answer = ok(a.http.push(&token, &PushRequest { client_id, mutations: vec![ok(PushedMutation::new(1, &open_all_week))] }));
    assert_eq!(answer.outcomes[0].code.as_deref(), Some("forbidden"));
    let on_server = server.text("SELECT weekly_hours FROM resource WHERE id = $1", &[Arg::T(&resource)]);
    assert_eq!(on_server.as_deref().map(incubook::store::decode_weekly), Some(hours.clone()));
}

fn a_mentors_day_off_reaches_founders_and_one_the_server_refuses_is_dropped(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    two_founders(&server);
    let mut a = server.client("a", now);
    let (resource, slot) = mentor_slot(&a.store, now);
    let mentor_person: String =
        ok(server.seed().conn().query_row("SELECT person_id FROM mentor WHERE resource_id = ?1", [&resource], |r| r.get(0)));
    server.account("m", &mentor_person, "PD-0001", &[ServerRole::Mentor]);
    let mut m = server.client("m", now);
    let day = slot.start.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let search = SlotSearch { from: day, to: day, minutes: None };
    assert!(!ok(a.store.slots(&resource, &search, now)).is_empty(), "the mentor is free that day");

    // Offline, the mentor takes the day off; after both sync, the founder sees no slot that day.
    let off =
        incubook::domain::DateOverride { date: day, kind: incubook::domain::OverrideKind::Off, start_min: 0, end_min: 1440 };
    let id = ok(m.store.add_date_override(&mentor_person, &resource, &off, "出差", now));
    m.sync(now);
    a.sync(now);
    assert!(ok(a.store.slots(&resource, &search, now)).is_empty(), "the day off reached the founder");
    assert_eq!(server.count("SELECT count(*) FROM date_override WHERE id = $1", &[Arg::T(&id)]), 1);

    // The mentor takes it back; the founder can book that day again.
    ok(m.store.remove_date_override(&mentor_person, &id, now));
    m.sync(now);
    a.sync(now);
    assert!(!ok(a.store.slots(&resource, &search, now)).is_empty(), "the removal reached the founder");

    // A client that made an override the server refuses (here: a founder's replica written by
    // hand, as an old or broken client would) loses the row at its next sync.
    let phantom = "phantom-override";
    ok(a.store.conn().execute(
        "INSERT INTO date_override(id, resource_id, date, kind, start_min, end_min, note) VALUES (?1, ?2, ?3, 'off', 0, 1440, '')",
        rusqlite::params![phantom, resource, day.to_string()],
    ));
    let mutation = Mutation::AddDateOverride {
        override_id: phantom.into(),
        resource_id: resource.clone(),
        date_override: off,
        note: String::new(),
    };
    ok(a.store.conn().execute(
        "INSERT INTO outbox(name, args, entity_id, created_at, client_id, person_id)
         SELECT ?1, ?2, ?3, 0, client_id, person_id FROM sync_state",
        rusqlite::params!["add_date_override", ok(serde_json::to_string(&ok(PushedMutation::new(0, &mutation)).args)), phantom],
    ));
    let report = a.sync(now);
    assert_eq!(report.refused, vec!["forbidden".to_string()]);
    let left: i64 = ok(a.store.conn().query_row("SELECT count(*) FROM date_override WHERE id = ?1", [phantom], |r| r.get(0)));
    assert_eq!(left, 0, "the refused override is gone from the client");
    assert_eq!(server.count("SELECT count(*) FROM date_override WHERE id = $1", &[Arg::T(phantom)]), 0);
}

/// Two free slots of a mentor, a day apart or more.
fn two_slots(client: &Client, resource: &str, now: chrono::DateTime<Utc>) -> (Slot, Slot) {
    let today = now.date_naive();
    let search = SlotSearch { from: today, to: today + Duration::days(21), minutes: None };
    let slots: Vec<Slot> =
        ok(client.store.slots(resource, &search, now)).into_iter().filter(|s| s.start > now + Duration::days(1)).collect();
    let first = slots.first().cloned().unwrap_or_else(|| panic!("no free slot"));
    let second =
        slots.iter().find(|s| s.start >= first.end + Duration::days(1)).cloned().unwrap_or_else(|| panic!("no second slot"));
    (first, second)
}

fn booker_on_server(server: &TestServer, booking: &str) -> Option<String> {
    (server.count("SELECT count(*) FROM booking WHERE id = $1", &[Arg::T(booking)]) == 1)
        .then(|| server.text("SELECT booker_id FROM booking WHERE id = $1", &[Arg::T(booking)]).unwrap_or_default())
}

/// a books offline and signs out; b signs in on the same desktop: a's booking is held, not
/// sent as b's, and goes out as a's when a signs in again.
fn a_second_account_on_one_desktop_never_sends_the_first_ones_changes(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let (a_person, b_person) = two_founders(&server);
    let mut desk = server.client("a", now);
    let (resource, slot) = mentor_slot(&desk.store, now);
    let held = book(&mut desk, &resource, &slot, now);
    ok(desk.store.sign_out_sync());

    let b = ok(desk.http.sign_in("b", common::PASSWORD));
    ok(desk.store.connect_sync(&server.base, "b", &b.user.person_id, &b.token));
    let report = desk.sync(now);
    assert_eq!(report.pushed, 0, "{report:?}");
    assert_eq!(booker_on_server(&server, &held), None, "a's booking did not go out as b's");
    let status = ok(desk.store.sync_status()).unwrap_or_else(|| panic!("connected"));
    assert_eq!((status.waiting, status.held), (0, 1));
    assert_eq!(b.user.person_id, b_person);

    let a = ok(desk.http.sign_in("a", common::PASSWORD));
    ok(desk.store.connect_sync(&server.base, "a", &a.user.person_id, &a.token));
    let report = desk.sync(now);
    assert_eq!((report.pushed, report.refused.len()), (1, 0), "{report:?}");
    assert_eq!(booker_on_server(&server, &held), Some(a_person));
    let status = ok(desk.store.sync_status()).unwrap_or_else(|| panic!("connected"));
    assert_eq!((status.waiting, status.held), (0, 0));
}

/// A desktop restored from a backup makes changes under ids the server already took: they
/// reach the server all the same.
fn a_desktop_restored_from_a_backup_loses_nothing_it_does_next(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    two_founders(&server);
    let mut desk = server.client("a", now);
    let (resource, _) = mentor_slot(&desk.store, now);
    let (first, second) = two_slots(&desk, &resource, now);
    let backup = desk._dir.path().join("backup.db");
    ok(desk.store.conn().execute("VACUUM INTO ?1", [backup.display().to_string()]));

    let before = book(&mut desk, &resource, &first, now);
    desk.sync(now);
    assert!(booker_on_server(&server, &before).is_some());

    // Restored: the backup's file in place of the database.
    let path = desk.path.clone();
    desk.store = ok(Store::open(&backup));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    ok(std::fs::copy(&backup, &path));
    desk.store = ok(Store::open(&path));
    let after = book(&mut desk, &resource, &second, now);
    let report = desk.sync(now);
    assert_eq!(report.waiting, 0, "{report:?}");
    assert!(booker_on_server(&server, &after).is_some(), "the booking made after the restore reached the server");
    assert!(!view(&desk, &after).pending);
}

on_both_backends!(
    a_desktop_told_to_wait_keeps_its_changes_and_still_pulls,
    a_second_account_on_one_desktop_never_sends_the_first_ones_changes,
    a_desktop_restored_from_a_backup_loses_nothing_it_does_next,
    two_offline_founders_book_one_slot_one_is_confirmed_the_other_rejected_with_its_reason,
    a_push_whose_answer_was_lost_is_applied_once_when_retried,
    changes_made_offline_survive_a_restart_and_sync_later,
    forbidden_and_malformed_mutations_are_consumed_once_and_answered_the_same_when_retried,
    another_users_client_id_is_refused,
    a_reschedule_the_server_refuses_puts_the_booking_back_where_the_server_has_it,
    a_mentors_new_weekly_hours_reach_founders_and_a_founder_cannot_push_them,
    a_mentors_day_off_reaches_founders_and_one_the_server_refuses_is_dropped,
);
