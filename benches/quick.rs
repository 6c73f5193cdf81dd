//! `make bench-quick`: three ratios on the `district` sample, each of two timings taken in
//! the same run on the same database, so that they hold on any machine (a slower disk or CPU
//! slows both sides). Under a minute, the sample's load included.
//!
//! - the booking commit (every rule, the audit entry, without the per-commit fsync) over a
//!   bare insert of the same row into the same table: what the rulebook costs a booking;
//! - an equipment's week of slots over the same week of an instrument with the same hours
//!   and an empty calendar: what its bookings and blackouts cost;
//! - matching a founder's need over every calendar a brute-force matcher would read (each
//!   mentor's free slots for the same 14 days): what the pruning saves.
//!
//! Medians of many single timings. A ratio that grows by more than 20% is a regression to fix
//! or explain (issue #30).

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use incubook::domain::Role;
use incubook::interval::Span;
use incubook::matching::MatchNeed;
use incubook::store::{
    Durability, EquipmentFilter, INSERT_BOOKING_SQL, MentorSearch, NewBooking, NewEquipment, PeopleFilter, SlotSearch,
};

#[path = "support/mod.rs"]
mod support;

use support::{bookable, fixture, now};

/// The median of `runs` timings of `f`, after `warm` untimed runs.
fn median(warm: usize, runs: usize, mut f: impl FnMut()) -> Duration {
    for _ in 0..warm {
        f();
    }
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn show(name: &str, measured: Duration, baseline: Duration, baseline_name: &str) {
    let ratio = measured.as_secs_f64() / baseline.as_secs_f64().max(1e-9);
    println!("{name:<28} {:>10.1} µs   {baseline_name:<34} {:>10.1} µs   ratio {ratio:>7.2}", micros(measured), micros(baseline));
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    let started = Instant::now();
    let mut f = fixture();
    let store = &mut f.store;
    store.set_durability(Durability::CrashSafe).unwrap_or_else(|e| panic!("{e}"));

    // 1. The booking commit over a bare insert of the same row, alternating so that both see
    //    the same database as it grows.
    let founders = store.people(&PeopleFilter { role: Some(Role::Founder), makerspace_code: None }).unwrap_or_default();
    let booker = founders.first().map(|p| p.id.clone()).unwrap_or_default();
    let mut queue = bookable(store).into_iter();
    let mut commits = Vec::new();
    let mut inserts = Vec::new();
    let mut refused = 0;
    let mut n = 0;
    // More commits for a profiler (`QUICK_COMMITS=30000 perf record …`).
    let wanted: usize = std::env::var("QUICK_COMMITS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000);
    while commits.len() < wanted {
        let Some((resource_id, slot)) = queue.next() else { panic!("ran out of free slots") };
        n += 1;
        if n % 2 == 0 {
            let started = Instant::now();
            let tx = store.conn().unchecked_transaction().unwrap_or_else(|e| panic!("{e}"));
            tx.prepare_cached(INSERT_BOOKING_SQL)
                .and_then(|mut s| {
                    s.execute(rusqlite::params![
                        incubook::domain::new_id(),
                        resource_id,
                        booker,
                        slot.start.timestamp(),
                        slot.end.timestamp(),
                        "confirmed",
                        "",
                        now().timestamp(),
                        Option::<String>::None
                    ])
                })
                .unwrap_or_else(|e| panic!("{e}"));
            tx.commit().unwrap_or_else(|e| panic!("{e}"));
            inserts.push(started.elapsed());
            continue;
        }
        let new = NewBooking { format: None, resource_id, start: slot.start, end: slot.end, topic: String::new() };
        let started = Instant::now();
        match store.book(&booker, &new, now()) {
            Ok(_) => commits.push(started.elapsed()),
            Err(e) if e.code().starts_with("refused.") => refused += 1,
            Err(e) => panic!("{e}"),
        }
    }
    let mid = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let attempts = commits.len() + refused;
    let mean = |v: &[Duration]| v.iter().sum::<Duration>() / u32::try_from(v.len().max(1)).unwrap_or(u32::MAX);
    eprintln!("means: commit {:.1} µs, bare insert {:.1} µs", micros(mean(&commits)), micros(mean(&inserts)));
    if wanted > 4_000 {
        // Under a profiler: how the commit's time moves as the database and its log grow.
        for (i, chunk) in commits.chunks(wanted / 10).enumerate() {
            let mut c = chunk.to_vec();
            c.sort();
            eprintln!("commits {}..: median {:.1} µs", i * (wanted / 10), micros(c[c.len() / 2]));
        }
        let mut all = commits.clone();
        all.sort();
        let at = |q: f64| micros(all[((all.len() as f64 * q) as usize).min(all.len() - 1)]);
        eprintln!(
            "commit p50 {:.1} p90 {:.1} p99 {:.1} p99.9 {:.1} max {:.1} µs",
            at(0.5),
            at(0.9),
            at(0.99),
            at(0.999),
            at(1.0)
        );
        let wal = std::fs::metadata(format!("{}-wal", store.db_path())).map(|m| m.len()).unwrap_or(0);
        eprintln!("WAL now {wal} bytes");
    }
    show("booking_commit_no_fsync", mid(commits), mid(inserts), "bare_insert_same_row");
    println!("  ({attempts} attempts for {wanted} commits)");

    // 2. An oscilloscope's week over the same week of a new instrument with its hours and
    //    rules and nothing booked.
    let scope = store
        .equipment(&EquipmentFilter { category: Some("oscilloscope".into()), ..EquipmentFilter::default() })
        .unwrap_or_default()
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no oscilloscope in the sample"));
    let manager: String = store
        .conn()
        .query_row(
            "SELECT r.person_id FROM person_role r JOIN lab l ON l.makerspace_id = r.makerspace_id
             WHERE l.id = ?1 AND r.role = 'lab_manager' ORDER BY r.person_id LIMIT 1",
            [&scope.lab_id],
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let twin = NewEquipment {
        lab_id: scope.lab_id.clone(),
        name: format!("{} (empty)", scope.name),
        category: scope.category.clone(),
        model: scope.model.clone(),
        hourly_fee_cents: scope.hourly_fee_cents,
        subsidy_pct: scope.subsidy_pct,
        policy: scope.policy.clone(),
        weekly_hours: scope.weekly_hours.clone(),
    };
    let empty = store.create_equipment(&manager, &twin, now()).unwrap_or_else(|e| panic!("{e}")).id;
    let week = SlotSearch {
        from: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default(),
        to: NaiveDate::from_ymd_opt(2026, 12, 13).unwrap_or_default(),
        minutes: Some(60),
    };
    let busy_week = median(50, 1_000, || {
        let _ = store.slots(&scope.id, &week, now());
    });
    let empty_week = median(50, 1_000, || {
        let _ = store.slots(&empty, &week, now());
    });
    show("equipment_week_of_slots", busy_week, empty_week, "same_week_empty_calendar");

    // 3. Matching over reading every visible mentor's 14 days, as a matcher without pruning would.
    let need = MatchNeed { tags: vec!["fundraising".into(), "legal".into()], ..MatchNeed::default() };
    let everyone = store.matching_mentor_ids(&MentorSearch::default()).unwrap_or_default();
    let range = Span::new(now().timestamp(), now().timestamp() + 14 * 86_400);
    let matching = median(3, 21, || {
        let _ = store.match_mentors(&booker, &need, now());
    });
    let brute = median(1, 5, || {
        let _ = store.slots_many(&everyone, range, 60, now());
    });
    show("match_mentors_district", matching, brute, "every_mentors_14_days_of_slots");
    println!("({} mentors; whole run {:.1} s)", everyone.len(), started.elapsed().as_secs_f64());
}
