//! Property test against a brute-force reference model: random sequences of book,
//! cancel, reschedule, blackout and rule changes. The store must accept exactly what the
//! model accepts (invariant 2), never hold more than the capacity at any instant
//! (invariant 1), and change nothing on bad input (invariant 6).

mod common;

use chrono::Duration;
use common::{count, cst, district_with, equipment_policy, mentor_policy, now};
use incubook::domain::{BlackoutWhen, Policy, WeeklyHours};
use incubook::store::{BlackoutMode, NewBooking};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Book { mentor: bool, founder: usize, day: i64, slot: i64, len: i64 },
    Cancel { pick: usize },
    Reschedule { pick: usize, day: i64, slot: i64, len: i64 },
    Blackout { mentor: bool, day: i64, slot: i64, len: i64, cancel: bool },
    Rules { mentor: bool, buffer_after: u32, max_per_day: Option<u32>, open_from: u16, open_to: u16 },
    Bad { kind: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (any::<bool>(), 0..4usize, 0..4i64, 0..20i64, 1..7i64).prop_map(|(mentor, founder, day, slot, len)| Op::Book { mentor, founder, day, slot, len }),
        2 => any::<usize>().prop_map(|pick| Op::Cancel { pick }),
        2 => (any::<usize>(), 0..4i64, 0..20i64, 1..7i64).prop_map(|(pick, day, slot, len)| Op::Reschedule { pick, day, slot, len }),
        1 => (any::<bool>(), 0..4i64, 0..20i64, 1..5i64, any::<bool>()).prop_map(|(mentor, day, slot, len, cancel)| Op::Blackout { mentor, day, slot, len, cancel }),
        1 => (any::<bool>(), prop_oneof![Just(0u32), Just(15), Just(30)], prop::option::of(1..4u32), 480..600u16, 900..1140u16)
            .prop_map(|(mentor, buffer_after, max_per_day, f, t)| Op::Rules { mentor, buffer_after, max_per_day, open_from: f / 30 * 30, open_to: t / 30 * 30 }),
        1 => (0..4u8).prop_map(|kind| Op::Bad { kind }),
    ]
}

/// What the model knows of one resource.
#[derive(Clone)]
struct Res {
    id: String,
    policy: Policy,
    open: (i64, i64),
    blackouts: Vec<(i64, i64)>,
}

#[derive(Clone, Debug)]
struct Bk {
    id: String,
    mentor: bool,
    booker: String,
    start: i64,
    end: i64,
    active: bool,
}

/// Instants are UTC seconds; day 0 is Tuesday 2026-12-08, slot k is 08:00 + 30k minutes.
fn at(day: i64, slot: i64) -> i64 {
    cst(2026, 12, 8, 8, 0).timestamp() + day * 86_400 + slot * 1800
}

fn local_day(t: i64) -> i64 {
    (t - cst(2026, 12, 8, 0, 0).timestamp()).div_euclid(86_400)
}

/// Brute force over 5-minute steps: would the model accept [start, end) on `r`?
fn model_accepts(r: &Res, mentor: bool, all: &[Bk], start: i64, end: i64, except: Option<&str>) -> bool {
    let p = &r.policy;
    let minutes = (end - start) / 60;
    if !p.durations_min.is_empty() {
        if !p.durations_min.iter().any(|d| i64::from(*d) == minutes) {
            return false;
        }
    } else if minutes < i64::from(p.min_duration_min) || minutes > i64::from(p.max_duration_min) {
        return false;
    }
    let n = now().timestamp();
    if start < n + i64::from(p.min_notice_min) * 60 || end > n + i64::from(p.horizon_days) * 86_400 {
        return false;
    }
    let day = local_day(start);
    let midnight = cst(2026, 12, 8, 0, 0).timestamp() + day * 86_400;
    if start < midnight + r.open.0 * 60 || end > midnight + r.open.1 * 60 {
        return false;
    }
    if r.blackouts.iter().any(|&(s, e)| s < end && start < e) {
        return false;
    }
    let others: Vec<&Bk> = all.iter().filter(|b| b.active && b.mentor == mentor && Some(b.id.as_str()) != except).collect();
    if p.max_per_day.is_some_and(|cap| others.iter().filter(|b| local_day(b.start) == day).count() as u32 >= cap) {
        return false;
    }
    let (bb, ba) = (i64::from(p.buffer_before_min) * 60, i64::from(p.buffer_after_min) * 60);
    let mut t = start - bb;
    while t < end + ba {
        let load = others.iter().filter(|b| b.start - bb <= t && t < b.end + ba).count() as u32;
        if load >= p.capacity {
            return false;
        }
        t += 300;
    }
    true
}

fn max_load(all: &[Bk], mentor: bool) -> usize {
    let starts: Vec<i64> = all.iter().filter(|b| b.active && b.mentor == mentor).map(|b| b.start).collect();
    starts
        .iter()
        .map(|&t| all.iter().filter(|b| b.active && b.mentor == mentor && b.start <= t && t < b.end).count())
        .max()
        .unwrap_or(0)
}

fn weekly(open: (i64, i64)) -> Vec<WeeklyHours> {
    (0..5).map(|weekday| WeeklyHours { weekday, start_min: open.0 as u16, end_min: open.1 as u16 }).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn store_agrees_with_the_model(capacity in 1..4u32, ops in prop::collection::vec(op(), 1..35)) {
        let mentor_p = Policy { max_per_week: None, ..mentor_policy() };
        let equip_p = equipment_policy(capacity);
        let mut d = district_with(mentor_p.clone(), equip_p.clone());
        let mut res = [
            Res { id: d.equipment.clone(), policy: equip_p, open: (540, 1080), blackouts: vec![] },
            Res { id: d.mentor.clone(), policy: mentor_p, open: (540, 720), blackouts: vec![] },
        ];
        let owners = [d.manager.clone(), d.mentor_person.clone()];
        let mut bookings: Vec<Bk> = Vec::new();
        for op in ops {
            let audit_before = count(&d.store, "audit_log");
            match op {
                Op::Book { mentor, founder, day, slot, len } => {
                    let r = &res[usize::from(mentor)];
                    let (start, end) = (at(day, slot), at(day, slot + len));
                    let expect = model_accepts(r, mentor, &bookings, start, end, None);
                    let who = d.founders[founder].clone();
                    let got = d.store.book(&who, &NewBooking { resource_id: r.id.clone(), start: incubook::domain::to_utc(start), end: incubook::domain::to_utc(end), topic: String::new() }, now());
                    match &got {
                        Ok(b) => bookings.push(Bk { id: b.id.clone(), mentor, booker: who, start, end, active: true }),
                        Err(e) => prop_assert!(e.code().starts_with("refused."), "{}", e.code()),
                    }
                    prop_assert_eq!(got.is_ok(), expect, "book {} {}..{} cap {}", mentor, start, end, capacity);
                }
                Op::Cancel { pick } => {
                    if bookings.is_empty() { continue; }
                    let i = pick % bookings.len();
                    let b = bookings[i].clone();
                    let got = d.store.cancel(&b.booker, &b.id, None, now());
                    prop_assert_eq!(got.is_ok(), b.active);
                    bookings[i].active = false;
                }
                Op::Reschedule { pick, day, slot, len } => {
                    if bookings.is_empty() { continue; }
                    let i = pick % bookings.len();
                    let b = bookings[i].clone();
                    let (start, end) = (at(day, slot), at(day, slot + len));
                    let r = &res[usize::from(b.mentor)];
                    let expect = b.active && model_accepts(r, b.mentor, &bookings, start, end, Some(&b.id));
                    let got = d.store.reschedule(&b.booker, &b.id, incubook::domain::to_utc(start), incubook::domain::to_utc(end), now());
                    prop_assert_eq!(got.is_ok(), expect, "reschedule {:?} to {}..{}", b, start, end);
                    if got.is_ok() {
                        bookings[i].start = start;
                        bookings[i].end = end;
                    } else {
                        let kept = d.store.booking(&b.id).map_err(|e| TestCaseError::fail(e.to_string()))?;
                        prop_assert_eq!((kept.start.timestamp(), kept.end.timestamp()), (b.start, b.end));
                    }
                }
                Op::Blackout { mentor, day, slot, len, cancel } => {
                    let (start, end) = (at(day, slot), at(day, slot + len));
                    let k = usize::from(mentor);
                    let mode = if cancel { BlackoutMode::CancelBookings } else { BlackoutMode::KeepBookings };
                    let out = d.store.add_blackout(&owners[k], &res[k].id.clone(), &BlackoutWhen::Once { start, end }, "维护", mode, now())
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    let hits: Vec<usize> = (0..bookings.len()).filter(|&i| bookings[i].active && bookings[i].mentor == mentor && bookings[i].start < end && start < bookings[i].end).collect();
                    prop_assert_eq!(out.hits.len(), hits.len());
                    if cancel {
                        for i in hits { bookings[i].active = false; }
                    }
                    res[k].blackouts.push((start, end));
                }
                Op::Rules { mentor, buffer_after, max_per_day, open_from, open_to } => {
                    let k = usize::from(mentor);
                    let policy = Policy { buffer_after_min: buffer_after, max_per_day, ..res[k].policy.clone() };
                    d.store.set_policy(&owners[k], &res[k].id.clone(), &policy, now()).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    let open = (i64::from(open_from), i64::from(open_to));
                    d.store.set_weekly_hours(&owners[k], &res[k].id.clone(), &weekly(open), now()).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    res[k].policy = policy;
                    res[k].open = open;
                }
                Op::Bad { kind } => {
                    let e = d.equipment.clone();
                    let who = d.founders[0].clone();
                    let t = incubook::domain::to_utc(at(1, 4));
                    let got = match kind {
                        0 => d.store.book(&who, &NewBooking { resource_id: e, start: t, end: t - Duration::hours(1), topic: String::new() }, now()).map(|_| ()),
                        1 => d.store.book(&who, &NewBooking { resource_id: "no-such-id".into(), start: t, end: t + Duration::hours(1), topic: String::new() }, now()).map(|_| ()),
                        2 => d.store.book("nobody", &NewBooking { resource_id: e, start: t, end: t + Duration::hours(1), topic: String::new() }, now()).map(|_| ()),
                        _ => d.store.book(&who, &NewBooking { resource_id: e, start: t, end: t + Duration::hours(1), topic: "x".repeat(600) }, now()).map(|_| ()),
                    };
                    prop_assert!(got.is_err());
                    prop_assert_eq!(count(&d.store, "audit_log"), audit_before, "bad input wrote something");
                }
            }
            prop_assert!(max_load(&bookings, false) <= capacity as usize);
            prop_assert!(max_load(&bookings, true) <= 1);
        }
        // The database agrees with the model about which bookings are active.
        let active: i64 = d.store.conn().query_row("SELECT COUNT(*) FROM booking WHERE status IN ('requested', 'confirmed')", [], |r| r.get(0)).unwrap_or(-1);
        prop_assert_eq!(active, bookings.iter().filter(|b| b.active).count() as i64);
    }
}
