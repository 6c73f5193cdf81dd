//! A session's place through the district server, on SQLite and PostgreSQL: the mentor's
//! defaults stay with the mentor and the space's admins, the server gives a booking made in a
//! format its mentor's place, and the founder's replica gets the meeting link only with the
//! version of the booking that is confirmed; other founders never get it.

mod common;

use chrono::Duration;
use common::{Arg, Backend, TestServer, founders_of, ok};
use incubook::place::{MeetingProvider, PlaceDefaults, SessionFormat, SessionPlace};
use incubook::store::{NewBooking, SlotSearch, Store};
use incubook_server::db::ServerRole;

const LINK: &str = "https://meeting.tencent.com/dm/incubook-demo";

fn one(store: &Store, sql: &str, arg: &str) -> String {
    ok(store.conn().query_row(sql, [arg], |r| r.get(0)))
}

fn the_meeting_link_reaches_the_founder_with_the_confirmation_and_nobody_else(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let mentor_id = one(
        &seed,
        "SELECT r.id FROM resource r JOIN mentor m ON m.resource_id = r.id JOIN makerspace s ON s.id = r.makerspace_id
         WHERE s.code = ?1 AND r.approval_required = 1 AND r.active = 1 AND m.formats LIKE '%online%' ORDER BY r.id LIMIT 1",
        "PD-0001",
    );
    let mentor = one(&seed, "SELECT person_id FROM mentor WHERE resource_id = ?1", &mentor_id);
    let admin = one(
        &seed,
        "SELECT r.person_id FROM person_role r JOIN makerspace m ON m.id = r.makerspace_id
         WHERE m.code = ?1 AND r.role = 'space_admin' ORDER BY r.person_id LIMIT 1",
        "PD-0001",
    );
    let founders = founders_of(&seed, "PD-0001");
    server.account("m", &mentor, "PD-0001", &[ServerRole::Mentor]);
    server.account("a", &admin, "PD-0001", &[ServerRole::SpaceAdmin]);
    server.account("f", &founders[0], "PD-0001", &[ServerRole::Founder]);
    server.account("g", &founders[1], "PD-0001", &[ServerRole::Founder]);
    let (mut m, mut a, mut f, mut g) =
        (server.client("m", now), server.client("a", now), server.client("f", now), server.client("g", now));

    let online = SessionPlace::Online {
        provider: MeetingProvider::TencentMeeting,
        join_url: LINK.into(),
        meeting_id: "987 654 321".into(),
        passcode: "0618".into(),
    };
    ok(m.store.set_place_defaults(&mentor, &mentor_id, &PlaceDefaults { places: vec![online.clone()] }, now));
    m.sync(now);
    f.sync(now);
    a.sync(now);
    assert!(ok(f.store.place_defaults(&mentor_id)).places.is_empty(), "a founder's replica has no meeting links");
    assert_eq!(ok(a.store.place_defaults(&mentor_id)).places, vec![online.clone()], "the space admin's has them");

    // The founder books online on her desktop; her replica has the format, not yet a place.
    let search = SlotSearch { from: now.date_naive(), to: now.date_naive() + Duration::days(21), minutes: None };
    let slots = ok(f.store.slots(&mentor_id, &search, now));
    let slot = slots.into_iter().find(|s| s.start > now + Duration::days(2)).unwrap_or_else(|| panic!("no free slot"));
    let new = NewBooking {
        format: Some(SessionFormat::Online),
        resource_id: mentor_id.clone(),
        start: slot.start,
        end: slot.end,
        topic: "海外融资".into(),
    };
    let booked = ok(f.store.book(&founders[0], &new, now)).id;
    let report = f.sync(now);
    assert!(report.refused.is_empty(), "{report:?}");
    assert_eq!(server.text("SELECT status FROM booking WHERE id = $1", &[Arg::T(&booked)]).as_deref(), Some("requested"));
    let stored = server.text("SELECT place FROM booking WHERE id = $1", &[Arg::T(&booked)]).unwrap_or_default();
    assert!(stored.contains(LINK), "the server gave the booking the mentor's place: {stored}");
    let seen = |c: &common::Client| ok(c.store.bookings_of(&c.person_id)).into_iter().find(|v| v.booking.id == booked);
    let asked = seen(&f).unwrap_or_else(|| panic!("no booking"));
    assert_eq!((asked.place_format, asked.place), (Some(SessionFormat::Online), None));
    let raw_at_founder = |c: &common::Client| -> Option<String> {
        ok(c.store.conn().query_row("SELECT place FROM booking WHERE id = ?1", [&booked], |r| r.get(0)))
    };
    assert_eq!(raw_at_founder(&f), None, "the requested version reached the founder without the link");

    // The mentor confirms on his desktop; the confirmed version carries the link.
    m.sync(now);
    ok(m.store.approve(&mentor, &booked, now));
    m.sync(now);
    f.sync(now);
    g.sync(now);
    a.sync(now);
    assert_eq!(seen(&f).and_then(|v| v.place), Some(online));
    assert_eq!(raw_at_founder(&g), None, "another founder sees the slot as busy, with no link");
    assert!(raw_at_founder(&a).is_some_and(|p| p.contains(LINK)), "the space admin sees where it is");
}

on_both_backends!(the_meeting_link_reaches_the_founder_with_the_confirmation_and_nobody_else,);
