//! The booking rules through `apply` over the memory ledger: the decisions themselves, in
//! milliseconds, on the district the store's tests build on SQLite. The store's own tests
//! (`tests/booking_rules.rs`) keep what needs SQLite: statuses read back, privacy of rows,
//! the audit log.

use chrono::{DateTime, Duration, Utc};

use crate::command::{Command, MentorProfile};
use crate::domain::{BookingStatus, Policy, Visibility, new_id};
use crate::error::{CoreError, Refusal};
use crate::testing::district::{MemoryDistrict, cst, equipment_policy, mentor_policy, now};

fn book(d: &mut MemoryDistrict, who: &str, resource: &str, start: DateTime<Utc>, minutes: i64) -> Result<String, CoreError> {
    let id = new_id();
    let command = Command::Book {
        booking_id: id.clone(),
        resource_id: resource.into(),
        start,
        end: start + Duration::minutes(minutes),
        topic: "融资路演".into(),
        format: None,
    };
    d.apply(who, &command, now()).map(|()| id)
}

fn refused(result: Result<String, CoreError>) -> Refusal {
    match result {
        Err(CoreError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn district() -> MemoryDistrict {
    MemoryDistrict::new(mentor_policy(), equipment_policy(1))
}

#[test]
fn the_first_booking_wins_and_the_buffer_after_it_is_kept() {
    let mut d = district();
    let (f, g, m) = (d.founders[0].clone(), d.founders[1].clone(), d.mentor.clone());
    let tue9 = cst(2026, 12, 8, 9, 0);
    let first = book(&mut d, &f, &m, tue9, 60).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(d.ledger.bookings.get(&first).map(|b| b.booking.status), Some(BookingStatus::Confirmed));
    assert_eq!(refused(book(&mut d, &g, &m, tue9, 60)), Refusal::SlotTaken);
    assert_eq!(refused(book(&mut d, &g, &m, cst(2026, 12, 8, 10, 0), 30)), Refusal::SlotTaken, "15 minutes kept after");
    assert!(book(&mut d, &g, &m, cst(2026, 12, 8, 10, 30), 30).is_ok());
    assert_eq!(d.ledger.bookings.len(), 2);
}

#[test]
fn every_rule_has_its_own_refusal_and_a_refusal_writes_nothing() {
    let mut d = district();
    let (f, m, e, mp) = (d.founders[0].clone(), d.mentor.clone(), d.equipment.clone(), d.mentor_person.clone());
    let cases = [
        (book(&mut d, &f, &m, cst(2026, 12, 4, 9, 0), 60), Refusal::InPast),
        (book(&mut d, &f, &m, cst(2026, 12, 7, 9, 0), 60), Refusal::TooSoon { min_notice_min: 120 }),
        (book(&mut d, &f, &m, cst(2027, 1, 20, 9, 0), 60), Refusal::TooFarAhead { horizon_days: 30 }),
        (book(&mut d, &f, &m, cst(2026, 12, 8, 9, 0), 45), Refusal::DurationNotOffered { offered: vec![30, 60, 90] }),
        (book(&mut d, &f, &m, cst(2026, 12, 8, 9, 15), 60), Refusal::OffGrid { granularity_min: 30 }),
        (book(&mut d, &f, &m, cst(2026, 12, 8, 13, 0), 60), Refusal::OutsideHours),
        (book(&mut d, &f, &m, cst(2026, 12, 12, 9, 0), 60), Refusal::OutsideHours),
        (book(&mut d, &f, &e, cst(2026, 12, 8, 9, 0), 15), Refusal::TooShort { min_duration_min: 30 }),
        (book(&mut d, &f, &e, cst(2026, 12, 8, 9, 0), 300), Refusal::TooLong { max_duration_min: 240 }),
        (book(&mut d, &mp, &e, cst(2026, 12, 8, 9, 0), 60), Refusal::NotAFounder),
    ];
    for (i, (result, refusal)) in cases.into_iter().enumerate() {
        assert_eq!(refused(result), refusal, "case {i}");
    }
    assert!(d.ledger.bookings.is_empty() && d.ledger.notifications.is_empty(), "no refusal wrote anything");
}

#[test]
fn daily_and_weekly_caps_count_the_resource_s_bookings() {
    let mut d =
        MemoryDistrict::new(Policy { max_per_day: Some(1), max_per_week: Some(2), ..mentor_policy() }, equipment_policy(1));
    let (f, g, m) = (d.founders[0].clone(), d.founders[1].clone(), d.mentor.clone());
    assert!(book(&mut d, &f, &m, cst(2026, 12, 8, 9, 0), 30).is_ok());
    assert_eq!(refused(book(&mut d, &g, &m, cst(2026, 12, 8, 11, 0), 30)), Refusal::DailyCapReached { cap: 1 });
    assert!(book(&mut d, &f, &m, cst(2026, 12, 9, 9, 0), 30).is_ok());
    assert_eq!(refused(book(&mut d, &f, &m, cst(2026, 12, 10, 9, 0), 30)), Refusal::WeeklyCapReached { cap: 2 });
    assert!(book(&mut d, &f, &m, cst(2026, 12, 14, 9, 0), 30).is_ok(), "next week is open again");
}

#[test]
fn one_founder_holds_at_most_the_per_person_limit() {
    let mut d = MemoryDistrict::new(mentor_policy(), Policy { max_per_person: Some(2), ..equipment_policy(2) });
    let (f, g, e) = (d.founders[0].clone(), d.founders[1].clone(), d.equipment.clone());
    assert!(book(&mut d, &f, &e, cst(2026, 12, 8, 9, 0), 60).is_ok());
    assert!(book(&mut d, &f, &e, cst(2026, 12, 9, 9, 0), 60).is_ok());
    assert_eq!(refused(book(&mut d, &f, &e, cst(2026, 12, 10, 9, 0), 60)), Refusal::PersonalLimitReached { max: 2 });
    assert!(book(&mut d, &g, &e, cst(2026, 12, 10, 9, 0), 60).is_ok(), "another founder is not held back");
}

#[test]
fn equipment_with_capacity_takes_that_many_at_once() {
    let mut d = MemoryDistrict::new(mentor_policy(), equipment_policy(2));
    let e = d.equipment.clone();
    let at = cst(2026, 12, 8, 10, 0);
    for f in d.founders.clone().iter().take(2) {
        assert!(book(&mut d, f, &e, at, 60).is_ok());
    }
    let third = d.founders[2].clone();
    assert_eq!(refused(book(&mut d, &third, &e, at, 60)), Refusal::SlotTaken);
    assert!(book(&mut d, &third, &e, at + Duration::hours(1), 60).is_ok());
}

#[test]
fn qualification_is_needed_and_expires() {
    let mut d = MemoryDistrict::new(mentor_policy(), Policy { qualification_required: true, ..equipment_policy(1) });
    let (f, e, manager) = (d.founders[0].clone(), d.equipment.clone(), d.manager.clone());
    let start = cst(2026, 12, 9, 10, 0);
    assert_eq!(refused(book(&mut d, &f, &e, start, 60)), Refusal::NotQualified { equipment: "激光切割机".into() });
    let grant = |expires_at| Command::GrantQualification { person_id: f.clone(), resource_id: e.clone(), expires_at };
    assert!(d.apply(&manager, &grant(Some(cst(2026, 12, 8, 0, 0))), now()).is_ok());
    assert_eq!(refused(book(&mut d, &f, &e, start, 60)), Refusal::QualificationExpired { equipment: "激光切割机".into() });
    assert!(d.apply(&manager, &grant(None), now()).is_ok());
    assert!(book(&mut d, &f, &e, start, 60).is_ok());
    let outsider = d.outsider.clone();
    let by_outsider = d.apply(&outsider, &grant(None), now());
    assert_eq!(by_outsider.err().map(|e| e.code()), Some("forbidden".to_string()), "only the lab's own managers grant");
}

#[test]
fn a_mentor_of_one_makerspace_refuses_outsiders() {
    let mut d = district();
    let profile = MentorProfile {
        full_time: false,
        title: "投资人".into(),
        bio: String::new(),
        tags: vec!["fundraising".into()],
        industries: vec![],
        languages: vec!["zh".into()],
        formats: vec!["online".into()],
        visibility: Visibility::Makerspace,
        timezone: None,
    };
    let (mp, m, outsider, f) = (d.mentor_person.clone(), d.mentor.clone(), d.outsider.clone(), d.founders[0].clone());
    assert!(d.apply(&mp, &Command::UpdateMentorProfile { mentor_id: m.clone(), profile }, now()).is_ok());
    assert_eq!(refused(book(&mut d, &outsider, &m, cst(2026, 12, 8, 9, 0), 60)), Refusal::NotVisible);
    assert!(book(&mut d, &f, &m, cst(2026, 12, 8, 9, 0), 60).is_ok());
}
