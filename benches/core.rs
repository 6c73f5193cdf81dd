//! Benchmarks on the `district` sample (500 makerspaces, 5,000 mentors, 2,000 equipment,
//! 200,000 bookings): mentor free slots by tag over 14 days, one equipment's week of
//! slots, matching a founder's need over every mentor, booking commits (durable, and without the per-commit fsync), the pure rule
//! check without any database, a check-in recorded, the sharing figures of a district
//! year (10⁶ usage sessions), and the yearly figures of a district year (300,000 mentor
//! sessions), and of calls: an acceptance minting its code, a call's intake figures over 20,000 applications.

use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use incubook::availability::Days;
use incubook::indicators::GroupBy;
use incubook::interval::Span;
use incubook::matching::MatchNeed;
use incubook::rules::{self, Qualification, RuleContext};
use incubook::store::{Durability, EquipmentFilter, MentorSearch, NewBooking, PeopleFilter, SlotSearch, Store};
use incubook::usage::Purpose;

#[path = "support/mod.rs"]
mod support;

use support::{Fixture, bookable, fixture, now};

fn bench_availability(c: &mut Criterion, f: &Fixture) {
    let search = MentorSearch { tag: Some("fundraising".into()), ..MentorSearch::default() };
    let ids = f.store.matching_mentor_ids(&search).unwrap_or_default();
    let range = Span::new(now().timestamp(), now().timestamp() + 14 * 86_400);
    let slots: usize = f.store.slots_many(&ids, range, 60, now()).unwrap_or_default().iter().map(|(_, s)| s.len()).sum();
    eprintln!("tag fundraising: {} mentors, {slots} free 60-minute slots in 14 days", ids.len());
    c.bench_function("mentor_free_slots_one_tag_14_days", |b| b.iter(|| f.store.slots_many(&ids, range, 60, now())));
    let full = MentorSearch { tag: Some("fundraising".into()), free_within_days: Some(14), ..MentorSearch::default() };
    c.bench_function("mentor_search_one_tag_free_within_14_days", |b| b.iter(|| f.store.search_mentors(&full, now())));

    // Matching over every mentor a founder may see (5,000 in the district sample).
    let founder: String = f
        .store
        .conn()
        .query_row("SELECT person_id FROM person_role WHERE role = 'founder' ORDER BY person_id LIMIT 1", [], |r| r.get(0))
        .unwrap_or_default();
    let need = MatchNeed { tags: vec!["fundraising".into(), "legal".into()], ..MatchNeed::default() };
    let top = f.store.match_mentors(&founder, &need, now()).unwrap_or_default();
    eprintln!("matching: top score {:?}", top.first().map(|m| m.score.total));
    c.bench_function("match_mentors_district", |b| b.iter(|| f.store.match_mentors(&founder, &need, now())));

    let equipment = f
        .store
        .equipment(&EquipmentFilter { category: Some("oscilloscope".into()), ..EquipmentFilter::default() })
        .unwrap_or_default();
    let id = equipment.first().map(|e| e.id.clone()).unwrap_or_default();
    let week = SlotSearch {
        from: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default(),
        to: NaiveDate::from_ymd_opt(2026, 12, 13).unwrap_or_default(),
        minutes: Some(60),
    };
    c.bench_function("equipment_week_of_slots", |b| b.iter(|| f.store.slots(&id, &week, now())));
}

fn bench_booking(c: &mut Criterion, f: &mut Fixture) {
    let founder =
        f.store.people(&PeopleFilter { role: Some(incubook::domain::Role::Founder), makerspace_code: None }).unwrap_or_default();
    let booker = founder.first().map(|p| p.id.clone()).unwrap_or_default();
    let mut queue = bookable(&f.store).into_iter();
    eprintln!("bookable hour slots queued: {}", queue.len());
    // Attempts per successful commit, and why the others were refused: a sample that refuses
    // more would otherwise be measured as a slower commit.
    let mut attempts = 0_u64;
    let mut commits = 0_u64;
    let mut refusals: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    let mut book_next = |store: &mut Store| loop {
        let Some((resource_id, slot)) = queue.next() else { panic!("ran out of free slots") };
        let new = NewBooking { format: None, resource_id, start: slot.start, end: slot.end, topic: String::new() };
        attempts += 1;
        match store.book(&booker, &new, now()) {
            Ok(_) => {
                commits += 1;
                return;
            }
            Err(e) if e.code().starts_with("refused.") => *refusals.entry(e.code()).or_default() += 1,
            Err(e) => panic!("{e}"),
        }
    };
    let mut group = c.benchmark_group("booking_commit");
    group.sample_size(20).measurement_time(StdDuration::from_secs(8));
    group.bench_function("durable_fsync_each_commit", |b| b.iter(|| book_next(&mut f.store)));
    f.store.set_durability(Durability::CrashSafe).unwrap_or_else(|e| panic!("{e}"));
    group.bench_function("without_fsync", |b| b.iter(|| book_next(&mut f.store)));
    f.store.set_durability(Durability::PowerSafe).unwrap_or_else(|e| panic!("{e}"));
    group.finish();
    eprintln!(
        "booking_commit: {attempts} attempts for {commits} commits ({:.3} attempts per commit); refused: {refusals:?}",
        attempts as f64 / commits.max(1) as f64
    );

    // The rules alone: one mentor's context loaded once, then checked in memory.
    let mentor = f.store.matching_mentor_ids(&MentorSearch::default()).unwrap_or_default().into_iter().next().unwrap_or_default();
    let resource = f.store.resource_rules(&mentor).unwrap_or_else(|e| panic!("{e}"));
    let request = Span::new(Utc.with_ymd_and_hms(2026, 12, 9, 2, 0, 0).single().unwrap_or_default().timestamp(), 0);
    let request = Span::new(request.start, request.start + 3600);
    let busy = f.store.busy(&mentor, Days::covering(resource.tz, request).span()).unwrap_or_default();
    let ctx = RuleContext {
        resource_name: &resource.name,
        active: true,
        policy: &resource.policy,
        calendar: resource.calendar(),
        busy: &busy,
        qualification: Qualification::NotNeeded,
        booker_is_founder: true,
        visible_to_booker: true,
        booker_holding: 0,
    };
    c.bench_function("rule_check_in_memory", |b| {
        b.iter(|| rules::check_booking(&ctx, request, now().timestamp() - Duration::days(1).num_seconds()))
    });
}

/// Machine hours: a check-in recorded (durable), and the sharing figures of a district year
/// (2,000 instruments, 10⁶ usage sessions) computed from the database.
fn bench_machine_hours(c: &mut Criterion, f: &mut Fixture) {
    // Confirmed instrument bookings still to come, each checked in at its start.
    let mut stmt = f
        .store
        .conn()
        .prepare(
            "SELECT b.id, b.booker_id, b.start_at FROM booking b JOIN equipment e ON e.resource_id = b.resource_id
             WHERE b.status = 'confirmed' AND b.start_at > ?1 ORDER BY b.start_at",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let due: Vec<(String, String, i64)> = stmt
        .query_map([now().timestamp()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|r| r.ok())
        .collect();
    drop(stmt);
    eprintln!("instrument bookings to check in: {}", due.len());
    let mut queue = due.into_iter();
    // A few thousand bookings: each check-in uses one up, so the run is kept short.
    let mut group = c.benchmark_group("machine_hours");
    group.sample_size(10).warm_up_time(StdDuration::from_millis(200)).measurement_time(StdDuration::from_secs(1));
    group.bench_function("check_in_recorded_durable", |b| {
        b.iter(|| {
            loop {
                let Some((booking, booker, start)) = queue.next() else { panic!("ran out of bookings") };
                let at = Utc.timestamp_opt(start, 0).single().unwrap_or_default();
                match f.store.check_in(&booker, &booking, Purpose::Testing, 0, at) {
                    Ok(session) => return session,
                    // A qualification that lapsed before the start: the next one.
                    Err(e) if e.code().starts_with("refused.") => continue,
                    Err(e) => panic!("{e}"),
                }
            }
        })
    });
    group.finish();

    // A district year of sessions: 10⁶ of them spread over the instruments, classes and
    // purposes, written straight into the table (each with its own booking id).
    let started = Instant::now();
    let year = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default().timestamp();
    f.store
        .conn()
        .execute_batch(&format!(
            "PRAGMA foreign_keys = OFF;
             CREATE TEMP TABLE instrument_no(n INTEGER PRIMARY KEY, resource_id TEXT);
             INSERT INTO instrument_no SELECT row_number() OVER (ORDER BY resource_id) - 1, resource_id FROM equipment;
             CREATE TEMP TABLE person_no(n INTEGER PRIMARY KEY, id TEXT);
             INSERT INTO person_no SELECT row_number() OVER (ORDER BY id) - 1, id FROM person;
             WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 999999),
                  sizes(instruments, people) AS (SELECT (SELECT count(*) FROM instrument_no), (SELECT count(*) FROM person_no))
             INSERT INTO usage_session(id, resource_id, booking_id, person_id, started_at, ended_at, user_class, purpose, samples, fee_fen)
             SELECT 'bench-' || i, inst.resource_id, 'bench-booking-' || i, p.id,
                    {year} + (i % 8760) * 3600, {year} + (i % 8760) * 3600 + 1800 + (i % 5) * 900,
                    CASE i % 3 WHEN 0 THEN 'internal' WHEN 1 THEN 'external' ELSE 'enterprise' END,
                    CASE i % 4 WHEN 0 THEN 'research' WHEN 1 THEN 'testing' WHEN 2 THEN 'teaching' ELSE 'certification' END,
                    i % 3, (i % 5) * 2500
             FROM k, sizes
             JOIN instrument_no inst ON inst.n = k.i % sizes.instruments
             JOIN person_no p ON p.n = (k.i * 7919) % sizes.people;
             PRAGMA foreign_keys = ON;"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    eprintln!("10^6 usage sessions written in {:?}", started.elapsed());
    let (from, to) =
        (NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default());
    let mut group = c.benchmark_group("sharing_figures_district_year");
    group.sample_size(10).measurement_time(StdDuration::from_secs(20));
    for by in [GroupBy::Instrument, GroupBy::Makerspace] {
        group.bench_function(format!("{by:?}").to_lowercase(), |b| {
            b.iter(|| f.store.indicators(from, to, by, now()).unwrap_or_else(|e| panic!("{e}")))
        });
    }
    group.finish();
}

/// The yearly figures of a district year: 300,000 completed mentor sessions over the 5,000
/// mentors and the founders, six in ten rated, written straight into the tables — each
/// makerspace's figures, and all 500 side by side (the district operator's report).
fn bench_year_figures(c: &mut Criterion, f: &mut Fixture) {
    let started = Instant::now();
    let year = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default().timestamp();
    f.store
        .conn()
        .execute_batch(&format!(
            "PRAGMA foreign_keys = OFF;
             CREATE TEMP TABLE mentor_no(n INTEGER PRIMARY KEY, resource_id TEXT);
             INSERT INTO mentor_no SELECT row_number() OVER (ORDER BY resource_id) - 1, resource_id FROM mentor;
             CREATE TEMP TABLE founder_no(n INTEGER PRIMARY KEY, id TEXT);
             INSERT INTO founder_no SELECT row_number() OVER (ORDER BY person_id) - 1, person_id FROM person_role WHERE role = 'founder';
             WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 299999),
                  sizes(mentors, founders) AS (SELECT (SELECT count(*) FROM mentor_no), (SELECT count(*) FROM founder_no))
             INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, topic, created_at, updated_at, startup_id)
             SELECT 'kpi-' || i, m.resource_id, p.id, {year} + (i % 8000) * 3600, {year} + (i % 8000) * 3600 + 3600, 'completed', '', {year}, {year},
                    (SELECT s.startup_id FROM startup_member s WHERE s.person_id = p.id)
             FROM k, sizes
             JOIN mentor_no m ON m.n = k.i % sizes.mentors
             JOIN founder_no p ON p.n = (k.i * 7919) % sizes.founders;
             INSERT INTO feedback(booking_id, author_id, rating, comment, created_at)
             SELECT id, booker_id, 1 + abs(random()) % 5, '', end_at FROM booking WHERE id LIKE 'kpi-%' AND abs(random()) % 10 < 6;
             PRAGMA foreign_keys = ON;"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    eprintln!("a year of mentor sessions written in {:?}", started.elapsed());
    let mut group = c.benchmark_group("year_figures_district_year");
    group.sample_size(10).measurement_time(StdDuration::from_secs(20));
    group.bench_function("one_makerspace", |b| {
        b.iter(|| f.store.year_figures("PD-0001", 2026, now()).unwrap_or_else(|e| panic!("{e}")))
    });
    group.bench_function("all_makerspaces", |b| {
        b.iter(|| f.store.district_year_figures(2026, now()).unwrap_or_else(|e| panic!("{e}")))
    });
    group.finish();
}

/// District calls: an acceptance that mints its unified code (durable, like a booking's
/// commit), and the intake figures of a call with a district year's 20,000 applications.
fn bench_calls(c: &mut Criterion, f: &mut Fixture) {
    let operator: String =
        f.store.conn().query_row("SELECT person_id FROM district_operator", [], |r| r.get(0)).unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    // Applications received, written behind `apply`'s back: the figures and the acceptance are
    // what is measured, not how they came in.
    f.store
        .conn()
        .execute_batch(
            "CREATE TEMP TABLE lead_no(n INTEGER PRIMARY KEY, person_id TEXT, startup_id TEXT);
             INSERT INTO lead_no SELECT row_number() OVER (ORDER BY startup_id) - 1, person_id, startup_id FROM startup_member WHERE lead = 1;
             WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 69999),
                  leads(n) AS (SELECT count(*) FROM lead_no)
             INSERT INTO application(id, call_id, startup_id, applicant_id, state, title, requested_fen, pledged, created_at, updated_at)
             SELECT 'bench-app-' || i, CASE WHEN i < 20000 THEN 'sample-call-kf-1' ELSE 'sample-call-kf-2' END,
                    l.startup_id, l.person_id, 'submitted', '项目 ' || i, 1000000 + i, 1, 0, 0
             FROM k, leads JOIN lead_no l ON l.n = k.i % leads.n;
             UPDATE application SET state = CASE abs(random()) % 5 WHEN 0 THEN 'accepted' WHEN 1 THEN 'returned' WHEN 2 THEN 'refused' ELSE 'submitted' END
             WHERE call_id = 'sample-call-kf-1' AND id LIKE 'bench-app-%';
             INSERT INTO application_event(id, application_id, actor_id, at, from_state, to_state, action, reason)
             SELECT 'bench-ev-' || id, id, applicant_id, 0, 'submitted', state, '{\"action\":\"submit\"}',
                    CASE state WHEN 'returned' THEN '缺少财务报表' WHEN 'refused' THEN '不属于支持范围' ELSE '' END
             FROM application WHERE id LIKE 'bench-app-%' AND state IN ('returned', 'refused');",
        )
        .unwrap_or_else(|e| panic!("{e}"));
    eprintln!("70,000 applications written in {:?}", started.elapsed());
    let mut group = c.benchmark_group("calls");
    group.sample_size(20);
    group.bench_function("intake_summary_20000_applications_of_a_call", |b| {
        b.iter(|| f.store.intake_summary(&operator, "sample-call-kf-1").unwrap_or_else(|e| panic!("{e}")))
    });
    // Each acceptance takes the next of the second call's 50,000 received applications.
    let mut next = 20_000;
    group.bench_function("accept_minting_the_code_durable", |b| {
        b.iter(|| {
            let id = format!("bench-app-{next}");
            next += 1;
            f.store
                .decide_application(&operator, &id, &incubook::calls::application::Intake::Accept, now())
                .unwrap_or_else(|e| panic!("{e}"))
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let mut f = fixture();
    bench_calls(c, &mut f);
    bench_availability(c, &f);
    bench_booking(c, &mut f);
    bench_machine_hours(c, &mut f);
    bench_year_figures(c, &mut f);
}

criterion_group!(core, benches);
criterion_main!(core);
