//! What the benchmarks share: the `district` sample in a fresh file, the instant they stand
//! at, and free slots to book one after another.

use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use incubook::domain::Slot;
use incubook::interval::Span;
use incubook::sample::{self, Scale};
use incubook::store::{EquipmentFilter, Store};

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).single().unwrap_or_default()
}

pub struct Fixture {
    pub _dir: tempfile::TempDir,
    pub store: Store,
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut store = Store::open(&dir.path().join("incubook.db")).unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let summary = sample::load(&mut store, Scale::District, 2026, now()).unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "district sample: {} bookings, {} mentors, {} equipment, loaded in {:?}",
        summary.bookings,
        summary.mentors,
        summary.equipment,
        started.elapsed()
    );
    Fixture { _dir: dir, store }
}

/// Free hour-long slots on equipment anyone may book, one per hour, so that each can be
/// booked in turn without clashing with the others.
pub fn bookable(store: &Store) -> Vec<(String, Slot)> {
    let all = store.equipment(&EquipmentFilter::default()).unwrap_or_default();
    let open: Vec<String> = all
        .iter()
        .filter(|e| !e.policy.qualification_required && !e.policy.approval_required && e.policy.buffer_after_min == 0)
        .map(|e| e.id.clone())
        .collect();
    let range = Span::new(now().timestamp(), now().timestamp() + 28 * 86_400);
    let mut out = Vec::new();
    for (id, slots) in store.slots_many(&open, range, 60, now()).unwrap_or_default() {
        let mut last_end = 0;
        for s in slots.into_iter().filter(|s| s.start % 3600 == 0) {
            if s.start >= last_end {
                last_end = s.end;
                out.push((
                    id.clone(),
                    Slot { start: incubook::domain::to_utc(s.start), end: incubook::domain::to_utc(s.end), late: false },
                ));
            }
        }
    }
    out
}
