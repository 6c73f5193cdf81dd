//! The requests of the security review that stopped the server (or cost it minutes) are
//! refused with a clear code, and the server goes on serving everyone else: sign-in, push,
//! pull and health, on both backends. Sign-in is limited, tokens die on sign-out, a new
//! password or new roles.

mod common;

use chrono::{Duration, Utc};
use common::{Backend, PASSWORD, TestServer, founders_of, mentor_slot, ok};
use incubook::store::NewBooking;
use incubook::sync::client::{SyncClient, Transport};
use incubook::sync::http::HttpTransport;
use incubook::sync::{PushRequest, PushResponse, PushedMutation};
use incubook_server::auth;
use incubook_server::db::ServerRole;
use serde_json::json;

fn raw(id: i64, name: &str, args: serde_json::Value) -> PushedMutation {
    PushedMutation { id, name: name.into(), args }
}

fn push(http: &HttpTransport, token: &str, client_id: &str, mutations: Vec<PushedMutation>) -> PushResponse {
    ok(http.push(token, &PushRequest { client_id: client_id.into(), mutations }))
}

/// Every outcome refused with a code that starts with `prefix`; the codes, for the message.
fn assert_all_refused(response: &PushResponse, prefix: &str) {
    for outcome in &response.outcomes {
        let code = outcome.code.clone().unwrap_or_default();
        assert!(!outcome.applied && code.starts_with(prefix), "mutation {} gave {code}: {:?}", outcome.id, outcome.message);
    }
}

fn one(server: &TestServer, sql: &str) -> String {
    ok(server.seed().conn().query_row(sql, [], |r| r.get(0)))
}

/// The review's payloads: times at the end of chrono's range, a booking of 100,000 years,
/// blackouts from i64::MIN to i64::MAX, a report for the year 262142.
fn crash_payloads_are_refused_and_everyone_else_is_served(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let store = server.seed();
    let founders = founders_of(&store, "PD-0001");
    server.account("f1", &founders[0], "PD-0001", &[ServerRole::Founder]);
    server.account("f2", &founders[1], "PD-0001", &[ServerRole::Founder]);
    let equipment = one(
        &server,
        "SELECT r.id FROM resource r JOIN makerspace m ON m.id = r.makerspace_id WHERE m.code = 'PD-0001' AND r.kind = 'equipment' ORDER BY r.id LIMIT 1",
    );
    let manager = one(
        &server,
        "SELECT p.person_id FROM person_role p JOIN makerspace m ON m.id = p.makerspace_id WHERE m.code = 'PD-0001' AND p.role = 'lab_manager' ORDER BY p.person_id LIMIT 1",
    );
    server.account("lm1", &manager, "PD-0001", &[ServerRole::LabManager]);
    ok(server.db.add_account("PD-0001", "op", &ok(auth::hash_password(PASSWORD)), &[ServerRole::DistrictOperator], None, 0));
    let http = ok(HttpTransport::new(&server.base));
    let token = |user: &str| ok(http.sign_in(user, PASSWORD)).token;

    let (f1, lm1) = (token("f1"), token("lm1"));
    let end_of_time = ("+262142-12-30T00:00:00Z", "+262142-12-31T00:00:00Z");
    let booking = |id: i64, start: &str, end: &str| {
        raw(
            id,
            "book",
            json!({"booking_id": format!("crash-{id}"), "resource_id": equipment, "start": start, "end": end, "topic": ""}),
        )
    };
    let founder_said = push(
        &http,
        &f1,
        "crash-founder",
        vec![
            booking(1, end_of_time.0, end_of_time.1),
            booking(2, "-262143-01-02T00:00:00Z", "-262143-01-03T00:00:00Z"),
            booking(3, "2027-01-04T01:00:00Z", "+12026-01-01T00:00:00Z"),
            // Longer than any resource allows, inside the window: refused before the calendar.
            booking(4, &(now + Duration::days(2)).to_rfc3339(), &(now + Duration::days(40)).to_rfc3339()),
            raw(5, "reschedule", json!({"booking_id": "crash-1", "start": end_of_time.0, "end": end_of_time.1})),
            raw(
                6,
                "join_waitlist",
                json!({"waitlist_id": "crash-w", "resource_id": equipment, "start": end_of_time.0, "end": end_of_time.1}),
            ),
        ],
    );
    assert_eq!(founder_said.outcomes.len(), 6);
    assert_all_refused(&founder_said, "invalid.");
    assert_eq!(founder_said.outcomes[3].code.as_deref(), Some("invalid.end"));

    let manager_said = push(
        &http,
        &lm1,
        "crash-manager",
        vec![
            raw(
                1,
                "add_blackout",
                json!({"blackout": {"id": "crash-b1", "resource_id": equipment, "when": {"kind": "once", "start": i64::MIN, "end": i64::MAX}, "reason": ""}, "cancel_hits": true}),
            ),
            raw(
                2,
                "add_blackout",
                json!({"blackout": {"id": "crash-b2", "resource_id": equipment, "when": {"kind": "weekly", "weekday": 0, "start_min": 0, "end_min": 60, "from": "+262142-01-01", "until": null}, "reason": ""}, "cancel_hits": true}),
            ),
            raw(
                3,
                "add_date_override",
                json!({"override_id": "crash-o", "resource_id": equipment, "date_override": {"date": "+262142-12-31", "kind": "extra", "start_min": 0, "end_min": 60}, "note": ""}),
            ),
            raw(
                4,
                "grant_qualification",
                json!({"person_id": founders[0], "resource_id": equipment, "expires_at": end_of_time.1}),
            ),
        ],
    );
    assert_eq!(manager_said.outcomes.len(), 4);
    assert_all_refused(&manager_said, "invalid.");

    let report: incubook::Result<serde_json::Value> =
        http.get(&token("op"), "/v1/reports/district?from=%2B262142-12-01&to=%2B262142-12-31");
    assert_eq!(report.err().map(|e| e.code()).as_deref(), Some("invalid.from"));
    assert_eq!(server.count("SELECT count(*) FROM booking WHERE id LIKE 'crash-%'", &[]), 0);

    // Everyone else is served: sign-in, a booking pushed and confirmed, a pull, health.
    let mut f2 = server.client("f2", now);
    let (resource, slot) = mentor_slot(&f2.store, now);
    let new = NewBooking { format: None, resource_id: resource, start: slot.start, end: slot.end, topic: "路演".into() };
    let booked = ok(f2.store.book(&f2.person_id.clone(), &new, now));
    let report = f2.sync(now);
    assert_eq!((report.pushed, report.refused.len()), (1, 0), "{report:?}");
    let mine = ok(f2.store.bookings_of(&f2.person_id));
    assert!(mine.iter().any(|b| b.booking.id == booked.id && !b.pending), "{mine:?}");
    let health: serde_json::Value = ok(http.get("", "/v1/health"));
    assert_eq!(health["status"], "ok");
}

/// Signing out kills the token; a new password and new roles kill every token of the account.
fn tokens_die_on_sign_out_new_password_and_new_roles(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let founders = founders_of(&server.seed(), "PD-0001");
    server.account("f1", &founders[0], "PD-0001", &[ServerRole::Founder]);
    let http = ok(HttpTransport::new(&server.base));
    let me = |token: &str| http.get::<serde_json::Value>(token, "/v1/me").map_err(|e| e.code());

    let first = ok(http.sign_in("f1", PASSWORD)).token;
    let second = ok(http.sign_in("f1", PASSWORD)).token;
    ok(http.sign_out(&first));
    assert_eq!(me(&first).err().as_deref(), Some("unauthorized"));
    assert!(me(&second).is_ok(), "signing out one device leaves the other signed in");

    ok(server.db.set_password_hash("f1", &ok(auth::hash_password("another horse"))));
    assert_eq!(me(&second).err().as_deref(), Some("unauthorized"));

    let third = ok(http.sign_in("f1", "another horse")).token;
    ok(server.db.set_roles("f1", "PD-0001", &[ServerRole::Founder, ServerRole::Mentor]));
    assert_eq!(me(&third).err().as_deref(), Some("unauthorized"));

    // Dead tokens are deleted when their person signs in again.
    ok(http.sign_in("f1", "another horse"));
    let left = server.count("SELECT count(*) FROM account_token WHERE person_id = $1", &[common::Arg::T(&founders[0])]);
    assert_eq!(left, 1, "only the live token is kept");
}

/// Wrong passwords from one address run out of tries (429 with Retry-After), an unknown
/// username is answered like a wrong password, and someone else still signs in.
fn sign_in_is_limited_and_does_not_tell_which_usernames_exist(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let founders = founders_of(&server.seed(), "PD-0001");
    server.account("f1", &founders[0], "PD-0001", &[ServerRole::Founder]);
    server.account("f2", &founders[1], "PD-0001", &[ServerRole::Founder]);
    let http = ok(HttpTransport::new(&server.base));
    let code = |user: &str, password: &str| http.sign_in(user, password).err().map(|e| e.code());

    assert_eq!(code("nobody-here", "wrong password"), Some("unauthorized".into()));
    assert_eq!(code("f1", "wrong password"), Some("unauthorized".into()));
    let mut answers = Vec::new();
    for _ in 0..10 {
        answers.push(code("f1", "wrong password"));
    }
    assert!(answers.contains(&Some("too_many_requests".into())), "{answers:?}");
    // The right password too waits its turn on this address and username…
    assert_eq!(code("f1", PASSWORD), Some("too_many_requests".into()));
    // …but another user on the same address is still let in.
    assert!(http.sign_in("f2", PASSWORD).is_ok());

    let response = ok(reqwest::blocking_post(&format!("{}/v1/session", server.base), r#"{"username":"f1","password":"x"}"#));
    assert_eq!(response.0, 429);
    assert!(response.1.is_some_and(|seconds| seconds >= 1), "Retry-After is given");
}

mod reqwest {
    /// A sign-in by hand: the status and the `Retry-After` header.
    pub fn blocking_post(url: &str, body: &str) -> Result<(u16, Option<u64>), String> {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let response = agent.post(url).header("Content-Type", "application/json").send(body).map_err(|e| e.to_string())?;
        let retry = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
        Ok((response.status().as_u16(), retry))
    }
}

/// A space admin's upload keeps only bookings of their own makerspace's founders that keep the
/// resource's rules; one that needed the owner's approval waits for it again.
fn an_upload_cannot_book_for_outsiders_or_around_the_rules(backend: Backend) {
    use incubook::sync::Mutation;
    use incubook::sync::upload::UploadedBooking;
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let store = server.seed();
    let admin = one(
        &server,
        "SELECT p.person_id FROM person_role p JOIN makerspace m ON m.id = p.makerspace_id WHERE m.code = 'PD-0001' AND p.role = 'space_admin' ORDER BY p.person_id LIMIT 1",
    );
    server.account("sa1", &admin, "PD-0001", &[ServerRole::SpaceAdmin]);
    let (own, outsider) = (founders_of(&store, "PD-0001")[0].clone(), founders_of(&store, "PD-0002")[0].clone());
    let (resource, slot) = mentor_slot(&store, now);
    let approving = one(
        &server,
        "SELECT r.id FROM resource r JOIN makerspace m ON m.id = r.makerspace_id WHERE m.code = 'PD-0001' AND r.approval_required = 1 AND r.active = 1 AND r.kind = 'mentor' ORDER BY r.id LIMIT 1",
    );
    let (_, approving_slot) = {
        let search =
            incubook::store::SlotSearch { from: now.date_naive(), to: now.date_naive() + Duration::days(14), minutes: None };
        let slots = ok(store.slots(&approving, &search, now));
        ((), slots.into_iter().find(|s| s.start > now + Duration::days(1)).unwrap_or_else(|| panic!("no free slot")))
    };
    let upload = |id: &str, resource: &str, booker: &str, start: chrono::DateTime<Utc>, end: chrono::DateTime<Utc>| {
        Mutation::UploadBooking {
            booking: UploadedBooking {
                id: id.into(),
                resource_id: resource.into(),
                booker_id: booker.into(),
                start,
                end,
                status: incubook::domain::BookingStatus::Confirmed,
                topic: String::new(),
            },
        }
    };
    let off_grid = slot.start + Duration::minutes(7);
    // 02:00 in Shanghai on the slot's day: on the grid, outside any mentor's hours.
    let night = {
        use chrono::TimeZone;
        let tz = chrono_tz::Asia::Shanghai;
        let day = slot.start.with_timezone(&tz).date_naive();
        tz.from_local_datetime(&day.and_hms_opt(2, 0, 0).unwrap_or_default())
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(slot.start)
    };
    let mutations = [
        upload("up-outsider", &resource, &outsider, slot.start, slot.end),
        upload("up-off-grid", &resource, &own, off_grid, off_grid + Duration::hours(1)),
        upload("up-night", &resource, &own, night, night + (slot.end - slot.start)),
        upload("up-approval", &approving, &own, approving_slot.start, approving_slot.end),
        upload("up-own", &resource, &own, slot.start, slot.end),
    ];
    let pushed: Vec<PushedMutation> =
        mutations.iter().enumerate().map(|(n, m)| ok(PushedMutation::new(n as i64 + 1, m))).collect();
    let http = ok(HttpTransport::new(&server.base));
    let said = push(&http, &ok(http.sign_in("sa1", PASSWORD)).token, "upload-admin", pushed);
    let codes: Vec<Option<String>> = said.outcomes.iter().map(|o| o.code.clone()).collect();
    assert_eq!(codes[0].as_deref(), Some("refused.not_a_founder"), "{codes:?}");
    assert_eq!(codes[1].as_deref(), Some("refused.off_grid"), "{codes:?}");
    assert_eq!(codes[2].as_deref(), Some("refused.outside_hours"), "{codes:?}");
    assert_eq!((codes[3].as_deref(), codes[4].as_deref()), (None, None), "{codes:?}");
    let status = |id: &str| server.text("SELECT status FROM booking WHERE id = $1", &[common::Arg::T(id)]);
    assert_eq!(status("up-approval").as_deref(), Some("requested"), "the mentor still decides");
    assert_eq!(status("up-own").as_deref(), Some("confirmed"));
    let outsiders =
        server.count("SELECT count(*) FROM booking WHERE booker_id = $1 AND id LIKE 'up-%'", &[common::Arg::T(&outsider)]);
    assert_eq!(outsiders, 0, "nothing is kept in an outsider's name");
}

/// What a founder's pull brings of other people: no roles held in other makerspaces, no other
/// founders' startup details, no mentor kept to another makerspace, nobody else's no-show,
/// nobody's reason for a day off. A mentor still sees the startups of the founders they serve.
fn a_founders_pull_brings_what_a_founder_needs_and_no_more(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let store = server.seed();
    let founder = founders_of(&store, "PD-0002")[0].clone();
    server.account("f", &founder, "PD-0002", &[ServerRole::Founder]);
    let seen = |sql: &str| server.count(sql, &[]);
    assert!(
        seen(
            "SELECT count(*) FROM mentor m JOIN resource r ON r.id = m.resource_id JOIN makerspace s ON s.id = r.makerspace_id WHERE m.visibility = 'makerspace' AND s.code <> 'PD-0002'"
        ) > 0
    );
    assert!(seen("SELECT count(*) FROM booking WHERE status = 'no_show'") > 0, "the sample has no-shows");
    server.execute("UPDATE date_override SET note = '病假'", &[]);
    let f = server.client("f", now);
    let count = |sql: &str| -> i64 { ok(f.store.conn().query_row(sql, [&founder], |r| r.get(0))) };
    assert_eq!(
        count(
            "SELECT count(*) FROM person_role r JOIN makerspace m ON m.id = r.makerspace_id WHERE m.code <> 'PD-0002' AND r.person_id <> ?1"
        ),
        0
    );
    assert!(count("SELECT count(*) FROM person_role WHERE person_id = ?1") > 0, "her own roles come");
    assert_eq!(count("SELECT count(*) FROM person WHERE id <> ?1 AND coalesce(startup_name, industry, stage) IS NOT NULL"), 0);
    assert_eq!(
        count(
            "SELECT count(*) FROM mentor m JOIN resource r ON r.id = m.resource_id JOIN makerspace s ON s.id = r.makerspace_id WHERE m.visibility = 'makerspace' AND s.code <> 'PD-0002' AND ?1 <> ''"
        ),
        0
    );
    assert_eq!(count("SELECT count(*) FROM booking WHERE status = 'no_show' AND booker_id <> ?1"), 0);
    assert_eq!(count("SELECT count(*) FROM date_override WHERE note <> '' AND ?1 <> ''"), 0);
    assert!(count("SELECT count(*) FROM booking WHERE booker_id <> ?1") > 0, "others' bookings still come, as busy");

    let (resource, _) = mentor_slot(&store, now);
    let mentor: String =
        ok(store.conn().query_row("SELECT person_id FROM mentor WHERE resource_id = ?1", [&resource], |r| r.get(0)));
    server.account("m", &mentor, "PD-0001", &[ServerRole::Mentor]);
    let m = server.client("m", now);
    let startups: i64 =
        ok(m.store
            .conn()
            .query_row("SELECT count(*) FROM person WHERE id <> ?1 AND startup_name IS NOT NULL", [&mentor], |r| r.get(0)));
    assert!(startups > 0, "a mentor sees the startups of founders");
}

/// The review's M7: a founder pushing blackouts on someone else's calendar, again and again.
/// Each is refused to her alone: nobody else's bookings are sent again (they were untouched),
/// the refusals kept for her retries go once she pushes on, and an account that keeps pushing
/// is told to wait while another pushes as usual.
fn a_refusal_costs_no_more_than_the_change_asked(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let store = server.seed();
    let stranger = founders_of(&store, "PD-0002")[0].clone();
    server.account("f", &stranger, "PD-0002", &[ServerRole::Founder]);
    let (resource, _) = mentor_slot(&store, now);
    let resource_arg = common::Arg::T(&resource);
    let future = "SELECT count(*) FROM booking WHERE resource_id = $1 AND end_at > $2 AND deleted = 0";
    assert!(server.count(future, &[resource_arg, common::Arg::I(now.timestamp())]) > 0, "the calendar has bookings");
    let versions = || server.text("SELECT sum(version) FROM booking WHERE resource_id = $1", &[resource_arg]);
    let before = versions();

    let http = ok(HttpTransport::new(&server.base));
    let f = ok(http.sign_in("f", PASSWORD)).token;
    // An hour a year ahead, where nothing is booked.
    let (start, end) = ((now + Duration::days(360)).timestamp(), (now + Duration::days(360) + Duration::hours(1)).timestamp());
    let blackouts: Vec<PushedMutation> = (1..=200)
        .map(|i| {
            raw(
                i,
                "add_blackout",
                json!({"blackout": {"id": format!("m7-{i}"), "resource_id": resource, "when": {"kind": "once", "start": start, "end": end}, "reason": "x".repeat(200)}, "cancel_hits": true}),
            )
        })
        .collect();
    let said = push(&http, &f, "m7", blackouts);
    assert_all_refused(&said, "forbidden");
    assert_eq!(versions(), before, "nobody else's booking is sent again");
    let failures = "SELECT count(*) FROM sync_failure WHERE client_id = 'm7'";
    assert_eq!(server.count(failures, &[]), 200, "kept for a retry of the same push");
    let again = push(&http, &f, "m7", vec![raw(201, "cancel", json!({"booking_id": "m7-none"}))]);
    assert_all_refused(&again, "");
    assert_eq!(server.count(failures, &[]), 1, "the first push's refusals are not asked for again");

    // Retries cost the server a lookup each, and still draw on the account's budget.
    let retry: Vec<PushedMutation> = (1..=500).map(|i| raw(i, "cancel", json!({"booking_id": "m7-none"}))).collect();
    let mut told_to_wait = None;
    for _ in 0..60 {
        match http.push(&f, &PushRequest { client_id: "m7".into(), mutations: retry.clone() }) {
            Ok(_) => {}
            Err(e) => {
                told_to_wait = Some(e.code());
                break;
            }
        }
    }
    assert_eq!(told_to_wait.as_deref(), Some("too_many_requests"));
    let founders = founders_of(&store, "PD-0001");
    server.account("other", &founders[0], "PD-0001", &[ServerRole::Founder]);
    let mut other = server.client("other", now);
    let (resource, slot) = mentor_slot(&other.store, now);
    let new = NewBooking { format: None, resource_id: resource, start: slot.start, end: slot.end, topic: "路演".into() };
    ok(other.store.book(&other.person_id.clone(), &new, now));
    let report = other.sync(now);
    assert_eq!((report.pushed, report.refused.len()), (1, 0), "{report:?}");
}

/// The review's L5: one founder cannot hold every slot of a shared instrument. With a limit
/// of two upcoming bookings per person, the third is refused (on PostgreSQL the fast paths
/// hand it to the locking one, which counts the booker's own bookings); another founder still
/// books, and a cancellation frees a place in the founder's quota.
fn one_founder_cannot_hold_every_slot(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let store = server.seed();
    let founders = founders_of(&store, "PD-0001");
    server.account("f1", &founders[0], "PD-0001", &[ServerRole::Founder]);
    server.account("f2", &founders[1], "PD-0001", &[ServerRole::Founder]);
    let equipment = one(
        &server,
        "SELECT r.id FROM resource r JOIN makerspace m ON m.id = r.makerspace_id WHERE m.code = 'PD-0001' AND r.kind = 'equipment'
         AND r.approval_required = 0 AND r.qualification_required = 0 AND r.active = 1 ORDER BY r.id LIMIT 1",
    );
    let manager = one(
        &server,
        "SELECT p.person_id FROM person_role p JOIN makerspace m ON m.id = p.makerspace_id WHERE m.code = 'PD-0001' AND p.role = 'lab_manager' ORDER BY p.person_id LIMIT 1",
    );
    server.account("lm1", &manager, "PD-0001", &[ServerRole::LabManager]);
    let http = ok(HttpTransport::new(&server.base));
    let token = |user: &str| ok(http.sign_in(user, PASSWORD)).token;
    let rules = ok(store.resource_rules(&equipment));
    let policy = incubook::domain::Policy { max_per_person: Some(2), max_per_day: None, max_per_week: None, ..rules.policy };
    let set =
        push(&http, &token("lm1"), "l5-manager", vec![raw(1, "set_policy", json!({"resource_id": equipment, "policy": policy}))]);
    assert!(set.outcomes[0].applied, "{:?}", set.outcomes);

    // Four free slots on four different days, none of them overlapping.
    let today = now.date_naive();
    let search = incubook::store::SlotSearch { from: today + Duration::days(2), to: today + Duration::days(20), minutes: None };
    let mut days = std::collections::BTreeSet::new();
    let slots: Vec<_> =
        ok(store.slots(&equipment, &search, now)).into_iter().filter(|s| days.insert(s.start.date_naive())).take(4).collect();
    assert_eq!(slots.len(), 4, "free days on the instrument");
    let book = |id: i64, n: usize| {
        raw(
            id,
            "book",
            json!({"booking_id": format!("l5-{id}-{n}"), "resource_id": equipment, "start": slots[n].start, "end": slots[n].end, "topic": ""}),
        )
    };
    let f1 = token("f1");
    let said = push(&http, &f1, "l5-f1", vec![book(1, 0), book(2, 1), book(3, 2)]);
    let codes: Vec<Option<&str>> = said.outcomes.iter().map(|o| o.code.as_deref()).collect();
    assert_eq!(codes, [None, None, Some("refused.personal_limit_reached")]);
    let other = push(&http, &token("f2"), "l5-f2", vec![book(1, 2)]);
    assert!(other.outcomes[0].applied, "another founder still books: {:?}", other.outcomes);
    let freed = push(&http, &f1, "l5-f1", vec![raw(4, "cancel", json!({"booking_id": "l5-1-0"})), book(5, 3)]);
    assert!(freed.outcomes.iter().all(|o| o.applied), "a cancellation frees a place: {:?}", freed.outcomes);
}

/// The review's M5: the desktop's sign-in token is in the OS keyring, not in its database
/// file; where no keyring answers it is in the database, which only its owner can read. A
/// sign-out forgets it in both. (`make unit` runs the tests in a session with a keyring and
/// says so in `INCUBOOK_TEST_KEYRING`.)
#[test]
fn the_sign_in_token_is_kept_where_other_users_cannot_read_it() {
    use std::os::unix::fs::PermissionsExt;
    let now = common::now();
    let server = TestServer::start(now);
    let founder = founders_of(&server.seed(), "PD-0001")[0].clone();
    server.account("f1", &founder, "PD-0001", &[ServerRole::Founder]);
    let mut desk = server.client("f1", now);
    let token = desk.token();
    let in_file = |desk: &common::Client| -> (Option<String>, bool) {
        ok(desk.store.conn().query_row("SELECT token, token_in_keyring FROM sync_state", [], |r| Ok((r.get(0)?, r.get(1)?))))
    };
    let path = desk.path.to_string_lossy().into_owned();
    let keyring = || keyring::Entry::new("incubook", &path).and_then(|e| e.get_password()).ok();
    if std::env::var_os("INCUBOOK_TEST_KEYRING").is_some() {
        assert_eq!(in_file(&desk), (None, true));
        assert_eq!(keyring().as_deref(), Some(token.as_str()));
        let bytes = ok(std::fs::read(&desk.path));
        assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()), "the token is not in the file");
    } else {
        assert_eq!(in_file(&desk), (Some(token.clone()), false));
        let mode = ok(std::fs::metadata(&desk.path)).permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // The token works from where it is kept, and goes with a sign-out.
    let report = desk.sync(now);
    assert_eq!(report.refused.len(), 0);
    ok(desk.store.sign_out_sync());
    assert_eq!(in_file(&desk), (None, false));
    assert_eq!(keyring(), None);
    assert_eq!(desk.store.sync_once(&desk.http, now).err().map(|e| e.code()).as_deref(), Some("unauthorized"));
}

on_both_backends!(
    one_founder_cannot_hold_every_slot,
    a_refusal_costs_no_more_than_the_change_asked,
    a_founders_pull_brings_what_a_founder_needs_and_no_more,
    an_upload_cannot_book_for_outsiders_or_around_the_rules,
    crash_payloads_are_refused_and_everyone_else_is_served,
    tokens_die_on_sign_out_new_password_and_new_roles,
    sign_in_is_limited_and_does_not_tell_which_usernames_exist,
);
