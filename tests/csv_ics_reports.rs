//! CSV import (Excel/WPS files, Chinese text, all-or-nothing), ICS export and reports.

mod common;

use chrono::Duration;
use common::{count, cst, district, now};
use incubook::CoreError;
use incubook::csv_import::{ImportKind, parse_weekly_hours};
use incubook::i18n::Lang;
use incubook::store::{MentorSearch, NewBooking};

fn no_progress() -> impl FnMut(usize, usize) {
    |_, _| {}
}

const MENTORS_ZH: &str = "姓名,空间编码,电话,邮箱,头衔,专长,行业,语言,简介,可见范围,预约方式,辅导时长,每周时间\n\
林晓东,PD-0001,13800001111,lin@example.cn,前投资经理,融资；法务,人工智能、集成电路,中文；英语,\"十年投资经验，擅长早期项目\",全区,即时,30;60,1-5 14:00-17:00\n\
周若曦,PD-0001,,,专利代理人,知识产权,生物医药,中文,专注专利布局,本空间,审核,60,\"2,4 09:00-12:00 13:00-15:00\"\n";

#[test]
fn mentors_import_from_an_excel_file_with_bom_and_chinese_headers() {
    let mut d = district();
    let admin = d.admin.clone();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(MENTORS_ZH.as_bytes());
    let mut seen = Vec::new();
    let summary = d
        .store
        .import_csv(&admin, ImportKind::Mentors, &bytes, now(), &mut |done, total| seen.push((done, total)))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.rows, 2);
    assert_eq!(seen, vec![(1, 2), (2, 2)], "progress per row");
    let lin = d.store.mentor(&summary.created_ids[0]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lin.name, "林晓东");
    assert_eq!(lin.tags, vec!["fundraising", "legal"]);
    assert_eq!(lin.languages, vec!["en", "zh"]);
    assert_eq!(lin.industries, vec!["人工智能", "集成电路"]);
    assert_eq!(lin.policy.durations_min, vec![30, 60]);
    assert_eq!(lin.weekly_hours.len(), 5);
    let zhou = d.store.mentor(&summary.created_ids[1]).unwrap_or_else(|e| panic!("{e}"));
    assert!(zhou.policy.approval_required);
    assert_eq!(zhou.weekly_hours.len(), 4, "Tue and Thu, two ranges each");
    // 本空间: members of PD-0001 find her, others do not.
    let search =
        |viewer: &str| MentorSearch {
            tag: Some("知识产权".into()), viewer_id: Some(viewer.into()), ..MentorSearch::default()
        };
    let found = d.store.search_mentors(&search(&d.founders[0]), now()).unwrap_or_default();
    assert_eq!(found.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["周若曦"]);
    assert!(d.store.search_mentors(&search(&d.outsider), now()).unwrap_or_default().is_empty());
}

#[test]
fn a_bad_row_is_reported_by_line_and_field_and_nothing_is_written() {
    let mut d = district();
    let admin = d.admin.clone();
    let csv = "name,makerspace_code,tags,weekly_hours,email\n\
               好导师,PD-0001,fundraising,1-5 09:00-12:00,ok@example.cn\n\
               坏专长,PD-0001,astrology,1-5 09:00-12:00,\n\
               坏时间,PD-0001,legal,1-5 12:00-09:00,\n\
               坏邮箱,PD-0001,legal,,not-an-email\n\
               别的空间,PD-0002,legal,,\n";
    let before = (count(&d.store, "mentor"), count(&d.store, "person"), count(&d.store, "audit_log"));
    let err = d.store.import_csv(&admin, ImportKind::Mentors, csv.as_bytes(), now(), &mut no_progress()).err();
    let Some(CoreError::Csv(rows)) = err else { panic!("expected row errors, got {err:?}") };
    let got: Vec<(u64, &str)> = rows.iter().map(|r| (r.line, r.field.as_str())).collect();
    assert_eq!(got, vec![(3, "tags"), (4, "weekly_hours"), (5, "email"), (6, "makerspace_code")]);
    assert_eq!((count(&d.store, "mentor"), count(&d.store, "person"), count(&d.store, "audit_log")), before);
}

#[test]
fn broken_files_are_refused_whole() {
    let mut d = district();
    let admin = d.admin.clone();
    let gbk_name: &[u8] = b"name,makerspace_code,tags\n\xc1\xd6\xcf\xfe,PD-0001,legal\n";
    let missing_column = "name,tags\n张三,legal\n";
    let ragged = "name,makerspace_code,tags\n张三,PD-0001\n";
    for bytes in [gbk_name, missing_column.as_bytes(), ragged.as_bytes()] {
        let err = d.store.import_csv(&admin, ImportKind::Mentors, bytes, now(), &mut no_progress()).err();
        assert_eq!(err.as_ref().map(CoreError::code), Some("invalid.csv".to_string()), "{err:?}");
    }
    assert_eq!(count(&d.store, "mentor"), 1);
}

#[test]
fn equipment_imports_into_own_labs_only() {
    let mut d = district();
    let csv = "makerspace_code,lab,name,category,capacity,granularity_min,min_minutes,max_minutes,qualification_required,hourly_fee,subsidy_pct,weekly_hours\n\
               PD-0001,张江公共技术服务平台,示波器 2号,oscilloscope,4,30,30,480,否,20.5,10,1-5 09:00-21:00\n\
               PD-0001,张江公共技术服务平台,扫描电镜,sem,1,60,60,240,是,600,50,1-5 09:00-17:00\n";
    let manager = d.manager.clone();
    let summary = d
        .store
        .import_csv(&manager, ImportKind::Equipment, csv.as_bytes(), now(), &mut no_progress())
        .unwrap_or_else(|e| panic!("{e}"));
    let scope = d.store.equipment_by_id(&summary.created_ids[0]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((scope.policy.capacity, scope.hourly_fee_cents, scope.subsidy_pct), (4, 2050, 10));
    let sem = d.store.equipment_by_id(&summary.created_ids[1]).unwrap_or_else(|e| panic!("{e}"));
    assert!(sem.policy.qualification_required);
    let outsider = d.outsider_manager.clone();
    let err = d.store.import_csv(&outsider, ImportKind::Equipment, csv.as_bytes(), now(), &mut no_progress()).err();
    assert!(matches!(err, Some(CoreError::Csv(rows)) if rows.len() == 2 && rows[0].field == "makerspace_code"));
}

#[test]
fn weekly_hours_text_is_parsed_or_refused() {
    assert_eq!(parse_weekly_hours("6-7 10:00-16:00").map(|h| h.len()), Ok(2));
    assert!(parse_weekly_hours("8 10:00-11:00").is_err());
    assert!(parse_weekly_hours("1 10:00").is_err());
    assert!(parse_weekly_hours("1 25:00-26:00").is_err());
}

#[test]
fn ics_export_has_utc_times_and_stable_uids() {
    let mut d = district();
    let f = d.founders[0].clone();
    let start = cst(2026, 12, 8, 9, 0);
    let m = d.mentor.clone();
    let b = d
        .store
        .book(
            &f,
            &NewBooking { format: None, resource_id: m, start, end: start + Duration::hours(1), topic: "融资路演".into() },
            now(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let views = d.store.bookings_of(&f).unwrap_or_default();
    let zh = incubook::ics::bookings_to_ics(&views, Lang::Zh);
    let again = incubook::ics::bookings_to_ics(&views, Lang::Zh);
    let uid_lines = |text: &str| text.lines().filter(|l| l.starts_with("UID:")).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(uid_lines(&zh), vec![format!("UID:{}@incubook", b.id)]);
    assert_eq!(uid_lines(&zh), uid_lines(&again));
    assert!(zh.contains("DTSTART:20261208T010000Z"), "{zh}");
    assert!(zh.contains("DTEND:20261208T020000Z"));
    assert!(zh.contains("SUMMARY:导师辅导：张导师"));
    assert!(zh.lines().all(|l| l.len() <= 75 + 2), "lines are folded at 75 octets");
    let en = incubook::ics::bookings_to_ics(&views, Lang::En);
    assert!(en.contains("SUMMARY:Mentor session: 张导师"));
    let parsed: icalendar::Calendar = zh.parse().unwrap_or_else(|e| panic!("not parseable: {e}"));
    assert_eq!(parsed.components.len(), 1);
}

#[test]
fn reports_count_hours_and_open_in_excel() {
    let mut d = district();
    let (f, m, mp, e) = (d.founders[0].clone(), d.mentor.clone(), d.mentor_person.clone(), d.equipment.clone());
    let start = cst(2026, 12, 8, 9, 0);
    let b = d
        .store
        .book(
            &f,
            &NewBooking { format: None, resource_id: m, start, end: start + Duration::minutes(90), topic: String::new() },
            now(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    d.store.complete(&mp, &b.id, start + Duration::hours(2)).unwrap_or_else(|e| panic!("{e}"));
    let eq_start = cst(2026, 12, 8, 10, 0);
    d.store
        .book(
            &f,
            &NewBooking {
                format: None,
                resource_id: e,
                start: eq_start,
                end: eq_start + Duration::hours(2),
                topic: String::new(),
            },
            now(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap_or_default();
    let mentors = d.store.mentor_report(day, day).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mentors.by_mentor.len(), 1);
    assert_eq!((mentors.by_mentor[0].sessions, mentors.by_mentor[0].hours), (1, 1.5));
    let legal = mentors.by_expertise.iter().find(|x| x.tag == "legal").map(|x| x.hours);
    assert_eq!(legal, Some(1.5));
    let csv = incubook::report::mentor_hours_csv(&mentors, Lang::Zh).unwrap_or_default();
    assert!(csv.starts_with('\u{feff}'), "BOM for Excel");
    assert!(csv.contains("\r\n"));
    assert!(csv.contains("张导师,PD-0001,融资、法务,1,1.5,0,"), "{csv}");
    let equipment = d.store.equipment_report(day, day).unwrap_or_else(|e| panic!("{e}"));
    // Two of nine open hours.
    assert_eq!(equipment.by_equipment[0].utilization_pct, 22.2);
    assert_eq!(equipment.by_lab[0].utilization_pct, 22.2);
    let lab_csv = incubook::report::lab_use_csv(&equipment, Lang::En).unwrap_or_default();
    assert!(lab_csv.contains("Lab,Makerspace,Equipment,Bookings,Booked hours,Open hours,Utilization (%)"));
}

#[test]
fn an_instrument_booking_in_ics_carries_the_code_the_kiosk_asks_for() {
    use icalendar::Component;
    let mut d = district();
    let (f, e) = (d.founders[0].clone(), d.equipment.clone());
    let start = cst(2026, 12, 8, 10, 0);
    let b = d
        .store
        .book(
            &f,
            &NewBooking { format: None, resource_id: e, start, end: start + Duration::hours(1), topic: String::new() },
            now(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let views = d.store.bookings_of(&f).unwrap_or_default();
    let parsed: icalendar::Calendar =
        incubook::ics::bookings_to_ics(&views, Lang::Zh).parse().unwrap_or_else(|e| panic!("not parseable: {e}"));
    let event = parsed.components.iter().find_map(|c| c.as_event()).unwrap_or_else(|| panic!("no event"));
    let description = event.get_description().unwrap_or_default();
    let code = d.store.check_in_code_for(&f, &b.id).unwrap_or_else(|e| panic!("{e}"));
    assert!(description.contains(&format!("签到码: {code}")), "{description}");
}
