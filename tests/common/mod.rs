//! A small district on a real SQLite file, built through the public API.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use incubook::domain::{Policy, Role, RoleGrant, Visibility, WeeklyHours};
use incubook::store::{NewEquipment, NewLab, NewMakerspace, NewMentor, NewPerson, Store};

/// Monday 2026-12-07 08:00 in Shanghai.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).single().unwrap_or_default()
}

/// An instant given as Shanghai wall-clock time.
pub fn cst(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    chrono_tz::Asia::Shanghai.with_ymd_and_hms(y, mo, d, h, mi, 0).single().map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

pub fn weekdays(start_min: u16, end_min: u16) -> Vec<WeeklyHours> {
    (0..5).map(|weekday| WeeklyHours { weekday, start_min, end_min }).collect()
}

pub struct District {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub admin: String,
    pub manager: String,
    pub founders: Vec<String>,
    /// A founder of the second makerspace.
    pub outsider: String,
    pub outsider_admin: String,
    pub outsider_manager: String,
    pub mentor_person: String,
    pub mentor: String,
    pub lab: String,
    pub equipment: String,
}

impl District {
    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("incubook.db")
    }
}

pub fn mentor_policy() -> Policy {
    Policy {
        capacity: 1,
        granularity_min: 30,
        min_duration_min: 30,
        max_duration_min: 120,
        durations_min: vec![30, 60, 90],
        min_notice_min: 120,
        horizon_days: 30,
        cancel_cutoff_min: 24 * 60,
        buffer_before_min: 0,
        buffer_after_min: 15,
        max_per_day: Some(3),
        max_per_week: Some(8),
        max_per_person: None,
        approval_required: false,
        qualification_required: false,
    }
}

pub fn equipment_policy(capacity: u32) -> Policy {
    Policy {
        capacity,
        granularity_min: 30,
        min_duration_min: 30,
        max_duration_min: 240,
        durations_min: vec![],
        min_notice_min: 60,
        horizon_days: 30,
        cancel_cutoff_min: 120,
        buffer_before_min: 0,
        buffer_after_min: 0,
        max_per_day: None,
        max_per_week: None,
        max_per_person: None,
        approval_required: false,
        qualification_required: false,
    }
}

fn person(store: &mut Store, actor: Option<&str>, name: &str, grants: &[(&str, Role)]) -> String {
    let new = NewPerson {
        name: name.into(),
        phone: Some("13900000000".into()),
        email: Some(format!("{}@example.cn", name.len())),
        roles: grants.iter().map(|(code, role)| RoleGrant { makerspace_code: code.to_string(), role: *role }).collect(),
        ..NewPerson::default()
    };
    store.create_person(actor, &new, now()).map(|p| p.id).unwrap_or_else(|e| panic!("person {name}: {e}"))
}

/// Two makerspaces; a mentor (weekdays 09:00–12:00) and a 1-unit equipment (weekdays
/// 09:00–18:00) in the first.
pub fn district_with(mentor: Policy, equipment: Policy) -> District {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut store = Store::open(&dir.path().join("incubook.db")).unwrap_or_else(|e| panic!("open: {e}"));
    let t = now();
    let ms = |code: &str, name: &str| NewMakerspace {
        code: code.into(),
        name: name.into(),
        address: "上海市浦东新区".into(),
        timezone: "Asia/Shanghai".into(),
    };
    store.create_makerspace(None, &ms("PD-0001", "张江众创空间"), t).unwrap_or_else(|e| panic!("{e}"));
    let admin = person(&mut store, None, "王管理", &[("PD-0001", Role::SpaceAdmin)]);
    store.create_makerspace(Some(&admin), &ms("PD-0002", "陆家嘴孵化器"), t).unwrap_or_else(|e| panic!("{e}"));
    // The first admin registers PD-0002, hands it to its own admin, and steps back.
    let outsider_admin = person(&mut store, Some(&admin), "赵管理", &[("PD-0002", Role::SpaceAdmin)]);
    store.set_role(&admin, &admin, "PD-0002", Role::SpaceAdmin, false, t).unwrap_or_else(|e| panic!("{e}"));
    let manager = person(&mut store, Some(&admin), "李实验", &[("PD-0001", Role::LabManager)]);
    let founders =
        (0..4).map(|i| person(&mut store, Some(&admin), &format!("创业者{i}"), &[("PD-0001", Role::Founder)])).collect();
    let outsider = person(&mut store, Some(&outsider_admin), "外空间创业者", &[("PD-0002", Role::Founder)]);
    let outsider_manager = person(&mut store, Some(&outsider_admin), "外空间实验员", &[("PD-0002", Role::LabManager)]);
    let mentor_person = person(&mut store, Some(&admin), "张导师", &[("PD-0001", Role::Mentor)]);
    let mentor = store
        .create_mentor(
            &admin,
            &NewMentor {
                full_time: false,
                person_id: mentor_person.clone(),
                makerspace_code: "PD-0001".into(),
                title: "投资人".into(),
                bio: "专注早期融资".into(),
                tags: vec!["fundraising".into(), "法务".into()],
                industries: vec!["人工智能".into()],
                languages: vec!["zh".into(), "English".into()],
                formats: vec!["online".into()],
                visibility: Visibility::District,
                timezone: None,
                policy: mentor,
                weekly_hours: weekdays(540, 720),
            },
            t,
        )
        .unwrap_or_else(|e| panic!("mentor: {e}"))
        .id;
    let lab = store
        .create_lab(
            &admin,
            &NewLab {
                makerspace_code: "PD-0001".into(),
                name: "张江公共技术服务平台".into(),
                description: String::new(),
                manager_ids: vec![manager.clone()],
            },
            t,
        )
        .unwrap_or_else(|e| panic!("lab: {e}"))
        .id;
    let equipment = store
        .create_equipment(
            &manager,
            &NewEquipment {
                lab_id: lab.clone(),
                name: "激光切割机".into(),
                category: "laser_cutter".into(),
                model: "CMA1390".into(),
                hourly_fee_cents: 12_000,
                subsidy_pct: 30,
                policy: equipment,
                weekly_hours: weekdays(540, 1080),
            },
            t,
        )
        .unwrap_or_else(|e| panic!("equipment: {e}"))
        .id;
    District {
        dir,
        store,
        admin,
        manager,
        founders,
        outsider,
        outsider_admin,
        outsider_manager,
        mentor_person,
        mentor,
        lab,
        equipment,
    }
}

pub fn district() -> District {
    district_with(mentor_policy(), equipment_policy(1))
}

pub fn count(store: &Store, table: &str) -> i64 {
    store.conn().query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0)).unwrap_or(-1)
}

pub fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("{e}"))
}

/// The code of the error a call must fail with.
pub fn code<T: std::fmt::Debug>(result: Result<T, incubook::CoreError>) -> String {
    match result {
        Err(e) => e.code(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

/// A seed-stage AI team of three: the startup the mentoring tests book for.
pub fn team(name: &str) -> incubook::startup::NewStartup {
    incubook::startup::NewStartup {
        name: name.into(),
        kind: incubook::startup::StartupKind::Team,
        credit_code: None,
        stage: "种子期".into(),
        industry: "人工智能".into(),
        headcount: 3,
        description: String::new(),
    }
}
