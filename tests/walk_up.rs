//! At the instrument, on a real SQLite file: walking up to a free instrument, the lab's
//! approval after repeated no-shows, and the instrument's asset register.

mod common;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::{District, cst, now};
use incubook::CoreError;
use incubook::domain::BookingStatus;
use incubook::register::{Funding, InstrumentRegister};
use incubook::store::{NewBooking, UsageSession, WalkUpAsked};
use incubook::usage::{ChargeBasis, Purpose, Rates, UsageRules, UserClass};

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn code<T: std::fmt::Debug>(result: Result<T, CoreError>) -> String {
    match result {
        Err(e) => e.code(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

/// The two test makerspaces with a 1-unit instrument bookable at no notice.
fn district() -> District {
    common::district_with(common::mentor_policy(), incubook::domain::Policy { min_notice_min: 0, ..common::equipment_policy(1) })
}

/// `actor` at the kiosk walks `person` up to the instrument for `minutes` from the slot's start.
fn walk(d: &mut District, actor: &str, person_id: &str, minutes: u32, at: DateTime<Utc>) -> Result<UsageSession, CoreError> {
    let equipment = d.equipment.clone();
    let asked = WalkUpAsked { resource_id: &equipment, person_id, minutes, purpose: Purpose::Testing, samples: 1 };
    d.store.walk_up(actor, &asked, at)
}

#[test]
fn a_walk_up_books_the_slot_under_way_starts_at_once_and_is_charged_for_what_ran() {
    let mut d = district();
    let (founder, other, manager, equipment) =
        (d.founders[0].clone(), d.founders[1].clone(), d.manager.clone(), d.equipment.clone());
    // Even when the lab charges booked time, a walk-up pays for what ran.
    let rates = Rates { internal_fen_per_hour: 12_000, basis: ChargeBasis::Booked, ..Rates::default() };
    ok(d.store.set_rates(&manager, &equipment, &rates, now()));
    let arrived = cst(2026, 12, 8, 10, 20);
    let session = ok(walk(&mut d, &founder, &founder, 90, arrived));
    assert!(session.walk_up);
    assert_eq!((session.started_at, session.user_class), (arrived, UserClass::Internal));
    let booking = ok(d.store.booking(&session.booking_id));
    assert_eq!((booking.start, booking.end), (cst(2026, 12, 8, 10, 0), cst(2026, 12, 8, 11, 30)), "the slot under way");
    assert_eq!(booking.status, BookingStatus::Confirmed);

    // The instrument is taken: a second person at the kiosk is told so.
    assert_eq!(code(walk(&mut d, &other, &other, 60, arrived + Duration::minutes(5))), "refused.slot_taken");

    // 40 minutes ran: three quarter hours at ¥120/h, not the 90 booked minutes.
    let done = ok(d.store.check_out(&founder, &session.id, arrived + Duration::minutes(40)));
    assert_eq!(done.fee_fen, 9_000);
    assert_eq!(ok(d.store.booking(&booking.id)).status, BookingStatus::Completed);
    // The rest of the slot is free: the other founder walks up now.
    let next = ok(walk(&mut d, &other, &other, 30, arrived + Duration::minutes(41)));
    assert_eq!(ok(d.store.booking(&next.booking_id)).start, cst(2026, 12, 8, 11, 0));
}

#[test]
fn a_lab_manager_starts_a_walk_up_for_a_founder_but_a_founder_not_for_another() {
    let mut d = district();
    let (founder, other, manager, outsider) =
        (d.founders[0].clone(), d.founders[1].clone(), d.manager.clone(), d.outsider.clone());
    let arrived = cst(2026, 12, 8, 14, 5);
    assert_eq!(code(walk(&mut d, &other, &founder, 60, arrived)), "forbidden");
    let session = ok(walk(&mut d, &manager, &outsider, 60, arrived));
    assert_eq!((session.person_id.as_str(), session.user_class), (outsider.as_str(), UserClass::External));
    assert_eq!(ok(d.store.booking(&session.booking_id)).booker_id, outsider);
}

#[test]
fn a_walk_up_keeps_the_other_rules_hours_and_length() {
    let mut d = district();
    let founder = d.founders[0].clone();
    // The lab opens at 09:00.
    assert_eq!(code(walk(&mut d, &founder, &founder, 60, cst(2026, 12, 8, 8, 10))), "refused.outside_hours");
    // 17:40 until 19:00 runs past closing.
    assert_eq!(code(walk(&mut d, &founder, &founder, 90, cst(2026, 12, 8, 17, 40))), "refused.outside_hours");
    assert_eq!(code(walk(&mut d, &founder, &founder, 300, cst(2026, 12, 8, 9, 40))), "refused.too_long");
}

#[test]
fn after_two_no_shows_in_ninety_days_the_instrument_asks_its_lab_to_approve() {
    let mut d = district();
    let (founder, manager, equipment) = (d.founders[0].clone(), d.manager.clone(), d.equipment.clone());
    let rules = UsageRules { approval_after_no_shows: 2, ..UsageRules::default() };
    ok(d.store.set_usage_rules(&manager, &equipment, &rules, now()));
    assert_eq!(ok(d.store.usage_rules(&equipment)).approval_after_no_shows, 2);
    let book = |d: &mut District, start, at| {
        let new = NewBooking {
            format: None,
            resource_id: equipment.clone(),
            start,
            end: start + Duration::hours(1),
            topic: String::new(),
        };
        ok(d.store.book(&founder, &new, at))
    };
    for day in [8, 9] {
        let start = cst(2026, 12, day, 10, 0);
        let missed = book(&mut d, start, now());
        assert_eq!(missed.status, BookingStatus::Confirmed);
        assert_eq!(ok(d.store.release_no_shows(start + Duration::minutes(15))), vec![missed.id]);
    }
    let history = ok(d.store.no_show_history(&founder, cst(2026, 12, 10, 9, 0)));
    assert_eq!(history.iter().map(|n| n.start).collect::<Vec<_>>(), [cst(2026, 12, 9, 10, 0), cst(2026, 12, 8, 10, 0)]);

    let asked = book(&mut d, cst(2026, 12, 11, 10, 0), cst(2026, 12, 10, 9, 0));
    assert_eq!(asked.status, BookingStatus::Requested, "the lab decides");
    let told: Vec<String> = ok(d.store.notifications(&manager)).into_iter().map(|n| n.kind).collect();
    assert!(told.contains(&"booking_request".to_string()), "{told:?}");
    // No walking up around the approval either.
    assert_eq!(code(walk(&mut d, &founder, &founder, 30, cst(2026, 12, 10, 14, 0))), "refused.walk_up_needs_approval");

    // Ninety days after the second no-show it no longer counts, and booking is direct again.
    let later = cst(2027, 3, 10, 10, 30);
    assert_eq!(ok(d.store.no_show_history(&founder, later)).len(), 0);
    let start = cst(2027, 3, 11, 10, 0);
    assert_eq!(book(&mut d, start, later).status, BookingStatus::Confirmed);
}

#[test]
fn the_register_records_value_dates_and_funding_and_flags_the_evaluated_instruments() {
    let mut d = district();
    let (manager, founder, equipment) = (d.manager.clone(), d.founders[0].clone(), d.equipment.clone());
    let register = InstrumentRegister {
        original_value_fen: Some(56_000_000),
        purchased_on: NaiveDate::from_ymd_opt(2023, 3, 1),
        accepted_on: NaiveDate::from_ymd_opt(2023, 4, 15),
        funding: Some(Funding::Fiscal),
        asset_number: "ZJ-2023-0042".into(),
        open_for_sharing: true,
        operator_id: Some(manager.clone()),
    };
    assert_eq!(code(d.store.set_register(&founder, &equipment, &register, now())), "forbidden");
    ok(d.store.set_register(&manager, &equipment, &register, now()));
    let stored = ok(d.store.register(&equipment));
    assert_eq!(stored, register);
    assert!(stored.large() && stored.national(), "¥560,000 is over both thresholds");

    let nobody = InstrumentRegister { operator_id: Some("nobody".into()), ..register.clone() };
    assert_eq!(code(d.store.set_register(&manager, &equipment, &nobody, now())), "not_found.person");
    let backwards = InstrumentRegister { accepted_on: NaiveDate::from_ymd_opt(2023, 2, 1), ..register };
    assert_eq!(code(d.store.set_register(&manager, &equipment, &backwards, now())), "invalid.accepted_on");
    assert!(ok(d.store.register(&equipment)).accepted_on == NaiveDate::from_ymd_opt(2023, 4, 15), "nothing half-written");
}

#[test]
fn the_instrument_passes_on_an_early_check_in_waits_for_the_user_before_and_a_forgotten_session_closes_at_its_end() {
    let mut d = district();
    let (first, second, equipment) = (d.founders[0].clone(), d.founders[1].clone(), d.equipment.clone());
    let book = |d: &mut District, who: &str, start| {
        let new = NewBooking {
            format: None,
            resource_id: equipment.clone(),
            start,
            end: start + Duration::hours(1),
            topic: String::new(),
        };
        ok(d.store.book(who, &new, now())).id
    };
    let (ten, eleven) = (cst(2026, 12, 8, 10, 0), cst(2026, 12, 8, 11, 0));
    let (a, b) = (book(&mut d, &first, ten), book(&mut d, &second, eleven));
    let running = ok(d.store.check_in(&first, &a, Purpose::Testing, 0, ten));
    // Ten minutes early, while the booking before is still on: she waits.
    let early = d.store.check_in(&second, &b, Purpose::Testing, 0, eleven - Duration::minutes(10));
    assert_eq!(code(early), "refused.instrument_in_use");
    // At eleven the first user has not checked out: their session ends at their booking's end.
    let taken = ok(d.store.check_in(&second, &b, Purpose::Testing, 0, eleven + Duration::minutes(2)));
    let closed = ok(d.store.usage_session(&running.id));
    assert_eq!((closed.ended_at, closed.flagged), (Some(eleven), true));
    assert_eq!(taken.started_at, eleven + Duration::minutes(2));
    assert_eq!(code(d.store.check_out(&first, &running.id, eleven + Duration::minutes(5))), "refused.already_checked_out");
}

#[test]
fn the_kiosk_shows_todays_bookings_and_checks_one_in_by_the_code_on_it() {
    let mut d = district();
    let (founder, manager, equipment, lab) = (d.founders[0].clone(), d.manager.clone(), d.equipment.clone(), d.lab.clone());
    let start = cst(2026, 12, 8, 10, 0);
    let new =
        NewBooking { format: None, resource_id: equipment.clone(), start, end: start + Duration::hours(1), topic: String::new() };
    let booking = ok(d.store.book(&founder, &new, now())).id;
    let printed = ok(d.store.check_in_code_for(&founder, &booking));
    let at = start - Duration::minutes(5);
    let day = ok(d.store.kiosk_day(&lab, at));
    assert_eq!(
        day.bookings.iter().map(|b| (b.booking_id.as_str(), b.session.is_none())).collect::<Vec<_>>(),
        [(booking.as_str(), true)]
    );
    assert!(day.instruments.iter().all(|i| !i.in_use));

    let wrong = if printed == "000000" { "000001" } else { "000000" };
    assert_eq!(code(d.store.check_in_by_code(&manager, &lab, wrong, Purpose::Testing, at)), "invalid.code");
    // A scanner types the QR code's text.
    let scanned = format!("{}{printed}", incubook::usage::CHECK_IN_QR_PREFIX);
    let session = ok(d.store.check_in_by_code(&manager, &lab, &scanned, Purpose::Testing, at));
    assert_eq!(session.person_id, founder, "checked in for the booker");
    let day = ok(d.store.kiosk_day(&lab, at));
    assert_eq!(day.bookings[0].session.as_ref().map(|s| s.id.as_str()), Some(session.id.as_str()));
    assert!(day.instruments.iter().any(|i| i.resource_id == equipment && i.in_use));
    // Everyone in this fixture shares one phone number: the kiosk cannot tell them apart.
    assert_eq!(code(d.store.person_by_phone("13900000000")), "invalid.phone");
    assert_eq!(code(d.store.person_by_phone("13800000000")), "not_found.person");
}

#[test]
fn a_founder_checks_in_at_the_kiosk_with_her_phone_and_pin() {
    use incubook::domain::{Role, RoleGrant};
    let mut d = district();
    let (manager, equipment, lab, admin) = (d.manager.clone(), d.equipment.clone(), d.lab.clone(), d.admin.clone());
    let new = incubook::store::NewPerson {
        name: "林小满".into(),
        phone: Some("13700001111".into()),
        email: None,
        startup_name: None,
        industry: None,
        stage: None,
        roles: vec![RoleGrant { makerspace_code: "PD-0001".into(), role: Role::Founder }],
    };
    let founder = ok(d.store.create_person(Some(&admin), &new, now())).id;
    let start = cst(2026, 12, 8, 10, 0);
    let booked =
        NewBooking { format: None, resource_id: equipment, start, end: start + Duration::hours(1), topic: String::new() };
    let booking = ok(d.store.book(&founder, &booked, now())).id;
    let at = start - Duration::minutes(5);
    let pin_in =
        |d: &mut District, phone: &str, pin: &str| d.store.check_in_by_pin(&manager, &lab, (phone, pin), Purpose::Testing, at);

    assert_eq!(code(pin_in(&mut d, "13700001111", "2468")), "invalid.pin", "no PIN set yet");
    // She sets her own PIN; another founder may not set it for her; a lab manager may.
    assert_eq!(code(d.store.set_kiosk_pin(&founder, &founder, Some("12a4"), now())), "invalid.pin");
    ok(d.store.set_kiosk_pin(&founder, &founder, Some("2468"), now()));
    let other = d.founders[1].clone();
    assert!(code(d.store.set_kiosk_pin(&other, &founder, Some("0000"), now())).starts_with("forbidden"));
    // The review's N4: a lab manager or space admin of another makerspace does not know her.
    let (outsider_manager, outsider_admin) = (d.outsider_manager.clone(), d.outsider_admin.clone());
    assert_eq!(code(d.store.set_kiosk_pin(&outsider_manager, &founder, Some("0000"), now())), "forbidden");
    assert_eq!(code(d.store.set_kiosk_pin(&outsider_admin, &founder, None, now())), "forbidden");
    let stored: String = ok(d.store.conn().query_row("SELECT kiosk_pin FROM person WHERE id = ?1", [&founder], |r| r.get(0)));
    assert!(stored.starts_with("$argon2") && !stored.contains("2468"), "kept as a hash");

    assert_eq!(code(pin_in(&mut d, "13700001111", "1357")), "invalid.pin", "a wrong PIN");
    assert_eq!(code(pin_in(&mut d, "13700009999", "2468")), "invalid.pin", "an unknown number, told the same");
    let session = ok(pin_in(&mut d, "13700001111", "2468"));
    assert_eq!((session.booking_id.as_str(), session.person_id.as_str()), (booking.as_str(), founder.as_str()));
    // Her booking is running: the kiosk says so.
    assert_eq!(code(pin_in(&mut d, "13700001111", "2468")), "refused.already_checked_in");
    // The lab manager resets a forgotten PIN at the kiosk.
    ok(d.store.set_kiosk_pin(&manager, &founder, Some("8642"), now()));
    assert_eq!(ok(d.store.person_with_pin("13700001111", "8642", at)), founder);

    // Five wrong PINs for a number in a quarter of an hour, and the kiosk stops trying it,
    // even with the right one, until the first of them is fifteen minutes old.
    for _ in 0..5 {
        assert_eq!(code(d.store.person_with_pin("13700001111", "0000", at)), "invalid.pin");
    }
    assert_eq!(code(d.store.person_with_pin("13700001111", "8642", at)), "refused.too_many_pin_attempts");
    let later = at + Duration::minutes(15) + Duration::seconds(1);
    assert_eq!(ok(d.store.person_with_pin("13700001111", "8642", later)), founder);
}

/// Codes are not to be guessed at the kiosk: ten wrong ones within the hour stop it taking
/// codes (the right one too) until the first of them is an hour old, and a restart of the
/// kiosk does not give new tries. Only a booking whose check-in is open now has a code there.
#[test]
fn wrong_codes_lock_the_kiosk_for_an_hour_even_across_a_restart() {
    let mut d = district();
    let (founder, later, manager, equipment, lab) =
        (d.founders[0].clone(), d.founders[1].clone(), d.manager.clone(), d.equipment.clone(), d.lab.clone());
    let start = cst(2026, 12, 8, 10, 0);
    let at = |start: chrono::DateTime<chrono::Utc>| NewBooking {
        format: None,
        resource_id: equipment.clone(),
        start,
        end: start + Duration::hours(1),
        topic: String::new(),
    };
    let booking = ok(d.store.book(&founder, &at(start), now())).id;
    let afternoon = ok(d.store.book(&later, &at(cst(2026, 12, 8, 15, 0)), now())).id;
    let (right, not_yet) = (ok(d.store.check_in_code_for(&founder, &booking)), ok(d.store.check_in_code_for(&later, &afternoon)));
    let kiosk_at = start - Duration::minutes(5);
    let by_code = |d: &mut District, code: &str, when| d.store.check_in_by_code(&manager, &lab, code, Purpose::Testing, when);

    assert_eq!(code(by_code(&mut d, &not_yet, kiosk_at)), "invalid.code", "the afternoon's check-in is not open yet");
    let wrong: Vec<String> = (0..20).map(|n| format!("{:06}", 100_000 + n * 7_919)).filter(|c| *c != right).take(9).collect();
    for guess in &wrong {
        assert_eq!(code(by_code(&mut d, guess, kiosk_at)), "invalid.code");
    }
    assert_eq!(code(by_code(&mut d, &right, kiosk_at + Duration::minutes(1))), "refused.too_many_code_attempts");
    // The kiosk restarts: the count is in its database.
    let path = d.dir.path().join("incubook.db");
    d.store = ok(incubook::store::Store::open(&path));
    assert_eq!(code(by_code(&mut d, &right, kiosk_at + Duration::minutes(2))), "refused.too_many_code_attempts");
    // An hour after the first wrong code, the kiosk takes codes again: her next booking's.
    let next = ok(d.store.book(&founder, &at(start + Duration::hours(1)), now())).id;
    let next_code = ok(d.store.check_in_code_for(&founder, &next));
    let session = ok(by_code(&mut d, &next_code, kiosk_at + Duration::minutes(61)));
    assert_eq!((session.person_id.as_str(), session.booking_id.as_str()), (founder.as_str(), next.as_str()));
}
