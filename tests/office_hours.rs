//! Office hours and group sessions on a real SQLite file: a mentor's block holds their
//! calendar, founders take one seat each, the full block keeps a line whose first gets a
//! seat given up, a cancelled block frees the calendar and tells its founders — and founders
//! on their own connections racing for the last seats never take more than there are.

mod common;

use std::sync::{Arc, Barrier};

use chrono::Duration;
use common::{code, cst, district, now, ok};
use incubook::office::BlockKind;
use incubook::store::{NewBooking, OfficeHoursPlan, Store};

fn plan(mentor: &str, kind: BlockKind, weeks: u32) -> OfficeHoursPlan {
    OfficeHoursPlan {
        resource_id: mentor.into(),
        kind,
        title: if kind == BlockKind::Group { "融资小组辅导".into() } else { "答疑时间".into() },
        start: cst(2026, 12, 8, 9, 0),
        minutes: 120,
        seat_minutes: Some(30),
        seats: Some(2),
        weeks,
    }
}

#[test]
fn office_hours_hold_the_mentors_calendar_and_give_one_seat_per_founder() {
    let mut d = district();
    let (mentor_person, mentor) = (d.mentor_person.clone(), d.mentor.clone());
    let (a, b) = (d.founders[0].clone(), d.founders[1].clone());
    // Seats of 45 minutes are not office hours; a founder cannot publish the mentor's.
    let long = OfficeHoursPlan { seat_minutes: Some(45), ..plan(&mentor, BlockKind::OfficeHours, 2) };
    assert_eq!(code(d.store.publish_office_hours(&mentor_person, &long, now())), "invalid.seat_minutes");
    assert_eq!(code(d.store.publish_office_hours(&a, &plan(&mentor, BlockKind::OfficeHours, 2), now())), "forbidden");
    let blocks = ok(d.store.publish_office_hours(&mentor_person, &plan(&mentor, BlockKind::OfficeHours, 2), now()));
    assert_eq!(blocks.len(), 2);
    let listed = ok(d.store.office_hours(&a, Some(&mentor), now()));
    assert_eq!(
        listed.iter().map(|v| (v.capacity, v.start)).collect::<Vec<_>>(),
        [(4, cst(2026, 12, 8, 9, 0)), (4, cst(2026, 12, 15, 9, 0))]
    );

    // The block is the mentor's time: a booking there is refused.
    let clash = NewBooking {
        format: None,
        resource_id: mentor.clone(),
        start: cst(2026, 12, 8, 10, 0),
        end: cst(2026, 12, 8, 11, 0),
        topic: String::new(),
    };
    assert_eq!(code(d.store.book(&b, &clash, now())), "refused.slot_taken");

    let first = &blocks[0];
    ok(d.store.take_seat(&a, first, (None, false), now()));
    assert_eq!(code(d.store.take_seat(&a, first, (Some(3), false), now())), "conflict", "one seat per founder per block");
    assert_eq!(code(d.store.take_seat(&b, first, (Some(0), false), now())), "refused.slot_taken");
    ok(d.store.take_seat(&b, first, (Some(2), false), now()));
    let seen = ok(d.store.office_hours(&b, Some(&mentor), now())).remove(0);
    assert_eq!((seen.held, seen.my_seat), (vec![0, 2], Some(2)));
    // Her calendar file has her seat at its own time (seat 3 of four half hours: 10:00–10:30).
    let seats = ok(d.store.office_hours(&b, None, now()));
    let ics = incubook::ics::calendar_to_ics(&ok(d.store.bookings_of(&b)), &seats, incubook::i18n::Lang::Zh);
    let parsed =
        ical::IcalParser::new(ics.as_bytes()).next().and_then(Result::ok).unwrap_or_else(|| panic!("not parseable:\n{ics}"));
    let seat = parsed
        .events
        .iter()
        .find(|e| e.properties.iter().any(|p| p.name == "UID" && p.value.as_deref().is_some_and(|v| v.starts_with("seat-"))))
        .unwrap_or_else(|| panic!("no seat in\n{ics}"));
    let start = seat.properties.iter().find(|p| p.name == "DTSTART").and_then(|p| p.value.clone());
    assert_eq!(start.as_deref(), Some(cst(2026, 12, 8, 10, 0).format("%Y%m%dT%H%M%SZ").to_string().as_str()), "{ics}");
    // The mentor sees who sits where.
    let seats = ok(d.store.block_seats(first));
    assert_eq!(
        seats.iter().map(|s| (s.person_id.as_str(), s.seat)).collect::<Vec<_>>(),
        [(a.as_str(), Some(0)), (b.as_str(), Some(2))]
    );

    // Cancelled: the calendar is free again and both founders are told.
    ok(d.store.cancel_office_hours(&mentor_person, first, now()));
    ok(d.store.book(&b, &clash, now()));
    for founder in [&a, &b] {
        assert!(ok(d.store.notifications(founder)).iter().any(|n| n.kind == "office_hours_cancelled"));
    }
    assert_eq!(code(d.store.take_seat(&d.founders[2].clone(), first, (None, false), now())), "refused.registration_closed");
}

#[test]
fn a_full_group_keeps_a_line_and_a_seat_given_up_goes_to_the_first_in_it() {
    let mut d = district();
    let (mentor_person, mentor) = (d.mentor_person.clone(), d.mentor.clone());
    let f = d.founders.clone();
    let group = ok(d.store.publish_office_hours(&mentor_person, &plan(&mentor, BlockKind::Group, 1), now())).remove(0);
    ok(d.store.take_seat(&f[0], &group, (None, false), now()));
    ok(d.store.take_seat(&f[1], &group, (None, false), now()));
    assert_eq!(code(d.store.take_seat(&f[2], &group, (None, false), now())), "refused.seats_full");
    ok(d.store.take_seat(&f[2], &group, (None, true), now() + Duration::minutes(1)));
    ok(d.store.take_seat(&f[3], &group, (None, true), now() + Duration::minutes(2)));
    assert!(ok(d.store.office_hours(&f[2], None, now()))[0].waiting);

    ok(d.store.leave_seat(&f[0], &group, now() + Duration::minutes(3)));
    let seen = ok(d.store.office_hours(&f[2], None, now())).remove(0);
    assert_eq!((seen.held.len(), seen.my_seat.is_some(), seen.waiting), (2, true, false), "the first in line has the seat");
    assert!(ok(d.store.notifications(&f[2])).iter().any(|n| n.kind == "seat_granted"));
    assert!(ok(d.store.office_hours(&f[3], None, now()))[0].waiting, "the next still waits");
    // The one who left may come back, at the end of the line.
    ok(d.store.take_seat(&f[0], &group, (None, true), now() + Duration::minutes(4)));
    assert!(ok(d.store.office_hours(&f[0], None, now()))[0].waiting);
}

#[test]
fn founders_on_their_own_connections_never_take_more_seats_than_the_group_has() {
    let mut d = district();
    let (mentor_person, mentor) = (d.mentor_person.clone(), d.mentor.clone());
    let group = ok(d.store.publish_office_hours(&mentor_person, &plan(&mentor, BlockKind::Group, 1), now())).remove(0);
    let mut founders = d.founders.clone();
    founders.push(d.outsider.clone());
    let barrier = Arc::new(Barrier::new(founders.len()));
    let handles: Vec<_> = founders
        .iter()
        .map(|who| {
            let (path, barrier, who, group) = (d.path(), barrier.clone(), who.clone(), group.clone());
            std::thread::spawn(move || {
                let mut store = ok(Store::open(&path));
                barrier.wait();
                match store.take_seat(&who, &group, (None, false), now()) {
                    Ok(()) => 1,
                    Err(e) if e.code() == "refused.seats_full" => 0,
                    Err(e) => panic!("unexpected {}: {e}", e.code()),
                }
            })
        })
        .collect();
    let seated: u32 = handles.into_iter().map(|h| h.join().unwrap_or(0)).sum();
    assert_eq!(seated, 2);
    let block = ok(d.store.office_hours(&mentor_person, None, now())).remove(0);
    assert_eq!(block.held, vec![0, 1]);
    let held: i64 =
        ok(d.store
            .conn()
            .query_row("SELECT count(*) FROM office_seat WHERE block_id = ?1 AND state = 'held'", [&group], |r| r.get(0)));
    assert_eq!(held, 2);
}
