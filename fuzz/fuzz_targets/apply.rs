//! Pushes applied by the district server's SQLite store, as any signed-in person of the sample
//! district might send them: mutations built from the fuzzer's bytes over the sample's real
//! ids, with times near now or anywhere in i64, text of any length. A push never panics,
//! every refusal has a code, and afterwards no resource holds more bookings at once than its
//! capacity. Each push is rolled back, so every input starts from the same district.
#![no_main]

use std::cell::RefCell;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use incubook::domain::{Blackout, BlackoutWhen, DateOverride, OverrideKind, Policy, WeeklyHours};
use incubook::sample::{self, Scale};
use incubook::store::Store;
use incubook::sync::{Mutation, PushRequest, PushedMutation};
use incubook_server::db::sqlite::{Acknowledgement, apply_push, install_server_versioning};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

/// An instant: mostly within weeks of now on the quarter hour, sometimes any i64 at all.
#[derive(Debug, Arbitrary)]
enum When {
    Near(i16),
    Anywhere(i64),
}

#[derive(Debug, Arbitrary)]
enum Op {
    Book { resource: u8, start: When, minutes: i16, topic: String },
    Cancel { booking: u8, reason: Option<String> },
    Approve { booking: u8 },
    Decline { booking: u8, reason: String },
    Complete { booking: u8 },
    NoShow { booking: u8 },
    Reschedule { booking: u8, start: When, minutes: i16 },
    SetWeeklyHours { resource: u8, hours: Vec<(u8, u16, u16)> },
    SetPolicy { resource: u8, capacity: u32, granularity: u32, min: u32, max: u32, horizon: u32, per_day: Option<u32> },
    AddDateOverride { resource: u8, day: i32, off: bool, start_min: u16, end_min: u16 },
    AddBlackout { resource: u8, start: When, end: When, cancel: bool },
    AddWeeklyBlackout { resource: u8, weekday: u8, start_min: u16, end_min: u16, from: i32 },
    GrantQualification { person: u8, resource: u8, expires: Option<When> },
    JoinWaitlist { resource: u8, start: When, minutes: i16 },
    SetSessionNote { booking: u8, body: String },
    GiveFeedback { booking: u8, rating: u8, comment: String },
    /// Whatever JSON the bytes spell, under a mutation name.
    Raw { name: u8, args: String },
}

#[derive(Debug, Arbitrary)]
struct Push {
    person: u8,
    ops: Vec<Op>,
}

struct District {
    store: Store,
    acks: Acknowledgement,
    now: DateTime<Utc>,
    people: Vec<String>,
    resources: Vec<String>,
    bookings: Vec<String>,
}

fn ids(store: &Store, sql: &str) -> Vec<String> {
    let Ok(mut stmt) = store.conn().prepare(sql) else { return Vec::new() };
    stmt.query_map([], |r| r.get(0)).map(|rows| rows.flatten().collect()).unwrap_or_default()
}

thread_local! {
    static DISTRICT: RefCell<Option<District>> = const { RefCell::new(None) };
}

static NOW: LazyLock<DateTime<Utc>> =
    LazyLock::new(|| "2026-12-07T00:00:00Z".parse().unwrap_or_else(|_| Utc::now()));

fn district() -> Option<District> {
    let acks = Acknowledgement::default();
    let mut store = Store::open_in_memory_with(Box::new(acks.clone())).ok()?;
    install_server_versioning(&store).ok()?;
    sample::load(&mut store, Scale::Small, 7, *NOW).ok()?;
    let people = ids(&store, "SELECT id FROM person ORDER BY id");
    let resources = ids(&store, "SELECT id FROM resource ORDER BY id");
    let bookings = ids(&store, "SELECT id FROM booking ORDER BY id");
    Some(District { store, acks, now: *NOW, people, resources, bookings })
}

fn pick(list: &[String], n: u8) -> String {
    if list.is_empty() { String::new() } else { list[usize::from(n) % list.len()].clone() }
}

fn instant(now: DateTime<Utc>, when: &When) -> i64 {
    match *when {
        When::Near(quarters) => now.timestamp() + i64::from(quarters) * 900,
        When::Anywhere(t) => t,
    }
}

fn utc(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

fn mutation(d: &District, n: usize, op: &Op) -> Option<PushedMutation> {
    let resource = |i: u8| pick(&d.resources, i);
    let booking = |i: u8| pick(&d.bookings, i);
    let at = |w: &When| utc(instant(d.now, w));
    let span = |w: &When, minutes: i16| {
        let start = at(w);
        (start, start.checked_add_signed(Duration::minutes(i64::from(minutes))).unwrap_or(start))
    };
    let id = format!("fuzz-{n}");
    let day = |offset: i32| d.now.date_naive().checked_add_signed(Duration::days(i64::from(offset))).unwrap_or(NaiveDate::MIN);
    let m = match op {
        Op::Book { resource: r, start, minutes, topic } => {
            let (start, end) = span(start, *minutes);
            Mutation::Book { booking_id: id, resource_id: resource(*r), start, end, topic: topic.clone() }
        }
        Op::Cancel { booking: b, reason } => Mutation::Cancel { booking_id: booking(*b), reason: reason.clone() },
        Op::Approve { booking: b } => Mutation::Approve { booking_id: booking(*b) },
        Op::Decline { booking: b, reason } => Mutation::Decline { booking_id: booking(*b), reason: reason.clone() },
        Op::Complete { booking: b } => Mutation::Complete { booking_id: booking(*b) },
        Op::NoShow { booking: b } => Mutation::NoShow { booking_id: booking(*b) },
        Op::Reschedule { booking: b, start, minutes } => {
            let (start, end) = span(start, *minutes);
            Mutation::Reschedule { booking_id: booking(*b), start, end }
        }
        Op::SetWeeklyHours { resource: r, hours } => Mutation::SetWeeklyHours {
            resource_id: resource(*r),
            hours: hours.iter().map(|&(weekday, start_min, end_min)| WeeklyHours { weekday, start_min, end_min }).collect(),
        },
        Op::SetPolicy { resource: r, capacity, granularity, min, max, horizon, per_day } => Mutation::SetPolicy {
            resource_id: resource(*r),
            policy: Policy {
                capacity: *capacity,
                granularity_min: *granularity,
                min_duration_min: *min,
                max_duration_min: *max,
                horizon_days: *horizon,
                max_per_day: *per_day,
                ..Policy::default()
            },
        },
        Op::AddDateOverride { resource: r, day: offset, off, start_min, end_min } => Mutation::AddDateOverride {
            override_id: id,
            resource_id: resource(*r),
            date_override: DateOverride {
                date: day(*offset),
                kind: if *off { OverrideKind::Off } else { OverrideKind::Extra },
                start_min: *start_min,
                end_min: *end_min,
            },
            note: String::new(),
        },
        Op::AddBlackout { resource: r, start, end, cancel } => Mutation::AddBlackout {
            blackout: Blackout {
                id,
                resource_id: resource(*r),
                when: BlackoutWhen::Once { start: instant(d.now, start), end: instant(d.now, end) },
                reason: String::new(),
            },
            cancel_hits: *cancel,
        },
        Op::AddWeeklyBlackout { resource: r, weekday, start_min, end_min, from } => Mutation::AddBlackout {
            blackout: Blackout {
                id,
                resource_id: resource(*r),
                when: BlackoutWhen::Weekly {
                    weekday: *weekday,
                    start_min: *start_min,
                    end_min: *end_min,
                    from: day(*from),
                    until: None,
                },
                reason: String::new(),
            },
            cancel_hits: true,
        },
        Op::GrantQualification { person, resource: r, expires } => Mutation::GrantQualification {
            person_id: pick(&d.people, *person),
            resource_id: resource(*r),
            expires_at: expires.as_ref().map(at),
        },
        Op::JoinWaitlist { resource: r, start, minutes } => {
            let (start, end) = span(start, *minutes);
            Mutation::JoinWaitlist { waitlist_id: id, resource_id: resource(*r), start, end }
        }
        Op::SetSessionNote { booking: b, body } => Mutation::SetSessionNote { booking_id: booking(*b), body: body.clone() },
        Op::GiveFeedback { booking: b, rating, comment } => {
            Mutation::GiveFeedback { booking_id: booking(*b), rating: *rating, comment: comment.clone() }
        }
        Op::Raw { name, args } => {
            let names = ["book", "cancel", "reschedule", "add_blackout", "upload_booking", "uploaded", "set_policy", "create_person"];
            let args = serde_json::from_str(args).unwrap_or(serde_json::Value::Null);
            return Some(PushedMutation { id: n as i64 + 1, name: names[usize::from(*name) % names.len()].into(), args });
        }
    };
    PushedMutation::new(n as i64 + 1, &m).ok()
}

/// Holding bookings that start while their resource is already held to capacity.
const OVERBOOKED: &str = "SELECT count(*) FROM booking a JOIN resource r ON r.id = a.resource_id
     WHERE a.status IN ('requested', 'confirmed') AND a.deleted = 0
       AND (SELECT count(*) FROM booking b WHERE b.resource_id = a.resource_id AND b.status IN ('requested', 'confirmed')
              AND b.deleted = 0 AND b.start_at <= a.start_at AND b.end_at > a.start_at) > r.capacity";

fuzz_target!(|push: Push| {
    DISTRICT.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            *cell = district();
        }
        let Some(d) = cell.as_mut() else { return };
        let mutations: Vec<PushedMutation> = push.ops.iter().enumerate().filter_map(|(n, op)| mutation(d, n, op)).collect();
        let request = PushRequest { client_id: format!("fuzz-{}", push.person), mutations };
        let person = pick(&d.people, push.person);
        let now = d.now;
        let overbooked_before: i64 = d.store.conn().query_row(OVERBOOKED, [], |r| r.get(0)).unwrap_or(-1);
        // Everything is rolled back: the closure's error undoes the batch.
        let acks = d.acks.clone();
        let _ = d.store.batch(|store| {
            if let Ok(answer) = apply_push(store, &acks, &person, &request, now) {
                for outcome in &answer.outcomes {
                    assert!(outcome.applied || outcome.code.as_deref().is_some_and(|c| !c.is_empty()), "{outcome:?}");
                }
            }
            let overbooked: i64 = store.conn().query_row(OVERBOOKED, [], |r| r.get(0)).unwrap_or(-1);
            assert!(overbooked <= overbooked_before, "{overbooked} bookings over capacity after {request:?}");
            Err::<(), _>(incubook::CoreError::Conflict("roll back".into()))
        });
    });
});
