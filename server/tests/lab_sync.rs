//! A lab manager's and a space admin's changes made on a connected desktop — equipment,
//! blackouts, qualifications, roles — go through the outbox to the server and reach the
//! founders' replicas; ones the server refuses are undone on the client that made them.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{Arg, Backend, Client, TestServer, founders_of, ok};
use incubook::domain::{BlackoutWhen, BookingStatus, Policy, Role, Slot, WeeklyHours};
use incubook::store::{BlackoutMode, NewBooking, NewEquipment, SlotSearch, Store};
use incubook::sync::{Mutation, PushRequest, PushedMutation};
use incubook_server::db::ServerRole;

/// The first person holding `role` in PD-0001 and no role anywhere else.
fn one_with_role(store: &Store, role: &str) -> String {
    ok(store.conn().query_row(
        "SELECT r.person_id FROM person_role r JOIN makerspace m ON m.id = r.makerspace_id
         WHERE m.code = 'PD-0001' AND r.role = ?1
           AND NOT EXISTS(SELECT 1 FROM person_role o WHERE o.person_id = r.person_id AND (o.role <> ?1 OR o.makerspace_id <> r.makerspace_id))
         ORDER BY r.person_id LIMIT 1",
        [role],
        |r| r.get(0),
    ))
}

fn lab_of(store: &Store) -> String {
    ok(store.conn().query_row(
        "SELECT l.id FROM lab l JOIN makerspace m ON m.id = l.makerspace_id WHERE m.code = 'PD-0001' ORDER BY l.id LIMIT 1",
        [],
        |r| r.get(0),
    ))
}

fn laser_cutter(lab_id: &str, qualification_required: bool) -> NewEquipment {
    NewEquipment {
        lab_id: lab_id.to_string(),
        name: "激光切割机 X1".into(),
        category: "激光加工".into(),
        model: "X1-1390".into(),
        hourly_fee_cents: 8_000,
        subsidy_pct: 50,
        policy: Policy { qualification_required, min_notice_min: 0, ..Policy::default() },
        weekly_hours: (0..7).map(|weekday| WeeklyHours { weekday, start_min: 9 * 60, end_min: 18 * 60 }).collect(),
    }
}

/// The first free slot of the resource more than a day ahead, as the client sees it.
fn slot_after_a_day(client: &Client, resource: &str, now: DateTime<Utc>) -> Slot {
    let search = SlotSearch { from: now.date_naive(), to: now.date_naive() + Duration::days(7), minutes: Some(60) };
    let slots = ok(client.store.slots(resource, &search, now));
    slots.into_iter().find(|s| s.start > now + Duration::days(1)).unwrap_or_else(|| panic!("no free slot of {resource}"))
}

fn slots_on(client: &Client, resource: &str, slot: &Slot, now: DateTime<Utc>) -> usize {
    let day = slot.start.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    ok(client.store.slots(resource, &SlotSearch { from: day, to: day, minutes: Some(60) }, now)).len()
}

fn book(client: &mut Client, resource: &str, slot: &Slot, now: DateTime<Utc>) -> incubook::Result<String> {
    let new = NewBooking {
        format: None,
        resource_id: resource.to_string(),
        start: slot.start,
        end: slot.end,
        topic: "外壳打样".into(),
    };
    let person = client.person_id.clone();
    client.store.book(&person, &new, now).map(|b| b.id)
}

fn status_of(client: &Client, booking_id: &str) -> (BookingStatus, Option<String>) {
    ok(client.store.conn().query_row("SELECT status, reason FROM booking WHERE id = ?1", [booking_id], |r| {
        Ok((BookingStatus::parse(&r.get::<_, String>(0)?).unwrap_or(BookingStatus::Requested), r.get(1)?))
    }))
}

/// The server with a lab manager "lm" and founders "a" and "b" of PD-0001, each synced once.
fn lab_and_founders(backend: Backend, now: DateTime<Utc>) -> (TestServer, Client, Client, Client, String) {
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let founders = founders_of(&seed, "PD-0001");
    server.account("lm", &one_with_role(&seed, "lab_manager"), "PD-0001", &[ServerRole::LabManager]);
    server.account("a", &founders[0], "PD-0001", &[ServerRole::Founder]);
    server.account("b", &founders[1], "PD-0001", &[ServerRole::Founder]);
    let lab = lab_of(&seed);
    let (lm, a, b) = (server.client("lm", now), server.client("a", now), server.client("b", now));
    (server, lm, a, b, lab)
}

fn a_lab_managers_equipment_blackouts_and_qualifications_reach_founders(backend: Backend) {
    let now = common::now();
    let (server, mut lm, mut a, _b, lab) = lab_and_founders(backend, now);
    let manager = lm.person_id.clone();

    // New equipment made offline reaches the founder; it needs a qualification she lacks.
    let cutter = ok(lm.store.create_equipment(&manager, &laser_cutter(&lab, true), now)).id;
    assert_eq!(ok(lm.store.sync_status()).map(|s| s.waiting), Some(1));
    lm.sync(now);
    a.sync(now);
    assert_eq!(ok(a.store.equipment_by_id(&cutter)).name, "激光切割机 X1");
    let slot = slot_after_a_day(&a, &cutter, now);
    let refused = book(&mut a, &cutter, &slot, now).err().map(|e| e.code());
    assert_eq!(refused.as_deref(), Some("refused.not_qualified"));

    // Qualified by the lab manager, she books; the server confirms.
    ok(lm.store.grant_qualification(&manager, &a.person_id, &cutter, None, now));
    lm.sync(now);
    a.sync(now);
    assert!(ok(a.store.qualification_of(&a.person_id, &cutter)).is_some());
    let booking = ok(book(&mut a, &cutter, &slot, now));
    a.sync(now);
    assert_eq!(status_of(&a, &booking).0, BookingStatus::Confirmed);
    assert_eq!(server.text("SELECT status FROM booking WHERE id = $1", &[Arg::T(&booking)]).as_deref(), Some("confirmed"));

    // The lab manager sees her booking (as busy), blacks the day out offline and cancels what
    // it hits; the server cancels it, and she learns why.
    lm.sync(now);
    let day_start = slot.start.timestamp() - 3_600;
    let when = BlackoutWhen::Once { start: day_start, end: slot.end.timestamp() + 3_600 };
    let outcome = ok(lm.store.add_blackout(&manager, &cutter, &when, "更换激光管", BlackoutMode::CancelBookings, now));
    assert_eq!((outcome.hits.len(), outcome.cancelled), (1, 1));
    lm.sync(now);
    a.sync(now);
    assert_eq!(status_of(&a, &booking), (BookingStatus::Cancelled, Some("更换激光管".into())));
    let told: i64 = ok(a.store.conn().query_row(
        "SELECT count(*) FROM notification WHERE booking_id = ?1 AND kind = 'booking_cancelled'",
        [&booking],
        |r| r.get(0),
    ));
    assert_eq!(told, 1, "the founder is told her booking was cancelled");
    let free_that_day = slots_on(&a, &cutter, &slot, now);

    // The blackout lifted, the slot is free again for her.
    let blackout = outcome.blackout.map(|b| b.id).unwrap_or_default();
    ok(lm.store.remove_blackout(&manager, &blackout, now));
    lm.sync(now);
    a.sync(now);
    assert!(slots_on(&a, &cutter, &slot, now) > free_that_day, "the lifted blackout frees the day");

    // Renamed and made pricier, then her qualification revoked: both reach her replica.
    let renamed = NewEquipment { name: "激光切割机 X2".into(), hourly_fee_cents: 12_000, ..laser_cutter(&lab, true) };
    ok(lm.store.update_equipment(&manager, &cutter, &renamed, now));
    ok(lm.store.revoke_qualification(&manager, &a.person_id, &cutter, now));
    lm.sync(now);
    a.sync(now);
    let seen = ok(a.store.equipment_by_id(&cutter));
    assert_eq!((seen.name.as_str(), seen.hourly_fee_cents), ("激光切割机 X2", 12_000));
    assert_eq!(ok(a.store.qualification_of(&a.person_id, &cutter)), None);
    assert_eq!(ok(lm.store.sync_status()).map(|s| s.waiting), Some(0));
    assert_eq!(server.count("SELECT count(*) FROM qualification WHERE resource_id = $1", &[Arg::T(&cutter)]), 0);
}

fn lab_changes_the_server_refuses_are_undone_on_the_client_that_made_them(backend: Backend) {
    let now = common::now();
    let (server, mut lm, mut a, mut b, lab) = lab_and_founders(backend, now);
    let manager = lm.person_id.clone();
    let open = ok(lm.store.create_equipment(&manager, &laser_cutter(&lab, false), now)).id;
    lm.sync(now);
    b.sync(now);
    let slot = slot_after_a_day(&b, &open, now);
    let bs = ok(book(&mut b, &open, &slot, now));
    b.sync(now);
    a.sync(now);
    assert_eq!(status_of(&a, &bs).0, BookingStatus::Confirmed, "the founder's replica shows b's booking as busy");

    // A founder's replica that believes she manages the lab (an old or broken client): every
    // change is made locally, and every one is refused by the server.
    let founder = a.person_id.clone();
    ok(a.store.conn().execute(
        "INSERT INTO person_role(person_id, makerspace_id, role) SELECT ?1, makerspace_id, 'lab_manager' FROM lab WHERE id = ?2",
        [&founder, &lab],
    ));
    let own = ok(a.store.create_equipment(&founder, &laser_cutter(&lab, false), now)).id;
    let when = BlackoutWhen::Once { start: slot.start.timestamp() - 60, end: slot.end.timestamp() + 60 };
    let outcome = ok(a.store.add_blackout(&founder, &open, &when, "", BlackoutMode::CancelBookings, now));
    assert_eq!(outcome.cancelled, 1);
    ok(a.store.grant_qualification(&founder, &founder, &open, None, now));
    let renamed = NewEquipment { name: "我的设备".into(), ..laser_cutter(&lab, false) };
    ok(a.store.update_equipment(&founder, &open, &renamed, now));
    let report = a.sync(now);
    assert_eq!(report.refused, vec!["forbidden".to_string(); 4]);

    // Her replica is the server's again: no new equipment, no blackout, b's booking holds,
    // no qualification, the old name.
    let count = |sql: &str, id: &str| -> i64 { ok(a.store.conn().query_row(sql, [id], |r| r.get(0))) };
    assert_eq!(count("SELECT count(*) FROM resource WHERE id = ?1", &own), 0);
    assert_eq!(count("SELECT count(*) FROM equipment WHERE resource_id = ?1", &own), 0);
    assert_eq!(count("SELECT count(*) FROM blackout WHERE resource_id = ?1 AND deleted = 0", &open), 0);
    assert_eq!(status_of(&a, &bs).0, BookingStatus::Confirmed, "the booking the refused blackout cancelled is back");
    assert_eq!(ok(a.store.qualification_of(&founder, &open)), None);
    assert_eq!(ok(a.store.equipment_by_id(&open)).name, "激光切割机 X1");
    assert_eq!(server.text("SELECT status FROM booking WHERE id = $1", &[Arg::T(&bs)]).as_deref(), Some("confirmed"));
    assert_eq!(server.count("SELECT count(*) FROM resource WHERE id = $1", &[Arg::T(&own)]), 0);
}

fn roles_given_by_a_space_admin_reach_the_server_and_decide_what_the_person_may_do(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let founders = founders_of(&seed, "PD-0001");
    server.account("sa", &one_with_role(&seed, "space_admin"), "PD-0001", &[ServerRole::SpaceAdmin]);
    server.account("a", &founders[0], "PD-0001", &[ServerRole::Founder]);
    let (mut sa, mut a) = (server.client("sa", now), server.client("a", now));
    let admin = sa.person_id.clone();
    let founder = a.person_id.clone();
    let equipment: String = ok(seed.conn().query_row(
        "SELECT r.id FROM resource r JOIN makerspace m ON m.id = r.makerspace_id WHERE m.code = 'PD-0001' AND r.kind = 'equipment' ORDER BY r.id LIMIT 1",
        [],
        |r| r.get(0),
    ));
    let makerspace_id = ok(seed.makerspace_by_code("PD-0001")).id;

    // A founder cannot make herself a lab manager, whatever her client sends.
    let grant = Mutation::SetRole {
        person_id: founder.clone(),
        makerspace_id: makerspace_id.clone(),
        role: Role::LabManager,
        granted: true,
    };
    let pushed = vec![ok(PushedMutation::new(1, &grant))];
    let answer = ok(a.transport().push(&a.token(), &PushRequest { client_id: "self-promotion".into(), mutations: pushed }));
    assert_eq!(answer.outcomes[0].code.as_deref(), Some("forbidden"));

    // The space admin makes her one on his desktop; after sync the server lets her black out equipment.
    ok(sa.store.set_role(&admin, &founder, "PD-0001", Role::LabManager, true, now));
    sa.sync(now);
    a.sync(now);
    let roles = ok(a.store.person(&founder, Some(&founder))).roles;
    assert!(roles.iter().any(|r| r.role == Role::LabManager), "{roles:?}");
    let later = (now + Duration::days(20)).timestamp();
    let when = BlackoutWhen::Once { start: later, end: later + 3_600 };
    ok(a.store.add_blackout(&founder, &equipment, &when, "校准", BlackoutMode::KeepBookings, now));
    assert!(a.sync(now).refused.is_empty());
    assert_eq!(
        server.count("SELECT count(*) FROM blackout WHERE resource_id = $1 AND reason = '校准'", &[Arg::T(&equipment)]),
        1
    );

    // Role taken back: her next blackout is refused and gone from her replica.
    ok(sa.store.set_role(&admin, &founder, "PD-0001", Role::LabManager, false, now));
    sa.sync(now);
    let when = BlackoutWhen::Once { start: later + 7_200, end: later + 10_800 };
    let second = ok(a.store.add_blackout(&founder, &equipment, &when, "再校准", BlackoutMode::KeepBookings, now));
    assert_eq!(a.sync(now).refused, vec!["forbidden".to_string()]);
    let second = second.blackout.map(|b| b.id).unwrap_or_default();
    let left: i64 = ok(a.store.conn().query_row("SELECT count(*) FROM blackout WHERE id = ?1", [&second], |r| r.get(0)));
    assert_eq!(left, 0);
    assert_eq!(
        server.count("SELECT count(*) FROM person_role WHERE person_id = $1 AND role = 'lab_manager'", &[Arg::T(&founder)]),
        0
    );
}

/// The review's N4: a check-in code cannot be worked out from what every replica receives.
/// The booker's desktop and the lab's kiosk (its manager's replica) agree on the code; another
/// founder's replica has the booking's id but not the booker's key, and gets no code.
fn a_check_in_code_is_known_to_the_booker_and_the_kiosk_only(backend: Backend) {
    let now = common::now();
    let (server, mut lm, mut a, mut b, lab) = lab_and_founders(backend, now);
    let manager = lm.person_id.clone();
    let printer = ok(lm.store.create_equipment(&manager, &laser_cutter(&lab, false), now)).id;
    lm.sync(now);
    a.sync(now);
    let slot = slot_after_a_day(&a, &printer, now);
    let booking = ok(book(&mut a, &printer, &slot, now));
    a.sync(now);
    lm.sync(now);
    b.sync(now);

    let (booker, other) = (a.person_id.clone(), b.person_id.clone());
    let hers = ok(a.store.check_in_code_for(&booker, &booking));
    assert_eq!(ok(lm.store.check_in_code_for(&manager, &booking)), hers, "the kiosk knows the code she was given");
    let key_on = |client: &Client| -> Option<String> {
        ok(client.store.conn().query_row("SELECT check_in_key FROM person WHERE id = ?1", [&booker], |r| r.get(0)))
    };
    assert_eq!(key_on(&lm).map(|k| k.len()), Some(32));
    assert_eq!(key_on(&b), None, "another founder's replica never receives her key");
    assert_eq!(ok(b.store.check_in_code_for(&other, &booking).err().ok_or("no error")).code(), "forbidden");
    // Nor does the server have a key for nobody: every person of the district has their own.
    assert_eq!(
        server
            .count("SELECT count(*) FROM person WHERE deleted = 0 AND (check_in_key IS NULL OR length(check_in_key) <> 32)", &[]),
        0
    );
    assert_eq!(
        server.count("SELECT count(DISTINCT check_in_key) FROM person WHERE deleted = 0", &[]),
        server.count("SELECT count(*) FROM person WHERE deleted = 0", &[])
    );

    // At the kiosk, five minutes before, offline: her code checks her in (the server takes
    // kiosk check-ins as `machine_hours.rs` shows).
    let at = slot.start - Duration::minutes(5);
    let session = ok(lm.store.check_in_by_code(&manager, &lab, &hers, incubook::usage::Purpose::Testing, at));
    assert_eq!((session.person_id.as_str(), session.booking_id.as_str()), (booker.as_str(), booking.as_str()));
}

on_both_backends!(
    a_check_in_code_is_known_to_the_booker_and_the_kiosk_only,
    a_lab_managers_equipment_blackouts_and_qualifications_reach_founders,
    lab_changes_the_server_refuses_are_undone_on_the_client_that_made_them,
    roles_given_by_a_space_admin_reach_the_server_and_decide_what_the_person_may_do,
);
