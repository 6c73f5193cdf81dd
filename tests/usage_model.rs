//! The property test of machine hours on a real SQLite file: random bookings, check-ins,
//! walk-ups, check-outs and clock ticks (each tick runs the app's sweep, as the desktop and
//! the server do every few seconds). After every step:
//! - every no-show is released at the first sweep at or after start + T, and only once;
//! - no booking nobody checked in to stays held past start + T;
//! - the instrument (capacity 1) never holds two active bookings at one instant, so released
//!   time is never booked twice;
//! - no two usage sessions of the instrument overlap.
//!
//! `INCUBOOK_USAGE_CASES` sets the number of cases (about 60 steps each); 96 by default.

mod common;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use common::{District, cst};
use incubook::domain::Policy;
use incubook::store::{NewBooking, WalkUpAsked};
use incubook::usage::Purpose;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// The instrument's default: a booking nobody checked in to is released 15 minutes in.
const RELEASE_AFTER: i64 = 15 * 60;

#[derive(Debug, Clone)]
enum Step {
    /// Founder `who` books slot `slot` (30 minutes each from 09:00) for `len` slots.
    Book { who: usize, slot: i64, len: i64 },
    /// The booker of the `pick`-th booking (or the lab manager for them) checks in now.
    CheckIn { pick: usize, by_manager: bool },
    /// Founder `who` walks up to the instrument for `len` slots.
    WalkUp { who: usize, len: u32 },
    /// The `pick`-th open session is checked out now.
    CheckOut { pick: usize },
    /// The clock moves on `minutes` and the app sweeps.
    Tick { minutes: i64 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..4usize, 0..18i64, 1..4i64).prop_map(|(who, slot, len)| Step::Book { who, slot, len }),
        3 => (any::<usize>(), any::<bool>()).prop_map(|(pick, by_manager)| Step::CheckIn { pick, by_manager }),
        1 => (0..4usize, 1..3u32).prop_map(|(who, len)| Step::WalkUp { who, len }),
        2 => any::<usize>().prop_map(|pick| Step::CheckOut { pick }),
        4 => (1..45i64).prop_map(|minutes| Step::Tick { minutes }),
    ]
}

struct Run {
    d: District,
    now: DateTime<Utc>,
    /// When the sweep ran last.
    swept: DateTime<Utc>,
    /// Booking → the sweep that released it.
    released: HashMap<String, DateTime<Utc>>,
}

/// (id, start, end, status) of every booking of the instrument.
fn bookings(d: &District) -> Vec<(String, i64, i64, String)> {
    let mut stmt = d
        .store
        .conn()
        .prepare("SELECT id, start_at, end_at, status FROM booking WHERE resource_id = ?1 ORDER BY start_at, id")
        .unwrap_or_else(|e| panic!("{e}"));
    let rows = stmt.query_map([&d.equipment], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)));
    rows.and_then(|rows| rows.collect()).unwrap_or_else(|e| panic!("{e}"))
}

/// (id, booking, started, ended) of every session of the instrument.
fn sessions(d: &District) -> Vec<(String, String, i64, Option<i64>)> {
    let mut stmt = d
        .store
        .conn()
        .prepare("SELECT id, booking_id, started_at, ended_at FROM usage_session WHERE resource_id = ?1 ORDER BY started_at")
        .unwrap_or_else(|e| panic!("{e}"));
    let rows = stmt.query_map([&d.equipment], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)));
    rows.and_then(|rows| rows.collect()).unwrap_or_else(|e| panic!("{e}"))
}

impl Run {
    fn new() -> Run {
        let d = common::district_with(common::mentor_policy(), Policy { min_notice_min: 0, ..common::equipment_policy(1) });
        let now = cst(2026, 12, 8, 8, 30);
        Run { d, now, swept: now - Duration::hours(1), released: HashMap::new() }
    }

    fn run(&mut self, step: &Step) -> Result<(), TestCaseError> {
        let founders = self.d.founders.clone();
        let (manager, equipment) = (self.d.manager.clone(), self.d.equipment.clone());
        match *step {
            Step::Book { who, slot, len } => {
                let start = cst(2026, 12, 8, 9, 0) + Duration::minutes(30 * slot);
                let new = NewBooking {
                    format: None,
                    resource_id: equipment,
                    start,
                    end: start + Duration::minutes(30 * len),
                    topic: String::new(),
                };
                let _ = self.d.store.book(&founders[who], &new, self.now);
            }
            Step::CheckIn { pick, by_manager } => {
                let all = bookings(&self.d);
                if let Some((id, ..)) = all.get(pick % all.len().max(1)) {
                    let booker = self.d.store.booking(id).map(|b| b.booker_id).unwrap_or_default();
                    let actor = if by_manager { manager } else { booker };
                    let _ = self.d.store.check_in(&actor, id, Purpose::Testing, 0, self.now);
                }
            }
            Step::WalkUp { who, len } => {
                let asked = WalkUpAsked {
                    resource_id: &equipment,
                    person_id: &founders[who],
                    minutes: 30 * len,
                    purpose: Purpose::Research,
                    samples: 0,
                };
                let _ = self.d.store.walk_up(&founders[who], &asked, self.now);
            }
            Step::CheckOut { pick } => {
                let open: Vec<_> = sessions(&self.d).into_iter().filter(|s| s.3.is_none()).collect();
                if let Some((id, booking, ..)) = open.get(pick % open.len().max(1)) {
                    let booker = self.d.store.booking(booking).map(|b| b.booker_id).unwrap_or_default();
                    let _ = self.d.store.check_out(&booker, id, self.now);
                }
            }
            Step::Tick { minutes } => {
                self.now += Duration::minutes(minutes);
                let swept = self.d.store.sweep_usage(self.now).map_err(|e| TestCaseError::fail(e.to_string()))?;
                for id in swept.released {
                    let start = bookings(&self.d).into_iter().find(|b| b.0 == id).map(|b| b.1).unwrap_or_default();
                    let due = start + RELEASE_AFTER;
                    prop_assert!(
                        self.swept.timestamp() < due && due <= self.now.timestamp(),
                        "{id} released at {} (due {due}, last sweep {})",
                        self.now.timestamp(),
                        self.swept.timestamp()
                    );
                    prop_assert!(self.released.insert(id.clone(), self.now).is_none(), "{id} released twice");
                }
                self.swept = self.now;
            }
        }
        self.check()
    }

    fn check(&self) -> Result<(), TestCaseError> {
        let all = bookings(&self.d);
        let runs = sessions(&self.d);
        let checked: std::collections::HashSet<&str> = runs.iter().map(|s| s.1.as_str()).collect();
        let held: Vec<_> = all.iter().filter(|b| b.3 == "confirmed" || b.3 == "requested").collect();
        for (i, a) in held.iter().enumerate() {
            for b in &held[i + 1..] {
                prop_assert!(a.2 <= b.1 || b.2 <= a.1, "double-booked: {a:?} and {b:?}");
            }
            // Swept at or after its release time and still held: the sweep missed it.
            let late =
                !checked.contains(a.0.as_str()) && a.1 + RELEASE_AFTER <= self.swept.timestamp() && a.2 > self.swept.timestamp();
            prop_assert!(!late, "{a:?} nobody checked in to is still held after the sweep at {}", self.swept.timestamp());
        }
        for b in all.iter().filter(|b| b.3 == "no_show") {
            prop_assert!(self.released.contains_key(&b.0), "{b:?} became a no-show outside a sweep");
        }
        for (i, a) in runs.iter().enumerate() {
            for b in &runs[i + 1..] {
                let (a_end, b_end) = (a.3.unwrap_or(i64::MAX), b.3.unwrap_or(i64::MAX));
                prop_assert!(a_end <= b.2 || b_end <= a.2, "sessions overlap: {a:?} and {b:?}");
            }
        }
        Ok(())
    }
}

#[test]
fn no_shows_are_released_once_on_time_and_nothing_is_held_or_used_twice() {
    let cases = std::env::var("INCUBOOK_USAGE_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(96);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let result = runner.run(&prop::collection::vec(step(), 20..60), |steps| {
        let mut run = Run::new();
        for s in &steps {
            run.run(s)?;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
