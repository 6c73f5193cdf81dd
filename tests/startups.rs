//! Startups as records, on a real SQLite file: who makes and changes one, one record per
//! credit code, members with one lead, residency (入驻 / 迁出), the startup database's
//! search, and the user class an instrument charges that follows from a startup's residency.

mod common;

use chrono::{Duration, NaiveDate};
use common::{cst, district, now};
use incubook::CoreError;
use incubook::startup::{NewStartup, StartupFilter, StartupKind};
use incubook::store::NewBooking;
use incubook::usage::{Purpose, Rates, UserClass};

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn err<T: std::fmt::Debug>(result: Result<T, CoreError>) -> CoreError {
    match result {
        Err(e) => e,
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

fn day(text: &str) -> NaiveDate {
    ok(NaiveDate::parse_from_str(text, "%Y-%m-%d"))
}

fn company(name: &str, code: &str) -> NewStartup {
    NewStartup {
        name: name.into(),
        kind: StartupKind::Enterprise,
        credit_code: Some(code.into()),
        stage: "A轮".into(),
        industry: "硬件".into(),
        headcount: 12,
        description: "激光雷达".into(),
    }
}

fn team(name: &str) -> NewStartup {
    NewStartup {
        kind: StartupKind::Team,
        credit_code: None,
        stage: "种子期".into(),
        industry: "人工智能".into(),
        ..company(name, "")
    }
}

#[test]
fn a_startup_is_one_record_with_a_checked_credit_code_a_lead_and_members() {
    let mut d = district();
    let (admin, f0, f1, f2) = (d.admin.clone(), d.founders[0].clone(), d.founders[1].clone(), d.founders[2].clone());
    // A mistyped code is refused, naming the character and where it is; nothing is written.
    let bad = err(d.store.create_startup(&admin, &company("光年智能", "9131011OMA1K4PXX0T"), &f0, now()));
    assert_eq!(bad.code(), "invalid.credit_code");
    assert!(bad.to_string().contains("character 8 'O'"), "{bad}");
    let wrong_check = err(d.store.create_startup(&admin, &company("光年智能", "91310115MA1K4PXX0A"), &f0, now()));
    assert!(wrong_check.to_string().contains("'T'"), "{wrong_check}");
    assert_eq!(common::count(&d.store, "startup"), 0);

    let lidar = ok(d.store.create_startup(&admin, &company("光年智能", "91310115ma1k4pxx0t"), &f0, now()));
    let record = ok(d.store.startup(&lidar));
    assert_eq!(record.credit_code.as_deref(), Some("91310115MA1K4PXX0T"), "kept upper case");
    assert_eq!(record.members.iter().map(|m| (m.person_id.as_str(), m.lead)).collect::<Vec<_>>(), vec![(f0.as_str(), true)]);
    // The same company registered again by another makerspace's admin is the same record.
    let again = err(d.store.create_startup(
        &d.outsider_admin.clone(),
        &company("光年", "91310115MA1K4PXX0T"),
        &d.outsider.clone(),
        now(),
    ));
    assert_eq!(again.code(), "conflict");
    assert!(again.to_string().contains(&lidar), "{again}");
    // An enterprise without its code is refused; a team may go without.
    let no_code = NewStartup { credit_code: None, ..company("无码公司", "") };
    assert_eq!(err(d.store.create_startup(&admin, &no_code, &f1, now())).code(), "invalid.credit_code");

    // A founder makes their own team and leads it; they cannot make one led by someone else.
    assert_eq!(err(d.store.create_startup(&f1, &team("星火"), &f2, now())).code(), "forbidden");
    let spark = ok(d.store.create_startup(&f1, &team("星火"), &f1, now()));
    // One startup at a time: the lead of 光年 cannot be added to 星火.
    assert_eq!(err(d.store.set_startup_member(&f1, (&spark, &f0), (true, false), now())).code(), "conflict");
    ok(d.store.set_startup_member(&f1, (&spark, &f2), (true, false), now()));
    // Someone outside the startup cannot change it.
    assert_eq!(err(d.store.set_startup_member(&f0, (&spark, &f0), (true, false), now())).code(), "forbidden");
    // The lead hands over: the lead before stays a member, and may not simply leave first.
    assert_eq!(err(d.store.set_startup_member(&f1, (&spark, &f1), (false, false), now())).code(), "invalid.person_id");
    ok(d.store.set_startup_member(&f1, (&spark, &f2), (true, true), now()));
    let members = ok(d.store.startup(&spark)).members;
    assert_eq!(members.iter().filter(|m| m.lead).map(|m| m.person_id.as_str()).collect::<Vec<_>>(), vec![f2.as_str()]);
    assert_eq!(members.len(), 2);
    // A member leaves on their own.
    ok(d.store.set_startup_member(&f1, (&spark, &f1), (false, false), now()));
    assert!(ok(d.store.startup_of_person(&f1)).is_none());
    // The new lead edits the record; the old one no longer may.
    let renamed = NewStartup { headcount: 3, ..team("星火科技") };
    assert_eq!(err(d.store.update_startup(&f1, &spark, &renamed, now())).code(), "forbidden");
    ok(d.store.update_startup(&f2, &spark, &renamed, now()));
    assert_eq!(ok(d.store.startup(&spark)).name, "星火科技");
}

#[test]
fn residency_moves_in_and_out_and_the_startup_database_finds_by_it() {
    let mut d = district();
    let (admin, other_admin, f0, f1) = (d.admin.clone(), d.outsider_admin.clone(), d.founders[0].clone(), d.founders[1].clone());
    let pd1 = ok(d.store.makerspace_by_code("PD-0001")).id;
    let pd2 = ok(d.store.makerspace_by_code("PD-0002")).id;
    let lidar = ok(d.store.create_startup(&admin, &company("光年智能", "91350100M000100Y43"), &f0, now()));
    let spark = ok(d.store.create_startup(&f1, &team("星火"), &f1, now()));

    // Only a space admin of the makerspace moves a startup in there.
    assert_eq!(err(d.store.move_in(&other_admin, (&lidar, &pd1), day("2026-03-01"), now())).code(), "forbidden");
    assert_eq!(err(d.store.move_in(&f0, (&lidar, &pd1), day("2026-03-01"), now())).code(), "forbidden");
    let stay = ok(d.store.move_in(&admin, (&lidar, &pd1), day("2026-03-01"), now()));
    // Resident in two makerspaces, one record: the second asks, the lead agrees.
    let second = ok(d.store.move_in(&other_admin, (&lidar, &pd2), day("2026-06-01"), now()));
    ok(d.store.answer_move_in(&f0, (&lidar, &second), true, now()));
    // Still resident: moving in again is the same stay.
    assert_eq!(err(d.store.move_in(&admin, (&lidar, &pd1), day("2026-09-01"), now())).code(), "conflict");
    // Moving out before moving in is refused.
    assert_eq!(err(d.store.move_out(&admin, (&lidar, &stay), day("2026-02-01"), now())).code(), "invalid.date");
    ok(d.store.move_out(&admin, (&lidar, &stay), day("2026-11-01"), now()));
    let record = ok(d.store.startup(&lidar));
    assert_eq!(record.residencies.len(), 2);
    assert_eq!(record.residencies[0].makerspace_name, "张江众创空间");
    assert_eq!(record.residencies[0].residency.move_out, Some(day("2026-11-01")));

    let today = day("2026-12-07");
    let find = |f: StartupFilter| -> Vec<String> { ok(d.store.startups(&f, today)).into_iter().map(|s| s.name).collect() };
    assert_eq!(find(StartupFilter::default()), vec!["光年智能", "星火"]);
    assert_eq!(find(StartupFilter { industry: Some("硬件".into()), ..StartupFilter::default() }), vec!["光年智能"]);
    assert_eq!(find(StartupFilter { kind: Some(StartupKind::Team), ..StartupFilter::default() }), vec!["星火"]);
    assert_eq!(
        find(StartupFilter { credit_code: Some("91350100m000100y43".into()), ..StartupFilter::default() }),
        vec!["光年智能"]
    );
    // Resident at PD-0001 today: nobody (光年 moved out on 11-01); in October: 光年.
    assert!(find(StartupFilter { makerspace_id: Some(pd1.clone()), ..StartupFilter::default() }).is_empty());
    let october = StartupFilter { makerspace_id: Some(pd1), on: Some(day("2026-10-15")), ..StartupFilter::default() };
    assert_eq!(find(october), vec!["光年智能"]);
    assert_eq!(find(StartupFilter { makerspace_id: Some(pd2), ..StartupFilter::default() }), vec!["光年智能"]);
    assert_eq!(find(StartupFilter { text: Some("星".into()), ..StartupFilter::default() }), vec!["星火"]);
    let _ = spark;
}

#[test]
fn the_startup_decides_the_user_class_an_instrument_charges_and_the_session_remembers_it() {
    let mut d = district();
    let (admin, other_admin, manager, equipment) =
        (d.admin.clone(), d.outsider_admin.clone(), d.manager.clone(), d.equipment.clone());
    let f0 = d.founders[0].clone();
    let pd1 = ok(d.store.makerspace_by_code("PD-0001")).id;
    let pd2 = ok(d.store.makerspace_by_code("PD-0002")).id;
    let rates = Rates {
        internal_fen_per_hour: 5_000,
        external_fen_per_hour: 10_000,
        enterprise_fen_per_hour: 30_000,
        ..Rates::default()
    };
    ok(d.store.set_rates(&manager, &equipment, &rates, now()));
    let session_of = |d: &mut common::District, day: u32| {
        let start = cst(2026, 12, day, 10, 0);
        let new = NewBooking {
            format: None,
            resource_id: equipment.clone(),
            start,
            end: start + Duration::hours(1),
            topic: "测试".into(),
        };
        let booking = ok(d.store.book(&f0, &new, now()));
        let session = ok(d.store.check_in(&f0, &booking.id, Purpose::Testing, 0, start));
        ok(d.store.check_out(&f0, &session.id, start + Duration::hours(1)))
    };

    // A founder of this makerspace with no startup: internal, by their role.
    let before = session_of(&mut d, 8);
    assert_eq!((before.user_class, before.fee_fen, before.startup_id), (UserClass::Internal, 5_000, None));

    // Their company, resident at the other makerspace: external, though they hold a role here.
    let lidar = ok(d.store.create_startup(&admin, &company("光年智能", "91350100M000100Y43"), &f0, now()));
    let stay = ok(d.store.move_in(&other_admin, (&lidar, &pd2), day("2026-01-01"), now()));
    ok(d.store.answer_move_in(&f0, (&lidar, &stay), true, now()));
    let external = session_of(&mut d, 9);
    assert_eq!((external.user_class, external.fee_fen), (UserClass::External, 10_000));
    assert_eq!(external.startup_id.as_deref(), Some(lidar.as_str()));

    // Moved out on the 10th: a company resident nowhere in the district is an enterprise user.
    ok(d.store.move_out(&other_admin, (&lidar, &stay), day("2026-12-10"), now()));
    let enterprise = session_of(&mut d, 10);
    assert_eq!((enterprise.user_class, enterprise.fee_fen), (UserClass::Enterprise, 30_000));

    // Moved in here (it still lives at PD-0002 today, so its lead agrees): internal again.
    let here = ok(d.store.move_in(&admin, (&lidar, &pd1), day("2026-12-11"), now()));
    ok(d.store.answer_move_in(&f0, (&lidar, &here), true, now()));
    assert_eq!(session_of(&mut d, 11).user_class, UserClass::Internal);
    // The sessions before keep the class they were charged at.
    assert_eq!(ok(d.store.usage_session(&external.id)).user_class, UserClass::External);
}

/// The startup list tells each viewer which startups they may change — the same rule the
/// commands apply: its lead, and the space admins where it lives; another makerspace's admin
/// or another founder is refused, and sees no edit button.
#[test]
fn each_viewer_sees_which_startups_they_may_change_as_the_commands_decide() {
    let mut d = district();
    let (admin, outsider_admin, lead, other) =
        (d.admin.clone(), d.outsider_admin.clone(), d.founders[0].clone(), d.founders[1].clone());
    let id = ok(d.store.create_startup(&admin, &team("光年智能"), &lead, now()));
    let pd1 = ok(d.store.makerspace_by_code("PD-0001")).id;
    ok(d.store.move_in(&admin, (&id, &pd1), day("2026-03-01"), now()));
    let seen = |d: &common::District, viewer: &str| {
        let all = ok(d.store.startups_seen_by(viewer, &StartupFilter::default(), day("2026-12-01")));
        all.into_iter().find(|s| s.id == id).map(|s| s.manageable)
    };
    assert_eq!(seen(&d, &lead), Some(true));
    assert_eq!(seen(&d, &admin), Some(true));
    assert_eq!(seen(&d, &outsider_admin), Some(false));
    assert_eq!(seen(&d, &other), Some(false));
    let renamed = NewStartup { name: "光年智能科技".into(), ..team("光年智能") };
    assert_eq!(err(d.store.update_startup(&outsider_admin, &id, &renamed, now())).code(), "forbidden");
    assert_eq!(err(d.store.update_startup(&other, &id, &renamed, now())).code(), "forbidden");
    ok(d.store.update_startup(&lead, &id, &renamed, now()));
}

/// Review N7 and N11: nobody takes a startup's record over. Another makerspace's space admin
/// may only ask to move it in (its lead agrees or declines), a stay gives its admins a say only
/// while it lasts, a code a founder typed waits for a space admin to confirm it, and members
/// are founders of the makerspace where the startup lives.
#[test]
fn no_space_admin_takes_over_a_startup_and_a_typed_credit_code_waits_for_confirmation() {
    let mut d = district();
    let (admin, outsider_admin, lead, f1, outsider) =
        (d.admin.clone(), d.outsider_admin.clone(), d.founders[0].clone(), d.founders[1].clone(), d.outsider.clone());
    let pd1 = ok(d.store.makerspace_by_code("PD-0001")).id;
    let pd2 = ok(d.store.makerspace_by_code("PD-0002")).id;

    // A founder types their company's code: it stands unverified; a space admin of their own
    // makerspace confirms it, another makerspace's cannot.
    let lidar = ok(d.store.create_startup(&lead, &company("光年智能", "91310115MA1K4PXX0T"), &lead, now()));
    assert!(!ok(d.store.startup(&lidar)).code_verified, "a typed code is unverified");
    assert_eq!(err(d.store.confirm_credit_code(&outsider_admin, &lidar, now())).code(), "forbidden");
    assert_eq!(err(d.store.confirm_credit_code(&lead, &lidar, now())).code(), "forbidden", "not by the founder who typed it");
    ok(d.store.confirm_credit_code(&admin, &lidar, now()));
    assert!(ok(d.store.startup(&lidar)).code_verified);
    // Typing another code makes it unverified again.
    ok(d.store.update_startup(&lead, &lidar, &company("光年智能", "91350100M000100Y43"), now()));
    assert!(!ok(d.store.startup(&lidar)).code_verified, "a new code typed by the lead waits again");
    ok(d.store.confirm_credit_code(&admin, &lidar, now()));

    // Its own makerspace's admin moves it in at once; another makerspace's only asks.
    ok(d.store.move_in(&admin, (&lidar, &pd1), day("2026-03-01"), now()));
    let asked = ok(d.store.move_in(&outsider_admin, (&lidar, &pd2), day("2026-12-01"), now()));
    let record = ok(d.store.startup(&lidar));
    let stay = record.residencies.iter().find(|r| r.residency.id == asked).map(|r| r.residency.status);
    assert_eq!(stay, Some(incubook::startup::ResidencyStatus::Requested));
    assert!(!record.residencies.iter().any(|r| r.residency.covers(day("2026-12-05")) && r.residency.makerspace_id == pd2));
    let told = ok(d.store.notifications(&lead));
    assert!(told.iter().any(|n| n.kind == "move_in_requested"), "the lead is asked: {told:?}");
    // Asking gives no say: the asker cannot edit it, change its lead or answer for it.
    let renamed = NewStartup { headcount: 999, ..company("光年智能", "91350100M000100Y43") };
    assert_eq!(err(d.store.update_startup(&outsider_admin, &lidar, &renamed, now())).code(), "forbidden");
    assert_eq!(err(d.store.set_startup_member(&outsider_admin, (&lidar, &outsider), (true, true), now())).code(), "forbidden");
    assert_eq!(err(d.store.answer_move_in(&outsider_admin, (&lidar, &asked), true, now())).code(), "forbidden");
    // The lead declines: nothing changes, and the asker is told.
    ok(d.store.answer_move_in(&lead, (&lidar, &asked), false, now()));
    assert!(ok(d.store.notifications(&outsider_admin)).iter().any(|n| n.kind == "move_in_declined"));
    assert_eq!(err(d.store.answer_move_in(&lead, (&lidar, &asked), true, now())).code(), "conflict", "answered once");
    assert_eq!(err(d.store.update_startup(&outsider_admin, &lidar, &renamed, now())).code(), "forbidden");

    // Members are founders where it lives: not another makerspace's admin or founder.
    assert_eq!(
        err(d.store.set_startup_member(&lead, (&lidar, &outsider_admin), (true, false), now())).code(),
        "invalid.person_id"
    );
    assert_eq!(err(d.store.set_startup_member(&lead, (&lidar, &outsider), (true, false), now())).code(), "invalid.person_id");
    ok(d.store.set_startup_member(&lead, (&lidar, &f1), (true, false), now()));

    // Asked again and agreed: PD-0002's admin answers for it while the stay lasts.
    let agreed = ok(d.store.move_in(&outsider_admin, (&lidar, &pd2), day("2026-12-01"), now()));
    ok(d.store.answer_move_in(&lead, (&lidar, &agreed), true, now()));
    assert!(ok(d.store.notifications(&outsider_admin)).iter().any(|n| n.kind == "move_in_accepted"));
    ok(d.store.update_startup(&outsider_admin, &lidar, &renamed, now()));
    // Once the stay has ended, the say ends with it.
    ok(d.store.move_out(&outsider_admin, (&lidar, &agreed), day("2026-12-05"), now()));
    assert_eq!(err(d.store.update_startup(&outsider_admin, &lidar, &renamed, now())).code(), "forbidden");
    ok(d.store.update_startup(&admin, &lidar, &renamed, now()));
}

/// A startup's lead is a founder: a space admin names one of their own makerspace and does not
/// become a member; a founder of another makerspace is not theirs to name.
#[test]
fn a_space_admin_makes_a_startup_for_a_founder_of_their_own_makerspace() {
    let mut d = district();
    let (admin, outsider, f1) = (d.admin.clone(), d.outsider.clone(), d.founders[1].clone());
    assert_eq!(err(d.store.create_startup(&admin, &team("星火"), &admin, now())).code(), "invalid.lead_id");
    assert_eq!(err(d.store.create_startup(&admin, &team("星火"), &outsider, now())).code(), "forbidden");
    assert_eq!(common::count(&d.store, "startup"), 0, "nothing written");
    let spark = ok(d.store.create_startup(&admin, &company("星火", "91310115MA1K4PXX0T"), &f1, now()));
    let record = ok(d.store.startup(&spark));
    assert_eq!(record.members.iter().map(|m| m.person_id.as_str()).collect::<Vec<_>>(), vec![f1.as_str()]);
    assert!(record.code_verified, "a code a space admin of the lead's makerspace entered stands");
}
