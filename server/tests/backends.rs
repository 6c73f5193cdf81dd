//! What each storage backend must guarantee by itself: small pull pages add up to the same
//! rows as big ones; many clients racing for one slot leave exactly one booking, and racing
//! for a capped day no more than the cap; a push's bookings count against each other; the
//! rules see every booking that can touch a request; and on PostgreSQL the database itself
//! refuses overlapping bookings of a capacity-1 resource, and a booking sees a calendar
//! change it waited for.

mod common;

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use common::{Arg, Backend, TestServer, founders_of, mentor_slot, ok};
use incubook::domain::Slot;
use incubook::store::SlotSearch;
use incubook::sync::client::Transport;
use incubook::sync::http::HttpTransport;
use incubook::sync::{Change, Mutation, MutationOutcome, PushRequest, PushedMutation};
use incubook_server::db::ServerRole;

/// Every page from cursor 0, applied in order: the last state of each row, by table and key.
fn replay(server: &TestServer, person: &str, limit: u32) -> (BTreeMap<String, String>, usize) {
    let (mut cursor, mut pages, mut rows) = (0, 0, BTreeMap::new());
    loop {
        let page = ok(server.db.pull(person, None, cursor, limit));
        pages += 1;
        // On SQLite every row has its own version, so a page never holds more than asked; on
        // PostgreSQL a page may hold a whole transaction's rows.
        if server.backend == Backend::Sqlite {
            assert!(page.changes.len() <= limit as usize, "a page of {} changes for a limit of {limit}", page.changes.len());
        }
        for change in &page.changes {
            let (key, value) = match change {
                Change::Put { table, row, .. } => {
                    let t = incubook::sync::table(table).unwrap_or_else(|| panic!("unknown table {table}"));
                    let key: Vec<String> = t.key.iter().map(|k| row[*k].to_string()).collect();
                    let mut row = row.clone();
                    row.remove("version");
                    (format!("{table} {}", key.join(" ")), serde_json::Value::Object(row).to_string())
                }
                Change::Delete { table, key, .. } => {
                    let t = incubook::sync::table(table).unwrap_or_else(|| panic!("unknown table {table}"));
                    let key: Vec<String> = t.key.iter().map(|k| key[*k].to_string()).collect();
                    (format!("{table} {}", key.join(" ")), "deleted".to_string())
                }
            };
            rows.insert(key, value);
        }
        assert!(page.cursor >= cursor, "the cursor went back");
        if !page.more {
            return (rows, pages);
        }
        assert!(page.cursor > cursor, "a page said more but moved nowhere");
        cursor = page.cursor;
    }
}

fn small_pull_pages_add_up_to_the_same_rows_as_big_ones(backend: Backend) {
    let server = TestServer::start_on(backend, common::now());
    let founder = founders_of(&server.seed(), "PD-0001")[0].clone();
    let (big, big_pages) = replay(&server, &founder, 5_000);
    let (small, small_pages) = replay(&server, &founder, 7);
    assert!(big.len() > 200, "only {} rows", big.len());
    assert!(small_pages > big_pages, "{small_pages} small pages, {big_pages} big ones");
    assert_eq!(small, big);
}

/// A booking of `slot` on `resource`, without a topic.
fn book(id: impl Into<String>, resource: &str, slot: Slot) -> Mutation {
    Mutation::Book {
        booking_id: id.into(),
        resource_id: resource.to_string(),
        start: slot.start,
        end: slot.end,
        topic: String::new(),
        format: None,
    }
}

/// A push of `mutations` from `client_id`, numbered from 1.
fn push_of(client_id: &str, mutations: &[Mutation]) -> PushRequest {
    let mutations = mutations.iter().enumerate().map(|(i, m)| ok(PushedMutation::new(i as i64 + 1, m))).collect();
    PushRequest { client_id: client_id.into(), mutations }
}

/// Signs `racers` founders of PD-0001 in as `f0`, `f1`…; each pushes the booking of
/// `slot_of(i)` at the same moment, and the outcomes come back in racer order.
fn race(server: &TestServer, racers: usize, resource: &str, slot_of: impl Fn(usize) -> Slot) -> Vec<MutationOutcome> {
    let founders = founders_of(&server.seed(), "PD-0001");
    assert!(founders.len() >= racers, "only {} founders", founders.len());
    for (i, person) in founders.iter().take(racers).enumerate() {
        server.account(&format!("f{i}"), person, "PD-0001", &[ServerRole::Founder]);
    }
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(racers));
    let threads: Vec<_> = (0..racers)
        .map(|i| {
            let (base, resource, barrier, slot) = (server.base.clone(), resource.to_string(), barrier.clone(), slot_of(i));
            std::thread::spawn(move || {
                let http = ok(HttpTransport::new(&base));
                let token = ok(http.sign_in(&format!("f{i}"), common::PASSWORD)).token;
                let request = push_of(&format!("racer-{i}"), &[book(uuid::Uuid::now_v7().to_string(), &resource, slot)]);
                barrier.wait();
                ok(http.push(&token, &request)).outcomes[0].clone()
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap_or_else(|_| panic!("a racer panicked"))).collect()
}

fn many_clients_racing_for_one_slot_leave_exactly_one_booking(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let racers = founders_of(&server.seed(), "PD-0001").len().min(12);
    assert!(racers >= 4, "only {racers} founders");
    let (resource, slot) = mentor_slot(&server.seed(), now);
    let outcomes = race(&server, racers, &resource, |_| slot);
    let won = outcomes.iter().filter(|o| o.applied).count();
    assert_eq!(won, 1, "{outcomes:?}");
    assert!(outcomes.iter().filter(|o| !o.applied).all(|o| o.code.as_deref() == Some("refused.slot_taken")), "{outcomes:?}");
    let holding = server.count(
        "SELECT count(*) FROM booking WHERE resource_id = $1 AND start_at = $2 AND status IN ('requested', 'confirmed')",
        &[Arg::T(&resource), Arg::I(slot.start.timestamp())],
    );
    assert_eq!(holding, 1);
    let rejected = server.count(
        "SELECT count(*) FROM booking WHERE resource_id = $1 AND start_at = $2 AND rejection IS NOT NULL",
        &[Arg::T(&resource), Arg::I(slot.start.timestamp())],
    );
    assert_eq!(rejected as usize, racers - 1, "each loser's booking is kept as rejected");
}

/// A mentor of PD-0001 with a clean calendar — a cap of two bookings a day, no buffers, no
/// bookings — and six free hours of one day that do not overlap.
fn capped_mentor_day(server: &TestServer, now: chrono::DateTime<Utc>) -> (String, Vec<Slot>) {
    let (resource, _) = mentor_slot(&server.seed(), now);
    server.execute(
        "UPDATE resource SET max_per_day = 2, max_per_week = NULL, buffer_before_min = 0, buffer_after_min = 0 WHERE id = $1",
        &[Arg::T(&resource)],
    );
    server.execute("UPDATE booking SET status = 'cancelled' WHERE resource_id = $1", &[Arg::T(&resource)]);
    let today = now.date_naive();
    let search = SlotSearch { from: today + Duration::days(2), to: today + Duration::days(14), minutes: Some(60) };
    let slots = ok(server.seed().slots(&resource, &search, now));
    let mut by_day: BTreeMap<chrono::NaiveDate, Vec<Slot>> = BTreeMap::new();
    for slot in slots {
        let day = by_day.entry(slot.start.with_timezone(&chrono_tz::Asia::Shanghai).date_naive()).or_default();
        if day.last().is_none_or(|last| last.end <= slot.start) {
            day.push(slot);
        }
    }
    let hours = by_day.into_values().find(|hours| hours.len() >= 6).unwrap_or_else(|| panic!("no day with six free hours"));
    (resource, hours)
}

fn holding_between(server: &TestServer, resource: &str, hours: &[Slot]) -> i64 {
    let (Some(first), Some(last)) = (hours.first(), hours.last()) else { return 0 };
    server.count(
        "SELECT count(*) FROM booking WHERE resource_id = $1 AND start_at >= $2 AND end_at <= $3 AND status IN ('requested', 'confirmed')",
        &[Arg::T(resource), Arg::I(first.start.timestamp()), Arg::I(last.end.timestamp())],
    )
}

/// No database constraint knows a mentor's daily cap: racers each asking for a different free
/// hour of one day must still leave exactly as many bookings as the cap allows.
fn racing_for_different_hours_of_one_day_keeps_the_mentors_daily_cap(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let (resource, hours) = capped_mentor_day(&server, now);
    let outcomes = race(&server, 6, &resource, |i| hours[i]);
    let won = outcomes.iter().filter(|o| o.applied).count();
    assert_eq!(won, 2, "{outcomes:?}");
    assert!(
        outcomes.iter().filter(|o| !o.applied).all(|o| o.code.as_deref() == Some("refused.daily_cap_reached")),
        "{outcomes:?}"
    );
    assert_eq!(holding_between(&server, &resource, &hours[..6]), 2);
}

/// A desktop back from offline pushes its outbox at once: its own earlier bookings count
/// against the cap for its later ones, in the order it made them.
fn bookings_of_one_push_count_against_the_cap_in_order(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let (resource, hours) = capped_mentor_day(&server, now);
    let founder = founders_of(&server.seed(), "PD-0001").into_iter().next().unwrap_or_else(|| panic!("no founder"));
    server.account("f0", &founder, "PD-0001", &[ServerRole::Founder]);
    let http = ok(HttpTransport::new(&server.base));
    let token = ok(http.sign_in("f0", common::PASSWORD)).token;
    let outbox: Vec<Mutation> = (0..4).map(|i| book(format!("outbox-{i}"), &resource, hours[i])).collect();
    let answer = ok(http.push(&token, &push_of("back-online", &outbox)));
    assert_eq!(answer.last_mutation_id, 4);
    let applied: Vec<bool> = answer.outcomes.iter().map(|o| o.applied).collect();
    assert_eq!(applied, [true, true, false, false], "{answer:?}");
    assert!(answer.outcomes[2..].iter().all(|o| o.code.as_deref() == Some("refused.daily_cap_reached")), "{answer:?}");
    assert_eq!(holding_between(&server, &resource, &hours[..4]), 2);
    let declined = server.count("SELECT count(*) FROM booking WHERE id IN ('outbox-2', 'outbox-3') AND status = 'declined'", &[]);
    assert_eq!(declined, 2, "each refused booking is kept as declined with its reason");
}

/// The rules see every booking that can touch a request: one that started days before it,
/// and one that ends before it but whose buffer reaches into it (here on a resource of
/// capacity 2 without caps, so that the rules, not a constraint, must find them).
fn bookings_that_started_long_before_or_buffer_into_a_request_are_seen(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let (resource, slot) = mentor_slot(&server.seed(), now);
    let founder = founders_of(&server.seed(), "PD-0001").into_iter().next().unwrap_or_else(|| panic!("no founder"));
    server.account("f0", &founder, "PD-0001", &[ServerRole::Founder]);
    server.execute(
        "UPDATE resource SET capacity = 2, max_per_day = NULL, max_per_week = NULL, buffer_before_min = 0, buffer_after_min = 30
         WHERE id = $1",
        &[Arg::T(&resource)],
    );
    server.execute("UPDATE booking SET status = 'cancelled' WHERE resource_id = $1", &[Arg::T(&resource)]);
    let hold = |id: &str, start: i64, end: i64| {
        server.execute(
            "INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'confirmed', 0, 0)",
            &[Arg::T(id), Arg::T(&resource), Arg::T(&founder), Arg::I(start), Arg::I(end)],
        );
    };
    let http = ok(HttpTransport::new(&server.base));
    let token = ok(http.sign_in("f0", common::PASSWORD)).token;
    let mut next_id = 0;
    let mut push = |http: &HttpTransport| {
        next_id += 1;
        let asked = book(format!("asked-{next_id}"), &resource, slot);
        let request = PushRequest { client_id: "one".into(), mutations: vec![ok(PushedMutation::new(next_id, &asked))] };
        ok(http.push(&token, &request)).outcomes[0].clone()
    };
    let start = slot.start.timestamp();

    // Two bookings of six days that end inside the request.
    hold("long-1", start - 6 * 86_400, start + 1_800);
    hold("long-2", start - 6 * 86_400 + 3_600, start + 1_800);
    let outcome = push(&http);
    assert_eq!(outcome.code.as_deref(), Some("refused.slot_taken"), "{outcome:?}");

    // Two bookings that end ten minutes before it, with thirty minutes of buffer after each.
    server.execute("UPDATE booking SET status = 'cancelled' WHERE id IN ('long-1', 'long-2')", &[]);
    hold("near-1", start - 4_200, start - 600);
    hold("near-2", start - 3_600, start - 600);
    let outcome = push(&http);
    assert_eq!(outcome.code.as_deref(), Some("refused.slot_taken"), "{outcome:?}");

    // Without the buffer the same time is free.
    server.execute("UPDATE resource SET buffer_after_min = 0 WHERE id = $1", &[Arg::T(&resource)]);
    let outcome = push(&http);
    assert!(outcome.applied, "{outcome:?}");
}

on_both_backends!(
    small_pull_pages_add_up_to_the_same_rows_as_big_ones,
    many_clients_racing_for_one_slot_leave_exactly_one_booking,
    racing_for_different_hours_of_one_day_keeps_the_mentors_daily_cap,
    bookings_of_one_push_count_against_the_cap_in_order,
    bookings_that_started_long_before_or_buffer_into_a_request_are_seen
);

/// Overlapping holding bookings of a capacity-1 resource are refused by PostgreSQL itself,
/// whatever code writes them; capacity above 1, and bookings that hold nothing, are left to
/// the rules.
#[test]
fn postgres_refuses_overlapping_bookings_of_a_capacity_one_resource_by_constraint() {
    let now = common::now();
    let server = TestServer::start_on(Backend::Postgres, now);
    let url = server.postgres_url().unwrap_or_else(|| panic!("not on PostgreSQL"));
    let mut db = ok(postgres::Client::connect(&url, postgres::NoTls));
    let person: String = ok(db.query_one("SELECT id FROM person WHERE deleted = 0 ORDER BY id LIMIT 1", &[])).get(0);
    let single: String = ok(db.query_one("SELECT id FROM resource WHERE capacity = 1 ORDER BY id LIMIT 1", &[])).get(0);
    let start = now.timestamp() + 30 * 86_400;
    let insert = "INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, created_at, updated_at)
                  VALUES ($1, $2, $3, $4, $5, $6, 0, 0)";
    let row = |id: &str, resource: &str, from: i64, to: i64, status: &str| {
        (id.to_string(), resource.to_string(), person.clone(), from, to, status.to_string())
    };
    let mut write = |r: (String, String, String, i64, i64, String)| db.execute(insert, &[&r.0, &r.1, &r.2, &r.3, &r.4, &r.5]);
    ok(write(row("x1", &single, start, start + 3600, "confirmed")));
    let overlap = write(row("x2", &single, start + 1800, start + 5400, "requested"));
    let code = overlap.err().and_then(|e| e.code().cloned());
    assert_eq!(code, Some(postgres::error::SqlState::EXCLUSION_VIOLATION));
    ok(write(row("x3", &single, start + 3600, start + 7200, "confirmed")));
    ok(write(row("x4", &single, start, start + 3600, "cancelled")));
    let shared = server.text("SELECT id FROM resource WHERE capacity > 1 ORDER BY id LIMIT 1", &[]);
    if let Some(shared) = shared {
        ok(write(row("y1", &shared, start, start + 3600, "confirmed")));
        ok(write(row("y2", &shared, start, start + 3600, "confirmed")));
    }
    // Cancelling the first frees its time for another holding booking.
    ok(db.execute("UPDATE booking SET status = 'cancelled' WHERE id = 'x1'", &[]));
    ok(db.execute(insert, &[&"x5", &single, &person, &(start + 1800), &(start + 3600), &"confirmed"]));
}

/// A PostgreSQL server with founder `f0` of PD-0001 signed up, a free mentor slot, and a
/// connection to the server's database for writing behind its back.
fn postgres_with_founder_f0() -> (TestServer, String, (String, Slot), postgres::Client) {
    let now = common::now();
    let server = TestServer::start_on(Backend::Postgres, now);
    let seed = server.seed();
    let founder = founders_of(&seed, "PD-0001").into_iter().next().unwrap_or_else(|| panic!("no founder"));
    server.account("f0", &founder, "PD-0001", &[ServerRole::Founder]);
    let slot = mentor_slot(&seed, now);
    let url = server.postgres_url().unwrap_or_else(|| panic!("not on PostgreSQL"));
    let db = ok(postgres::Client::connect(&url, postgres::NoTls));
    (server, founder, slot, db)
}

/// A booking that passes the checks but that the database itself refuses when it is written
/// (here a week-long booking written behind the server's back, longer than the checks look
/// back) is consumed like any refusal: slot taken, kept declined with the reason, and a
/// retried push gets the same answer without writing again.
#[test]
fn postgres_consumes_a_booking_its_constraint_refuses() {
    let (server, founder, (resource, slot), mut db) = postgres_with_founder_f0();
    let (from, to) = (slot.start.timestamp() - 8 * 86_400, slot.end.timestamp() + 3_600);
    // The sample's own sessions of this mentor in those eight days make way (behind the
    // server's back too), else the database would refuse the test's row rather than the push.
    ok(db.execute(
        "UPDATE booking SET status = 'cancelled' WHERE resource_id = $1 AND start_at < $3 AND end_at > $2
           AND status IN ('requested', 'confirmed')",
        &[&resource, &from, &to],
    ));
    ok(db.execute(
        "INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, created_at, updated_at)
         VALUES ('behind-the-back', $1, $2, $3, $4, 'confirmed', 0, 0)",
        &[&resource, &founder, &from, &to],
    ));
    let http = ok(HttpTransport::new(&server.base));
    let token = ok(http.sign_in("f0", common::PASSWORD)).token;
    let request = push_of("one", &[book("asked-for", &resource, slot)]);
    for _ in 0..2 {
        let answer = ok(http.push(&token, &request));
        assert_eq!(answer.last_mutation_id, 1);
        assert!(!answer.outcomes[0].applied);
        assert_eq!(answer.outcomes[0].code.as_deref(), Some("refused.slot_taken"), "{answer:?}");
    }
    let kept = server.text("SELECT status || ' ' || (rejection IS NOT NULL) FROM booking WHERE id = 'asked-for'", &[]);
    assert_eq!(kept.as_deref(), Some("declined true"));
    assert_eq!(server.count("SELECT count(*) FROM sync_failure WHERE client_id = 'one'", &[]), 1);
}

/// On PostgreSQL a change to a calendar (here a blackout over the slot, as a lab manager's
/// would) that commits while a booking waits for that calendar must be seen by the booking.
/// A push of new bookings is decided in a batch that locks the calendars before it reads
/// them; any other push books optimistically — it reads without a lock and writes only if
/// the calendar's counter has not moved, else decides again. `before` is what the push sends
/// ahead of the booking.
fn postgres_a_booking_sees_a_calendar_change_it_waited_for(before: Option<Mutation>) {
    let (server, founder, (resource, slot), mut db) = postgres_with_founder_f0();
    let mut change = ok(db.transaction());
    ok(change.execute(
        "INSERT INTO resource_calendar(resource_id, seq) VALUES ($1, 1)
         ON CONFLICT (resource_id) DO UPDATE SET seq = resource_calendar.seq + 1",
        &[&resource],
    ));
    ok(change.execute(
        "INSERT INTO blackout(id, resource_id, kind, start_at, end_at, reason, created_by, created_at)
         VALUES ('in-flight', $1, 'once', $2, $3, '设备检修', $4, 0)",
        &[&resource, &(slot.start.timestamp() - 3_600), &(slot.end.timestamp() + 3_600), &founder],
    ));

    let base = server.base.clone();
    let booking = book(uuid::Uuid::now_v7().to_string(), &resource, slot);
    let request = push_of("one", &before.into_iter().chain([booking]).collect::<Vec<_>>());
    let pusher = std::thread::spawn(move || {
        let http = ok(HttpTransport::new(&base));
        let token = ok(http.sign_in("f0", common::PASSWORD)).token;
        ok(http.push(&token, &request)).outcomes.last().cloned()
    });
    // The booking waits for the calendar's lock: the batch before it reads, the optimistic
    // way once it has read the calendar without the blackout.
    let url = server.postgres_url().unwrap_or_else(|| panic!("not on PostgreSQL"));
    let mut watcher = ok(postgres::Client::connect(&url, postgres::NoTls));
    let waiting = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
    let since = std::time::Instant::now();
    while ok(watcher.query_one(waiting, &[])).get::<_, i64>(0) == 0 {
        assert!(since.elapsed() < std::time::Duration::from_secs(30), "the booking never waited for the calendar");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    ok(change.commit());
    let outcome = pusher.join().unwrap_or_else(|_| panic!("the pusher panicked"));
    let outcome = outcome.unwrap_or_else(|| panic!("no outcome"));
    assert!(!outcome.applied, "{outcome:?}");
    assert_eq!(outcome.code.as_deref(), Some("refused.blackout"), "{outcome:?}");
    let holding = server.count(
        "SELECT count(*) FROM booking WHERE resource_id = $1 AND start_at = $2 AND status IN ('requested', 'confirmed')",
        &[Arg::T(&resource), Arg::I(slot.start.timestamp())],
    );
    assert_eq!(holding, 0);
}

#[test]
fn postgres_a_batch_of_bookings_sees_a_calendar_change_it_waited_for() {
    postgres_a_booking_sees_a_calendar_change_it_waited_for(None);
}

#[test]
fn postgres_an_optimistic_booking_read_before_a_calendar_change_is_decided_again() {
    // A cancellation of a booking the server never had: refused, and the push is not new
    // bookings only, so its booking goes the optimistic way.
    let unknown = Mutation::Cancel { booking_id: "never-made".into(), reason: None };
    postgres_a_booking_sees_a_calendar_change_it_waited_for(Some(unknown));
}

/// The server hands out pooled connections without a test query first. When PostgreSQL drops
/// them (a restart, an operator's `pg_terminate_backend`), a request on a dropped one may fail
/// with 503, but a client that tries again gets through, and its booking is applied once.
#[test]
fn postgres_connections_the_database_dropped_are_replaced() {
    let (server, _, (resource, slot), mut db) = postgres_with_founder_f0();
    let http = ok(HttpTransport::new(&server.base));
    let token = ok(http.sign_in("f0", common::PASSWORD)).token;
    // Connections in use, for pushes and for sign-ins alike.
    let warm = push_of("warm", &[book("warm-up", &resource, slot)]);
    ok(http.push(&token, &warm));
    server.execute("UPDATE booking SET status = 'cancelled' WHERE id = 'warm-up'", &[]);
    let dropped: i64 = ok(db.query_one(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        &[],
    ))
    .get(0);
    assert!(dropped > 0, "the server held no connection");

    let request = push_of("after", &[book("after-drop", &resource, slot)]);
    let answer = until_through(|| http.push(&token, &request));
    assert!(answer.outcomes[0].applied, "{answer:?}");
    assert_eq!(server.count("SELECT count(*) FROM booking WHERE id = 'after-drop'", &[]), 1);
    let session = until_through(|| http.sign_in("f0", common::PASSWORD));
    assert!(!session.token.is_empty());
}

/// Tries until a request gets through (the server's pool holds at most 24 connections).
fn until_through<T, E: std::fmt::Display>(mut request: impl FnMut() -> Result<T, E>) -> T {
    for _ in 0..30 {
        if let Ok(answer) = request() {
            return answer;
        }
    }
    match request() {
        Ok(answer) => answer,
        Err(e) => panic!("still failing after 30 tries: {e}"),
    }
}

/// On PostgreSQL a row's version is its transaction's id, and transactions commit out of
/// order: a pull must not hand out a cursor past a transaction that is still running, or
/// that transaction's rows, committed later, would never reach the client.
#[test]
fn postgres_pull_waits_below_a_transaction_that_commits_late() {
    let now = common::now();
    let server = TestServer::start_on(Backend::Postgres, now);
    let founders = founders_of(&server.seed(), "PD-0001");
    server.account("a", &founders[0], "PD-0001", &[ServerRole::Founder]);
    let mut a = server.client("a", now);
    let url = server.postgres_url().unwrap_or_else(|| panic!("not on PostgreSQL"));
    let mut db = ok(postgres::Client::connect(&url, postgres::NoTls));
    let publisher: String = ok(db.query_one("SELECT id FROM person WHERE deleted = 0 ORDER BY id LIMIT 1", &[])).get(0);

    // An older transaction writes a notice and stays open…
    let mut late = ok(db.transaction());
    ok(late.execute(
        "INSERT INTO notice(id, title, body, published_by, published_at) VALUES ('late-notice', '迟到的通知', '', $1, 0)",
        &[&publisher],
    ));
    // …while a younger one (a booking through the server) commits and is pulled.
    let (resource, slot) = mentor_slot(&a.store, now);
    let new = incubook::store::NewBooking {
        format: None,
        resource_id: resource,
        start: slot.start,
        end: slot.end,
        topic: String::new(),
    };
    let booking = ok(a.store.book(&founders[0], &new, now)).id;
    a.sync(now);
    let status = server.text("SELECT status FROM booking WHERE id = $1", &[Arg::T(&booking)]);
    assert_eq!(status.as_deref(), Some("confirmed"));
    let has_notice = |a: &common::Client| -> i64 {
        ok(a.store.conn().query_row("SELECT count(*) FROM notice WHERE id = 'late-notice'", [], |r| r.get(0)))
    };
    assert_eq!(has_notice(&a), 0);

    // The older one commits now; the next pull still brings its row.
    ok(late.commit());
    a.sync(now);
    assert_eq!(has_notice(&a), 1, "a row committed late reached the client");
}

/// A district database that an earlier release (versions from a clock) filled keeps working
/// after the upgrade to versions by transaction: a client synced before the upgrade gets the
/// changes made after it, because new versions start above every old one.
#[test]
fn postgres_versions_keep_growing_across_the_upgrade_to_versions_by_transaction() {
    let temp = common::fresh_postgres_database();
    ok(incubook_server::db::migrate_postgres(&temp.url, Some(1)));
    let mut db = ok(postgres::Client::connect(&temp.url, postgres::NoTls));
    // Many transactions under V1 push the clock far past the cluster's transaction ids of a
    // fresh test database, the case the upgrade's offset is for.
    ok(db.batch_execute("INSERT INTO makerspace(id, code, name) VALUES ('m1', 'PD-0100', '旧空间')"));
    ok(db.batch_execute("UPDATE sync_clock SET value = value + 100000000"));
    ok(db.batch_execute("UPDATE makerspace SET name = '旧空间二' WHERE id = 'm1'"));
    let before: i64 = ok(db.query_one("SELECT max(version) FROM makerspace", &[])).get(0);
    assert!(before > 100_000_000, "{before}");
    // The current server opens it as it would at start, migrating it, and serves what it holds.
    let district = ok(incubook_server::db::open(&temp.url));
    let spaces = ok(district.makerspaces());
    assert_eq!(spaces.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), vec!["旧空间二"]);
    ok(db.batch_execute("INSERT INTO makerspace(id, code, name) VALUES ('m2', 'PD-0101', '新空间')"));
    let after: i64 = ok(db.query_one("SELECT version FROM makerspace WHERE id = 'm2'", &[])).get(0);
    assert!(after > before, "a version after the upgrade ({after}) is above every version before it ({before})");
    let below: i64 = ok(db.query_one("SELECT sync_visible_below()", &[])).get(0);
    assert!(below > after, "a committed row is below what pulls may read");
}
