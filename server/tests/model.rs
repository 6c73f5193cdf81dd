//! The model-based property test, on every backend through one macro: random sequences of
//! book, cancel, reschedule, blackout and rule changes, weekly series (all or nothing, or
//! skipping conflicts) and their cancellation from one on (and malformed requests), applied as
//! commands to the in-memory ledger, to the SQLite server and to the PostgreSQL server (by
//! push, so PostgreSQL's optimistic, batch and locking paths all run), and to a brute-force
//! reference model. After every operation the backend's active bookings must be exactly
//! the model's: it accepts what the model accepts (invariant 2), never holds more than the
//! capacity at any instant (invariant 1), and bad input changes nothing (invariant 6).
//!
//! `INCUBOOK_MODEL_CASES` sets the number of cases per backend (about 100 operations each):
//! 1,050 by default (over 10⁵ operations), 10,500 in `make soak`.

mod common;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use common::{TempDatabase, fresh_postgres_database, ok};
use incubook::command::{Command, NewEquipment, NewLab, NewMentor};
use incubook::domain::{Blackout, BlackoutWhen, Makerspace, Policy, ResourceKind, Role, Visibility, WeeklyHours, new_id};
use incubook::ledger::MentorFacts;
use incubook::rules::ResourceRules;
use incubook::sync::{PushRequest, PushedMutation};
use incubook_core::testing::MemoryLedger;
use incubook_server::db::{Database, PostgresDatabase, ServerRole, SqliteDatabase};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const SPACE: &str = "PD-0001";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 0, 0, 0).single().unwrap_or_default()
}

/// Instants are UTC seconds; day 0 is Tuesday 2026-12-08, slot k is 08:00 + 30k minutes.
fn cst(day: i64, minutes: i64) -> i64 {
    chrono_tz::Asia::Shanghai.with_ymd_and_hms(2026, 12, 8, 0, 0, 0).single().map(|t| t.timestamp()).unwrap_or(0)
        + day * 86_400
        + minutes * 60
}

fn at(day: i64, slot: i64) -> i64 {
    cst(day, 480 + slot * 30)
}

fn utc(t: i64) -> DateTime<Utc> {
    incubook::domain::to_utc(t)
}

fn local_day(t: i64) -> i64 {
    (t - cst(0, 0)).div_euclid(86_400)
}

fn weekly(open: (i64, i64)) -> Vec<WeeklyHours> {
    (0..5).map(|weekday| WeeklyHours { weekday, start_min: open.0 as u16, end_min: open.1 as u16 }).collect()
}

fn mentor_policy() -> Policy {
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
        max_per_week: None,
        max_per_person: None,
        approval_required: false,
        qualification_required: false,
    }
}

fn equipment_policy(capacity: u32) -> Policy {
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

/// A district's storage as the model test drives it.
trait Backend {
    /// A new person with roles in the makerspace, who can give commands.
    fn person(&mut self, name: &str, roles: &[Role]) -> String;
    /// Applies a command as `person`: `Err(code)` when it is refused.
    fn apply(&mut self, person: &str, command: &Command) -> Result<(), String>;
    /// The resource's active bookings: (id, start, end), by id.
    fn active(&mut self, resource_id: &str) -> Vec<(String, i64, i64)>;
    /// A new case begins: nothing of the earlier cases is asked for again.
    fn start_case(&mut self) {}
}

/// The in-memory ledger: `apply` over plain maps.
struct Memory {
    ledger: MemoryLedger,
    makerspace: String,
    /// The district's own people, made before the first case; each case adds its mentor.
    district: Option<std::collections::BTreeSet<String>>,
}

impl Memory {
    fn new() -> Memory {
        let mut ledger = MemoryLedger::default();
        let id = new_id();
        let space = Makerspace {
            id: id.clone(),
            code: SPACE.into(),
            name: "张江众创空间".into(),
            address: String::new(),
            timezone: "Asia/Shanghai".into(),
        };
        ledger.makerspaces.insert(id.clone(), space);
        Memory { ledger, makerspace: id, district: None }
    }
}

impl Backend for Memory {
    fn person(&mut self, name: &str, roles: &[Role]) -> String {
        let id = new_id();
        self.ledger.people.insert(id.clone(), roles.iter().map(|r| (self.makerspace.clone(), *r)).collect());
        self.ledger.names.insert(id.clone(), name.into());
        id
    }

    fn apply(&mut self, person: &str, command: &Command) -> Result<(), String> {
        let result = self.ledger.apply(person, command, now().timestamp()).map_err(|e| e.code());
        // The memory ledger keeps rules, not catalogue rows: a new resource gets its rules
        // here, as the SQL backends read them back from the rows they wrote.
        if result.is_ok() {
            self.keep_rules_of(person, command);
        }
        result
    }

    /// The memory ledger copies itself to undo a refused command: it forgets the earlier
    /// cases' mentors, resources and bookings, so that a copy costs one case, not the whole run.
    fn start_case(&mut self) {
        let l = &mut self.ledger;
        let district = self.district.get_or_insert_with(|| l.people.keys().cloned().collect());
        l.people.retain(|id, _| district.contains(id));
        l.names.retain(|id, _| district.contains(id));
        l.resources.clear();
        l.mentors.clear();
        l.bookings.clear();
        l.waitlist.clear();
        l.notifications.clear();
        l.audit.clear();
    }

    fn active(&mut self, resource_id: &str) -> Vec<(String, i64, i64)> {
        let mut out: Vec<_> =
            self.ledger.active_of(resource_id).into_iter().map(|b| (b.id.clone(), b.span.start, b.span.end)).collect();
        out.sort();
        out
    }
}

impl Memory {
    fn keep_rules_of(&mut self, _person: &str, command: &Command) {
        let (id, kind, name, policy, weekly) = match command {
            Command::CreateEquipment { equipment_id, equipment } => (
                equipment_id,
                ResourceKind::Equipment,
                equipment.name.clone(),
                equipment.policy.clone(),
                equipment.weekly_hours.clone(),
            ),
            Command::CreateMentor { mentor_id, mentor } => {
                self.ledger.mentors.insert(
                    mentor_id.clone(),
                    MentorFacts { person_id: mentor.person_id.clone(), visibility: mentor.visibility },
                );
                (mentor_id, ResourceKind::Mentor, String::new(), mentor.policy.clone(), mentor.weekly_hours.clone())
            }
            _ => return,
        };
        let rules = ResourceRules {
            id: id.clone(),
            kind,
            makerspace_id: self.makerspace.clone(),
            name,
            tz: chrono_tz::Asia::Shanghai,
            active: true,
            policy,
            weekly,
            overrides: Vec::new(),
            blackouts: Vec::new(),
        };
        self.ledger.resources.insert(id.clone(), rules);
    }
}

/// A backend's active bookings of a resource, read from its own rows.
type ReadActive = Box<dyn FnMut(&str) -> Vec<(String, i64, i64)>>;

/// A district server's database, driven by push as a desktop would; its rows are read back
/// directly.
struct Server {
    db: Arc<dyn Database>,
    read: ReadActive,
    /// Each person pushes from one client, numbering its mutations.
    clients: HashMap<String, i64>,
    _dir: tempfile::TempDir,
    _postgres: Option<TempDatabase>,
}

const ACTIVE_SQL: &str = "SELECT id, start_at, end_at FROM booking WHERE resource_id = $1 AND status IN ('requested', 'confirmed') AND deleted = 0 ORDER BY id";

impl Server {
    fn sqlite() -> Server {
        // Every push syncs the log: on tmpfs, where there is one, so that 10⁵ of them are quick.
        let dir =
            ok(if std::path::Path::new("/dev/shm").is_dir() { tempfile::tempdir_in("/dev/shm") } else { tempfile::tempdir() });
        let path = dir.path().join("district.db");
        let db: Arc<dyn Database> = Arc::new(ok(SqliteDatabase::open(&path)));
        let reader = ok(rusqlite::Connection::open(&path));
        let read = Box::new(move |resource: &str| {
            let mut stmt = ok(reader.prepare_cached(&ACTIVE_SQL.replace('$', "?")));
            ok(ok(stmt.query_map([resource], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))).collect::<rusqlite::Result<Vec<_>>>())
        });
        Server::seeded(db, read, dir, None)
    }

    fn postgres() -> Server {
        let temp = fresh_postgres_database();
        // A commit need not wait for its log here: the model asks for agreement, not durability.
        let mut admin = ok(postgres::Client::connect(&common::postgres_admin_url(), postgres::NoTls));
        ok(admin.batch_execute(&format!("ALTER DATABASE {} SET synchronous_commit TO off", temp.name)));
        let db: Arc<dyn Database> = Arc::new(ok(PostgresDatabase::open(&temp.url)));
        let mut reader = ok(postgres::Client::connect(&temp.url, postgres::NoTls));
        let read = Box::new(move |resource: &str| {
            ok(reader.query(ACTIVE_SQL, &[&resource])).iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect()
        });
        Server::seeded(db, read, ok(tempfile::tempdir()), Some(temp))
    }

    fn seeded(db: Arc<dyn Database>, read: ReadActive, dir: tempfile::TempDir, postgres: Option<TempDatabase>) -> Server {
        ok(db.add_makerspace(SPACE, "张江众创空间"));
        Server { db, read, clients: HashMap::new(), _dir: dir, _postgres: postgres }
    }
}

impl Backend for Server {
    fn person(&mut self, name: &str, roles: &[Role]) -> String {
        let roles: Vec<ServerRole> = roles
            .iter()
            .map(|r| match r {
                Role::Founder => ServerRole::Founder,
                Role::Mentor => ServerRole::Mentor,
                Role::LabManager => ServerRole::LabManager,
                Role::SpaceAdmin => ServerRole::SpaceAdmin,
            })
            .collect();
        let username = format!("{name}-{}", new_id());
        ok(self.db.add_account(SPACE, &username, "not a hash: nobody signs in", &roles, None, now().timestamp()))
    }

    fn apply(&mut self, person: &str, command: &Command) -> Result<(), String> {
        let id = self.clients.entry(person.to_string()).or_insert(0);
        *id += 1;
        let request = PushRequest { client_id: format!("c-{person}"), mutations: vec![ok(PushedMutation::new(*id, command))] };
        // A push from nobody (no such account) is refused whole.
        let answer = self.db.push(person, &request, now()).map_err(|e| e.code().to_string())?;
        match answer.outcomes.first() {
            Some(o) if o.applied => Ok(()),
            Some(o) => Err(o.code.clone().unwrap_or_default()),
            None => Err("no outcome".into()),
        }
    }

    fn active(&mut self, resource_id: &str) -> Vec<(String, i64, i64)> {
        let mut out = (self.read)(resource_id);
        out.sort();
        out
    }
}

#[derive(Debug, Clone)]
enum Op {
    Book {
        mentor: bool,
        founder: usize,
        day: i64,
        slot: i64,
        len: i64,
    },
    Cancel {
        pick: usize,
    },
    Reschedule {
        pick: usize,
        day: i64,
        slot: i64,
        len: i64,
    },
    Blackout {
        mentor: bool,
        day: i64,
        slot: i64,
        len: i64,
        cancel: bool,
    },
    Rules {
        mentor: bool,
        buffer_after: u32,
        max_per_day: Option<u32>,
        max_per_person: Option<u32>,
        approval: bool,
        open_from: u16,
        open_to: u16,
    },
    /// Weekly on the same weekday, `count` times, all or nothing or skipping conflicts.
    Series {
        mentor: bool,
        founder: usize,
        day: i64,
        slot: i64,
        len: i64,
        count: i64,
        skip: bool,
    },
    /// Cancels a series' booking and the following ones, or all of it.
    CancelSeries {
        pick: usize,
        all: bool,
    },
    Bad {
        kind: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (any::<bool>(), 0..4usize, 0..4i64, 0..20i64, 1..7i64).prop_map(|(mentor, founder, day, slot, len)| Op::Book { mentor, founder, day, slot, len }),
        2 => any::<usize>().prop_map(|pick| Op::Cancel { pick }),
        2 => (any::<usize>(), 0..4i64, 0..20i64, 1..7i64).prop_map(|(pick, day, slot, len)| Op::Reschedule { pick, day, slot, len }),
        1 => (any::<bool>(), 0..4i64, 0..20i64, 1..5i64, any::<bool>()).prop_map(|(mentor, day, slot, len, cancel)| Op::Blackout { mentor, day, slot, len, cancel }),
        1 => (any::<bool>(), prop_oneof![Just(0u32), Just(15), Just(30)], prop::option::of(1..4u32), prop::option::of(1..4u32), any::<bool>(), 480..600u16, 900..1140u16)
            .prop_map(|(mentor, buffer_after, max_per_day, max_per_person, approval, f, t)| Op::Rules { mentor, buffer_after, max_per_day, max_per_person, approval, open_from: f / 30 * 30, open_to: t / 30 * 30 }),
        2 => (any::<bool>(), 0..4usize, 0..4i64, 0..20i64, 1..5i64, 1..5i64, any::<bool>())
            .prop_map(|(mentor, founder, day, slot, len, count, skip)| Op::Series { mentor, founder, day, slot, len, count, skip }),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(pick, all)| Op::CancelSeries { pick, all }),
        1 => (0..4u8).prop_map(|kind| Op::Bad { kind }),
    ]
}

/// What the model knows of one resource.
#[derive(Clone)]
struct Res {
    id: String,
    owner: String,
    policy: Policy,
    open: (i64, i64),
    blackouts: Vec<(i64, i64)>,
}

#[derive(Clone, Debug)]
struct Bk {
    id: String,
    mentor: bool,
    booker: String,
    start: i64,
    end: i64,
    active: bool,
    /// Its series and the start the series' rule gave it.
    series: Option<(String, i64)>,
}

/// Brute force over 5-minute steps: would the model accept [start, end) on `r`?
fn model_accepts(r: &Res, mentor: bool, booker: &str, all: &[Bk], (start, end): (i64, i64), except: Option<&str>) -> bool {
    let p = &r.policy;
    let minutes = (end - start) / 60;
    if !p.durations_min.is_empty() {
        if !p.durations_min.iter().any(|d| i64::from(*d) == minutes) {
            return false;
        }
    } else if minutes < i64::from(p.min_duration_min) || minutes > i64::from(p.max_duration_min) {
        return false;
    }
    let n = now().timestamp();
    if start < n + i64::from(p.min_notice_min) * 60 || end > n + i64::from(p.horizon_days) * 86_400 {
        return false;
    }
    let day = local_day(start);
    if start < cst(day, r.open.0) || end > cst(day, r.open.1) {
        return false;
    }
    if r.blackouts.iter().any(|&(s, e)| s < end && start < e) {
        return false;
    }
    let others: Vec<&Bk> = all.iter().filter(|b| b.active && b.mentor == mentor && Some(b.id.as_str()) != except).collect();
    // Every booking of the model lies ahead of `now`: each active one of the booker counts.
    if p.max_per_person.is_some_and(|max| others.iter().filter(|b| b.booker == booker).count() as u32 >= max) {
        return false;
    }
    if p.max_per_day.is_some_and(|cap| others.iter().filter(|b| local_day(b.start) == day).count() as u32 >= cap) {
        return false;
    }
    let (bb, ba) = (i64::from(p.buffer_before_min) * 60, i64::from(p.buffer_after_min) * 60);
    let mut t = start - bb;
    while t < end + ba {
        let load = others.iter().filter(|b| b.start - bb <= t && t < b.end + ba).count() as u32;
        if load >= p.capacity {
            return false;
        }
        t += 300;
    }
    true
}

/// People and a lab made once per backend; each case makes its own two resources.
struct District {
    admin: String,
    manager: String,
    founders: Vec<String>,
    lab: String,
}

fn district(b: &mut dyn Backend) -> District {
    let admin = b.person("admin", &[Role::SpaceAdmin]);
    let manager = b.person("manager", &[Role::LabManager]);
    let founders = (0..4).map(|i| b.person(&format!("founder{i}"), &[Role::Founder])).collect();
    let lab = new_id();
    let new_lab =
        NewLab { makerspace_code: SPACE.into(), name: "测试平台".into(), description: String::new(), manager_ids: vec![] };
    let made = b.apply(&manager, &Command::CreateLab { lab_id: lab.clone(), lab: new_lab });
    assert_eq!(made, Ok(()), "the lab");
    District { admin, manager, founders, lab }
}

/// One case: a fresh piece of equipment and a fresh mentor, then `ops`.
fn run_case(b: &mut dyn Backend, d: &District, capacity: u32, ops: &[Op]) -> Result<(), TestCaseError> {
    b.start_case();
    let equipment = new_id();
    let equip_p = equipment_policy(capacity);
    let new_equipment = NewEquipment {
        lab_id: d.lab.clone(),
        name: "示波器".into(),
        category: "测试".into(),
        model: String::new(),
        hourly_fee_cents: 0,
        subsidy_pct: 0,
        policy: equip_p.clone(),
        weekly_hours: weekly((540, 1080)),
    };
    let made = b.apply(&d.manager, &Command::CreateEquipment { equipment_id: equipment.clone(), equipment: new_equipment });
    prop_assert_eq!(made, Ok(()), "the equipment");
    let mentor_person = b.person("mentor", &[Role::Mentor]);
    let mentor = new_id();
    let mentor_p = mentor_policy();
    let new_mentor = NewMentor {
        full_time: false,
        person_id: mentor_person.clone(),
        makerspace_code: SPACE.into(),
        title: "导师".into(),
        bio: String::new(),
        tags: vec![],
        industries: vec![],
        languages: vec![],
        formats: vec![],
        visibility: Visibility::District,
        timezone: None,
        policy: mentor_p.clone(),
        weekly_hours: weekly((540, 720)),
    };
    let made = b.apply(&d.admin, &Command::CreateMentor { mentor_id: mentor.clone(), mentor: new_mentor });
    prop_assert_eq!(made, Ok(()), "the mentor");
    let mut res = [
        Res { id: equipment, owner: d.manager.clone(), policy: equip_p, open: (540, 1080), blackouts: vec![] },
        Res { id: mentor, owner: mentor_person, policy: mentor_p, open: (540, 720), blackouts: vec![] },
    ];
    let mut bookings: Vec<Bk> = Vec::new();
    for (n, op) in ops.iter().enumerate() {
        match op.clone() {
            Op::Book { mentor, founder, day, slot, len } => {
                let r = &res[usize::from(mentor)];
                let (start, end) = (at(day, slot), at(day, slot + len));
                let who = d.founders[founder].clone();
                let expect = model_accepts(r, mentor, &who, &bookings, (start, end), None);
                let id = new_id();
                let book = Command::Book {
                    format: None,
                    booking_id: id.clone(),
                    resource_id: r.id.clone(),
                    start: utc(start),
                    end: utc(end),
                    topic: String::new(),
                };
                let got = b.apply(&who, &book);
                if let Err(code) = &got {
                    prop_assert!(code.starts_with("refused."), "op {}: {}", n, code);
                }
                prop_assert_eq!(got.is_ok(), expect, "op {}: book {} {}..{} cap {}", n, mentor, start, end, capacity);
                if got.is_ok() {
                    bookings.push(Bk { id, mentor, booker: who, start, end, active: true, series: None });
                }
            }
            Op::Cancel { pick } => {
                if bookings.is_empty() {
                    continue;
                }
                let i = pick % bookings.len();
                let bk = bookings[i].clone();
                let got = b.apply(&bk.booker, &Command::Cancel { booking_id: bk.id.clone(), reason: None });
                prop_assert_eq!(got.is_ok(), bk.active, "op {}: cancel {:?}: {:?}", n, bk, got);
                bookings[i].active = false;
            }
            Op::Reschedule { pick, day, slot, len } => {
                if bookings.is_empty() {
                    continue;
                }
                let i = pick % bookings.len();
                let bk = bookings[i].clone();
                let (start, end) = (at(day, slot), at(day, slot + len));
                let r = &res[usize::from(bk.mentor)];
                let expect = bk.active && model_accepts(r, bk.mentor, &bk.booker, &bookings, (start, end), Some(&bk.id));
                let got =
                    b.apply(&bk.booker, &Command::Reschedule { booking_id: bk.id.clone(), start: utc(start), end: utc(end) });
                prop_assert_eq!(got.is_ok(), expect, "op {}: reschedule {:?} to {}..{}", n, bk, start, end);
                if got.is_ok() {
                    bookings[i].start = start;
                    bookings[i].end = end;
                }
            }
            Op::Blackout { mentor, day, slot, len, cancel } => {
                let (start, end) = (at(day, slot), at(day, slot + len));
                let k = usize::from(mentor);
                let blackout = Blackout {
                    id: new_id(),
                    resource_id: res[k].id.clone(),
                    when: BlackoutWhen::Once { start, end },
                    reason: "维护".into(),
                };
                let got = b.apply(&res[k].owner.clone(), &Command::AddBlackout { blackout, cancel_hits: cancel });
                prop_assert_eq!(got, Ok(()), "op {}: blackout", n);
                if cancel {
                    for bk in
                        bookings.iter_mut().filter(|bk| bk.active && bk.mentor == mentor && bk.start < end && start < bk.end)
                    {
                        bk.active = false;
                    }
                }
                res[k].blackouts.push((start, end));
            }
            Op::Rules { mentor, buffer_after, max_per_day, max_per_person, approval, open_from, open_to } => {
                let k = usize::from(mentor);
                // With approval, new and moved bookings wait as requests, which hold their slots too.
                let policy = Policy {
                    buffer_after_min: buffer_after,
                    max_per_day,
                    max_per_person,
                    approval_required: approval,
                    ..res[k].policy.clone()
                };
                let owner = res[k].owner.clone();
                let got = b.apply(&owner, &Command::SetPolicy { resource_id: res[k].id.clone(), policy: policy.clone() });
                prop_assert_eq!(got, Ok(()), "op {}: policy", n);
                let open = (i64::from(open_from), i64::from(open_to));
                let got = b.apply(&owner, &Command::SetWeeklyHours { resource_id: res[k].id.clone(), hours: weekly(open) });
                prop_assert_eq!(got, Ok(()), "op {}: hours", n);
                res[k].policy = policy;
                res[k].open = open;
            }
            Op::Series { mentor, founder, day, slot, len, count, skip } => {
                let r = &res[usize::from(mentor)];
                let who = d.founders[founder].clone();
                let series_id = new_id();
                let times: Vec<(String, i64, i64)> =
                    (0..count).map(|k| (new_id(), at(day + 7 * k, slot), at(day + 7 * k, slot + len))).collect();
                // Each time as the rules see it with the series' earlier times booked.
                let mut seen = bookings.clone();
                let mut taken = Vec::new();
                for (id, start, end) in &times {
                    let ok = model_accepts(r, mentor, &who, &seen, (*start, *end), None);
                    let bk = Bk {
                        id: id.clone(),
                        mentor,
                        booker: who.clone(),
                        start: *start,
                        end: *end,
                        active: true,
                        series: Some((series_id.clone(), *start)),
                    };
                    if ok {
                        seen.push(bk.clone());
                        taken.push(bk);
                    }
                }
                let expect = if skip { !taken.is_empty() } else { taken.len() == times.len() };
                let occurrences = times
                    .iter()
                    .map(|(id, s, e)| incubook::command::Occurrence { booking_id: id.clone(), start: utc(*s), end: utc(*e) })
                    .collect();
                let repeat = incubook::recurrence::Repeat {
                    every: incubook::recurrence::Frequency::Weekly,
                    days: vec![],
                    count: Some(count as u32),
                    until: None,
                };
                let series = Command::BookSeries {
                    series_id,
                    resource_id: r.id.clone(),
                    occurrences,
                    topic: String::new(),
                    repeat,
                    skip_conflicts: skip,
                };
                let got = b.apply(&who, &series);
                if let Err(code) = &got {
                    prop_assert!(code.starts_with("refused."), "op {}: {}", n, code);
                }
                prop_assert_eq!(got.is_ok(), expect, "op {}: series {:?} skip {} took {}", n, times, skip, taken.len());
                if got.is_ok() {
                    bookings.extend(taken);
                }
            }
            Op::CancelSeries { pick, all } => {
                let members: Vec<usize> = (0..bookings.len()).filter(|&i| bookings[i].series.is_some()).collect();
                if members.is_empty() {
                    continue;
                }
                let named = bookings[members[pick % members.len()]].clone();
                let Some((series, from)) = named.series.clone() else { continue };
                let reached: Vec<usize> = (0..bookings.len())
                    .filter(|&i| {
                        let bk = &bookings[i];
                        bk.active && bk.series.as_ref().is_some_and(|(s, at)| *s == series && (all || *at >= from))
                    })
                    .collect();
                let scope = if all { incubook::command::SeriesScope::All } else { incubook::command::SeriesScope::Following };
                let got = b.apply(&named.booker, &Command::CancelSeries { booking_id: named.id.clone(), scope, reason: None });
                prop_assert_eq!(got.is_ok(), !reached.is_empty(), "op {}: cancel series from {:?}: {:?}", n, named, got);
                for i in reached {
                    bookings[i].active = false;
                }
            }
            Op::Bad { kind } => {
                let e = res[0].id.clone();
                let who = d.founders[0].clone();
                let t = at(1, 4);
                let book = |resource: &str, start: i64, end: i64, topic: String| Command::Book {
                    format: None,
                    booking_id: new_id(),
                    resource_id: resource.to_string(),
                    start: utc(start),
                    end: utc(end),
                    topic,
                };
                let got = match kind {
                    0 => b.apply(&who, &book(&e, t, t - 3600, String::new())),
                    1 => b.apply(&who, &book("no-such-id", t, t + 3600, String::new())),
                    2 => b.apply(&new_id(), &book(&e, t, t + 3600, String::new())),
                    _ => b.apply(&who, &book(&e, t, t + 3600, "x".repeat(600))),
                };
                prop_assert!(got.is_err(), "op {}: bad input {} was taken", n, kind);
            }
        }
        // The backend holds exactly the bookings the model holds, on both resources.
        for (k, r) in res.iter().enumerate() {
            let mut expected: Vec<(String, i64, i64)> = bookings
                .iter()
                .filter(|bk| bk.active && usize::from(bk.mentor) == k)
                .map(|bk| (bk.id.clone(), bk.start, bk.end))
                .collect();
            expected.sort();
            prop_assert_eq!(b.active(&r.id), expected, "op {}: {:?} on resource {}", n, op, k);
        }
    }
    Ok(())
}

fn cases() -> u32 {
    std::env::var("INCUBOOK_MODEL_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_050)
}

/// Runs the model on a backend, `cases()` cases of 80–120 operations each.
fn agrees_with_the_model(mut backend: impl Backend) {
    let d = district(&mut backend);
    let backend = RefCell::new(backend);
    let total = Cell::new(0usize);
    let mut runner = TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() });
    let strategy = (1..4u32, prop::collection::vec(op(), 80..120));
    let result = runner.run(&strategy, |(capacity, ops)| {
        total.set(total.get() + ops.len());
        run_case(&mut *backend.borrow_mut(), &d, capacity, &ops)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    eprintln!("{} operations agreed with the model", total.get());
}

/// One test per backend, each running the same model.
macro_rules! ledger_contract {
    ($($name:ident => $backend:expr),* $(,)?) => {
        $(#[test] fn $name() { agrees_with_the_model($backend); })*
    };
}

ledger_contract! {
    memory_ledger_agrees_with_the_model => Memory::new(),
    sqlite_server_agrees_with_the_model => Server::sqlite(),
    postgres_server_agrees_with_the_model => Server::postgres(),
}
