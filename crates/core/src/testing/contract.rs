//! The store-level contract every backend keeps, family by family: an effect written through
//! a [`Ledger`] is the fact that ledger reads back in the same transaction. `apply` relies on
//! nothing else, so a backend that passes these and the command-level model decides alike.
//!
//! Each backend crate runs it over its own ledger with [`ledger_contract!`](crate::ledger_contract)
//! (memory here, SQLite in `incubook-sqlite`, PostgreSQL in the server), the way
//! matrix-rust-sdk's store crates run its `statestore_integration_tests!`.

use std::fmt::Debug;

use chrono::NaiveDate;

use crate::allocation::NewAllocation;
use crate::command::{NewEquipment, NewMentor, NewPerson};
use crate::domain::{
    Blackout, BlackoutWhen, BookingStatus, DateOverride, OverrideKind, Policy, Rates, ResourceKind, Role, Visibility, WeeklyHours,
};
use crate::events::{EventKind, NewEvent, Registration};
use crate::interval::Span;
use crate::ledger::*;
use crate::office::{BlockKind, SeatState};
use crate::startup::{NewStartup, Residency, ResidencyStatus, StartupKind};
use crate::usage::{Purpose, UsageRules, UserClass};

/// The one makerspace a backend holds before a check runs (there is no effect that makes one:
/// makerspaces come from the district).
#[derive(Debug, Clone)]
pub struct Seed {
    pub makerspace_id: String,
    pub makerspace_code: String,
    pub timezone: String,
}

/// 2026-03-02 (a Monday) 09:00 in Shanghai.
const MONDAY_9: i64 = 1_772_413_200;
const HOUR: i64 = 3600;

fn ok<T, E: Debug>(r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("the ledger failed: {e:?}"),
    }
}

fn person<L: Ledger<Error: Debug>>(l: &mut L, id: &str, name: &str) {
    let new = NewPerson {
        name: name.into(),
        phone: None,
        email: None,
        startup_name: None,
        industry: None,
        stage: None,
        roles: Vec::new(),
    };
    ok(l.write(DirectoryEffect::InsertPerson { id, name, person: &new, at: MONDAY_9 - 30 * 86_400 }));
}

fn policy(capacity: u32) -> Policy {
    Policy { capacity, max_per_person: Some(2), ..Policy::default() }
}

fn weekdays() -> Vec<WeeklyHours> {
    (0..5).map(|weekday| WeeklyHours { weekday, start_min: 9 * 60, end_min: 18 * 60 }).collect()
}

/// A lab with a manager and one instrument of capacity 2.
fn instrument<L: Ledger<Error: Debug>>(l: &mut L, seed: &Seed) -> &'static str {
    person(l, "manager", "Manager");
    ok(l.write(DirectoryEffect::GrantRole { person_id: "manager", makerspace_id: &seed.makerspace_id, role: Role::LabManager }));
    let managers = vec!["manager".to_string()];
    ok(l.write(LabEffect::InsertLab {
        id: "lab",
        makerspace_id: &seed.makerspace_id,
        name: "Materials lab",
        description: "",
        manager_ids: &managers,
    }));
    let equipment = NewEquipment {
        lab_id: "lab".into(),
        name: "SEM".into(),
        category: "microscopy".into(),
        model: "".into(),
        hourly_fee_cents: 0,
        subsidy_pct: 0,
        policy: policy(2),
        weekly_hours: weekdays(),
    };
    ok(l.write(LabEffect::InsertEquipment {
        id: "sem",
        makerspace_id: &seed.makerspace_id,
        timezone: &seed.timezone,
        equipment: &equipment,
    }));
    "sem"
}

/// People, their roles, and the makerspace they hold them in.
pub fn directory<L: Ledger<Error: Debug>>(l: &mut L, seed: &Seed) {
    assert!(ok(l.actor("ada")).is_none(), "nobody is there before they are written");
    person(l, "ada", "Ada");
    ok(l.write(DirectoryEffect::GrantRole { person_id: "ada", makerspace_id: &seed.makerspace_id, role: Role::SpaceAdmin }));
    ok(l.write(DirectoryEffect::GrantRole { person_id: "ada", makerspace_id: &seed.makerspace_id, role: Role::LabManager }));
    let ada = ok(l.actor("ada")).unwrap_or_else(|| panic!("a person written is read back"));
    assert!(ada.has(Role::SpaceAdmin, &seed.makerspace_id) && ada.has(Role::LabManager, &seed.makerspace_id));
    assert_eq!(ok(l.person_name("ada")).as_deref(), Some("Ada"));
    assert!(ok(l.exists(Entity::Person, "ada")) && ok(l.exists(Entity::LivePerson, "ada")));
    assert_eq!(ok(l.lab_managers(&seed.makerspace_id)), vec!["ada".to_string()]);
    ok(l.write(DirectoryEffect::RevokeRole { person_id: "ada", makerspace_id: &seed.makerspace_id, role: Role::SpaceAdmin }));
    let ada = ok(l.actor("ada")).unwrap_or_else(|| panic!("still there"));
    assert!(!ada.has(Role::SpaceAdmin, &seed.makerspace_id), "a revoked role is gone");
    let by_code = ok(l.makerspace(MakerspaceKey::Code(&seed.makerspace_code))).map(|m| m.id);
    let by_id = ok(l.makerspace(MakerspaceKey::Id(&seed.makerspace_id))).map(|m| m.code);
    assert_eq!((by_code.as_deref(), by_id.as_deref()), (Some(&*seed.makerspace_id), Some(&*seed.makerspace_code)));
}

/// A lab and its instrument: the rules, rates and usage rules `apply` decides with, and
/// qualifications.
pub fn labs<L: Ledger<Error: Debug>>(l: &mut L, seed: &Seed) {
    let sem = instrument(l, seed);
    assert_eq!(ok(l.lab_home("lab")), Some((seed.makerspace_id.clone(), seed.timezone.clone())));
    assert!(ok(l.exists(Entity::Lab, "lab")) && ok(l.exists(Entity::Resource, sem)));
    let rules = ok(l.rules(sem, true)).unwrap_or_else(|| panic!("an instrument written has rules"));
    assert_eq!(
        (rules.kind, rules.makerspace_id.as_str(), rules.name.as_str()),
        (ResourceKind::Equipment, &*seed.makerspace_id, "SEM")
    );
    assert_eq!((rules.policy.clone(), rules.weekly.clone()), (policy(2), weekdays()));
    assert_eq!(rules.tz.name(), seed.timezone);
    assert_eq!(ok(l.rates(sem)), Some(Rates::default()), "an instrument has rates from the start");
    assert_eq!(ok(l.usage_rules(sem)), Some(UsageRules::default()));
    let rates = Rates { internal_fen_per_hour: 5_000, external_fen_per_hour: 8_000, minimum_fen: 1_000, ..Rates::default() };
    ok(l.write(LabEffect::SetRates { resource_id: sem, rates: &rates }));
    assert_eq!(ok(l.rates(sem)), Some(rates));
    let usage = UsageRules { check_in_opens_min: 30, no_show_after_min: 20, close_grace_min: 45, approval_after_no_shows: 3 };
    ok(l.write(LabEffect::SetUsageRules { resource_id: sem, rules: &usage }));
    assert_eq!(ok(l.usage_rules(sem)), Some(usage));
    person(l, "bo", "Bo");
    assert_eq!(ok(l.qualification("bo", sem)), None);
    let until = MONDAY_9 + 90 * 86_400;
    ok(l.write(LabEffect::SetQualification {
        person_id: "bo",
        resource_id: sem,
        granted_by: "manager",
        expires_at: Some(until),
        at: MONDAY_9,
    }));
    assert_eq!(ok(l.qualification("bo", sem)), Some(Some(until)));
    ok(l.write(LabEffect::SetQualification {
        person_id: "bo",
        resource_id: sem,
        granted_by: "manager",
        expires_at: None,
        at: MONDAY_9,
    }));
    assert_eq!(ok(l.qualification("bo", sem)), Some(None), "granted again, it never expires");
    ok(l.write(LabEffect::DeleteQualification { person_id: "bo", resource_id: sem }));
    assert_eq!(ok(l.qualification("bo", sem)), None);
    let mut changed = NewEquipment {
        lab_id: "lab".into(),
        name: "SEM 2".into(),
        category: "microscopy".into(),
        model: "".into(),
        hourly_fee_cents: 0,
        subsidy_pct: 0,
        policy: policy(1),
        weekly_hours: weekdays(),
    };
    changed.weekly_hours.truncate(1);
    ok(l.write(LabEffect::UpdateEquipment { id: sem, equipment: &changed }));
    let rules = ok(l.rules(sem, false)).unwrap_or_else(|| panic!("still there"));
    assert_eq!((rules.name.as_str(), rules.policy.capacity, rules.weekly.len()), ("SEM 2", 1, 1));
}

/// A calendar's hours, rules, date overrides and blackouts.
pub fn calendars<L: Ledger<Error: Debug>>(l: &mut L, seed: &Seed) {
    let sem = instrument(l, seed);
    let hours = vec![WeeklyHours { weekday: 5, start_min: 10 * 60, end_min: 12 * 60 }];
    ok(l.write(CalendarEffect::SetWeeklyHours { resource_id: sem, hours: &hours }));
    ok(l.write(CalendarEffect::SetPolicy { resource_id: sem, policy: &policy(3) }));
    let date = NaiveDate::from_ymd_opt(2026, 3, 4).unwrap_or_default();
    let off = DateOverride { date, kind: OverrideKind::Off, start_min: 0, end_min: 24 * 60 };
    ok(l.write(CalendarEffect::InsertDateOverride { id: "off", resource_id: sem, date_override: &off, note: "audit" }));
    let blackout = Blackout {
        id: "dark".into(),
        resource_id: sem.into(),
        when: BlackoutWhen::Once { start: MONDAY_9, end: MONDAY_9 + HOUR },
        reason: "service".into(),
    };
    ok(l.write(CalendarEffect::InsertBlackout { blackout: &blackout, created_by: "manager", at: MONDAY_9 - HOUR }));
    let rules = ok(l.rules(sem, false)).unwrap_or_else(|| panic!("rules"));
    assert_eq!((rules.weekly, rules.policy.capacity), (hours, 3));
    assert_eq!((rules.overrides, rules.blackouts), (vec![off], vec![blackout]));
    assert_eq!(ok(l.owner_of(OwnedRow::DateOverride("off"))).as_deref(), Some(sem));
    assert_eq!(ok(l.owner_of(OwnedRow::Blackout("dark"))).as_deref(), Some(sem));
    ok(l.write(CalendarEffect::DeleteDateOverride { id: "off" }));
    ok(l.write(CalendarEffect::DeleteBlackout { id: "dark" }));
    let rules = ok(l.rules(sem, false)).unwrap_or_else(|| panic!("rules"));
    assert!(rules.overrides.is_empty() && rules.blackouts.is_empty());
    assert_eq!(ok(l.owner_of(OwnedRow::Blackout("dark"))), None, "a deleted blackout is nobody's");
    assert!(ok(l.exists(Entity::Blackout, "dark")), "its id stays taken");
}

fn book<L: Ledger<Error: Debug>>(l: &mut L, id: &str, resource_id: &str, booker_id: &str, span: Span, status: BookingStatus) {
    let effect = BookingEffect::InsertBooking {
        id,
        resource_id,
        booker_id,
        startup_id: None,
        span,
        status,
        topic: "",
        at: MONDAY_9 - 86_400,
    };
    ok(l.write(effect));
}

/// Bookings: what holds capacity, what a person holds, moves, status changes, the waitlist.
pub fn bookings<L: Ledger<Error: Debug>>(l: &mut L, seed: &Seed) {
    let sem = instrument(l, seed);
    person(l, "bo", "Bo");
    let first = Span::new(MONDAY_9, MONDAY_9 + HOUR);
    let later = Span::new(MONDAY_9 + 2 * HOUR, MONDAY_9 + 3 * HOUR);
    book(l, "b1", sem, "bo", first, BookingStatus::Confirmed);
    book(l, "b2", sem, "bo", later, BookingStatus::Requested);
    book(l, "b3", sem, "bo", Span::new(MONDAY_9 + 4 * HOUR, MONDAY_9 + 5 * HOUR), BookingStatus::Cancelled);
    let day = Span::new(MONDAY_9 - HOUR, MONDAY_9 + 10 * HOUR);
    assert_eq!(ok(l.busy(sem, day, None)), vec![first, later], "confirmed and requested hold capacity, cancelled does not");
    assert_eq!(ok(l.busy(sem, day, Some("b1"))), vec![later]);
    assert_eq!(ok(l.holding("bo", sem, MONDAY_9 - HOUR, None)), 2);
    assert_eq!(ok(l.holding("bo", sem, MONDAY_9 + HOUR, None)), 1, "what ended before `after` is not held");
    let b1 = ok(l.booking("b1")).unwrap_or_else(|| panic!("b1"));
    assert_eq!(
        (b1.resource_id.as_str(), b1.booker_id.as_str(), b1.span, b1.status),
        (sem, "bo", first, BookingStatus::Confirmed)
    );
    let active: Vec<String> = ok(l.active_bookings(sem, MONDAY_9 - HOUR)).into_iter().map(|b| b.id).collect();
    assert_eq!(active, ["b1", "b2"]);
    let moved = Span::new(MONDAY_9 + 6 * HOUR, MONDAY_9 + 7 * HOUR);
    ok(l.write(BookingEffect::MoveBooking { id: "b1", span: moved, status: BookingStatus::Confirmed, at: MONDAY_9 - 60 }));
    ok(l.write(BookingEffect::SetStatus {
        id: "b2",
        status: BookingStatus::Cancelled,
        reason: Some("plans changed"),
        at: MONDAY_9 - 60,
    }));
    assert_eq!(ok(l.busy(sem, day, None)), vec![moved]);
    assert_eq!(ok(l.booking("b2")).map(|b| b.status), Some(BookingStatus::Cancelled));
    person(l, "cy", "Cy");
    ok(l.write(BookingEffect::InsertWaitlist { id: "w1", resource_id: sem, person_id: "cy", span: later, at: MONDAY_9 - 50 }));
    assert_eq!(ok(l.first_waiting(sem, first)), None, "a window that does not overlap is not offered");
    assert_eq!(ok(l.first_waiting(sem, later)), Some(("w1".to_string(), "cy".to_string())));
    ok(l.write(BookingEffect::WaitlistNotified { id: "w1", at: MONDAY_9 - 40 }));
    assert_eq!(ok(l.first_waiting(sem, later)), None, "someone told is not told again");
    assert!(ok(l.exists(Entity::Booking, "b3")) && ok(l.exists(Entity::Waitlist, "w1")));
}

/// Machine hours: a session opened on a booking, read by its id and its booking's, closed.
pub fn usage<L: Ledger<Error: Debug>>(l: &mut L, seed: &Seed) {
    let sem = instrument(l, seed);
    person(l, "bo", "Bo");
    let span = Span::new(MONDAY_9, MONDAY_9 + HOUR);
    book(l, "b1", sem, "bo", span, BookingStatus::Confirmed);
    assert_eq!(ok(l.unchecked_started(MONDAY_9 + 60)).into_iter().map(|b| b.id).collect::<Vec<_>>(), ["b1"]);
    ok(l.write(UsageEffect::InsertUsageSession {
        id: "s1",
        resource_id: sem,
        booking_id: "b1",
        person_id: "bo",
        class: UserClass::Internal,
        purpose: Purpose::Research,
        samples: 2,
        walk_up: false,
        startup_id: None,
        at: MONDAY_9 + 120,
    }));
    assert!(ok(l.unchecked_started(MONDAY_9 + 180)).is_empty(), "a checked-in booking is not a no-show");
    let by_id = ok(l.usage_session(SessionKey::Id("s1"))).unwrap_or_else(|| panic!("s1"));
    let by_booking = ok(l.usage_session(SessionKey::Booking("b1")));
    assert_eq!(Some(&by_id), by_booking.as_ref());
    assert_eq!((by_id.started_at, by_id.ended_at, by_id.samples, by_id.walk_up), (MONDAY_9 + 120, None, 2, false));
    assert_eq!(ok(l.open_sessions(sem)).len(), 1);
    assert_eq!(ok(l.open_after_end(span.end)).len(), 1, "open after its booking ended");
    ok(l.write(UsageEffect::CloseUsageSession { id: "s1", ended_at: MONDAY_9 + 1800, fee_fen: 2_500, flagged: false }));
    let closed = ok(l.usage_session(SessionKey::Id("s1"))).unwrap_or_else(|| panic!("s1"));
    assert_eq!((closed.ended_at, closed.fee_fen), (Some(MONDAY_9 + 1800), 2_500));
    assert!(ok(l.open_sessions(sem)).is_empty());
    ok(l.write(UsageEffect::CorrectUsageSession {
        id: "s1",
        ran: Span::new(MONDAY_9 + 60, MONDAY_9 + 2400),
        purpose: Purpose::Testing,
        samples: 3,
        fee_fen: 3_000,
        waived_fen: 500,
    }));
    let corrected = ok(l.usage_session(SessionKey::Id("s1"))).unwrap_or_else(|| panic!("s1"));
    assert_eq!(
        (corrected.started_at, corrected.ended_at, corrected.purpose, corrected.samples, corrected.fee_fen, corrected.waived_fen),
        (MONDAY_9 + 60, Some(MONDAY_9 + 2400), Purpose::Testing, 3, 3_000, 500)
    );
    ok(l.write(BookingEffect::SetStatus { id: "b1", status: BookingStatus::NoShow, reason: Some("no_show"), at: MONDAY_9 }));
    assert_eq!(ok(l.no_shows("bo", MONDAY_9 - 86_400)), 1);
    assert_eq!(ok(l.no_shows("bo", MONDAY_9 + 60)), 0, "a no-show before `since` does not count");
    ok(l.write(BookingEffect::Reinstate { id: "b1", at: MONDAY_9 + 600 }));
    assert_eq!(ok(l.booking("b1")).map(|b| b.status), Some(BookingStatus::Confirmed));
    assert_eq!(ok(l.no_shows("bo", MONDAY_9 - 86_400)), 0, "a reinstated booking is no longer a no-show");
}

/// A mentor's facts: whose calendar it is, who may see it, the formats offered.
pub fn mentors<L: Ledger<Error: Debug>>(l: &mut L, seed: &Seed) {
    person(l, "mei", "Mei");
    let mentor = NewMentor {
        person_id: "mei".into(),
        makerspace_code: seed.makerspace_code.clone(),
        title: "Hardware".into(),
        bio: "".into(),
        tags: vec!["iot".into()],
        industries: Vec::new(),
        languages: vec!["zh".into()],
        formats: vec!["online".into(), "in_person".into()],
        visibility: Visibility::District,
        timezone: None,
        policy: policy(1),
        weekly_hours: weekdays(),
        full_time: false,
    };
    ok(l.write(MentorEffect::InsertMentor {
        id: "m1",
        makerspace_id: &seed.makerspace_id,
        name: "Mei",
        timezone: &seed.timezone,
        mentor: &mentor,
    }));
    let facts = ok(l.mentor("m1")).unwrap_or_else(|| panic!("a mentor written is read back"));
    assert_eq!((facts.person_id.as_str(), facts.visibility), ("mei", Visibility::District));
    let rules = ok(l.rules("m1", false)).unwrap_or_else(|| panic!("a mentor has rules"));
    assert_eq!((rules.kind, rules.policy.clone(), rules.weekly.clone()), (ResourceKind::Mentor, policy(1), weekdays()));
    let places = ok(l.mentor_places("m1")).unwrap_or_else(|| panic!("places"));
    assert_eq!(places.formats, ["online", "in_person"]);
    assert!(ok(l.exists(Entity::MentorPerson, "mei")));
    person(l, "bo", "Bo");
    book(l, "b1", "m1", "bo", Span::new(MONDAY_9, MONDAY_9 + HOUR), BookingStatus::Confirmed);
    assert_eq!(ok(l.pair_sessions_before("bo", "m1", MONDAY_9 + HOUR)), 1);
    assert_eq!(ok(l.pair_sessions_before("bo", "m1", MONDAY_9)), 0);
}

/// A startup, its members and residencies; its credit code finds it.
pub fn startups<L: Ledger<Error: Debug>>(l: &mut L, seed: &Seed) {
    person(l, "lead", "Lead");
    let new = NewStartup {
        name: "Qubit".into(),
        kind: StartupKind::Enterprise,
        credit_code: Some("91310115MA1K4PXX0T".into()),
        stage: "".into(),
        industry: "".into(),
        headcount: 3,
        description: "".into(),
    };
    ok(l.write(StartupEffect::InsertStartup { id: "st", startup: &new, code_verified: false, at: MONDAY_9 }));
    ok(l.write(StartupEffect::SetStartupMember { startup_id: "st", person_id: "lead", lead: true, at: MONDAY_9 }));
    let move_in = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let residency = Residency {
        id: "r1".into(),
        makerspace_id: seed.makerspace_id.clone(),
        move_in,
        move_out: None,
        status: ResidencyStatus::Requested,
        requested_by: Some("lead".into()),
    };
    ok(l.write(StartupEffect::InsertResidency { startup_id: "st", residency: &residency }));
    let stored = ok(l.startup("st")).unwrap_or_else(|| panic!("a startup written is read back"));
    assert_eq!((stored.name.as_str(), stored.lead(), stored.residencies.clone()), ("Qubit", Some("lead"), vec![residency]));
    assert_eq!((stored.credit_code.as_deref(), stored.code_verified), (Some("91310115MA1K4PXX0T"), false));
    ok(l.write(StartupEffect::ConfirmCreditCode { id: "st" }));
    ok(l.write(StartupEffect::SetResidencyStatus { residency_id: "r1", status: ResidencyStatus::Active }));
    let stored = ok(l.startup("st")).unwrap_or_else(|| panic!("st"));
    assert!(stored.code_verified, "a confirmed code reads back confirmed");
    assert_eq!(stored.resident_at(move_in).collect::<Vec<_>>(), vec![seed.makerspace_id.as_str()], "an agreed stay stands");
    assert_eq!(ok(l.startup_of("lead")).as_deref(), Some("st"));
    assert_eq!(ok(l.startup_by_credit_code("91310115MA1K4PXX0T")), Some(("st".to_string(), "Qubit".to_string())));
    let out = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default();
    ok(l.write(StartupEffect::SetMoveOut { residency_id: "r1", date: out }));
    let stored = ok(l.startup("st")).unwrap_or_else(|| panic!("st"));
    assert_eq!(stored.residencies.first().and_then(|r| r.move_out), Some(out));
    ok(l.write(StartupEffect::RemoveStartupMember { startup_id: "st", person_id: "lead" }));
    assert_eq!(ok(l.startup_of("lead")), None);
    assert!(ok(l.exists(Entity::Startup, "st")) && ok(l.exists(Entity::Residency, "r1")));
}

/// A programme, its call, an application and its transitions; serials per programme and year.
pub fn calls<L: Ledger<Error: Debug>>(l: &mut L, _seed: &Seed) {
    use crate::calls::application::ApplicationDraft;
    use crate::calls::lifecycle::{Action, Event, State};
    use crate::calls::sample;
    person(l, "op", "Operator");
    person(l, "lead", "Lead");
    let team = NewStartup {
        name: "Qubit".into(),
        kind: StartupKind::Team,
        credit_code: None,
        stage: "".into(),
        industry: "".into(),
        headcount: 3,
        description: "".into(),
    };
    ok(l.write(StartupEffect::InsertStartup { id: "st", startup: &team, code_verified: false, at: MONDAY_9 }));
    let programme = sample::programme();
    ok(l.write(CallEffect::InsertProgramme { programme: &programme, at: MONDAY_9 }));
    assert_eq!(ok(l.programme("KJ")), Some(programme));
    let call = sample::grant_call();
    ok(l.write(CallEffect::InsertCall { id: "c1", call: &call, created_by: "op", at: MONDAY_9 }));
    let stored = ok(l.call("c1")).unwrap_or_else(|| panic!("a call written is read back"));
    assert_eq!((stored.call, stored.cancelled), (call.clone(), false));
    assert_eq!(ok(l.call_in_batch("KJ", 2026, 1)).as_deref(), Some("c1"));
    assert_eq!(ok(l.call_in_batch("KJ", 2026, 2)), None);
    let draft = ApplicationDraft {
        title: "量子传感".into(),
        requested_fen: 1_000_000,
        pledged: true,
        founded_on: NaiveDate::from_ymd_opt(2024, 5, 1),
        ..ApplicationDraft::default()
    };
    let new = CallEffect::InsertApplication {
        id: "a1",
        call_id: "c1",
        startup_id: "st",
        applicant_id: "lead",
        draft: &draft,
        at: MONDAY_9,
    };
    ok(l.write(new));
    let event = Event {
        id: "e1".into(),
        application_id: "a1".into(),
        actor_id: "op".into(),
        at: MONDAY_9 + HOUR,
        from: State::Draft,
        to: State::Returned,
        action: Action::Return { until: MONDAY_9 + 240 * HOUR },
        reason: "补正".into(),
    };
    ok(l.write(CallEffect::Transition { event_id: "e1", event: &event, code: None, until: Some(MONDAY_9 + 240 * HOUR) }));
    let accepted = Event {
        id: "e2".into(),
        from: State::Returned,
        to: State::Accepted,
        action: Action::Accept { code: "c".into() },
        ..event
    };
    ok(l.write(CallEffect::Transition {
        event_id: "e2",
        event: &accepted,
        code: Some("310115-2026-KJ-01-00001-X"),
        until: None,
    }));
    let a = ok(l.application("a1")).unwrap_or_else(|| panic!("an application written is read back"));
    assert_eq!(
        (a.state, a.code.as_deref(), a.returned_before, a.until),
        (State::Accepted, Some("310115-2026-KJ-01-00001-X"), true, None)
    );
    assert_eq!(a.draft, draft);
    assert_eq!(
        (ok(l.led_ongoing("KJ", "lead", "")), ok(l.led_ongoing("KJ", "lead", "a1")), ok(l.led_ongoing("KF", "lead", ""))),
        (1, 0, 0)
    );
    let briefs = ok(l.applications_of_call("c1"));
    assert_eq!(briefs.iter().map(|b| (b.id.as_str(), b.state)).collect::<Vec<_>>(), vec![("a1", State::Accepted)]);
    assert_eq!(
        (ok(l.take_serial("KJ", 2026)), ok(l.take_serial("KJ", 2026)), ok(l.take_serial("KJ", 2027))),
        (Some(1), Some(2), Some(1))
    );
    for (entity, id) in
        [(Entity::Programme, "KJ"), (Entity::Call, "c1"), (Entity::Application, "a1"), (Entity::ApplicationEvent, "e2")]
    {
        assert!(ok(l.exists(entity, id)), "{entity:?} {id}");
    }
    ok(l.write(CallEffect::CancelCall { id: "c1", reason: "预算调整", at: MONDAY_9 + 2 * HOUR }));
    assert!(ok(l.call("c1")).is_some_and(|c| c.cancelled));
}

/// An hour allocation names its makerspace and startup.
pub fn allocations<L: Ledger<Error: Debug>>(l: &mut L, seed: &Seed) {
    let new = NewStartup {
        name: "Qubit".into(),
        kind: StartupKind::Team,
        credit_code: None,
        stage: "".into(),
        industry: "".into(),
        headcount: 3,
        description: "".into(),
    };
    ok(l.write(StartupEffect::InsertStartup { id: "st", startup: &new, code_verified: false, at: MONDAY_9 }));
    person(l, "ada", "Ada");
    let allocation = NewAllocation {
        startup_id: "st".into(),
        makerspace_id: seed.makerspace_id.clone(),
        programme: "2026Q1".into(),
        starts_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
        ends_on: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap_or_default(),
        hours: 40,
    };
    ok(l.write(MoneyEffect::InsertAllocation { id: "a1", allocation: &allocation, created_by: "ada", at: MONDAY_9 }));
    assert_eq!(ok(l.allocation("a1")), Some((seed.makerspace_id.clone(), "st".to_string())));
    ok(l.write(MoneyEffect::InsertTopUp {
        id: "t1",
        allocation_id: "a1",
        startup_id: "st",
        minutes: 120,
        reason: "demo day",
        created_by: "ada",
        at: MONDAY_9,
    }));
    assert!(ok(l.exists(Entity::Allocation, "a1")) && ok(l.exists(Entity::TopUp, "t1")));
}

/// Office hours: a block, the seats held of it, and who sits or waits.
pub fn office_hours<L: Ledger<Error: Debug>>(l: &mut L, seed: &Seed) {
    let sem = instrument(l, seed);
    let span = Span::new(MONDAY_9, MONDAY_9 + 2 * HOUR);
    // A block holds its time as a booking of the same id, as `apply` writes it.
    book(l, "blk", sem, "manager", span, BookingStatus::Confirmed);
    ok(l.write(OfficeEffect::InsertBlock {
        id: "blk",
        resource_id: sem,
        kind: BlockKind::OfficeHours,
        title: "答疑",
        span,
        seat_minutes: 30,
        capacity: 4,
        at: MONDAY_9 - 86_400,
    }));
    let block = ok(l.office_block("blk", true)).unwrap_or_else(|| panic!("a block written is read back"));
    assert_eq!(
        (block.resource_id.as_str(), block.kind, block.span, block.seat_minutes, block.capacity),
        (sem, BlockKind::OfficeHours, span, 30, 4)
    );
    assert!(!block.cancelled && block.held.is_empty());
    person(l, "bo", "Bo");
    person(l, "cy", "Cy");
    ok(l.write(OfficeEffect::PutSeat {
        block_id: "blk",
        person_id: "bo",
        seat: Some(1),
        state: SeatState::Held,
        at: MONDAY_9 - 600,
    }));
    ok(l.write(OfficeEffect::PutSeat {
        block_id: "blk",
        person_id: "cy",
        seat: None,
        state: SeatState::Waiting,
        at: MONDAY_9 - 300,
    }));
    ok(l.write(OfficeEffect::SetBlockHeld { id: "blk", held: &[1] }));
    assert_eq!(ok(l.office_block("blk", false)).map(|b| b.held), Some(vec![1]));
    let seats: Vec<(String, Option<u32>, SeatState)> =
        ok(l.seats("blk")).into_iter().map(|s| (s.person_id, s.seat, s.state)).collect();
    assert_eq!(
        seats,
        [("bo".to_string(), Some(1), SeatState::Held), ("cy".to_string(), None, SeatState::Waiting)],
        "in the order they came"
    );
    ok(l.write(OfficeEffect::PutSeat {
        block_id: "blk",
        person_id: "bo",
        seat: None,
        state: SeatState::Left,
        at: MONDAY_9 - 200,
    }));
    assert!(ok(l.seats("blk")).iter().any(|s| s.person_id == "bo" && s.state == SeatState::Left), "who left is kept");
    ok(l.write(OfficeEffect::CancelBlock { id: "blk" }));
    assert_eq!(ok(l.office_block("blk", false)).map(|b| b.cancelled), Some(true));
}

/// Events: places, registrations withdrawn and renewed, attendance.
pub fn events<L: Ledger<Error: Debug>>(l: &mut L, seed: &Seed) {
    let start = chrono::DateTime::from_timestamp(MONDAY_9, 0).unwrap_or_default();
    let new = NewEvent {
        makerspace_id: seed.makerspace_id.clone(),
        kind: EventKind::Roadshow,
        title: "路演日".into(),
        start,
        end: start + chrono::Duration::hours(3),
        place: "".into(),
        capacity: 30,
    };
    person(l, "ada", "Ada");
    ok(l.write(EventEffect::InsertEvent { id: "ev", event: &new, created_by: "ada", at: MONDAY_9 - 86_400 }));
    let event = ok(l.event("ev", true)).unwrap_or_else(|| panic!("an event written is read back"));
    assert_eq!(
        (event.makerspace_id.as_str(), event.start, event.end, event.capacity, event.cancelled),
        (&*seed.makerspace_id, MONDAY_9, MONDAY_9 + 3 * HOUR, 30, false)
    );
    person(l, "bo", "Bo");
    ok(l.write(EventEffect::SetRegistration { event_id: "ev", person_id: "bo", active: true, at: MONDAY_9 - 600 }));
    ok(l.write(EventEffect::SetRegistration { event_id: "ev", person_id: "bo", active: false, at: MONDAY_9 - 500 }));
    ok(l.write(EventEffect::SetRegistration { event_id: "ev", person_id: "bo", active: true, at: MONDAY_9 - 400 }));
    ok(l.write(EventEffect::SetAttendance { event_id: "ev", person_id: "bo", attended: true }));
    let registrations = ok(l.registrations("ev"));
    assert_eq!(
        registrations,
        [Registration { person_id: "bo".into(), active: true, attended: true }],
        "one registration per person, renewed"
    );
    ok(l.write(EventEffect::CancelEvent { id: "ev" }));
    assert_eq!(ok(l.event("ev", false)).map(|e| e.cancelled), Some(true));
    assert!(ok(l.exists(Entity::Event, "ev")));
}

/// One test per family over a backend's ledger. `$with` runs a check inside one transaction of
/// a fresh backend that holds the seed's makerspace: `fn(impl FnOnce(&mut TheLedger, &Seed))`.
#[macro_export]
macro_rules! ledger_contract {
    ($with:expr) => {
        $crate::ledger_contract!(@tests $with;
            contract_directory => directory,
            contract_labs => labs,
            contract_calendars => calendars,
            contract_bookings => bookings,
            contract_usage => usage,
            contract_mentors => mentors,
            contract_startups => startups,
            contract_allocations => allocations,
            contract_office_hours => office_hours,
            contract_events => events,
            contract_calls => calls,
        );
    };
    (@tests $with:expr; $($name:ident => $check:ident,)*) => {
        $(
            #[test]
            fn $name() {
                $with(|ledger, seed| $crate::testing::contract::$check(ledger, seed));
            }
        )*
    };
}
