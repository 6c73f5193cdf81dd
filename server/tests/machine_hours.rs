//! Machine hours through the district server: check-ins made offline reach the server with
//! the time they happened, two desktops checking in one booking offline cannot both win, and
//! the charge the server records is the desktop's.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{
    Arg, Backend, LabAccounts, TestServer, founders_of, lab_accounts, manager_and_lab, manager_and_lab_of, ok, printer_in,
};
use incubook::store::{NewBooking, SlotSearch, WalkUpAsked};
use incubook::usage::{ChargeBasis, Purpose, Rates, UsageRules};
use incubook_server::db::ServerRole;

/// Moves the booking, behind the server's back, to have begun at `began` with nobody checked
/// in, and waits for the server's own sweep (every 200 ms in tests) to release it; nobody
/// asks it to.
fn released_by_the_server(server: &TestServer, booking: &str, began: DateTime<Utc>, length: Duration) {
    server.execute(
        "UPDATE booking SET start_at = $1, end_at = $2 WHERE id = $3",
        &[Arg::I(began.timestamp()), Arg::I((began + length).timestamp()), Arg::T(booking)],
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while server.text("SELECT status FROM booking WHERE id = $1", &[Arg::T(booking)]).as_deref() != Some("no_show") {
        assert!(std::time::Instant::now() < deadline, "the server did not release the no-show within 20 s");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn two_desktops_check_one_booking_in_offline_and_the_first_to_sync_wins(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let founder = founders_of(&seed, "PD-0001")[0].clone();
    let (manager, lab) = manager_and_lab(&seed);
    server.account("lm", &manager, "PD-0001", &[ServerRole::LabManager]);
    server.account("a", &founder, "PD-0001", &[ServerRole::Founder]);
    let (mut kiosk, mut a) = (server.client("lm", now), server.client("a", now));

    let printer = printer_in(lab);
    let printer = ok(kiosk.store.create_equipment(&manager, &printer, now)).id;
    let rates = Rates { internal_fen_per_hour: 6_000, rounding_min: 30, basis: ChargeBasis::Actual, ..Rates::default() };
    ok(kiosk.store.set_rates(&manager, &printer, &rates, now));
    kiosk.sync(now);
    a.sync(now);

    // A slot starting within minutes: the server checks a check-in's time against its own clock.
    let search = SlotSearch { from: now.date_naive(), to: now.date_naive() + Duration::days(1), minutes: Some(120) };
    let slot = ok(a.store.slots(&printer, &search, now)).into_iter().find(|s| s.start >= now);
    let slot = slot.unwrap_or_else(|| panic!("no free slot"));
    let new =
        NewBooking { format: None, resource_id: printer.clone(), start: slot.start, end: slot.end, topic: "样件打印".into() };
    let booking = ok(a.store.book(&founder, &new, now)).id;
    a.sync(now);
    kiosk.sync(now);

    // Both offline: she checks in on her laptop, the lab manager at the kiosk half a minute later.
    let hers = ok(a.store.check_in(&founder, &booking, Purpose::Testing, 2, now));
    let at = now + Duration::seconds(30);
    let kiosks = ok(kiosk.store.check_in(&manager, &booking, Purpose::Testing, 2, at));
    // The kiosk syncs first; the session keeps the second it began, not the push's.
    kiosk.sync(at);
    let started = server.count("SELECT started_at FROM usage_session WHERE id = $1", &[Arg::T(&kiosks.id)]);
    assert_eq!(started, at.timestamp());
    let report = a.sync(at);
    assert_eq!(report.refused, vec!["refused.already_checked_in".to_string()], "she is told why");
    assert!(a.store.usage_session(&hers.id).is_err(), "her losing session is gone from her replica");
    let winner = ok(a.store.session_of_booking(&booking)).map(|s| s.id);
    assert_eq!(winner.as_deref(), Some(kiosks.id.as_str()), "she sees the kiosk's session");

    // She checks out on her laptop two minutes in: one half hour at ¥60/h = ¥30.
    let out = at + Duration::minutes(2);
    assert_eq!(ok(a.store.check_out(&founder, &kiosks.id, out)).fee_fen, 3_000);
    a.sync(out);
    assert_eq!(server.count("SELECT fee_fen FROM usage_session WHERE id = $1", &[Arg::T(&kiosks.id)]), 3_000);
    assert_eq!(server.text("SELECT status FROM booking WHERE id = $1", &[Arg::T(&booking)]).as_deref(), Some("completed"));
    assert_eq!(
        server.count("SELECT count(*) FROM usage_session WHERE booking_id = $1", &[Arg::T(&booking)]),
        1,
        "one session won"
    );

    // A check-in that claims to come from a clock an hour fast is refused, not recorded.
    let next = NewBooking { format: None, start: slot.end, end: slot.end + Duration::hours(1), ..new };
    let second = ok(a.store.book(&founder, &next, now)).id;
    a.sync(now);
    let fast = ok(a.store.check_in(&founder, &second, Purpose::Testing, 0, slot.end));
    let report = a.sync(now);
    assert_eq!(report.refused, vec!["invalid.at".to_string()]);
    assert!(a.store.usage_session(&fast.id).is_err());
}

fn the_server_releases_a_booking_nobody_checked_in_to_by_itself_and_the_waitlist_hears_of_it(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let LabAccounts { manager, lab, founders, .. } = lab_accounts(&server);
    let (mut lm, mut a, mut b) = (server.client("lm", now), server.client("a", now), server.client("b", now));
    let printer = printer_in(lab);
    let printer = ok(lm.store.create_equipment(&manager, &printer, now)).id;
    lm.sync(now);
    a.sync(now);
    b.sync(now);
    let search = SlotSearch { from: now.date_naive(), to: now.date_naive() + Duration::days(1), minutes: Some(120) };
    let slot = ok(a.store.slots(&printer, &search, now)).into_iter().find(|s| s.start >= now + Duration::minutes(30));
    let slot = slot.unwrap_or_else(|| panic!("no free slot"));
    let new =
        NewBooking { format: None, resource_id: printer.clone(), start: slot.start, end: slot.end, topic: "样件打印".into() };
    let booking = ok(a.store.book(&founders[0], &new, now)).id;
    a.sync(now);
    ok(b.store.join_waitlist(&founders[1], &printer, slot.start, slot.end, now));
    b.sync(now);

    // The booking began 20 minutes ago, and nobody checked in.
    released_by_the_server(&server, &booking, now - Duration::minutes(20), Duration::hours(2));
    b.sync(now);
    // What they were told since the test began (the sample told them of its own past).
    let told_now = |client: &common::Client, person: &str| -> Vec<String> {
        ok(client.store.notifications(person)).into_iter().filter(|n| n.created_at >= now).map(|n| n.kind).collect()
    };
    assert_eq!(told_now(&b, &founders[1]), vec!["waitlist_slot_open"], "the first founder waiting hears of it once");
    a.sync(now);
    assert_eq!(told_now(&a, &founders[0]), vec!["booking_no_show"]);
    assert_eq!(
        server.count("SELECT count(*) FROM audit_log WHERE action = 'no_show' AND entity_id = $1", &[Arg::T(&booking)]),
        1
    );
}

fn two_kiosks_offline_walk_two_people_up_to_one_slot_and_the_second_is_told_why(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let founders = founders_of(&seed, "PD-0001");
    let (manager, lab) = manager_and_lab(&seed);
    server.account("lm", &manager, "PD-0001", &[ServerRole::LabManager]);
    server.account("b", &founders[1], "PD-0001", &[ServerRole::Founder]);
    // The lab's two kiosks, signed in as its manager.
    let (mut east, mut west) = (server.client("lm", now), server.client("lm", now));
    let printer = ok(east.store.create_equipment(&manager, &printer_in(lab), now)).id;
    east.sync(now);
    west.sync(now);

    // Offline, each kiosk starts the printer for someone else in the same minute.
    let asked = |person_id| WalkUpAsked { resource_id: &printer, person_id, minutes: 60, purpose: Purpose::Testing, samples: 0 };
    let first = ok(east.store.walk_up(&manager, &asked(&founders[0]), now));
    let second = ok(west.store.walk_up(&manager, &asked(&founders[1]), now + Duration::seconds(20)));
    east.sync(now);
    let report = west.sync(now + Duration::seconds(20));
    assert_eq!(report.refused, vec!["refused.slot_taken".to_string()], "the second kiosk is told why");
    assert!(west.store.usage_session(&second.id).is_err(), "its session is gone from the kiosk");
    let running = ok(west.store.session_of_booking(&first.booking_id)).map(|s| s.person_id);
    assert_eq!(running.as_deref(), Some(founders[0].as_str()), "the kiosk shows who has the printer");
    assert_eq!(server.count("SELECT count(*) FROM usage_session WHERE resource_id = $1", &[Arg::T(&printer)]), 1);
    assert_eq!(server.count("SELECT walk_up FROM usage_session WHERE id = $1", &[Arg::T(&first.id)]), 1);

    // The founder turned away learns it on her own desktop, with the reason.
    let mut b = server.client("b", now);
    b.sync(now + Duration::minutes(1));
    let hers = ok(b.store.bookings_of(&founders[1]));
    let declined = hers.iter().find(|v| v.booking.id == second.booking_id).unwrap_or_else(|| panic!("not kept: {hers:?}"));
    assert_eq!(declined.booking.status, incubook::domain::BookingStatus::Declined);
    assert_eq!(declined.rejection.as_ref().map(|r| r.code.as_str()), Some("refused.slot_taken"));
}

fn no_shows_at_one_makerspace_put_a_booking_at_another_up_for_approval(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let founder = founders_of(&seed, "PD-0001")[0].clone();
    let (manager, lab) = manager_and_lab(&seed);
    let (other_manager, other_lab) = manager_and_lab_of(&seed, "PD-0002");
    server.account("lm", &manager, "PD-0001", &[ServerRole::LabManager]);
    server.account("lm2", &other_manager, "PD-0002", &[ServerRole::LabManager]);
    server.account("a", &founder, "PD-0001", &[ServerRole::Founder]);
    let (mut lm, mut lm2, mut a) = (server.client("lm", now), server.client("lm2", now), server.client("a", now));
    let here = ok(lm.store.create_equipment(&manager, &printer_in(lab), now)).id;
    let there = ok(lm2.store.create_equipment(&other_manager, &printer_in(other_lab), now)).id;
    let strict = UsageRules { approval_after_no_shows: 2, ..UsageRules::default() };
    ok(lm2.store.set_usage_rules(&other_manager, &there, &strict, now));
    lm.sync(now);
    lm2.sync(now);
    a.sync(now);

    // Two bookings at her own makerspace that the server releases as no-shows.
    let on_grid = now - Duration::seconds(now.timestamp().rem_euclid(300));
    for hours in [1, 3] {
        let start = on_grid + Duration::hours(hours);
        let new =
            NewBooking { format: None, resource_id: here.clone(), start, end: start + Duration::hours(1), topic: String::new() };
        let id = ok(a.store.book(&founder, &new, now)).id;
        a.sync(now);
        released_by_the_server(&server, &id, now - Duration::minutes(20), Duration::hours(1));
    }
    // The other makerspace's instrument asks its lab to approve her, by the server's count.
    a.sync(now);
    let start = on_grid + Duration::hours(5);
    let new =
        NewBooking { format: None, resource_id: there.clone(), start, end: start + Duration::hours(1), topic: String::new() };
    let id = ok(a.store.book(&founder, &new, now)).id;
    a.sync(now);
    assert_eq!(server.text("SELECT status FROM booking WHERE id = $1", &[Arg::T(&id)]).as_deref(), Some("requested"));
    lm2.sync(now);
    let told: Vec<String> = ok(lm2.store.notifications(&other_manager)).into_iter().map(|n| n.kind).collect();
    assert!(told.contains(&"booking_request".to_string()), "{told:?}");
}

fn a_pin_set_on_a_desktop_reaches_the_lab_kiosk_and_no_other_founder(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let LabAccounts { seed, founders, .. } = lab_accounts(&server);
    let phone: String = ok(seed.conn().query_row("SELECT phone FROM person WHERE id = ?1", [&founders[0]], |r| r.get(0)));
    let mut a = server.client("a", now);
    ok(a.store.set_kiosk_pin(&founders[0], &founders[0], Some("5173"), now));
    a.sync(now);

    // The lab's kiosk, signed in as its manager, knows her by phone and PIN, offline after a sync.
    let mut kiosk = server.client("lm", now);
    assert_eq!(ok(kiosk.store.person_with_pin(&phone, "5173", now)), founders[0]);
    assert_eq!(kiosk.store.person_with_pin(&phone, "0000", now).err().map(|e| e.code()).as_deref(), Some("invalid.pin"));
    // Another founder's desktop has neither her phone nor her PIN's hash.
    let b = server.client("b", now);
    let (their_phone, their_pin): (Option<String>, Option<String>) =
        ok(b.store
            .conn()
            .query_row("SELECT phone, kiosk_pin FROM person WHERE id = ?1", [&founders[0]], |r| Ok((r.get(0)?, r.get(1)?))));
    assert_eq!((their_phone, their_pin), (None, None));
}

/// A check-in the lab's kiosk recorded offline and the server refused is not lost in one sync's
/// report: the kiosk's sync status keeps which booking and why, and its booker is told, once.
fn a_kiosk_check_in_the_server_refuses_stays_at_the_kiosk_and_reaches_the_booker(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let founder = founders_of(&seed, "PD-0001")[0].clone();
    let (manager, lab) = manager_and_lab(&seed);
    server.account("lm", &manager, "PD-0001", &[ServerRole::LabManager]);
    server.account("a", &founder, "PD-0001", &[ServerRole::Founder]);
    let (mut kiosk, mut a) = (server.client("lm", now), server.client("a", now));
    let printer = ok(kiosk.store.create_equipment(&manager, &printer_in(lab), now)).id;
    kiosk.sync(now);
    a.sync(now);
    let search = SlotSearch { from: now.date_naive(), to: now.date_naive() + Duration::days(1), minutes: Some(120) };
    let slot = ok(a.store.slots(&printer, &search, now)).into_iter().find(|s| s.start >= now);
    let slot = slot.unwrap_or_else(|| panic!("no free slot"));
    let new =
        NewBooking { format: None, resource_id: printer.clone(), start: slot.start, end: slot.end, topic: "样件打印".into() };
    let booking = ok(a.store.book(&founder, &new, now)).id;
    a.sync(now);
    kiosk.sync(now);

    // She cancels on her laptop; the kiosk, offline, checks her in all the same.
    ok(a.store.cancel(&founder, &booking, None, now));
    a.sync(now);
    ok(kiosk.store.check_in(&manager, &booking, Purpose::Testing, 0, now));
    assert_eq!(kiosk.sync(now).refused, vec!["refused.check_in_closed".to_string()]);
    // The next sync reports nothing new, and the refusal stays in the kiosk's status.
    assert!(kiosk.sync(now).refused.is_empty());
    let status = ok(kiosk.store.sync_status()).unwrap_or_else(|| panic!("connected"));
    let kept: Vec<(&str, Option<&str>, &str)> =
        status.refused.iter().map(|r| (r.name.as_str(), r.booking_id.as_deref(), r.code.as_str())).collect();
    assert_eq!(kept, vec![("check_in", Some(booking.as_str()), "refused.check_in_closed")]);
    assert!(status.refused[0].message.contains("released"), "{:?}", status.refused[0]);

    // Her replica hears why the kiosk's check-in did not count (and the kiosk, which now
    // knows the booking is cancelled, refuses another check-in itself).
    assert_eq!(
        kiosk.store.check_in(&manager, &booking, Purpose::Testing, 0, now).err().map(|e| e.code()).as_deref(),
        Some("refused.check_in_closed")
    );
    a.sync(now);
    let told: Vec<_> = ok(a.store.notifications(&founder)).into_iter().filter(|n| n.kind == "check_in_refused").collect();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].booking_id.as_deref(), Some(booking.as_str()));
    assert_eq!(told[0].detail["code"], "refused.check_in_closed");
    assert!(told[0].detail["reason_zh"].as_str().is_some_and(|r| r.contains("签到")), "{:?}", told[0].detail);
}

on_both_backends!(
    a_kiosk_check_in_the_server_refuses_stays_at_the_kiosk_and_reaches_the_booker,
    a_pin_set_on_a_desktop_reaches_the_lab_kiosk_and_no_other_founder,
    two_desktops_check_one_booking_in_offline_and_the_first_to_sync_wins,
    the_server_releases_a_booking_nobody_checked_in_to_by_itself_and_the_waitlist_hears_of_it,
    two_kiosks_offline_walk_two_people_up_to_one_slot_and_the_second_is_told_why,
    no_shows_at_one_makerspace_put_a_booking_at_another_up_for_approval,
);
