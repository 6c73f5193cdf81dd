//! Many writers on one database file — threads with their own connections, and separate
//! processes running the CLI — never book more than the capacity.

mod common;

use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};

use chrono::Duration;
use common::{cst, district_with, equipment_policy, mentor_policy, now};
use incubook::interval::{Span, saturated};
use incubook::store::{NewBooking, Store};

fn race(
    path: &std::path::Path,
    people: &[String],
    resource: &str,
    starts: &[chrono::DateTime<chrono::Utc>],
    threads: usize,
) -> usize {
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let (path, barrier) = (path.to_path_buf(), barrier.clone());
            let who = people[i % people.len()].clone();
            let start = starts[i % starts.len()];
            let resource = resource.to_string();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap_or_else(|e| panic!("open: {e}"));
                barrier.wait();
                let new = NewBooking {
                    format: None,
                    resource_id: resource,
                    start,
                    end: start + Duration::hours(1),
                    topic: String::new(),
                };
                match store.book(&who, &new, now()) {
                    Ok(_) => 1,
                    Err(e) if e.code() == "refused.slot_taken" => 0,
                    Err(e) => panic!("unexpected error {}: {e}", e.code()),
                }
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
}

fn max_load(store: &Store, resource: &str) -> u32 {
    let mut stmt = store
        .conn()
        .prepare("SELECT start_at, end_at FROM booking WHERE resource_id = ?1 AND status IN ('requested', 'confirmed')")
        .unwrap_or_else(|e| panic!("{e}"));
    let spans: Vec<Span> = stmt
        .query_map([resource], |r| Ok(Span::new(r.get(0)?, r.get(1)?)))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(Result::ok)
        .collect();
    (1..=spans.len() as u32 + 1).find(|c| saturated(&spans, *c).is_empty()).map(|c| c - 1).unwrap_or(0)
}

#[test]
fn sixteen_threads_one_mentor_slot_one_winner() {
    let d = district_with(mentor_policy(), equipment_policy(1));
    let wins = race(&d.path(), &d.founders, &d.mentor, &[cst(2026, 12, 8, 9, 0)], 16);
    assert_eq!(wins, 1);
    assert_eq!(max_load(&d.store, &d.mentor), 1);
}

#[test]
fn threads_on_overlapping_slots_never_exceed_capacity() {
    let d = district_with(mentor_policy(), equipment_policy(3));
    // Starts every 30 minutes: each hour-long booking overlaps its neighbours.
    let starts: Vec<_> = (0..6).map(|i| cst(2026, 12, 8, 10, 0) + Duration::minutes(30 * i)).collect();
    let wins = race(&d.path(), &d.founders, &d.equipment, &starts, 24);
    assert!(wins >= 3, "at least a full capacity fits: {wins}");
    assert_eq!(max_load(&d.store, &d.equipment), 3);
}

/// Eight CLI processes started at once, each booking the same hour; their outputs.
fn race_processes(d: &common::District, resource: &str, start: chrono::DateTime<chrono::Utc>) -> Vec<std::process::Output> {
    let start = start.to_rfc3339();
    let children: Vec<_> = (0..8)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_incubook"))
                .arg("--data-dir")
                .arg(d.dir.path())
                .args([
                    "book",
                    resource,
                    "--start",
                    &start,
                    "--minutes",
                    "60",
                    "--as",
                    &d.founders[i % d.founders.len()],
                    "--json",
                ])
                .env("INCUBOOK_NOW", now().to_rfc3339())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("spawn: {e}"))
        })
        .collect();
    // Only now wait: all eight run at once and race for the write lock.
    children.into_iter().map(|c| c.wait_with_output().unwrap_or_else(|e| panic!("wait: {e}"))).collect()
}

#[test]
fn separate_processes_one_slot_one_winner() {
    let d = district_with(mentor_policy(), equipment_policy(1));
    let outputs = race_processes(&d, &d.mentor, cst(2026, 12, 8, 9, 0));
    let winners = outputs.iter().filter(|o| o.status.success()).count();
    let losers: Vec<String> =
        outputs.iter().filter(|o| !o.status.success()).map(|o| String::from_utf8_lossy(&o.stderr).to_string()).collect();
    assert_eq!(winners, 1, "{losers:?}");
    assert!(losers.iter().all(|e| e.contains("\"code\":\"refused.slot_taken\"")), "{losers:?}");
    assert_eq!(max_load(&d.store, &d.mentor), 1);
}

#[test]
fn parallel_processes_on_a_capacity_two_instrument() {
    let d = district_with(mentor_policy(), equipment_policy(2));
    let outputs = race_processes(&d, &d.equipment, cst(2026, 12, 9, 14, 0));
    assert_eq!(outputs.iter().filter(|o| o.status.success()).count(), 2);
    assert_eq!(max_load(&d.store, &d.equipment), 2);
}
