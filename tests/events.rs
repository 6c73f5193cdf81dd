//! Events on a real SQLite file: a space admin publishes, founders of any makerspace register
//! up to the capacity and withdraw before it begins, attendance is taken on the day, and a
//! cancelled event tells its registrants.

mod common;

use chrono::Duration;
use common::{cst, district, now};
use incubook::CoreError;
use incubook::events::{EventKind, NewEvent};

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn code<T: std::fmt::Debug>(result: Result<T, CoreError>) -> String {
    match result {
        Err(e) => e.code(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

#[test]
fn a_roadshow_fills_up_takes_attendance_and_counts_places() {
    let mut d = district();
    let (admin, manager, outsider) = (d.admin.clone(), d.manager.clone(), d.outsider.clone());
    let founders = d.founders.clone();
    let pd1 = ok(d.store.makerspace_by_code("PD-0001")).id;
    let start = cst(2026, 12, 18, 14, 0);
    let roadshow = NewEvent {
        makerspace_id: pd1.clone(),
        kind: EventKind::Roadshow,
        title: " 张江冬季路演 ".into(),
        start,
        end: start + Duration::hours(3),
        place: "张江众创空间 1 楼路演厅".into(),
        capacity: 3,
    };
    // Only a space admin of the makerspace publishes; a bad capacity is refused.
    assert_eq!(code(d.store.publish_event(&manager, &roadshow, now())), "forbidden");
    assert_eq!(code(d.store.publish_event(&admin, &NewEvent { capacity: 0, ..roadshow.clone() }, now())), "invalid.capacity");
    // The review's N12: an event dated last month would count in the year's activities as if
    // it had been announced; it is published before it begins.
    let last_month = NewEvent {
        start: now() - chrono::Duration::days(30),
        end: now() - chrono::Duration::days(30) + chrono::Duration::hours(2),
        ..roadshow.clone()
    };
    assert_eq!(code(d.store.publish_event(&admin, &last_month, now())), "invalid.start");
    let id = ok(d.store.publish_event(&admin, &roadshow, now()));

    // Three places: two founders here and one from the other makerspace take them.
    for who in [&founders[0], &founders[1], &outsider] {
        ok(d.store.register_for_event(who, &id, true, now()));
    }
    assert_eq!(code(d.store.register_for_event(&founders[2], &id, true, now())), "refused.event_full");
    // Registering twice takes no second place; a withdrawal frees one.
    ok(d.store.register_for_event(&founders[0], &id, true, now()));
    ok(d.store.register_for_event(&founders[1], &id, false, now()));
    ok(d.store.register_for_event(&founders[2], &id, true, now()));
    let listed = ok(d.store.events(&founders[2], now()));
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].title.as_str(), listed[0].registered, listed[0].mine), ("张江冬季路演", 3, true));

    // Once it has begun nobody registers or withdraws; attendance is taken by the admin.
    let during = start + Duration::minutes(10);
    assert_eq!(code(d.store.register_for_event(&founders[3], &id, true, during)), "refused.registration_closed");
    assert_eq!(code(d.store.mark_attendance(&admin, (&id, &founders[0]), true, now())), "invalid.event_id");
    ok(d.store.mark_attendance(&admin, (&id, &founders[0]), true, during));
    ok(d.store.mark_attendance(&admin, (&id, &outsider), true, during));
    assert_eq!(code(d.store.mark_attendance(&admin, (&id, &founders[3]), true, during)), "not_found.registration");
    let came: Vec<bool> = ok(d.store.event_attendees(&id)).into_iter().map(|(_, _, attended)| attended).collect();
    assert_eq!(came.iter().filter(|c| **c).count(), 2);
}

#[test]
fn a_cancelled_event_tells_its_registrants_and_closes() {
    let mut d = district();
    let admin = d.admin.clone();
    let f = d.founders[0].clone();
    let pd1 = ok(d.store.makerspace_by_code("PD-0001")).id;
    let start = cst(2026, 12, 20, 9, 0);
    let salon = NewEvent {
        makerspace_id: pd1,
        kind: EventKind::Salon,
        title: "出海沙龙".into(),
        start,
        end: start + Duration::hours(2),
        place: String::new(),
        capacity: 30,
    };
    let id = ok(d.store.publish_event(&admin, &salon, now()));
    ok(d.store.register_for_event(&f, &id, true, now()));
    ok(d.store.cancel_event(&admin, &id, now()));
    assert!(ok(d.store.notifications(&f)).iter().any(|n| n.kind == "event_cancelled"));
    assert_eq!(code(d.store.register_for_event(&f, &id, false, now())), "refused.registration_closed");
    assert!(ok(d.store.events(&f, now()))[0].cancelled);
}
