//! Startups through the district server, on SQLite and PostgreSQL: the server is the
//! district's startup database. A company registered by two makerspaces' admins offline is
//! one record (the second is refused and moves the first in instead); its members see its
//! whole record, other founders only its public fields; district operators find it by
//! industry, residency and credit code.

mod common;

use chrono::NaiveDate;
use common::{Arg, Backend, TestServer, founders_of, mentor_slot, ok};
use incubook::startup::{NewStartup, StartupKind, StartupRecord};
use incubook::store::NewBooking;
use incubook_server::db::ServerRole;

const CODE: &str = "91310115MA1K4PXX0T";

fn lidar() -> NewStartup {
    NewStartup {
        name: "光年智能".into(),
        kind: StartupKind::Enterprise,
        credit_code: Some(CODE.into()),
        stage: "A轮".into(),
        industry: "激光雷达".into(),
        headcount: 18,
        description: "车规级激光雷达".into(),
    }
}

fn admin_of(server: &TestServer, code: &str) -> String {
    ok(server.seed().conn().query_row(
        "SELECT r.person_id FROM person_role r JOIN makerspace m ON m.id = r.makerspace_id
         WHERE m.code = ?1 AND r.role = 'space_admin' ORDER BY r.person_id LIMIT 1",
        [code],
        |r| r.get(0),
    ))
}

fn day(text: &str) -> NaiveDate {
    ok(NaiveDate::parse_from_str(text, "%Y-%m-%d"))
}

fn one_company_registered_twice_offline_is_one_record_in_two_makerspaces(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let (admin1, admin2) = (admin_of(&server, "PD-0001"), admin_of(&server, "PD-0002"));
    let founders = founders_of(&seed, "PD-0001");
    let (lead, colleague, stranger) = (founders[0].clone(), founders[1].clone(), founders[2].clone());
    let other_lead = founders_of(&seed, "PD-0002")[0].clone();
    // The sample's founders have startups already: these four leave theirs for this test.
    for person in [&lead, &colleague, &stranger, &other_lead] {
        server.execute("DELETE FROM startup_member WHERE person_id = $1", &[Arg::T(person)]);
    }
    server.account("sa1", &admin1, "PD-0001", &[ServerRole::SpaceAdmin]);
    server.account("sa2", &admin2, "PD-0002", &[ServerRole::SpaceAdmin]);
    server.account("lead", &lead, "PD-0001", &[ServerRole::Founder]);
    server.account("stranger", &stranger, "PD-0001", &[ServerRole::Founder]);
    let (pd1, pd2) = (ok(seed.makerspace_by_code("PD-0001")).id, ok(seed.makerspace_by_code("PD-0002")).id);
    let mut sa1 = server.client("sa1", now);
    let mut sa2 = server.client("sa2", now);

    // Both admins register the company offline; the first to sync makes the record.
    let first = ok(sa1.store.create_startup(&admin1, &lidar(), &lead, now));
    ok(sa1.store.set_startup_member(&admin1, (&first, &colleague), (true, false), now));
    ok(sa1.store.move_in(&admin1, (&first, &pd1), day("2026-03-01"), now));
    let second = ok(sa2.store.create_startup(&admin2, &lidar(), &other_lead, now));
    sa1.sync(now);
    let report = sa2.sync(now);
    assert_eq!(report.refused, vec!["conflict".to_string()], "the same credit code is one record");
    assert!(sa2.store.startup(&second).is_err(), "the refused copy is gone from the second admin's desktop");
    let on_sa2 = ok(sa2.store.startup(&first));
    assert_eq!(on_sa2.credit_code.as_deref(), Some(CODE), "a space admin sees the whole record");
    // The second makerspace asks to move the one record in (review N7: it lives at PD-0001,
    // so PD-0002's admin does not take it over); its lead agrees on their own desktop.
    let asked = ok(sa2.store.move_in(&admin2, (&first, &pd2), day("2026-06-01"), now));
    assert!(sa2.sync(now).refused.is_empty());
    let with_code = |sql: &str| server.count(sql, &[Arg::T(CODE)]);
    let stays_sql =
        "SELECT count(*) FROM residency r JOIN startup s ON s.id = r.startup_id WHERE s.credit_code = $1 AND r.status = 'active'";
    assert_eq!(with_code(stays_sql), 1, "asked for, not yet a stay");
    let mut lead_desktop = server.client("lead", now);
    assert!(ok(lead_desktop.store.notifications(&lead)).iter().any(|n| n.kind == "move_in_requested"), "the lead is asked");
    ok(lead_desktop.store.answer_move_in(&lead, (&first, &asked), true, now));
    assert!(lead_desktop.sync(now).refused.is_empty());
    assert_eq!(with_code("SELECT count(*) FROM startup WHERE credit_code = $1"), 1);
    assert_eq!(with_code(stays_sql), 2);
    sa2.sync(now);
    assert!(ok(sa2.store.notifications(&admin2)).iter().any(|n| n.kind == "move_in_accepted"), "the asker is told");

    // Its lead sees the whole record and its members; another founder only its public fields.
    let seen = ok(lead_desktop.store.startup(&first));
    assert_eq!((seen.credit_code.as_deref(), seen.headcount), (Some(CODE), 18));
    assert_eq!(seen.members.len(), 2);
    assert_eq!(seen.residencies.len(), 2);
    let stranger_desktop = server.client("stranger", now);
    let public = ok(stranger_desktop.store.startup(&first));
    assert_eq!((public.name.as_str(), public.industry.as_str(), public.kind), ("光年智能", "激光雷达", StartupKind::Enterprise));
    assert_eq!((public.credit_code, public.headcount, public.description.as_str()), (None, 0, ""));
    assert!(public.members.is_empty(), "who is in it is not another founder's business");

    // District operators find it in the startup database; nobody else may look.
    let hash = ok(incubook_server::auth::hash_password(common::PASSWORD));
    ok(server.db.add_account("PD-0001", "operator", &hash, &[ServerRole::DistrictOperator], None, 0));
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let token = |user: &str| -> String {
        let mut res = ok(agent
            .post(&format!("{}/v1/session", server.base))
            .send_json(serde_json::json!({"username": user, "password": common::PASSWORD})));
        let body: serde_json::Value = ok(res.body_mut().read_json());
        body["token"].as_str().unwrap_or_default().to_string()
    };
    let find = |user: &str, query: &str| -> (u16, Vec<StartupRecord>) {
        let mut res = ok(agent
            .get(&format!("{}/v1/startups?{query}", server.base))
            .header("Authorization", &format!("Bearer {}", token(user)))
            .call());
        let status = res.status().as_u16();
        (status, if status == 200 { ok(res.body_mut().read_json()) } else { Vec::new() })
    };
    let (status, by_code) = find("operator", &format!("credit_code={}", CODE.to_lowercase()));
    assert_eq!(status, 200);
    assert_eq!(by_code.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), vec![first.as_str()]);
    assert_eq!(by_code[0].residencies.len(), 2);
    let (_, in_pd2) = find("operator", &format!("industry=%E6%BF%80%E5%85%89%E9%9B%B7%E8%BE%BE&makerspace_id={pd2}"));
    assert_eq!(in_pd2.len(), 1, "激光雷达 resident at PD-0002 today");
    let (_, in_march) = find("operator", &format!("makerspace_id={pd2}&on=2026-03-15&credit_code={CODE}"));
    assert!(in_march.is_empty(), "not yet resident at PD-0002 in March");
    assert_eq!(find("stranger", "").0, 403);
}

/// A booking names the startup its founder is in, decided by the server as by the desktop
/// (on PostgreSQL's fast path too): the teammate's replica learns which team booked, another
/// founder's only that the mentor is busy.
fn a_booking_names_its_startup_for_its_team_and_nobody_else(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let seed = server.seed();
    let founders = founders_of(&seed, "PD-0001");
    let startup_of = |person: &str| -> Option<String> {
        server.text("SELECT startup_id FROM startup_member WHERE person_id = $1", &[Arg::T(person)])
    };
    let booker = founders[0].clone();
    let team = startup_of(&booker).unwrap_or_else(|| panic!("the sample's founder has a startup"));
    let teammate = founders.iter().find(|f| **f != booker && startup_of(f).as_deref() == Some(team.as_str())).cloned();
    let teammate = teammate.unwrap_or_else(|| {
        server.execute("DELETE FROM startup_member WHERE person_id = $1", &[Arg::T(&founders[1])]);
        server.execute(
            "INSERT INTO startup_member(startup_id, person_id, lead, joined_at) VALUES ($1, $2, 0, 0)",
            &[Arg::T(&team), Arg::T(&founders[1])],
        );
        founders[1].clone()
    });
    let stranger = founders.iter().find(|f| startup_of(f).as_deref() != Some(team.as_str())).cloned().unwrap_or_default();
    for (user, person) in [("booker", &booker), ("teammate", &teammate), ("stranger", &stranger)] {
        server.account(user, person, "PD-0001", &[ServerRole::Founder]);
    }
    let (mentor, slot) = mentor_slot(&seed, now);
    let mut desktop = server.client("booker", now);
    let new = NewBooking { format: None, resource_id: mentor, start: slot.start, end: slot.end, topic: "融资路演".into() };
    let booked = ok(desktop.store.book(&booker, &new, now)).id;
    let on_desktop = |c: &common::Client| -> Option<String> {
        ok(c.store.conn().query_row("SELECT startup_id FROM booking WHERE id = ?1", [&booked], |r| r.get(0)))
    };
    assert_eq!(on_desktop(&desktop).as_deref(), Some(team.as_str()), "the desktop names the team at once");
    assert!(desktop.sync(now).refused.is_empty());
    assert_eq!(server.text("SELECT startup_id FROM booking WHERE id = $1", &[Arg::T(&booked)]), Some(team.clone()));

    let mut mate = server.client("teammate", now);
    let mut other = server.client("stranger", now);
    mate.sync(now);
    other.sync(now);
    assert_eq!(on_desktop(&mate), Some(team.clone()), "the team's session, for its mentor hours");
    assert_eq!(on_desktop(&other), None, "another founder sees a busy mentor, not whose team");
}

on_both_backends!(
    one_company_registered_twice_offline_is_one_record_in_two_makerspaces,
    a_booking_names_its_startup_for_its_team_and_nobody_else
);
