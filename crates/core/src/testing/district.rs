//! A small district in memory, built the way users build one (people, a mentor, a lab and an
//! instrument through `apply`), so that the core's rules are tested where they live, in
//! milliseconds: the same district the store's tests build on SQLite (`tests/common`).

use chrono::{DateTime, TimeZone, Utc};

use super::MemoryLedger;
use crate::command::{Command, NewEquipment, NewLab, NewMentor, NewPerson};
use crate::domain::{Makerspace, Policy, Role, RoleGrant, Visibility, WeeklyHours};
use crate::error::CoreError;
use crate::ledger::{DirectoryEffect, Ledger};

/// Monday 2026-12-07 00:00 UTC: the tests' "now".
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).single().unwrap_or_default()
}

/// An instant given as Shanghai wall-clock time.
pub fn cst(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    crate::clock::DISTRICT_ZONE.with_ymd_and_hms(y, mo, d, h, mi, 0).single().map(|t| t.to_utc()).unwrap_or_default()
}

pub fn weekdays(start_min: u16, end_min: u16) -> Vec<WeeklyHours> {
    (0..5).map(|weekday| WeeklyHours { weekday, start_min, end_min }).collect()
}

/// A mentor's rules: an hour's notice of two, 30/60/90 minutes on a half-hour grid, 15
/// minutes kept after each session, three a day and eight a week.
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

pub struct MemoryDistrict {
    pub ledger: MemoryLedger,
    pub admin: String,
    pub manager: String,
    pub founders: Vec<String>,
    /// A founder of the second makerspace.
    pub outsider: String,
    pub mentor_person: String,
    pub mentor: String,
    pub lab: String,
    pub equipment: String,
}

impl MemoryDistrict {
    /// Two makerspaces of the district; in the first an admin, a lab manager, four founders, a
    /// mentor (weekdays 9–12) and a laser cutter (weekdays 9–18) in its lab.
    pub fn new(mentor: Policy, equipment: Policy) -> MemoryDistrict {
        let mut ledger = MemoryLedger::default();
        for (id, code, name) in [("ms-1", "PD-0001", "张江众创空间"), ("ms-2", "PD-0002", "陆家嘴孵化器")] {
            let makerspace = Makerspace {
                id: id.into(),
                code: code.into(),
                name: name.into(),
                address: "上海市浦东新区".into(),
                timezone: crate::clock::DISTRICT_ZONE.name().into(),
            };
            ledger.makerspaces.insert(id.into(), makerspace);
        }
        // The first admin is made as the district's setup makes one: not by a command.
        let admin = "admin".to_string();
        let blank = NewPerson {
            name: "王管理".into(),
            phone: None,
            email: None,
            startup_name: None,
            industry: None,
            stage: None,
            roles: Vec::new(),
        };
        let at = now().timestamp();
        let written = ledger
            .write(DirectoryEffect::InsertPerson { id: &admin, name: "王管理", person: &blank, at })
            .and_then(|()| {
                ledger.write(DirectoryEffect::GrantRole { person_id: &admin, makerspace_id: "ms-1", role: Role::SpaceAdmin })
            })
            .and_then(|()| {
                ledger.write(DirectoryEffect::GrantRole { person_id: &admin, makerspace_id: "ms-2", role: Role::SpaceAdmin })
            });
        if let Err(never) = written {
            match never {}
        }
        let mut d = MemoryDistrict {
            ledger,
            admin,
            manager: "manager".into(),
            founders: (0..4).map(|i| format!("founder-{i}")).collect(),
            outsider: "outsider".into(),
            mentor_person: "mentor-person".into(),
            mentor: "mentor".into(),
            lab: "lab".into(),
            equipment: "laser".into(),
        };
        d.person("manager", "李实验", "PD-0001", Role::LabManager);
        for (i, id) in d.founders.clone().iter().enumerate() {
            d.person(id, &format!("创业者{i}"), "PD-0001", Role::Founder);
        }
        d.person("outsider", "外空间创业者", "PD-0002", Role::Founder);
        d.person("mentor-person", "张导师", "PD-0001", Role::Mentor);
        let new_mentor = NewMentor {
            full_time: false,
            person_id: d.mentor_person.clone(),
            makerspace_code: "PD-0001".into(),
            title: "投资人".into(),
            bio: "专注早期融资".into(),
            tags: vec!["fundraising".into()],
            industries: vec!["人工智能".into()],
            languages: vec!["zh".into()],
            formats: vec!["online".into()],
            visibility: Visibility::District,
            timezone: None,
            policy: mentor,
            weekly_hours: weekdays(540, 720),
        };
        d.setup(Command::CreateMentor { mentor_id: d.mentor.clone(), mentor: new_mentor });
        let lab = NewLab {
            makerspace_code: "PD-0001".into(),
            name: "张江公共技术服务平台".into(),
            description: String::new(),
            manager_ids: vec![d.manager.clone()],
        };
        d.setup(Command::CreateLab { lab_id: d.lab.clone(), lab });
        let laser = NewEquipment {
            lab_id: d.lab.clone(),
            name: "激光切割机".into(),
            category: "laser_cutter".into(),
            model: "CMA1390".into(),
            hourly_fee_cents: 12_000,
            subsidy_pct: 30,
            policy: equipment,
            weekly_hours: weekdays(540, 1080),
        };
        let manager = d.manager.clone();
        d.run(&manager, Command::CreateEquipment { equipment_id: d.equipment.clone(), equipment: laser });
        d
    }

    fn person(&mut self, id: &str, name: &str, makerspace_code: &str, role: Role) {
        let person = NewPerson {
            name: name.into(),
            phone: None,
            email: None,
            startup_name: None,
            industry: None,
            stage: None,
            roles: vec![RoleGrant { makerspace_code: makerspace_code.into(), role }],
        };
        self.setup(Command::CreatePerson { person_id: id.into(), person });
    }

    fn setup(&mut self, command: Command) {
        let admin = self.admin.clone();
        self.run(&admin, command);
    }

    fn run(&mut self, person: &str, command: Command) {
        if let Err(e) = self.ledger.apply(person, &command, now().timestamp()) {
            panic!("building the district: {e}");
        }
    }

    /// Applies a command at `now` as `person`: all of it, or nothing and why.
    pub fn apply(&mut self, person: &str, command: &Command, now: DateTime<Utc>) -> Result<(), CoreError> {
        self.ledger.apply(person, command, now.timestamp())
    }
}
