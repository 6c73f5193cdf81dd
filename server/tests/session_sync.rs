//! A founder's waitlist entries and feedback, and a mentor's session notes, made on a
//! connected desktop, reach the server and the people they concern — and no one else.

mod common;

use common::{Arg, Backend, TestServer, founders_of, mentor_slot, ok};
use incubook::domain::Visibility;
use incubook::store::{MentorProfile, NewBooking, Store};
use incubook_server::db::ServerRole;

fn mentor_person(store: &Store, resource: &str) -> String {
    ok(store.conn().query_row("SELECT person_id FROM mentor WHERE resource_id = ?1", [resource], |r| r.get(0)))
}

fn a_founder_waiting_for_a_taken_slot_is_told_when_it_opens(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let founders = founders_of(&server.seed(), "PD-0001");
    server.account("a", &founders[0], "PD-0001", &[ServerRole::Founder]);
    server.account("b", &founders[1], "PD-0001", &[ServerRole::Founder]);
    let (mut a, mut b) = (server.client("a", now), server.client("b", now));
    let (resource, slot) = mentor_slot(&b.store, now);
    let new =
        NewBooking {
            format: None, resource_id: resource.clone(), start: slot.start, end: slot.end, topic: "股权设计".into()
        };
    let taken = ok(b.store.book(&founders[1], &new, now)).id;
    b.sync(now);

    // Offline, she joins the waitlist for the slot b holds; the entry reaches the server.
    a.sync(now);
    let entry = ok(a.store.join_waitlist(&founders[0], &resource, slot.start, slot.end, now)).id;
    a.sync(now);
    assert_eq!(server.count("SELECT count(*) FROM waitlist WHERE id = $1", &[Arg::T(&entry)]), 1);

    // b cancels on his desktop; after both sync, she has the server's notice that it opened.
    ok(b.store.cancel(&founders[1], &taken, Some("时间冲突"), now));
    b.sync(now);
    a.sync(now);
    let told = ok(a.store.notifications(&founders[0])).into_iter().filter(|n| n.kind == "waitlist_slot_open").count();
    assert_eq!(told, 1);
    let others: i64 =
        ok(b.store.conn().query_row("SELECT count(*) FROM waitlist WHERE id = ?1", [&entry], |r| r.get::<_, i64>(0)));
    assert_eq!(others, 0, "another founder's waitlist entry is not sent to b");
}

fn a_mentors_note_stays_the_mentors_and_a_founders_feedback_reaches_the_mentor(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    // The sample's latest session that is over (within the week feedback is open), its
    // ratings taken away on the server: both sides rate it here.
    let (booking, founder, resource): (String, String, String) = ok(seed.conn().query_row(
        "SELECT b.id, b.booker_id, b.resource_id FROM booking b JOIN mentor m ON m.resource_id = b.resource_id
         WHERE b.status IN ('completed', 'confirmed') AND b.end_at < ?1 - 3600 AND b.end_at > ?1 - 6 * 86400
           AND NOT EXISTS(SELECT 1 FROM person_role r WHERE r.person_id = b.booker_id AND r.role <> 'founder')
         ORDER BY b.end_at DESC LIMIT 1",
        [now.timestamp()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    ));
    server.execute("DELETE FROM feedback WHERE booking_id = $1", &[Arg::T(&booking)]);
    server.execute("DELETE FROM mentor_feedback WHERE booking_id = $1", &[Arg::T(&booking)]);
    let code: String = ok(seed.conn().query_row(
        "SELECT m.code FROM person_role r JOIN makerspace m ON m.id = r.makerspace_id WHERE r.person_id = ?1 LIMIT 1",
        [&founder],
        |r| r.get(0),
    ));
    let mentor = mentor_person(&seed, &resource);
    server.account("f", &founder, &code, &[ServerRole::Founder]);
    server.account("m", &mentor, &code, &[ServerRole::Mentor]);
    let (mut f, mut m) = (server.client("f", now), server.client("m", now));

    ok(m.store.set_session_note(&mentor, &booking, "下次带上财务模型", now));
    ok(f.store.give_feedback(&founder, &booking, (5, "很有帮助", None), now));
    ok(m.store.give_feedback(&mentor, &booking, (3, "需要补充市场数据", None), now));
    m.sync(now);
    f.sync(now);
    m.sync(now);
    f.sync(now);
    assert_eq!(server.count("SELECT count(*) FROM mentor_feedback WHERE booking_id = $1", &[Arg::T(&booking)]), 1);
    let at_founder = ok(f.store.session_feedback(&booking));
    assert_eq!(at_founder.mentor.map(|g| g.rating), Some(3), "the founder sees the mentor's rating");
    assert_eq!(
        server.text("SELECT body FROM session_note WHERE booking_id = $1", &[Arg::T(&booking)]).as_deref(),
        Some("下次带上财务模型")
    );
    assert_eq!(ok(m.store.feedback(&booking)), Some((5, "很有帮助".to_string())), "the mentor sees the founder's rating");
    let notes_at_founder: i64 = ok(f.store.conn().query_row("SELECT count(*) FROM session_note", [], |r| r.get::<_, i64>(0)));
    // Another founder of the district learns nothing of either rating.
    let others = founders_of(&seed, &code).into_iter().find(|p| *p != founder).unwrap_or_default();
    server.account("o", &others, &code, &[ServerRole::Founder]);
    let mut o = server.client("o", now);
    o.sync(now);
    let ratings_at_other: i64 = ok(o.store.conn().query_row(
        "SELECT (SELECT count(*) FROM feedback WHERE booking_id = ?1) + (SELECT count(*) FROM mentor_feedback WHERE booking_id = ?1)",
        [&booking],
        |r| r.get(0),
    ));
    assert_eq!(ratings_at_other, 0);
    assert_eq!(notes_at_founder, 0, "a mentor's private notes never reach a founder's replica");
    assert_eq!(ok(m.store.session_note(&mentor, &booking)).as_deref(), Some("下次带上财务模型"));
}

fn a_mentors_new_profile_reaches_founders_and_one_kept_to_the_makerspace_hides_them_from_others(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let (resource, _) = mentor_slot(&seed, now);
    let mentor = mentor_person(&seed, &resource);
    server.account("m", &mentor, "PD-0001", &[ServerRole::Mentor]);
    let outsider = founders_of(&seed, "PD-0002");
    server.account("o", &outsider[0], "PD-0002", &[ServerRole::Founder]);
    let (mut m, mut o) = (server.client("m", now), server.client("o", now));
    let search = |client: &common::Client| {
        let search = incubook::store::MentorSearch { viewer_id: Some(client.person_id.clone()), ..Default::default() };
        ok(client.store.search_mentors(&search, now)).into_iter().any(|card| card.id == resource)
    };
    assert!(search(&o), "a district-visible mentor is found from another makerspace");

    let profile = MentorProfile {
        full_time: false,
        title: "供应链与量产顾问".into(),
        bio: "帮助硬件团队从样机走到小批量".into(),
        tags: vec!["hardware".into()],
        industries: vec!["智能硬件".into()],
        languages: vec!["zh".into(), "en".into()],
        formats: vec!["online".into()],
        visibility: Visibility::District,
        timezone: None,
    };
    ok(m.store.update_mentor_profile(&mentor, &resource, &profile, now));
    m.sync(now);
    o.sync(now);
    let seen = ok(o.store.mentor(&resource));
    assert_eq!((seen.title.as_str(), seen.languages.len()), ("供应链与量产顾问", 2));

    // Kept to the mentor's own makerspace: the other makerspace's founder no longer finds them.
    ok(m.store.update_mentor_profile(
        &mentor,
        &resource,
        &MentorProfile { full_time: false, visibility: Visibility::Makerspace, ..profile },
        now,
    ));
    m.sync(now);
    o.sync(now);
    assert!(!search(&o), "a mentor kept to PD-0001 is hidden from PD-0002's founders");
    assert_eq!(
        server.text("SELECT visibility FROM mentor WHERE resource_id = $1", &[Arg::T(&resource)]).as_deref(),
        Some("makerspace")
    );
}

/// Forty saves of a long note (30 KB each) are more than one request may carry: they go in
/// smaller pushes, and the last one reaches the server. A change no request can carry is
/// refused on the desktop with its reason and does not hold up the changes after it.
fn long_notes_go_in_pushes_the_server_takes_and_an_unsendable_change_blocks_nothing(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let (booking, resource): (String, String) = ok(seed.conn().query_row(
        "SELECT b.id, b.resource_id FROM booking b JOIN mentor m ON m.resource_id = b.resource_id
         WHERE b.status IN ('completed', 'confirmed') AND b.end_at < ?1 ORDER BY b.end_at DESC LIMIT 1",
        [now.timestamp()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    ));
    let mentor = mentor_person(&seed, &resource);
    let code: String = ok(seed.conn().query_row(
        "SELECT m.code FROM resource r JOIN makerspace m ON m.id = r.makerspace_id WHERE r.id = ?1",
        [&resource],
        |r| r.get(0),
    ));
    server.account("m", &mentor, &code, &[ServerRole::Mentor]);
    let mut m = server.client("m", now);
    let mut last = String::new();
    for n in 0..40 {
        last = format!("{n:02}{}", "导".repeat(9_998));
        ok(m.store.set_session_note(&mentor, &booking, &last, now));
    }
    // A change no request can carry (a corrupt or hand-made row), between two good ones.
    let huge = serde_json::json!({"booking_id": booking, "body": "x".repeat(2 * 1024 * 1024)}).to_string();
    ok(m.store.conn().execute(
        "INSERT INTO outbox(name, args, entity_id, created_at, client_id, person_id)
         SELECT 'set_session_note', ?1, ?2, 0, client_id, person_id FROM sync_state",
        rusqlite::params![huge, booking],
    ));
    ok(m.store.set_session_note(&mentor, &booking, "最后一版", now));
    let report = m.sync(now);
    assert_eq!(report.refused, vec!["too_large".to_string()], "{report:?}");
    assert_eq!(report.waiting, 0);
    assert_eq!(
        server.text("SELECT body FROM session_note WHERE booking_id = $1", &[Arg::T(&booking)]).as_deref(),
        Some("最后一版")
    );
    assert!(last.chars().count() == 10_000);
}

/// Requests made offline for a mentor who approves each session reach the server in one push
/// (PostgreSQL decides such pushes in a batch) as requests, and the mentor is told of each.
fn requests_from_an_offline_outbox_wait_for_the_mentor_who_is_told_of_each(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let resource: String = ok(seed.conn().query_row(
        "SELECT r.id FROM resource r JOIN mentor m ON m.resource_id = r.id JOIN makerspace s ON s.id = r.makerspace_id
         WHERE s.code = 'PD-0001' AND r.approval_required = 1 AND r.active = 1 ORDER BY r.id LIMIT 1",
        [],
        |r| r.get(0),
    ));
    let mentor = mentor_person(&seed, &resource);
    let founders = founders_of(&seed, "PD-0001");
    server.account("f", &founders[0], "PD-0001", &[ServerRole::Founder]);
    server.account("m", &mentor, "PD-0001", &[ServerRole::Mentor]);
    let (mut f, mut m) = (server.client("f", now), server.client("m", now));
    m.sync(now);
    let told_before = ok(m.store.notifications(&mentor)).into_iter().filter(|n| n.kind == "booking_request").count();

    let search =
        incubook::store::SlotSearch { from: now.date_naive(), to: now.date_naive() + chrono::Duration::days(28), minutes: None };
    let slots = ok(f.store.slots(&resource, &search, now));
    let mut asked = Vec::new();
    for slot in slots.iter().filter(|s| s.start > now + chrono::Duration::days(1)) {
        if asked.len() == 3 {
            break;
        }
        // Slots that overlap one asked for already (or its buffer) are refused on the desktop.
        let new = NewBooking {
            format: None,
            resource_id: resource.clone(),
            start: slot.start,
            end: slot.end,
            topic: "融资路演".into(),
        };
        if let Ok(booking) = f.store.book(&founders[0], &new, now) {
            asked.push(booking.id);
        }
    }
    assert_eq!(asked.len(), 3, "three requests made offline");
    let report = f.sync(now);
    assert!(report.refused.is_empty(), "{report:?}");
    for id in &asked {
        assert_eq!(server.text("SELECT status FROM booking WHERE id = $1", &[Arg::T(id)]).as_deref(), Some("requested"));
    }
    m.sync(now);
    let told: Vec<_> = ok(m.store.notifications(&mentor)).into_iter().filter(|n| n.kind == "booking_request").collect();
    assert_eq!(told.len(), told_before + 3, "the mentor is told of each request");
    for id in &asked {
        assert!(told.iter().any(|n| n.booking_id.as_deref() == Some(id.as_str())), "told of {id}");
    }
}

on_both_backends!(
    long_notes_go_in_pushes_the_server_takes_and_an_unsendable_change_blocks_nothing,
    a_founder_waiting_for_a_taken_slot_is_told_when_it_opens,
    a_mentors_note_stays_the_mentors_and_a_founders_feedback_reaches_the_mentor,
    a_mentors_new_profile_reaches_founders_and_one_kept_to_the_makerspace_hides_them_from_others,
    requests_from_an_offline_outbox_wait_for_the_mentor_who_is_told_of_each,
);
