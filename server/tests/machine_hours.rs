//! Machine hours through the district server: check-ins made offline reach the server with
//! the time they happened, two desktops checking in one booking offline cannot both win, and
//! the charge the server records is the desktop's.

mod common;

use chrono::{Duration, Utc};
use common::{Arg, Backend, TestServer, founders_of, ok};
use incubook::domain::{Policy, WeeklyHours};
use incubook::store::{NewBooking, NewEquipment, SlotSearch};
use incubook::usage::{ChargeBasis, Purpose, Rates};
use incubook_server::db::ServerRole;

/// A lab manager of PD-0001 and one of its labs.
fn manager_and_lab(seed: &incubook::store::Store) -> (String, String) {
    let manager = ok(seed.conn().query_row(
        "SELECT r.person_id FROM person_role r JOIN makerspace m ON m.id = r.makerspace_id
         WHERE m.code = 'PD-0001' AND r.role = 'lab_manager' ORDER BY r.person_id LIMIT 1",
        [],
        |r| r.get(0),
    ));
    let lab = ok(seed.conn().query_row(
        "SELECT l.id FROM lab l JOIN makerspace m ON m.id = l.makerspace_id WHERE m.code = 'PD-0001' ORDER BY l.id LIMIT 1",
        [],
        |r| r.get(0),
    ));
    (manager, lab)
}

/// A printer open round the clock that can be booked to start within minutes.
fn printer_in(lab: String) -> NewEquipment {
    NewEquipment {
        lab_id: lab,
        name: "工业级 3D 打印机".into(),
        category: "3D打印".into(),
        model: "F900".into(),
        hourly_fee_cents: 0,
        subsidy_pct: 0,
        policy: Policy { min_notice_min: 0, granularity_min: 5, ..Policy::default() },
        weekly_hours: (0..7).map(|weekday| WeeklyHours { weekday, start_min: 0, end_min: 24 * 60 }).collect(),
    }
}

fn two_desktops_check_one_booking_in_offline_and_the_first_to_sync_wins(backend: Backend) {
    let now = Utc::now();
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
    let new = NewBooking { resource_id: printer.clone(), start: slot.start, end: slot.end, topic: "样件打印".into() };
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
    let next = NewBooking { start: slot.end, end: slot.end + Duration::hours(1), ..new };
    let second = ok(a.store.book(&founder, &next, now)).id;
    a.sync(now);
    let fast = ok(a.store.check_in(&founder, &second, Purpose::Testing, 0, slot.end));
    let report = a.sync(now);
    assert_eq!(report.refused, vec!["invalid.at".to_string()]);
    assert!(a.store.usage_session(&fast.id).is_err());
}

fn the_server_releases_a_booking_nobody_checked_in_to_by_itself_and_the_waitlist_hears_of_it(backend: Backend) {
    let now = Utc::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let founders = founders_of(&seed, "PD-0001");
    let (manager, lab) = manager_and_lab(&seed);
    server.account("lm", &manager, "PD-0001", &[ServerRole::LabManager]);
    server.account("a", &founders[0], "PD-0001", &[ServerRole::Founder]);
    server.account("b", &founders[1], "PD-0001", &[ServerRole::Founder]);
    let (mut lm, mut a, mut b) = (server.client("lm", now), server.client("a", now), server.client("b", now));
    let printer = printer_in(lab);
    let printer = ok(lm.store.create_equipment(&manager, &printer, now)).id;
    lm.sync(now);
    a.sync(now);
    b.sync(now);
    let search = SlotSearch { from: now.date_naive(), to: now.date_naive() + Duration::days(1), minutes: Some(120) };
    let slot = ok(a.store.slots(&printer, &search, now)).into_iter().find(|s| s.start >= now + Duration::minutes(30));
    let slot = slot.unwrap_or_else(|| panic!("no free slot"));
    let new = NewBooking { resource_id: printer.clone(), start: slot.start, end: slot.end, topic: "样件打印".into() };
    let booking = ok(a.store.book(&founders[0], &new, now)).id;
    a.sync(now);
    ok(b.store.join_waitlist(&founders[1], &printer, slot.start, slot.end, now));
    b.sync(now);

    // Behind the server's back the booking began 20 minutes ago, and nobody checked in.
    let began = now - Duration::minutes(20);
    server.execute(
        "UPDATE booking SET start_at = $1, end_at = $2 WHERE id = $3",
        &[Arg::I(began.timestamp()), Arg::I((began + Duration::hours(2)).timestamp()), Arg::T(&booking)],
    );
    // The server's own sweep (every 200 ms in tests) releases it; nobody asks it to.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while server.text("SELECT status FROM booking WHERE id = $1", &[Arg::T(&booking)]).as_deref() != Some("no_show") {
        assert!(std::time::Instant::now() < deadline, "the server did not release the no-show within 20 s");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    b.sync(now);
    let told: Vec<String> = ok(b.store.notifications(&founders[1])).into_iter().map(|n| n.kind).collect();
    assert_eq!(told, vec!["waitlist_slot_open"], "the first founder waiting hears of it once");
    a.sync(now);
    let told: Vec<String> = ok(a.store.notifications(&founders[0])).into_iter().map(|n| n.kind).collect();
    assert_eq!(told, vec!["booking_no_show"]);
    assert_eq!(
        server.count("SELECT count(*) FROM audit_log WHERE action = 'no_show' AND entity_id = $1", &[Arg::T(&booking)]),
        1
    );
}

on_both_backends!(
    two_desktops_check_one_booking_in_offline_and_the_first_to_sync_wins,
    the_server_releases_a_booking_nobody_checked_in_to_by_itself_and_the_waitlist_hears_of_it,
);
