//! Group sessions through the district server, on SQLite and PostgreSQL: a mentor publishes
//! on their desktop, six founders each take a seat offline for the three there are and sync
//! at once — three are seated, three learn it is full, no seat is taken twice, and every
//! desktop ends up showing the same three seats taken.

mod common;

use chrono::{Duration, DurationRound, Utc};
use common::{Arg, Backend, TestServer, founders_of, ok};
use incubook::office::BlockKind;
use incubook::store::OfficeHoursPlan;
use incubook_server::db::ServerRole;

fn six_founders_race_for_three_seats(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let (mentor_id, mentor): (String, String) = ok(seed.conn().query_row(
        "SELECT r.id, m.person_id FROM resource r JOIN mentor m ON m.resource_id = r.id JOIN makerspace s ON s.id = r.makerspace_id
         WHERE s.code = 'PD-0001' AND r.active = 1 AND m.visibility = 'district' ORDER BY r.id LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    ));
    server.account("m", &mentor, "PD-0001", &[ServerRole::Mentor]);
    let mut m = server.client("m", now);
    // A week and a half ahead, at a time the mentor has nothing booked.
    let busy = |start: chrono::DateTime<Utc>| {
        server.count(
            "SELECT count(*) FROM booking WHERE resource_id = $1 AND start_at < $2 AND end_at > $3 AND status IN ('requested', 'confirmed')",
            &[Arg::T(&mentor_id), Arg::I(start.timestamp() + 7_200), Arg::I(start.timestamp())],
        ) > 0
    };
    let mut start = ok((now + Duration::days(10)).duration_trunc(Duration::hours(1)));
    while busy(start) {
        start += Duration::hours(3);
    }
    let plan = OfficeHoursPlan {
        resource_id: mentor_id.clone(),
        kind: BlockKind::Group,
        title: "BP 小组辅导".into(),
        start,
        minutes: 120,
        seat_minutes: None,
        seats: Some(3),
        weeks: 1,
    };
    let block = ok(m.store.publish_office_hours(&mentor, &plan, now)).remove(0);
    let report = m.sync(now);
    assert!(report.refused.is_empty(), "{report:?}");

    let founders = founders_of(&seed, "PD-0001");
    let mut clients: Vec<_> = founders
        .iter()
        .take(6)
        .enumerate()
        .map(|(i, f)| {
            let name = format!("f{i}");
            server.account(&name, f, "PD-0001", &[ServerRole::Founder]);
            server.client(&name, now)
        })
        .collect();
    for c in &mut clients {
        let me = c.person_id.clone();
        let seen = ok(c.store.office_hours(&me, Some(&mentor_id), now));
        assert_eq!(seen.iter().find(|b| b.id == block).map(|b| b.held.len()), Some(0), "every desktop sees it, all seats free");
        ok(c.store.take_seat(&me, &block, (None, false), now));
    }
    let refused: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = clients.iter_mut().map(|c| s.spawn(move || c.sync(now).refused)).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    let full = refused.iter().filter(|r| r.iter().any(|c| c == "refused.seats_full")).count();
    assert_eq!(full, 3, "{refused:?}");
    assert_eq!(server.count("SELECT count(*) FROM office_seat WHERE block_id = $1 AND state = 'held'", &[Arg::T(&block)]), 3);
    assert_eq!(server.count("SELECT taken FROM office_block WHERE id = $1", &[Arg::T(&block)]), 3);
    let mut seated = 0;
    for c in &mut clients {
        c.sync(now);
        let me = c.person_id.clone();
        let seen = ok(c.store.office_hours(&me, Some(&mentor_id), now)).into_iter().find(|b| b.id == block);
        let seen = seen.unwrap_or_else(|| panic!("the block is gone"));
        assert_eq!(seen.held, vec![0, 1, 2], "every desktop shows the same seats taken");
        seated += usize::from(seen.my_seat.is_some());
    }
    assert_eq!(seated, 3);
    // The mentor's desktop knows who sits where.
    m.sync(now);
    assert_eq!(ok(m.store.block_seats(&block)).len(), 3);
}

on_both_backends!(six_founders_race_for_three_seats);
