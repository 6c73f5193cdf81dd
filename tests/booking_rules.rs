//! Booking through the store on a real SQLite file: every refusal reason, the approval,
//! cancellation, reschedule, waitlist and blackout flows, authorization and privacy.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{count, cst, district, district_with, equipment_policy, mentor_policy, now};
use incubook::domain::{BlackoutWhen, Booking, BookingStatus, Policy, Role, Visibility, WeeklyHours};
use incubook::store::{BlackoutMode, MentorProfile, NewBooking, Store};
use incubook::{CoreError, Refusal};

fn book(store: &mut Store, who: &str, resource: &str, start: DateTime<Utc>, minutes: i64) -> Result<Booking, CoreError> {
    store.book(
        who,
        &NewBooking {
            format: None,
            resource_id: resource.into(),
            start,
            end: start + Duration::minutes(minutes),
            topic: "融资路演".into(),
        },
        now(),
    )
}

fn refused(result: Result<Booking, CoreError>) -> Refusal {
    match result {
        Err(CoreError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn code<T: std::fmt::Debug>(result: Result<T, CoreError>) -> String {
    match result {
        Err(e) => e.code(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

#[test]
fn the_first_booking_wins_and_the_second_sees_slot_taken() {
    let mut d = district();
    let tue9 = cst(2026, 12, 8, 9, 0);
    let b = book(&mut d.store, &d.founders[0], &d.mentor, tue9, 60).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.status, BookingStatus::Confirmed);
    assert_eq!(refused(book(&mut d.store, &d.founders[1], &d.mentor, tue9, 60)), Refusal::SlotTaken);
    // The mentor keeps 15 minutes after each session: 10:00 is too close, 10:30 is fine.
    assert_eq!(refused(book(&mut d.store, &d.founders[1], &d.mentor, cst(2026, 12, 8, 10, 0), 30)), Refusal::SlotTaken);
    assert!(book(&mut d.store, &d.founders[1], &d.mentor, cst(2026, 12, 8, 10, 30), 30).is_ok());
    assert_eq!(count(&d.store, "booking"), 2);
}

#[test]
fn every_rule_has_its_own_refusal() {
    let mut d = district();
    let f = d.founders[0].clone();
    let m = d.mentor.clone();
    assert_eq!(refused(book(&mut d.store, &f, &m, cst(2026, 12, 4, 9, 0), 60)), Refusal::InPast);
    assert_eq!(refused(book(&mut d.store, &f, &m, cst(2026, 12, 7, 9, 0), 60)), Refusal::TooSoon { min_notice_min: 120 });
    assert_eq!(refused(book(&mut d.store, &f, &m, cst(2027, 1, 20, 9, 0), 60)), Refusal::TooFarAhead { horizon_days: 30 });
    assert_eq!(
        refused(book(&mut d.store, &f, &m, cst(2026, 12, 8, 9, 0), 45)),
        Refusal::DurationNotOffered { offered: vec![30, 60, 90] }
    );
    assert_eq!(refused(book(&mut d.store, &f, &m, cst(2026, 12, 8, 9, 15), 60)), Refusal::OffGrid { granularity_min: 30 });
    assert_eq!(refused(book(&mut d.store, &f, &m, cst(2026, 12, 8, 13, 0), 60)), Refusal::OutsideHours);
    assert_eq!(refused(book(&mut d.store, &f, &m, cst(2026, 12, 12, 9, 0), 60)), Refusal::OutsideHours, "Saturday");
    let e = d.equipment.clone();
    assert_eq!(refused(book(&mut d.store, &f, &e, cst(2026, 12, 8, 9, 0), 15)), Refusal::TooShort { min_duration_min: 30 });
    assert_eq!(refused(book(&mut d.store, &f, &e, cst(2026, 12, 8, 9, 0), 300)), Refusal::TooLong { max_duration_min: 240 });
    assert_eq!(refused(book(&mut d.store, &d.mentor_person.clone(), &e, cst(2026, 12, 8, 9, 0), 60)), Refusal::NotAFounder);
    assert_eq!(count(&d.store, "booking"), 0, "no refusal wrote anything");
}

#[test]
fn daily_and_weekly_caps_are_enforced() {
    let mut d = district_with(Policy { max_per_day: Some(1), max_per_week: Some(2), ..mentor_policy() }, equipment_policy(1));
    let (f, m) = (d.founders[0].clone(), d.mentor.clone());
    assert!(book(&mut d.store, &f, &m, cst(2026, 12, 8, 9, 0), 30).is_ok());
    assert_eq!(
        refused(book(&mut d.store, &d.founders[1].clone(), &m, cst(2026, 12, 8, 11, 0), 30)),
        Refusal::DailyCapReached { cap: 1 }
    );
    assert!(book(&mut d.store, &f, &m, cst(2026, 12, 9, 9, 0), 30).is_ok());
    assert_eq!(refused(book(&mut d.store, &f, &m, cst(2026, 12, 10, 9, 0), 30)), Refusal::WeeklyCapReached { cap: 2 });
    assert!(book(&mut d.store, &f, &m, cst(2026, 12, 14, 9, 0), 30).is_ok(), "next week is open again");
}

/// The review's L5: a founder holds at most `max_per_person` upcoming bookings of a resource;
/// moving one of them does not count it twice, and one that is over no longer counts.
#[test]
fn one_founder_holds_at_most_the_per_person_limit() {
    let mut d = district_with(mentor_policy(), Policy { max_per_person: Some(2), ..equipment_policy(2) });
    let (f, g, e) = (d.founders[0].clone(), d.founders[1].clone(), d.equipment.clone());
    let first = book(&mut d.store, &f, &e, cst(2026, 12, 8, 9, 0), 60).unwrap_or_else(|err| panic!("{err}"));
    assert!(book(&mut d.store, &f, &e, cst(2026, 12, 9, 9, 0), 60).is_ok());
    assert_eq!(refused(book(&mut d.store, &f, &e, cst(2026, 12, 10, 9, 0), 60)), Refusal::PersonalLimitReached { max: 2 });
    assert!(book(&mut d.store, &g, &e, cst(2026, 12, 10, 9, 0), 60).is_ok(), "another founder is not held back");
    let moved = d.store.reschedule(&f, &first.id, cst(2026, 12, 11, 9, 0), cst(2026, 12, 11, 10, 0), now());
    assert!(moved.is_ok(), "moving a booking does not count it twice: {moved:?}");
    // Two days on, the first of them is over: a place is free again.
    let later = cst(2026, 12, 10, 12, 0);
    let new = NewBooking {
        format: None,
        resource_id: e.clone(),
        start: cst(2026, 12, 14, 9, 0),
        end: cst(2026, 12, 14, 10, 0),
        topic: String::new(),
    };
    assert!(d.store.book(&f, &new, later).is_ok());
    let mut over = Policy { max_per_person: Some(0), ..equipment_policy(2) };
    assert_eq!(code(d.store.set_policy(&d.manager.clone(), &e, &over, now())), "invalid.max_per_person");
    over.max_per_person = None;
    assert!(d.store.set_policy(&d.manager.clone(), &e, &over, now()).is_ok(), "no limit");
}

#[test]
fn qualification_is_needed_and_expires() {
    let mut d = district_with(mentor_policy(), Policy { qualification_required: true, ..equipment_policy(1) });
    let (f, e, manager) = (d.founders[0].clone(), d.equipment.clone(), d.manager.clone());
    let start = cst(2026, 12, 9, 10, 0);
    assert_eq!(refused(book(&mut d.store, &f, &e, start, 60)), Refusal::NotQualified { equipment: "激光切割机".into() });
    d.store.grant_qualification(&manager, &f, &e, Some(cst(2026, 12, 8, 0, 0)), now()).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(refused(book(&mut d.store, &f, &e, start, 60)), Refusal::QualificationExpired { equipment: "激光切割机".into() });
    d.store.grant_qualification(&manager, &f, &e, None, now()).unwrap_or_else(|err| panic!("{err}"));
    assert!(book(&mut d.store, &f, &e, start, 60).is_ok());
    // Only a lab manager of the equipment's own makerspace grants.
    assert_eq!(
        code(d.store.grant_qualification(&d.outsider_manager.clone(), &d.founders[1].clone(), &e, None, now())),
        "forbidden"
    );
}

#[test]
fn own_makerspace_mentors_refuse_outsiders() {
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
    let (mp, m) = (d.mentor_person.clone(), d.mentor.clone());
    d.store.update_mentor_profile(&mp, &m, &profile, now()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(refused(book(&mut d.store, &d.outsider.clone(), &m, cst(2026, 12, 8, 9, 0), 60)), Refusal::NotVisible);
    assert!(book(&mut d.store, &d.founders[0].clone(), &m, cst(2026, 12, 8, 9, 0), 60).is_ok());
}

#[test]
fn requests_wait_for_the_mentor_who_approves_or_declines_with_a_reason() {
    let mut d = district_with(Policy { approval_required: true, ..mentor_policy() }, equipment_policy(1));
    let (f, m, mp) = (d.founders[0].clone(), d.mentor.clone(), d.mentor_person.clone());
    let b = book(&mut d.store, &f, &m, cst(2026, 12, 8, 9, 0), 60).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.status, BookingStatus::Requested);
    assert_eq!(d.store.requests_for(&mp).map(|r| r.len()).unwrap_or(0), 1);
    assert_eq!(
        refused(book(&mut d.store, &d.founders[1].clone(), &m, cst(2026, 12, 8, 9, 0), 60)),
        Refusal::SlotTaken,
        "a request holds its slot"
    );
    assert_eq!(code(d.store.approve(&f, &b.id, now())), "forbidden");
    let approved = d.store.approve(&mp, &b.id, now()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(approved.status, BookingStatus::Confirmed);
    assert_eq!(code(d.store.approve(&mp, &b.id, now())), "refused.wrong_status");
    let kinds: Vec<String> = d.store.notifications(&f).unwrap_or_default().into_iter().map(|n| n.kind).collect();
    assert_eq!(kinds, vec!["booking_confirmed"]);

    let second = book(&mut d.store, &f, &m, cst(2026, 12, 9, 9, 0), 60).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(d.store.decline(&mp, &second.id, " ", now())), "invalid.reason");
    let declined = d.store.decline(&mp, &second.id, "那天在外地出差", now()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((declined.status, declined.reason.as_deref()), (BookingStatus::Declined, Some("那天在外地出差")));
}

#[test]
fn founders_cancel_before_the_cutoff_only_and_the_waitlist_hears_of_it() {
    let mut d = district();
    let (f0, f1, f2, m) = (d.founders[0].clone(), d.founders[1].clone(), d.founders[2].clone(), d.mentor.clone());
    let thu = cst(2026, 12, 10, 9, 0);
    let b = book(&mut d.store, &f0, &m, thu, 60).unwrap_or_else(|e| panic!("{e}"));
    d.store.join_waitlist(&f1, &m, thu, thu + Duration::hours(1), now()).unwrap_or_else(|e| panic!("{e}"));
    d.store.join_waitlist(&f2, &m, thu, thu + Duration::hours(1), now()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(d.store.cancel(&f1, &b.id, None, now())), "forbidden", "not their booking");
    let late = thu - Duration::hours(2);
    assert_eq!(code(d.store.cancel(&f0, &b.id, None, late)), "refused.past_cancellation_cutoff");
    let cancelled = d.store.cancel(&f0, &b.id, Some("临时有事"), now()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    let told: Vec<String> = d.store.notifications(&f1).unwrap_or_default().into_iter().map(|n| n.kind).collect();
    assert_eq!(told, vec!["waitlist_slot_open"]);
    assert!(d.store.notifications(&f2).unwrap_or_default().is_empty(), "only the first in line is told");
    assert!(book(&mut d.store, &f1, &m, thu, 60).is_ok());
}

#[test]
fn a_refused_reschedule_keeps_the_old_booking() {
    let mut d = district();
    let (f0, f1, m) = (d.founders[0].clone(), d.founders[1].clone(), d.mentor.clone());
    let a = book(&mut d.store, &f0, &m, cst(2026, 12, 9, 9, 0), 60).unwrap_or_else(|e| panic!("{e}"));
    book(&mut d.store, &f1, &m, cst(2026, 12, 9, 10, 30), 60).unwrap_or_else(|e| panic!("{e}"));
    let to = cst(2026, 12, 9, 10, 30);
    assert_eq!(code(d.store.reschedule(&f0, &a.id, to, to + Duration::hours(1), now())), "refused.slot_taken");
    assert_eq!(d.store.booking(&a.id).map(|b| (b.start, b.status)).ok(), Some((a.start, BookingStatus::Confirmed)));
    let to = cst(2026, 12, 11, 9, 0);
    let moved = d.store.reschedule(&f0, &a.id, to, to + Duration::hours(1), now()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(moved.start, to);
    // Moving within its own old time is not a clash with itself.
    let to = cst(2026, 12, 11, 9, 30);
    assert!(d.store.reschedule(&f0, &a.id, to, to + Duration::hours(1), now()).is_ok());
    assert!(book(&mut d.store, &f1, &m, cst(2026, 12, 9, 9, 0), 60).is_ok(), "the old slot is free again");
}

#[test]
fn a_blackout_reports_the_bookings_it_hits_and_cancels_only_when_asked() {
    let mut d = district();
    let (f, e, manager) = (d.founders[0].clone(), d.equipment.clone(), d.manager.clone());
    let b = book(&mut d.store, &f, &e, cst(2026, 12, 9, 10, 0), 120).unwrap_or_else(|err| panic!("{err}"));
    let when = BlackoutWhen::Once { start: cst(2026, 12, 9, 11, 0).timestamp(), end: cst(2026, 12, 9, 15, 0).timestamp() };
    let audit_before = count(&d.store, "audit_log");
    let preview = d
        .store
        .add_blackout(&manager, &e, &when, "激光器更换", BlackoutMode::Preview, now())
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(preview.hits.iter().map(|h| h.booking.id.clone()).collect::<Vec<_>>(), vec![b.id.clone()]);
    assert_eq!((count(&d.store, "blackout"), count(&d.store, "audit_log")), (0, audit_before), "a preview writes nothing");
    let kept = d
        .store
        .add_blackout(&manager, &e, &when, "激光器更换", BlackoutMode::KeepBookings, now())
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!((kept.hits.len(), kept.cancelled), (1, 0));
    assert_eq!(d.store.booking(&b.id).map(|b| b.status).ok(), Some(BookingStatus::Confirmed));
    assert_eq!(
        refused(book(&mut d.store, &d.founders[1].clone(), &e, cst(2026, 12, 9, 13, 0), 60)),
        Refusal::Blackout { reason: "激光器更换".into() }
    );
    let cancelled = d
        .store
        .add_blackout(&manager, &e, &when, "激光器更换", BlackoutMode::CancelBookings, now())
        .unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(cancelled.cancelled, 1);
    let seen = d.store.bookings_of(&f).unwrap_or_default();
    assert_eq!(
        seen.first().map(|v| (v.booking.status, v.booking.reason.clone())),
        Some((BookingStatus::Cancelled, Some("激光器更换".into())))
    );
    assert_eq!(
        code(d.store.add_blackout(&d.outsider_manager.clone(), &e, &when, "", BlackoutMode::KeepBookings, now())),
        "forbidden"
    );
}

#[test]
fn nobody_writes_what_is_not_theirs() {
    let mut d = district();
    let hours = [WeeklyHours { weekday: 5, start_min: 600, end_min: 720 }];
    let (m, e, lab) = (d.mentor.clone(), d.equipment.clone(), d.lab.clone());
    let before = count(&d.store, "audit_log");
    assert_eq!(code(d.store.set_weekly_hours(&d.founders[0].clone(), &m, &hours, now())), "forbidden");
    assert_eq!(code(d.store.set_weekly_hours(&d.admin.clone(), &m, &hours, now())), "forbidden", "the mentor's own availability");
    assert_eq!(code(d.store.set_weekly_hours(&d.mentor_person.clone(), &e, &hours, now())), "forbidden");
    assert_eq!(code(d.store.set_weekly_hours(&d.outsider_manager.clone(), &e, &hours, now())), "forbidden");
    assert_eq!(code(d.store.set_policy(&d.outsider_manager.clone(), &e, &equipment_policy(3), now())), "forbidden");
    let new = incubook::store::NewEquipment {
        lab_id: lab,
        name: "示波器".into(),
        category: "oscilloscope".into(),
        model: String::new(),
        hourly_fee_cents: 0,
        subsidy_pct: 0,
        policy: equipment_policy(2),
        weekly_hours: vec![],
    };
    assert_eq!(code(d.store.create_equipment(&d.outsider_manager.clone(), &new, now())), "forbidden");
    assert_eq!(
        code(d.store.set_role(&d.outsider_admin.clone(), &d.founders[0].clone(), "PD-0001", Role::SpaceAdmin, true, now())),
        "forbidden"
    );
    assert_eq!(count(&d.store, "audit_log"), before, "nothing refused was written");
    assert!(d.store.set_weekly_hours(&d.mentor_person.clone(), &m, &hours, now()).is_ok());
    assert!(d.store.set_weekly_hours(&d.manager.clone(), &e, &hours, now()).is_ok());
}

#[test]
fn others_see_busy_and_contact_details_wait_for_a_confirmed_booking() {
    let mut d = district();
    let (f0, f1, m, mp) = (d.founders[0].clone(), d.founders[1].clone(), d.mentor.clone(), d.mentor_person.clone());
    assert_eq!(code(d.store.mentor_contact(&m, &f0)), "forbidden");
    let b = book(&mut d.store, &f0, &m, cst(2026, 12, 8, 9, 0), 60).unwrap_or_else(|e| panic!("{e}"));
    let (from, to) = (cst(2026, 12, 8, 0, 0), cst(2026, 12, 9, 0, 0));
    let theirs = d.store.resource_calendar(&m, from, to, &f1).unwrap_or_default();
    assert_eq!(theirs.len(), 1);
    assert!(theirs[0].booking.is_none(), "another founder sees only busy");
    let own = d.store.resource_calendar(&m, from, to, &f0).unwrap_or_default();
    assert_eq!(own[0].booking.as_ref().map(|v| v.booking.id.clone()), Some(b.id));
    let mentor_view = d.store.resource_calendar(&m, from, to, &mp).unwrap_or_default();
    assert_eq!(mentor_view[0].booking.as_ref().map(|v| v.booker_name.clone()), Some("创业者0".into()));
    assert!(d.store.mentor_contact(&m, &f0).is_ok_and(|(phone, _)| phone.is_some()));
    assert_eq!(code(d.store.mentor_contact(&m, &f1)), "forbidden");
    let listed = d.store.people(&Default::default()).unwrap_or_default();
    assert!(listed.iter().all(|p| p.phone.is_none() && p.email.is_none()), "lists never carry contact details");
}

#[test]
fn sessions_close_after_they_start_and_take_one_feedback() {
    let mut d = district();
    let (f, m, mp) = (d.founders[0].clone(), d.mentor.clone(), d.mentor_person.clone());
    let b = book(&mut d.store, &f, &m, cst(2026, 12, 8, 9, 0), 60).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(d.store.complete(&mp, &b.id, now())), "refused.session_not_started");
    assert_eq!(code(d.store.give_feedback(&f, &b.id, (5, "很有帮助", None), now())), "refused.session_not_over");
    let after = cst(2026, 12, 8, 10, 5);
    assert_eq!(code(d.store.complete(&f, &b.id, after)), "forbidden");
    assert_eq!(d.store.complete(&mp, &b.id, after).map(|b| b.status).ok(), Some(BookingStatus::Completed));
    d.store.set_session_note(&mp, &b.id, "建议先完成 MVP", after).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(d.store.session_note(&f, &b.id)), "forbidden");
    assert_eq!(code(d.store.give_feedback(&f, &b.id, (0, "", None), after)), "invalid.rating");
    d.store.give_feedback(&f, &b.id, (5, "很有帮助", None), after).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(d.store.give_feedback(&f, &b.id, (4, "", None), after)), "conflict");
    assert_eq!(d.store.feedback(&b.id).ok().flatten(), Some((5, "很有帮助".to_string())));
}

#[test]
fn the_audit_log_records_changes_and_cannot_be_rewritten() {
    let mut d = district();
    let (f, m) = (d.founders[0].clone(), d.mentor.clone());
    let b = book(&mut d.store, &f, &m, cst(2026, 12, 8, 9, 0), 60).unwrap_or_else(|e| panic!("{e}"));
    let last = d.store.audit_log(1).unwrap_or_default();
    assert_eq!(
        last.first().map(|e| (e.action.as_str(), e.entity_id.as_str(), e.actor_id.clone())),
        Some(("book", b.id.as_str(), Some(f.clone())))
    );
    assert!(d.store.conn().execute("UPDATE audit_log SET action = 'x'", []).is_err());
    assert!(d.store.conn().execute("DELETE FROM audit_log", []).is_err());
}

#[test]
fn equipment_with_capacity_takes_that_many_at_once() {
    let mut d = district_with(mentor_policy(), equipment_policy(3));
    let e = d.equipment.clone();
    let start = cst(2026, 12, 8, 14, 0);
    for f in d.founders.clone().iter().take(3) {
        assert!(book(&mut d.store, f, &e, start, 60).is_ok());
    }
    assert_eq!(refused(book(&mut d.store, &d.founders[3].clone(), &e, start, 60)), Refusal::SlotTaken);
    assert!(book(&mut d.store, &d.founders[3].clone(), &e, start + Duration::hours(1), 60).is_ok());
}
