//! Machine hours on a real SQLite file: checking in to an instrument's booking, checking out,
//! and the charge at the user's class rate in integer fen.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{District, cst, district, now};
use incubook::CoreError;
use incubook::domain::{Booking, BookingStatus};
use incubook::store::NewBooking;
use incubook::usage::{ChargeBasis, Purpose, Rates, UserClass};

fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

fn code<T: std::fmt::Debug>(result: Result<T, CoreError>) -> String {
    match result {
        Err(e) => e.code(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

fn book(d: &mut District, who: &str, start: DateTime<Utc>, minutes: i64) -> Booking {
    let new = NewBooking {
        format: None,
        resource_id: d.equipment.clone(),
        start,
        end: start + Duration::minutes(minutes),
        topic: String::new(),
    };
    ok(d.store.book(who, &new, now()))
}

/// ¥100/h for the space's own members, ¥200/h for the district's, ¥300/h for companies;
/// time is charged in quarter hours.
fn priced(d: &mut District) {
    let rates = Rates {
        internal_fen_per_hour: 10_000,
        external_fen_per_hour: 20_000,
        enterprise_fen_per_hour: 30_000,
        basis: ChargeBasis::Actual,
        minimum_fen: 0,
        rounding_min: 15,
    };
    let (manager, equipment) = (d.manager.clone(), d.equipment.clone());
    ok(d.store.set_rates(&manager, &equipment, &rates, now()));
    assert_eq!(ok(d.store.rates(&equipment)), rates);
}

#[test]
fn a_member_checks_in_from_ten_minutes_before_and_pays_the_internal_rate_for_the_time_used() {
    let mut d = district();
    priced(&mut d);
    let founder = d.founders[0].clone();
    let start = cst(2026, 12, 8, 14, 0);
    let b = book(&mut d, &founder, start, 60);
    assert_eq!(
        code(d.store.check_in(&founder, &b.id, Purpose::Testing, 3, start - Duration::minutes(15))),
        "refused.check_in_not_open"
    );
    let session = ok(d.store.check_in(&founder, &b.id, Purpose::Testing, 3, start - Duration::minutes(8)));
    assert_eq!((session.user_class, session.samples, session.ended_at), (UserClass::Internal, 3, None));
    assert_eq!(code(d.store.check_in(&founder, &b.id, Purpose::Testing, 3, start)), "refused.already_checked_in");

    // 48 minutes used: four quarter hours at ¥100/h.
    let done = ok(d.store.check_out(&founder, &session.id, start + Duration::minutes(40)));
    assert_eq!((done.fee_fen, done.ended_at), (10_000, Some(start + Duration::minutes(40))));
    assert_eq!(ok(d.store.booking(&b.id)).status, BookingStatus::Completed, "the rest of the slot is free again");
    assert_eq!(code(d.store.check_out(&founder, &session.id, start + Duration::minutes(50))), "refused.already_checked_out");
    let day = ok(d.store.usage_sessions(&d.equipment, start - Duration::hours(1), start + Duration::hours(1)));
    assert_eq!(day, vec![done]);
}

#[test]
fn a_founder_of_another_space_pays_the_external_rate_and_a_stranger_cannot_check_them_in_or_out() {
    let mut d = district();
    priced(&mut d);
    let (outsider, other) = (d.outsider.clone(), d.founders[1].clone());
    let start = cst(2026, 12, 8, 10, 0);
    let b = book(&mut d, &outsider, start, 120);
    assert_eq!(code(d.store.check_in(&other, &b.id, Purpose::Research, 0, start)), "forbidden");
    let session = ok(d.store.check_in(&outsider, &b.id, Purpose::Research, 0, start));
    assert_eq!(session.user_class, UserClass::External);
    assert_eq!(code(d.store.check_out(&other, &session.id, start + Duration::minutes(61))), "forbidden");
    // 61 minutes: five quarter hours at ¥200/h.
    let done = ok(d.store.check_out(&outsider, &session.id, start + Duration::minutes(61)));
    assert_eq!(done.fee_fen, 25_000);
}

#[test]
fn the_lab_manager_checks_a_founder_in_and_out_and_an_early_check_out_tells_the_waitlist() {
    let mut d = district();
    priced(&mut d);
    let (founder, waiting, manager) = (d.founders[0].clone(), d.founders[2].clone(), d.manager.clone());
    let start = cst(2026, 12, 9, 15, 0);
    let b = book(&mut d, &founder, start, 120);
    let equipment = d.equipment.clone();
    ok(d.store.join_waitlist(&waiting, &equipment, start + Duration::hours(1), start + Duration::hours(2), now()));
    let session = ok(d.store.check_in(&manager, &b.id, Purpose::Teaching, 0, start));
    assert_eq!(session.person_id, founder, "the session is the booker's, whoever checked them in");
    ok(d.store.check_out(&manager, &session.id, start + Duration::minutes(30)));
    let told: Vec<String> = ok(d.store.notifications(&waiting)).into_iter().map(|n| n.kind).collect();
    assert_eq!(told, vec!["waitlist_slot_open"]);
}

#[test]
fn no_check_in_after_the_end_nor_to_a_cancelled_booking_nor_to_a_mentor_session() {
    let mut d = district();
    let founder = d.founders[0].clone();
    let start = cst(2026, 12, 10, 9, 0);
    let late = book(&mut d, &founder, start, 60);
    assert_eq!(
        code(d.store.check_in(&founder, &late.id, Purpose::Testing, 0, start + Duration::hours(1))),
        "refused.check_in_closed"
    );
    let cancelled = book(&mut d, &founder, start + Duration::hours(2), 60);
    ok(d.store.cancel(&founder, &cancelled.id, None, now()));
    assert_eq!(
        code(d.store.check_in(&founder, &cancelled.id, Purpose::Testing, 0, start + Duration::hours(2))),
        "refused.check_in_closed"
    );
    let mentor = d.mentor.clone();
    let session =
        NewBooking { format: None, resource_id: mentor, start, end: start + Duration::hours(1), topic: "融资".into() };
    let m = ok(d.store.book(&founder, &session, now()));
    assert_eq!(code(d.store.check_in(&founder, &m.id, Purpose::Research, 0, start)), "invalid.booking_id");
    assert_eq!(common::count(&d.store, "usage_session"), 0, "a refused check-in writes nothing");
}

#[test]
fn rates_are_the_lab_managers_and_must_be_sane() {
    let mut d = district();
    let (founder, manager, equipment) = (d.founders[0].clone(), d.manager.clone(), d.equipment.clone());
    let rates = Rates { external_fen_per_hour: 5_000, ..Rates::default() };
    assert_eq!(code(d.store.set_rates(&founder, &equipment, &rates, now())), "forbidden");
    let negative = Rates { minimum_fen: -1, ..Rates::default() };
    assert_eq!(code(d.store.set_rates(&manager, &equipment, &negative, now())), "invalid.minimum_charge");
    assert_eq!(ok(d.store.rates(&equipment)).external_fen_per_hour, 0, "nothing half-written");
}

fn kinds(d: &District, person: &str) -> Vec<String> {
    ok(d.store.notifications(person)).into_iter().map(|n| n.kind).collect()
}

#[test]
fn a_booking_nobody_checks_in_to_is_released_once_at_the_threshold_and_the_waitlist_is_told() {
    let mut d = common::district_with(
        common::mentor_policy(),
        incubook::domain::Policy { min_notice_min: 0, ..common::equipment_policy(1) },
    );
    let (founder, waiting, other, equipment) =
        (d.founders[0].clone(), d.founders[1].clone(), d.founders[2].clone(), d.equipment.clone());
    let start = cst(2026, 12, 8, 14, 0);
    let b = book(&mut d, &founder, start, 120);
    ok(d.store.join_waitlist(&waiting, &equipment, start + Duration::minutes(30), start + Duration::hours(2), now()));
    assert!(ok(d.store.release_no_shows(start + Duration::minutes(14))).is_empty(), "not before start + 15 min");
    assert_eq!(ok(d.store.release_no_shows(start + Duration::minutes(15))), vec![b.id.clone()]);
    assert!(ok(d.store.release_no_shows(start + Duration::minutes(16))).is_empty(), "released once");
    assert_eq!(ok(d.store.booking(&b.id)).status, BookingStatus::NoShow);
    assert_eq!(kinds(&d, &waiting), vec!["waitlist_slot_open"]);
    assert_eq!(kinds(&d, &founder), vec!["booking_no_show"]);
    // The rest of its time is free again.
    let later = NewBooking {
        format: None,
        resource_id: equipment.clone(),
        start: start + Duration::minutes(30),
        end: start + Duration::hours(1),
        topic: String::new(),
    };
    assert!(d.store.book(&other, &later, start + Duration::minutes(16)).is_ok());
}

#[test]
fn the_lab_manager_sets_when_check_in_opens_and_when_a_booking_is_released() {
    let mut d = district();
    let (founder, manager, equipment) = (d.founders[0].clone(), d.manager.clone(), d.equipment.clone());
    let rules = incubook::usage::UsageRules {
        check_in_opens_min: 30,
        no_show_after_min: 0,
        close_grace_min: 30,
        approval_after_no_shows: 0,
    };
    assert_eq!(code(d.store.set_usage_rules(&founder, &equipment, &rules, now())), "forbidden");
    ok(d.store.set_usage_rules(&manager, &equipment, &rules, now()));
    assert_eq!(ok(d.store.usage_rules(&equipment)), rules);
    let start = cst(2026, 12, 9, 10, 0);
    let b = book(&mut d, &founder, start, 60);
    assert!(ok(d.store.release_no_shows(start + Duration::minutes(50))).is_empty(), "0 never releases");
    assert!(d.store.check_in(&founder, &b.id, Purpose::Testing, 0, start - Duration::minutes(25)).is_ok());
}

#[test]
fn a_check_in_made_in_time_that_arrives_after_the_release_reinstates_the_booking_unless_its_time_was_taken() {
    let mut d = common::district_with(
        common::mentor_policy(),
        incubook::domain::Policy { min_notice_min: 0, ..common::equipment_policy(1) },
    );
    let (first, second, third, equipment) =
        (d.founders[0].clone(), d.founders[1].clone(), d.founders[2].clone(), d.equipment.clone());
    let check_in = |booking: &str, at: DateTime<Utc>| incubook::command::Command::CheckIn {
        session_id: incubook::domain::new_id(),
        booking_id: booking.to_string(),
        purpose: Purpose::Testing,
        samples: 0,
        at,
    };
    let kiosk = d.manager.clone();
    // Checked in at 14:05 on the lab's kiosk, offline; the server released the booking at 14:15.
    let start = cst(2026, 12, 8, 14, 0);
    let b = book(&mut d, &first, start, 60);
    ok(d.store.release_no_shows(start + Duration::minutes(15)));
    // The review's N6: she cannot say so herself from her own desktop; her check-in is now.
    let own = d.store.apply(&first, &check_in(&b.id, start + Duration::minutes(5)), start + Duration::minutes(30));
    assert_eq!(code(own), "invalid.at");
    assert_eq!(ok(d.store.booking(&b.id)).status, BookingStatus::NoShow, "a refused check-in reinstates nothing");
    ok(d.store.apply(&kiosk, &check_in(&b.id, start + Duration::minutes(5)), start + Duration::minutes(30)));
    let reinstated = ok(d.store.booking(&b.id));
    assert_eq!(reinstated.status, BookingStatus::Confirmed, "the booking stands again");
    assert_eq!(reinstated.reason, None, "the no-show's reason went with it");
    let told = ok(d.store.notifications(&first));
    assert!(
        told.iter().any(|n| n.kind == "booking_reinstated" && n.booking_id.as_deref() == Some(&*b.id)),
        "the founder is told"
    );
    let session = ok(d.store.session_of_booking(&b.id)).map(|s| s.started_at);
    assert_eq!(session, Some(start + Duration::minutes(5)), "the session began when she checked in");

    // The same, but someone booked the freed time before the check-in arrived.
    let start = cst(2026, 12, 8, 16, 0);
    let late = book(&mut d, &second, start, 60);
    ok(d.store.release_no_shows(start + Duration::minutes(15)));
    let taken = NewBooking {
        format: None,
        resource_id: equipment,
        start: start + Duration::minutes(30),
        end: start + Duration::hours(1),
        topic: String::new(),
    };
    ok(d.store.book(&third, &taken, start + Duration::minutes(16)));
    let refused = d.store.apply(&kiosk, &check_in(&late.id, start + Duration::minutes(5)), start + Duration::minutes(20));
    assert_eq!(code(refused), "refused.taken_after_release");
    assert_eq!(ok(d.store.booking(&late.id)).status, BookingStatus::NoShow);
    // A check-in after the release time never reinstates.
    let start = cst(2026, 12, 9, 9, 0);
    let gone = book(&mut d, &second, start, 60);
    ok(d.store.release_no_shows(start + Duration::minutes(15)));
    let refused = d.store.apply(&kiosk, &check_in(&gone.id, start + Duration::minutes(16)), start + Duration::minutes(20));
    assert_eq!(code(refused), "refused.check_in_closed");
    // A kiosk's offline window is a day: a month-old no-show is not turned into a session.
    let refused = d.store.apply(&kiosk, &check_in(&gone.id, start + Duration::minutes(5)), start + Duration::days(30));
    assert_eq!(code(refused), "invalid.at");
    assert_eq!(ok(d.store.booking(&gone.id)).status, BookingStatus::NoShow);
}

/// Reads an XLSX back with an independent parser: every cell as text.
fn xlsx_rows(bytes: Vec<u8>) -> Vec<Vec<String>> {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = ok(calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)));
    let range = ok(book.worksheet_range_at(0).unwrap_or_else(|| panic!("no sheet")));
    range.rows().map(|row| row.iter().map(|c| c.to_string()).collect()).collect()
}

#[test]
fn the_sharing_figures_of_a_fixture_match_a_count_by_hand_to_the_hour_and_the_fen() {
    use incubook::indicators::{GroupBy, indicators_csv, indicators_xlsx};
    let open_now = incubook::domain::Policy { min_notice_min: 0, ..common::equipment_policy(1) };
    let mut d = common::district_with(common::mentor_policy(), open_now.clone());
    priced(&mut d);
    let (member, late, outsider, manager) = (d.founders[0].clone(), d.founders[1].clone(), d.outsider.clone(), d.manager.clone());
    let second = incubook::store::NewEquipment {
        lab_id: d.lab.clone(),
        name: "三坐标测量机".into(),
        category: "measurement".into(),
        model: "CMM-7".into(),
        hourly_fee_cents: 0,
        subsidy_pct: 0,
        policy: open_now,
        weekly_hours: common::weekdays(540, 1080),
    };
    let second = ok(d.store.create_equipment(&manager, &second, now())).id;
    let laser = d.equipment.clone();
    let mut used = |who: &str, resource: &str, start: DateTime<Utc>, (booked, ran): (i64, i64), purpose: Purpose| {
        let new = NewBooking {
            format: None,
            resource_id: resource.into(),
            start,
            end: start + Duration::minutes(booked),
            topic: String::new(),
        };
        let b = ok(d.store.book(who, &new, now()));
        let s = ok(d.store.check_in(who, &b.id, purpose, 1, start));
        ok(d.store.check_out(who, &s.id, start + Duration::minutes(ran)))
    };
    // The laser cutter: a member 1 h (¥100), an outsider 1.5 h (¥300).
    let a = used(&member, &laser, cst(2026, 12, 8, 14, 0), (60, 60), Purpose::Research);
    let b = used(&outsider, &laser, cst(2026, 12, 9, 10, 0), (120, 90), Purpose::Testing);
    // The measuring machine: the outsider's commercial inspection, 1 h, free of charge: work,
    // not sharing.
    let c = used(&outsider, &second, cst(2026, 12, 10, 9, 0), (60, 60), Purpose::CommercialInspection);
    assert_eq!((a.fee_fen, b.fee_fen, c.fee_fen), (10_000, 30_000, 0));
    // And a booking of it nobody came to.
    let missed = NewBooking {
        format: None,
        resource_id: second.clone(),
        start: cst(2026, 12, 10, 14, 0),
        end: cst(2026, 12, 10, 15, 0),
        topic: String::new(),
    };
    let missed = ok(d.store.book(&late, &missed, now())).id;
    assert_eq!(ok(d.store.release_no_shows(cst(2026, 12, 10, 14, 15))), vec![missed]);

    let (from, to) = (chrono::NaiveDate::from_ymd_opt(2026, 12, 8), chrono::NaiveDate::from_ymd_opt(2026, 12, 10));
    let (from, to) = (from.unwrap_or_default(), to.unwrap_or_default());
    let after = cst(2026, 12, 11, 9, 0);
    let by_instrument = ok(d.store.indicators_with_sessions(from, to, GroupBy::Instrument, after));
    let row = |name: &str| by_instrument.rows.iter().find(|r| r.name == name).cloned().unwrap_or_else(|| panic!("{name}"));
    let (l, m) = (row("激光切割机"), row("三坐标测量机"));
    const H: i64 = 3600;
    assert_eq!((l.figures.effective_seconds, l.figures.outside_seconds, l.share_permille), (5 * H / 2, 3 * H / 2, Some(600)));
    assert_eq!((l.figures.internal_income_fen, l.figures.external_income_fen), (10_000, 30_000));
    assert_eq!((l.figures.distinct_users, l.figures.outside_organisations, l.bookings_due, l.no_shows), (2, 1, 2, 0));
    assert_eq!(l.outside_session_ids, vec![b.id.clone()], "the sessions behind the outside hours");
    assert_eq!(l.session_ids.len(), 2);
    let plain = ok(d.store.indicators(from, to, GroupBy::Instrument, after));
    assert!(plain.total.session_ids.is_empty(), "ids only when asked for");
    assert_eq!(plain.total.figures, by_instrument.total.figures);
    assert_eq!((m.figures.effective_seconds, m.figures.outside_seconds, m.share_permille), (H, 0, Some(0)));
    assert_eq!((m.bookings_due, m.no_shows), (2, 1));

    let by_lab = ok(d.store.indicators(from, to, GroupBy::Lab, after));
    assert_eq!(by_lab.rows.len(), 1);
    let lab = &by_lab.rows[0];
    // 1.5 h of 3.5 h = 42.86 %.
    assert_eq!((lab.instruments, lab.figures.effective_seconds, lab.share_permille), (2, 7 * H / 2, Some(429)));
    assert_eq!((lab.figures.distinct_users, lab.bookings_due, lab.no_shows), (2, 4, 1));
    assert_eq!(by_lab.total.figures, lab.figures);

    let csv = ok(indicators_csv(&by_instrument, incubook::i18n::Lang::Zh));
    assert!(csv.starts_with("\u{feff}仪器名称,所属实验室,所属空间,有效工作机时(小时),对外服务机时(小时),共享率(%)"));
    assert!(csv.contains("激光切割机,张江公共技术服务平台,PD-0001,2.50,1.50,60.0,100.00,300.00,2,1,0.00,2,0,"), "{csv}");
    assert!(csv.contains("合计,"), "a total row");
    // The annual per-instrument table ends each row with the instrument's register entry.
    let laser_id = d.equipment.clone();
    let register = incubook::register::InstrumentRegister {
        original_value_fen: Some(56_012_345),
        asset_number: "00420".into(),
        open_for_sharing: true,
        ..Default::default()
    };
    ok(d.store.set_register(&d.manager.clone(), &laser_id, &register, after));
    let registered = ok(d.store.indicators(from, to, GroupBy::Instrument, after));
    let csv = ok(indicators_csv(&registered, incubook::i18n::Lang::Zh));
    assert!(csv.lines().next().unwrap_or_default().ends_with(",平均评分,原值(万元),资产编号,对外开放"), "{csv}");
    assert!(csv.contains(",56.01,00420,是"), "{csv}");
    let sheet = xlsx_rows(ok(indicators_xlsx(&registered, incubook::i18n::Lang::Zh)));
    let laser = sheet.iter().find(|r| r[0] == "激光切割机").cloned().unwrap_or_default();
    assert_eq!(laser[14..17], ["56.01", "00420", "是"], "the asset number stays text, with its zero");
    let sheet = xlsx_rows(ok(indicators_xlsx(&by_lab, incubook::i18n::Lang::Zh)));
    assert_eq!(sheet[0][0..4], ["实验室", "所属空间", "仪器台数", "有效工作机时(小时)"]);
    assert_eq!(sheet[1][0..6], ["张江公共技术服务平台", "PD-0001", "2", "3.5", "1.5", "42.9"]);
}

#[test]
fn a_session_nobody_checks_out_of_is_closed_at_the_booking_end_after_the_grace_and_flagged() {
    let mut d = district();
    priced(&mut d);
    let founder = d.founders[0].clone();
    let start = cst(2026, 12, 8, 14, 0);
    let b = book(&mut d, &founder, start, 60);
    let session = ok(d.store.check_in(&founder, &b.id, Purpose::Testing, 0, start));
    let end = start + Duration::hours(1);
    assert!(ok(d.store.sweep_usage(end + Duration::minutes(29))).closed.is_empty(), "30 minutes' grace");
    assert_eq!(ok(d.store.sweep_usage(end + Duration::minutes(30))).closed, vec![session.id.clone()]);
    let closed = ok(d.store.usage_session(&session.id));
    // Charged for the hour it was booked and ran, not the half hour nobody used it.
    assert_eq!((closed.ended_at, closed.fee_fen, closed.flagged), (Some(end), 10_000, true));
    assert_eq!(ok(d.store.booking(&b.id)).status, BookingStatus::Completed);
    assert!(ok(d.store.sweep_usage(end + Duration::hours(2))).closed.is_empty(), "closed once");
    let audited: i64 = ok(d.store.conn().query_row(
        "SELECT count(*) FROM audit_log WHERE action = 'auto_check_out' AND entity_id = ?1 AND actor_id = 'system'",
        [&session.id],
        |r| r.get(0),
    ));
    assert_eq!(audited, 1);
}

#[test]
fn a_lab_manager_corrects_a_session_with_a_reason_and_the_values_before_stay_in_the_audit_log() {
    let mut d = district();
    priced(&mut d);
    let (founder, manager) = (d.founders[0].clone(), d.manager.clone());
    let start = cst(2026, 12, 8, 14, 0);
    let b = book(&mut d, &founder, start, 60);
    let s = ok(d.store.check_in(&founder, &b.id, Purpose::Testing, 1, start));
    ok(d.store.check_out(&founder, &s.id, start + Duration::minutes(60)));
    let correction = |reason: &str, waived_fen: i64| incubook::command::Command::CorrectSession {
        session_id: s.id.clone(),
        started_at: start,
        ended_at: start + Duration::minutes(30),
        purpose: Purpose::Teaching,
        samples: 4,
        waived_fen,
        reason: reason.into(),
    };
    let later = start + Duration::hours(3);
    assert_eq!(code(d.store.correct_session(&founder, &correction("忘记签退", 0), later)), "forbidden");
    assert_eq!(code(d.store.correct_session(&manager, &correction("", 0), later)), "invalid.reason");
    assert_eq!(code(d.store.correct_session(&manager, &correction("忘记签退", 5_001), later)), "invalid.waived_fen");
    // Half an hour at ¥100/h is ¥50, of which ¥10 is waived.
    let fixed = ok(d.store.correct_session(&manager, &correction("实际只用了半小时", 1_000), later));
    assert_eq!(
        (fixed.ended_at, fixed.fee_fen, fixed.waived_fen, fixed.corrected),
        (Some(start + Duration::minutes(30)), 5_000, 1_000, true)
    );
    assert_eq!((fixed.purpose, fixed.samples), (Purpose::Teaching, 4));
    let detail: String = ok(d.store.conn().query_row(
        "SELECT detail FROM audit_log WHERE action = 'correct' AND entity_id = ?1 AND actor_id = ?2",
        [&s.id, &manager],
        |r| r.get(0),
    ));
    let detail: serde_json::Value = ok(serde_json::from_str(&detail));
    assert_eq!(detail["reason"], "实际只用了半小时");
    assert_eq!((detail["before"]["fee_fen"].as_i64(), detail["before"]["purpose"].as_str()), (Some(10_000), Some("testing")));
    assert_eq!(detail["after"]["waived_fen"].as_i64(), Some(1_000));
    let day = start.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let figures = ok(d.store.indicators(day, day, incubook::indicators::GroupBy::Instrument, later));
    let laser =
        figures.rows.iter().find(|r| r.id == d.equipment).map(|r| (r.figures.effective_seconds, r.figures.internal_income_fen));
    assert_eq!(laser, Some((30 * 60, 4_000)), "the figures count the corrected time and what was charged after the waiver");
}

#[test]
fn a_months_statement_lists_each_charged_session_with_its_waiver_and_adds_up_to_the_fen() {
    use incubook::i18n::Lang;
    use incubook::statement::{StatementOf, statement_csv, statement_xlsx};
    let mut d = district();
    priced(&mut d);
    let (founder, outsider, manager, lab) = (d.founders[0].clone(), d.outsider.clone(), d.manager.clone(), d.lab.clone());
    let used = |d: &mut District, who: &str, start: DateTime<Utc>, minutes: i64| {
        let b = book(d, who, start, 60);
        let s = ok(d.store.check_in(who, &b.id, Purpose::Testing, 0, start));
        ok(d.store.check_out(who, &s.id, start + Duration::minutes(minutes)))
    };
    // Hers: 60 min at ¥100/h = ¥100, and 20 min → two quarters = ¥50, of which ¥20 is waived.
    used(&mut d, &founder, cst(2026, 12, 8, 9, 0), 60);
    let short = used(&mut d, &founder, cst(2026, 12, 9, 9, 0), 20);
    let waiver = incubook::command::Command::CorrectSession {
        session_id: short.id.clone(),
        started_at: short.started_at,
        ended_at: short.ended_at.unwrap_or(short.started_at),
        purpose: Purpose::Testing,
        samples: 0,
        waived_fen: 2_000,
        reason: "设备预热耽误".into(),
    };
    ok(d.store.correct_session(&manager, &waiver, cst(2026, 12, 9, 12, 0)));
    // Another makerspace's founder: 45 min at ¥200/h = ¥150.
    used(&mut d, &outsider, cst(2026, 12, 10, 9, 0), 45);

    let hers = ok(d.store.statement(StatementOf::Person(&founder), "2026-12"));
    assert_eq!(hers.lines.len(), 2);
    assert_eq!((hers.fee_fen, hers.waived_fen, hers.due_fen), (15_000, 2_000, 13_000));
    let labs = ok(d.store.statement(StatementOf::Lab(&lab), "2026-12"));
    assert_eq!((labs.lines.len(), labs.due_fen), (3, 28_000));
    assert!(ok(d.store.statement(StatementOf::Lab(&lab), "2026-11")).lines.is_empty());
    assert_eq!(code(d.store.statement(StatementOf::Lab(&lab), "2026-13")), "invalid.month");

    let csv = ok(statement_csv(&labs, Lang::Zh));
    assert!(csv.starts_with("\u{feff}日期,仪器,实验室,使用人,用户类别,用途,开始,结束"), "{csv}");
    assert!(csv.contains("区内其他空间") && csv.contains("已更正"), "{csv}");
    assert!(csv.trim_end().ends_with("合计,,,,,,,,,300.00,20.00,280.00,"), "{csv}");
    let rows = xlsx_rows(ok(statement_xlsx(&labs, Lang::En)));
    assert_eq!(rows[0][11], "Due (yuan)");
    let last = rows.last().cloned().unwrap_or_default();
    assert_eq!((last[0].as_str(), last[11].as_str()), ("Total", "280"));
}
