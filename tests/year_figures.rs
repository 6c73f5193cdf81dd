//! A makerspace's yearly figures on a real SQLite file, against a fixture worked out by hand:
//! two mentors here (one idle, under the floor of two sessions), one from elsewhere who served
//! a founder here, four sessions delivered (four and a half hours) to founders of two startups
//! and an outsider, two of them rated (4 and 2), two events held of the ten asked for.

mod common;

use chrono::Duration;
use common::{cst, district, mentor_policy, now, weekdays};
use incubook::domain::{Role, RoleGrant, Visibility};
use incubook::events::{EventKind, NewEvent};
use incubook::i18n::Lang;
use incubook::startup::{NewStartup, StartupKind};
use incubook::store::{NewBooking, NewMentor, NewPerson};

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn team(name: &str) -> NewStartup {
    NewStartup {
        name: name.into(),
        kind: StartupKind::Team,
        credit_code: None,
        stage: String::new(),
        industry: String::new(),
        headcount: 3,
        description: String::new(),
    }
}

#[test]
fn the_year_figures_of_a_fixture_are_the_ones_worked_out_by_hand() {
    let mut d = district();
    let (admin, mentor, mentor_person) = (d.admin.clone(), d.mentor.clone(), d.mentor_person.clone());
    let (outsider, outsider_admin) = (d.outsider.clone(), d.outsider_admin.clone());
    let f = d.founders.clone();
    let add_mentor = |d: &mut common::District, by: &str, code: &str, (name, full_time): (&str, bool)| -> (String, String) {
        let person = NewPerson {
            name: name.into(),
            roles: vec![RoleGrant { makerspace_code: code.into(), role: Role::Mentor }],
            ..NewPerson::default()
        };
        let person_id = ok(d.store.create_person(Some(by), &person, now())).id;
        let new = NewMentor {
            full_time,
            person_id: person_id.clone(),
            makerspace_code: code.into(),
            title: String::new(),
            bio: String::new(),
            tags: vec!["legal".into()],
            industries: vec![],
            languages: vec!["zh".into()],
            formats: vec!["online".into()],
            visibility: Visibility::District,
            timezone: None,
            policy: mentor_policy(),
            weekly_hours: weekdays(540, 1080),
        };
        (ok(d.store.create_mentor(by, &new, now())).id, person_id)
    };
    let (_idle, _) = add_mentor(&mut d, &admin, "PD-0001", ("闲导师", true));
    let (away, away_person) = add_mentor(&mut d, &outsider_admin, "PD-0002", ("外导师", false));
    ok(d.store.create_startup(&f[0], &team("甲团队"), &f[0], now()));
    ok(d.store.create_startup(&f[1], &team("乙团队"), &f[1], now()));

    // Four sessions with 张导师 (f[2]'s lasts 90 minutes), one cancelled, one with the mentor from PD-0002.
    let book = |d: &mut common::District, who: &str, resource: &str, (day, minutes): (u32, i64)| {
        let start = cst(2026, 12, day, 10, 0);
        let new = NewBooking {
            format: None,
            resource_id: resource.into(),
            start,
            end: start + Duration::minutes(minutes),
            topic: String::new(),
        };
        ok(d.store.book(who, &new, now())).id
    };
    let done = [
        (book(&mut d, &f[0], &mentor, (8, 60)), Some(4)),
        (book(&mut d, &f[1], &mentor, (9, 60)), None),
        (book(&mut d, &f[2], &mentor, (10, 90)), None),
        (book(&mut d, &outsider, &mentor, (11, 60)), Some(2)),
    ];
    let cancelled = book(&mut d, &f[3], &mentor, (14, 60));
    ok(d.store.cancel(&f[3], &cancelled, None, now()));
    let served_away = book(&mut d, &f[0], &away, (15, 60));
    let after = cst(2026, 12, 20, 12, 0);
    for (id, rating) in &done {
        // Rated within the week after the session, as feedback must be.
        if let Some(r) = rating {
            let b = ok(d.store.booking(id));
            ok(d.store.give_feedback(&b.booker_id, id, (*r, "", None), b.end + Duration::hours(1)));
        }
        ok(d.store.complete(&mentor_person, id, after));
    }
    ok(d.store.complete(&away_person, &served_away, after));

    // Two events held, one cancelled, one still to come at the time of the report.
    let pd1 = ok(d.store.makerspace_by_code("PD-0001")).id;
    let event = |day: u32| {
        let start = cst(2026, 12, day, 14, 0);
        NewEvent {
            makerspace_id: pd1.clone(),
            kind: EventKind::Salon,
            title: "沙龙".into(),
            start,
            end: start + Duration::hours(2),
            place: String::new(),
            capacity: 20,
        }
    };
    ok(d.store.publish_event(&admin, &event(15), now()));
    ok(d.store.publish_event(&admin, &event(16), now()));
    let dropped = ok(d.store.publish_event(&admin, &event(17), now()));
    ok(d.store.cancel_event(&admin, &dropped, now()));
    ok(d.store.publish_event(&admin, &event(28), now()));

    let figures = ok(d.store.year_figures("PD-0001", 2026, after));
    assert_eq!((figures.mentors, figures.outside_mentors, figures.sessions), (2, 1, 4));
    assert_eq!((figures.full_time_mentors, figures.part_time_mentors), (1, 1), "闲导师 full-time, 张导师 part-time");
    assert_eq!(figures.mentor_hours, 4.5);
    assert_eq!(figures.startups_served, 2);
    assert_eq!((figures.activities, figures.activities_floor), (2, 10));
    assert_eq!(figures.mean_rating, Some(3.0));
    assert_eq!(figures.feedback_completion, Some(0.5));
    let per: Vec<(&str, u32, bool)> = figures.per_mentor.iter().map(|m| (m.name.as_str(), m.sessions, m.under_floor)).collect();
    assert_eq!(per, vec![("张导师", 4, false), ("闲导师", 0, true)]);

    let csv = ok(incubook::year::year_figures_csv(&figures, Lang::Zh));
    assert!(csv.starts_with('\u{feff}'), "a BOM for Excel");
    assert!(csv.contains("导师服务次数,4,"), "{csv}");
    assert!(csv.contains("其中：专职导师,1,") && csv.contains("其中：兼职导师,1,"), "{csv}");
    assert!(csv.contains("举办创新创业活动场次,2,低于 10 场的要求"), "{csv}");
    assert!(csv.contains("导师：闲导师（服务次数）,0,全年服务少于 2 次"), "{csv}");
    let xlsx = ok(incubook::year::year_figures_xlsx(&figures, Lang::Zh));
    assert!(xlsx.starts_with(b"PK"), "an XLSX (zip) workbook");
}
