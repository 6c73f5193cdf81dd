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
