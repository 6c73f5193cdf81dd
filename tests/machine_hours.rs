//! Machine hours on a real SQLite file: checking in to an instrument's booking, checking out,
//! and the charge at the user's class rate in integer fen.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{District, cst, district, now};
use incubook::CoreError;
use incubook::domain::{Booking, BookingStatus};
use incubook::store::NewBooking;
use incubook::usage::{ChargeBasis, Purpose, Rates, UserClass};

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn code<T: std::fmt::Debug>(result: Result<T, CoreError>) -> String {
    match result {
        Err(e) => e.code(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

fn book(d: &mut District, who: &str, start: DateTime<Utc>, minutes: i64) -> Booking {
    let new =
        NewBooking { resource_id: d.equipment.clone(), start, end: start + Duration::minutes(minutes), topic: String::new() };
    ok(d.store.book(who, &new, now()))
}

/// ¥100/h for the space's own members, ¥200/h for the district's, ¥300/h for companies;
/// time is charged in quarter hours.
fn priced(d: &mut District) {
    let rates = Rates {
        internal_fen_per_hour: 10_000,
        external_fen_per_hour: 20_000,
        enterprise_fen_per_hour: 30_000,
        basis: ChargeBasis::Actual,
        minimum_fen: 0,
        rounding_min: 15,
    };
    let (manager, equipment) = (d.manager.clone(), d.equipment.clone());
    ok(d.store.set_rates(&manager, &equipment, &rates, now()));
    assert_eq!(ok(d.store.rates(&equipment)), rates);
}

#[test]
fn a_member_checks_in_from_ten_minutes_before_and_pays_the_internal_rate_for_the_time_used() {
    let mut d = district();
    priced(&mut d);
    let founder = d.founders[0].clone();
    let start = cst(2026, 12, 8, 14, 0);
    let b = book(&mut d, &founder, start, 60);
    assert_eq!(
        code(d.store.check_in(&founder, &b.id, Purpose::Testing, 3, start - Duration::minutes(15))),
        "refused.check_in_not_open"
    );
    let session = ok(d.store.check_in(&founder, &b.id, Purpose::Testing, 3, start - Duration::minutes(8)));
    assert_eq!((session.user_class, session.samples, session.ended_at), (UserClass::Internal, 3, None));
    assert_eq!(code(d.store.check_in(&founder, &b.id, Purpose::Testing, 3, start)), "refused.already_checked_in");

    // 48 minutes used: four quarter hours at ¥100/h.
    let done = ok(d.store.check_out(&founder, &session.id, start + Duration::minutes(40)));
    assert_eq!((done.fee_fen, done.ended_at), (10_000, Some(start + Duration::minutes(40))));
    assert_eq!(ok(d.store.booking(&b.id)).status, BookingStatus::Completed, "the rest of the slot is free again");
    assert_eq!(code(d.store.check_out(&founder, &session.id, start + Duration::minutes(50))), "refused.already_checked_out");
    let day = ok(d.store.usage_sessions(&d.equipment, start - Duration::hours(1), start + Duration::hours(1)));
    assert_eq!(day, vec![done]);
}

#[test]
fn a_founder_of_another_space_pays_the_external_rate_and_a_stranger_cannot_check_them_in_or_out() {
    let mut d = district();
    priced(&mut d);
    let (outsider, other) = (d.outsider.clone(), d.founders[1].clone());
    let start = cst(2026, 12, 8, 10, 0);
    let b = book(&mut d, &outsider, start, 120);
    assert_eq!(code(d.store.check_in(&other, &b.id, Purpose::Research, 0, start)), "forbidden");
    let session = ok(d.store.check_in(&outsider, &b.id, Purpose::Research, 0, start));
    assert_eq!(session.user_class, UserClass::External);
    assert_eq!(code(d.store.check_out(&other, &session.id, start + Duration::minutes(61))), "forbidden");
    // 61 minutes: five quarter hours at ¥200/h.
    let done = ok(d.store.check_out(&outsider, &session.id, start + Duration::minutes(61)));
    assert_eq!(done.fee_fen, 25_000);
}

#[test]
fn the_lab_manager_checks_a_founder_in_and_out_and_an_early_check_out_tells_the_waitlist() {
    let mut d = district();
    priced(&mut d);
    let (founder, waiting, manager) = (d.founders[0].clone(), d.founders[2].clone(), d.manager.clone());
    let start = cst(2026, 12, 9, 15, 0);
    let b = book(&mut d, &founder, start, 120);
    let equipment = d.equipment.clone();
    ok(d.store.join_waitlist(&waiting, &equipment, start + Duration::hours(1), start + Duration::hours(2), now()));
    let session = ok(d.store.check_in(&manager, &b.id, Purpose::Teaching, 0, start));
    assert_eq!(session.person_id, founder, "the session is the booker's, whoever checked them in");
    ok(d.store.check_out(&manager, &session.id, start + Duration::minutes(30)));
    let told: Vec<String> = ok(d.store.notifications(&waiting)).into_iter().map(|n| n.kind).collect();
    assert_eq!(told, vec!["waitlist_slot_open"]);
}

#[test]
fn no_check_in_after_the_end_nor_to_a_cancelled_booking_nor_to_a_mentor_session() {
    let mut d = district();
    let founder = d.founders[0].clone();
    let start = cst(2026, 12, 10, 9, 0);
    let late = book(&mut d, &founder, start, 60);
    assert_eq!(
        code(d.store.check_in(&founder, &late.id, Purpose::Testing, 0, start + Duration::hours(1))),
        "refused.check_in_closed"
    );
    let cancelled = book(&mut d, &founder, start + Duration::hours(2), 60);
    ok(d.store.cancel(&founder, &cancelled.id, None, now()));
    assert_eq!(
        code(d.store.check_in(&founder, &cancelled.id, Purpose::Testing, 0, start + Duration::hours(2))),
        "refused.check_in_closed"
    );
    let mentor = d.mentor.clone();
    let session = NewBooking { resource_id: mentor, start, end: start + Duration::hours(1), topic: "融资".into() };
    let m = ok(d.store.book(&founder, &session, now()));
    assert_eq!(code(d.store.check_in(&founder, &m.id, Purpose::Research, 0, start)), "invalid.booking_id");
    assert_eq!(common::count(&d.store, "usage_session"), 0, "a refused check-in writes nothing");
}

#[test]
fn rates_are_the_lab_managers_and_must_be_sane() {
    let mut d = district();
    let (founder, manager, equipment) = (d.founders[0].clone(), d.manager.clone(), d.equipment.clone());
    let rates = Rates { external_fen_per_hour: 5_000, ..Rates::default() };
    assert_eq!(code(d.store.set_rates(&founder, &equipment, &rates, now())), "forbidden");
    let negative = Rates { minimum_fen: -1, ..Rates::default() };
    assert_eq!(code(d.store.set_rates(&manager, &equipment, &negative, now())), "invalid.minimum_charge");
    assert_eq!(ok(d.store.rates(&equipment)).external_fen_per_hour, 0, "nothing half-written");
}

fn kinds(d: &District, person: &str) -> Vec<String> {
    ok(d.store.notifications(person)).into_iter().map(|n| n.kind).collect()
}

#[test]
fn a_booking_nobody_checks_in_to_is_released_once_at_the_threshold_and_the_waitlist_is_told() {
    let mut d = common::district_with(
        common::mentor_policy(),
        incubook::domain::Policy { min_notice_min: 0, ..common::equipment_policy(1) },
    );
    let (founder, waiting, other, equipment) =
        (d.founders[0].clone(), d.founders[1].clone(), d.founders[2].clone(), d.equipment.clone());
    let start = cst(2026, 12, 8, 14, 0);
    let b = book(&mut d, &founder, start, 120);
    ok(d.store.join_waitlist(&waiting, &equipment, start + Duration::minutes(30), start + Duration::hours(2), now()));
    assert!(ok(d.store.release_no_shows(start + Duration::minutes(14))).is_empty(), "not before start + 15 min");
    assert_eq!(ok(d.store.release_no_shows(start + Duration::minutes(15))), vec![b.id.clone()]);
    assert!(ok(d.store.release_no_shows(start + Duration::minutes(16))).is_empty(), "released once");
    assert_eq!(ok(d.store.booking(&b.id)).status, BookingStatus::NoShow);
    assert_eq!(kinds(&d, &waiting), vec!["waitlist_slot_open"]);
    assert_eq!(kinds(&d, &founder), vec!["booking_no_show"]);
    // The rest of its time is free again.
    let later = NewBooking {
        resource_id: equipment.clone(),
        start: start + Duration::minutes(30),
        end: start + Duration::hours(1),
        topic: String::new(),
    };
    assert!(d.store.book(&other, &later, start + Duration::minutes(16)).is_ok());
}

#[test]
fn the_lab_manager_sets_when_check_in_opens_and_when_a_booking_is_released() {
    let mut d = district();
    let (founder, manager, equipment) = (d.founders[0].clone(), d.manager.clone(), d.equipment.clone());
    let rules = incubook::usage::UsageRules { check_in_opens_min: 30, no_show_after_min: 0 };
    assert_eq!(code(d.store.set_usage_rules(&founder, &equipment, &rules, now())), "forbidden");
    ok(d.store.set_usage_rules(&manager, &equipment, &rules, now()));
    assert_eq!(ok(d.store.usage_rules(&equipment)), rules);
    let start = cst(2026, 12, 9, 10, 0);
    let b = book(&mut d, &founder, start, 60);
    assert!(ok(d.store.release_no_shows(start + Duration::minutes(50))).is_empty(), "0 never releases");
    assert!(d.store.check_in(&founder, &b.id, Purpose::Testing, 0, start - Duration::minutes(25)).is_ok());
}

#[test]
fn a_check_in_made_in_time_that_arrives_after_the_release_reinstates_the_booking_unless_its_time_was_taken() {
    let mut d = common::district_with(
        common::mentor_policy(),
        incubook::domain::Policy { min_notice_min: 0, ..common::equipment_policy(1) },
    );
    let (first, second, third, equipment) =
        (d.founders[0].clone(), d.founders[1].clone(), d.founders[2].clone(), d.equipment.clone());
    let check_in = |booking: &str, at: DateTime<Utc>| incubook::command::Command::CheckIn {
        session_id: incubook::domain::new_id(),
        booking_id: booking.to_string(),
        purpose: Purpose::Testing,
        samples: 0,
        at,
    };
    // Checked in at 14:05 on a kiosk that was offline; the server released the booking at 14:15.
    let start = cst(2026, 12, 8, 14, 0);
    let b = book(&mut d, &first, start, 60);
    ok(d.store.release_no_shows(start + Duration::minutes(15)));
    ok(d.store.apply(&first, &check_in(&b.id, start + Duration::minutes(5)), start + Duration::minutes(30)));
    assert_eq!(ok(d.store.booking(&b.id)).status, BookingStatus::Confirmed, "the booking stands again");
    let session = ok(d.store.session_of_booking(&b.id)).map(|s| s.started_at);
    assert_eq!(session, Some(start + Duration::minutes(5)), "the session began when she checked in");

    // The same, but someone booked the freed time before the check-in arrived.
    let start = cst(2026, 12, 8, 16, 0);
    let late = book(&mut d, &second, start, 60);
    ok(d.store.release_no_shows(start + Duration::minutes(15)));
    let taken = NewBooking {
        resource_id: equipment,
        start: start + Duration::minutes(30),
        end: start + Duration::hours(1),
        topic: String::new(),
    };
    ok(d.store.book(&third, &taken, start + Duration::minutes(16)));
    let refused = d.store.apply(&second, &check_in(&late.id, start + Duration::minutes(5)), start + Duration::minutes(20));
    assert_eq!(code(refused), "refused.check_in_closed");
    assert_eq!(ok(d.store.booking(&late.id)).status, BookingStatus::NoShow);
    // A check-in after the release time never reinstates.
    let start = cst(2026, 12, 9, 9, 0);
    let gone = book(&mut d, &second, start, 60);
    ok(d.store.release_no_shows(start + Duration::minutes(15)));
    let refused = d.store.apply(&second, &check_in(&gone.id, start + Duration::minutes(16)), start + Duration::minutes(20));
    assert_eq!(code(refused), "refused.check_in_closed");
}
