//! Events through the district server, on SQLite and PostgreSQL: published on one desktop,
//! seen on every founder's; six founders who each registered offline for the last three
//! places sync at once — three get a place, the others learn the event is full, and no place
//! is taken twice.

mod common;

use chrono::{Duration, DurationRound};
use common::{Backend, TestServer, founders_of, ok};
use incubook::events::{EventKind, NewEvent};
use incubook_server::db::ServerRole;

fn six_founders_race_for_three_places(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let admin: String = ok(seed.conn().query_row(
        "SELECT r.person_id FROM person_role r JOIN makerspace m ON m.id = r.makerspace_id
         WHERE m.code = 'PD-0001' AND r.role = 'space_admin' ORDER BY r.person_id LIMIT 1",
        [],
        |r| r.get(0),
    ));
    let pd1 = ok(seed.makerspace_by_code("PD-0001")).id;
    server.account("sa", &admin, "PD-0001", &[ServerRole::SpaceAdmin]);
    let founders = founders_of(&seed, "PD-0001");
    assert!(founders.len() >= 6);
    let mut sa = server.client("sa", now);
    let start = ok((now + Duration::days(5)).duration_trunc(Duration::hours(1)));
    let event = NewEvent {
        makerspace_id: pd1,
        kind: EventKind::Training,
        title: "专利申请培训".into(),
        start,
        end: start + Duration::hours(2),
        place: "三楼会议室".into(),
        capacity: 3,
    };
    let id = ok(sa.store.publish_event(&admin, &event, now));
    sa.sync(now);

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
    // Every desktop sees the event with its three places free, and registers offline.
    for c in &mut clients {
        let seen = ok(c.store.events(&c.person_id.clone(), now));
        assert_eq!(seen.iter().find(|e| e.id == id).map(|e| e.registered), Some(0), "every desktop sees it, no place taken");
        let me = c.person_id.clone();
        ok(c.store.register_for_event(&me, &id, true, now));
    }
    // All six sync at once.
    let refused: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = clients.iter_mut().map(|c| s.spawn(move || c.sync(now).refused)).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    let full = refused.iter().filter(|r| r.iter().any(|c| c == "refused.event_full")).count();
    assert_eq!(full, 3, "{refused:?}");
    let taken =
        server.count("SELECT count(*) FROM event_registration WHERE event_id = $1 AND active = 1", &[common::Arg::T(&id)]);
    assert_eq!(taken, 3);
    assert_eq!(server.count("SELECT registered FROM event WHERE id = $1", &[common::Arg::T(&id)]), 3);
    // Each desktop learns where it stands: three hold a place, three do not, all see it full.
    let mut holding = 0;
    for c in &mut clients {
        c.sync(now);
        let me = c.person_id.clone();
        let seen = ok(c.store.events(&me, now)).into_iter().find(|e| e.id == id);
        let seen = seen.unwrap_or_else(|| panic!("the event is gone"));
        assert_eq!(seen.registered, 3);
        holding += usize::from(seen.mine);
    }
    assert_eq!(holding, 3);
}

on_both_backends!(six_founders_race_for_three_places);
