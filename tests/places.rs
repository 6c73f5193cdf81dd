//! A session's place on a real SQLite file: the mentor's default for the format booked, the
//! join details kept from the founder until the session is confirmed, a place of its own for
//! one session, and the ICS that carries LOCATION, URL and CONFERENCE — read back by a second,
//! independent iCalendar parser.

mod common;

use common::{cst, district_with, equipment_policy, mentor_policy, now};
use incubook::i18n::Lang;
use incubook::place::{MeetingProvider, PlaceDefaults, SessionFormat, SessionPlace};
use incubook::store::{BookingView, NewBooking, Store};

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn tencent(url: &str) -> SessionPlace {
    SessionPlace::Online {
        provider: MeetingProvider::TencentMeeting,
        join_url: url.into(),
        meeting_id: "123 456 789".into(),
        passcode: "2046".into(),
    }
}

fn view(store: &Store, person: &str, booking_id: &str) -> BookingView {
    ok(store.bookings_of(person)).into_iter().find(|v| v.booking.id == booking_id).unwrap_or_else(|| panic!("no view"))
}

#[test]
fn the_founder_sees_the_meeting_link_once_the_mentor_confirms() {
    let mut policy = mentor_policy();
    policy.approval_required = true;
    let mut d = district_with(policy, equipment_policy(1));
    let (mentor_person, mentor, founder) = (d.mentor_person.clone(), d.mentor.clone(), d.founders[0].clone());

    // A link that is not a web link is refused and nothing is kept.
    let bad = PlaceDefaults { places: vec![tencent("meeting.tencent.com/dm/abc")] };
    let refused = ok(d.store.set_place_defaults(&mentor_person, &mentor, &bad, now()).err().ok_or("accepted"));
    assert_eq!(refused.code(), "invalid.join_url");
    assert!(ok(d.store.place_defaults(&mentor)).places.is_empty());
    // Another founder cannot set the mentor's places.
    let defaults = PlaceDefaults { places: vec![tencent("https://meeting.tencent.com/dm/abc")] };
    let forbidden = ok(d.store.set_place_defaults(&founder, &mentor, &defaults, now()).err().ok_or("accepted"));
    assert_eq!(forbidden.code(), "forbidden");
    ok(d.store.set_place_defaults(&mentor_person, &mentor, &defaults, now()));

    let new = |format| NewBooking {
        format: Some(format),
        resource_id: mentor.clone(),
        start: cst(2026, 12, 8, 9, 0),
        end: cst(2026, 12, 8, 10, 0),
        topic: "融资路演".into(),
    };
    // The mentor meets online only.
    let in_person = ok(d.store.book(&founder, &new(SessionFormat::InPerson), now()).err().ok_or("accepted"));
    assert_eq!(in_person.code(), "invalid.format");
    // Equipment has no format.
    let equipment = NewBooking { resource_id: d.equipment.clone(), ..new(SessionFormat::Online) };
    assert_eq!(ok(d.store.book(&founder, &equipment, now()).err().ok_or("accepted")).code(), "invalid.format");

    let booked = ok(d.store.book(&founder, &new(SessionFormat::Online), now()));
    let asked = view(&d.store, &founder, &booked.id);
    assert_eq!(asked.place_format, Some(SessionFormat::Online));
    assert_eq!(asked.place, None, "no link before the mentor confirms");
    // The mentor sees where they will meet while deciding.
    assert_eq!(view(&d.store, &mentor_person, &booked.id).place, Some(tencent("https://meeting.tencent.com/dm/abc")));
    let ics = incubook::ics::bookings_to_ics(&[asked], Lang::Zh);
    assert!(!ics.contains("tencent.com"), "{ics}");

    ok(d.store.approve(&mentor_person, &booked.id, now()));
    let confirmed = view(&d.store, &founder, &booked.id);
    assert_eq!(confirmed.place, Some(tencent("https://meeting.tencent.com/dm/abc")));

    // The mentor moves this one session to VooV; the founder is told.
    let voov = SessionPlace::Online {
        provider: MeetingProvider::Voov,
        join_url: "https://voovmeeting.com/dm/xyz".into(),
        meeting_id: String::new(),
        passcode: String::new(),
    };
    let not_theirs = ok(d.store.set_session_place(&founder, &booked.id, &voov, now()).err().ok_or("accepted"));
    assert_eq!(not_theirs.code(), "forbidden");
    ok(d.store.set_session_place(&mentor_person, &booked.id, &voov, now()));
    assert_eq!(view(&d.store, &founder, &booked.id).place, Some(voov.clone()));
    assert!(ok(d.store.notifications(&founder)).iter().any(|n| n.kind == "place_changed"));
    // The default stays what it was for the next booking.
    assert_eq!(ok(d.store.place_defaults(&mentor)), defaults);

    // Another founder sees the slot as busy in the mentor's calendar, and no place.
    let other = d.founders[1].clone();
    let calendar = ok(d.store.resource_calendar(&mentor, cst(2026, 12, 8, 0, 0), cst(2026, 12, 9, 0, 0), &other));
    assert!(calendar.iter().all(|e| e.booking.is_none()));

    let ics = incubook::ics::bookings_to_ics(&[view(&d.store, &founder, &booked.id)], Lang::En);
    let calendar = ical::IcalParser::new(ics.as_bytes())
        .next()
        .unwrap_or_else(|| panic!("no calendar in\n{ics}"))
        .unwrap_or_else(|e| panic!("not parseable: {e}\n{ics}"));
    let event = calendar.events.first().unwrap_or_else(|| panic!("no event in\n{ics}"));
    let property = |name: &str| event.properties.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no {name} in\n{ics}"));
    assert_eq!(property("URL").value.as_deref(), Some("https://voovmeeting.com/dm/xyz"));
    assert_eq!(property("LOCATION").value.as_deref(), Some("VooV Meeting"));
    let conference = property("CONFERENCE");
    assert_eq!(conference.value.as_deref(), Some("https://voovmeeting.com/dm/xyz"));
    let params = conference.params.clone().unwrap_or_default();
    let param = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.join(","));
    assert_eq!(param("VALUE").as_deref(), Some("URI"));
    assert_eq!(param("FEATURE").as_deref(), Some("VIDEO"));
    assert!(property("DESCRIPTION").value.as_deref().unwrap_or_default().contains("https://voovmeeting.com/dm/xyz"));
}

#[test]
fn a_phone_session_is_dialled_from_the_calendar() {
    let mut d = district_with(mentor_policy(), equipment_policy(1));
    let (mentor_person, mentor, founder) = (d.mentor_person.clone(), d.mentor.clone(), d.founders[0].clone());
    let mut profile = ok(d.store.mentor(&mentor));
    profile.formats = vec!["online".into(), "phone".into()];
    let update = incubook::command::MentorProfile {
        full_time: false,
        title: profile.title,
        bio: profile.bio,
        tags: profile.tags,
        industries: profile.industries,
        languages: profile.languages,
        formats: profile.formats,
        visibility: profile.visibility,
        timezone: None,
    };
    ok(d.store.update_mentor_profile(&mentor_person, &mentor, &update, now()));
    let phone = SessionPlace::Phone { number: "+86 21 5555-0101".into() };
    ok(d.store.set_place_defaults(&mentor_person, &mentor, &PlaceDefaults { places: vec![phone.clone()] }, now()));
    // No approval needed: confirmed at once, and the number is the founder's at once.
    let new = NewBooking {
        format: Some(SessionFormat::Phone),
        resource_id: mentor,
        start: cst(2026, 12, 9, 10, 0),
        end: cst(2026, 12, 9, 11, 0),
        topic: String::new(),
    };
    let booked = ok(d.store.book(&founder, &new, now()));
    let seen = view(&d.store, &founder, &booked.id);
    assert_eq!(seen.place, Some(phone));
    let ics = incubook::ics::bookings_to_ics(&[seen], Lang::Zh);
    let unfolded = ics.replace("\r\n ", "");
    assert!(unfolded.contains("CONFERENCE;FEATURE=PHONE;LABEL=\"电话: +86 21 5555-0101\";VALUE=URI:tel:+862155550101"), "{ics}");
    // An online booking with no default place keeps its format, and the mentor can add one.
    let online =
        NewBooking { format: Some(SessionFormat::Online), start: cst(2026, 12, 10, 10, 0), end: cst(2026, 12, 10, 11, 0), ..new };
    let later = ok(d.store.book(&founder, &online, now()));
    let seen = view(&d.store, &founder, &later.id);
    assert_eq!((seen.place_format, seen.place), (Some(SessionFormat::Online), None));
}
