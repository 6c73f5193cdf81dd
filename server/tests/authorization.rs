//! Every booking change, every change of a resource's hours or rules, every lab manager's
//! change to equipment, blackouts and qualifications, and a space admin's booking upload, pushed by someone who may not make it — a role of another makerspace,
//! or the wrong role of the same one — is refused by the server and changes nothing there.

mod common;

use chrono::{Duration, Utc};
use common::{Arg, Backend, PASSWORD, TestServer, ok};
use incubook::domain::{Blackout, BlackoutWhen, Role, RoleGrant};
use incubook::store::{MentorProfile, NewEquipment, NewLab, NewMentor, NewPerson, Store};
use incubook::sync::client::Transport;
use incubook::sync::http::HttpTransport;
use incubook::sync::upload::UploadedBooking;
use incubook::sync::{Mutation, PushRequest, PushedMutation};
use incubook_server::db::ServerRole;
use rusqlite::OptionalExtension;

/// A person holding exactly this one role, in this makerspace, and no other role anywhere.
fn only_role(store: &Store, makerspace_id: &str, role: &str, not: &[&str]) -> Option<String> {
    let mut stmt = ok(store.conn().prepare(
        "SELECT person_id FROM person_role WHERE makerspace_id = ?1 AND role = ?2
         AND person_id NOT IN (SELECT person_id FROM person_role WHERE role <> ?2 OR makerspace_id <> ?1) ORDER BY person_id",
    ));
    let found: Vec<String> = ok(stmt.query_map([makerspace_id, role], |r| r.get(0))).map(ok).collect();
    found.into_iter().find(|p| !not.contains(&p.as_str()))
}

/// A confirmed future booking of the given kind: (id, booker, resource, makerspace, mentor person).
fn future_booking(store: &Store, kind: &str, now: i64) -> (String, String, String, String, Option<String>) {
    ok(store.conn().query_row(
        "SELECT b.id, b.booker_id, r.id, r.makerspace_id, m.person_id FROM booking b JOIN resource r ON r.id = b.resource_id
         LEFT JOIN mentor m ON m.resource_id = r.id
         WHERE r.kind = ?1 AND b.status = 'confirmed' AND b.start_at > ?2 + 86400 ORDER BY b.start_at LIMIT 1",
        rusqlite::params![kind, now],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    ))
}

/// A lab manager's changes to a piece of equipment (and to its lab): new equipment beside it,
/// the equipment changed, a blackout added and one removed, qualifications given and taken.
fn equipment_changes(store: &Store, resource: &str, later: chrono::DateTime<Utc>) -> Vec<Mutation> {
    let equipment = ok(store.equipment_by_id(resource));
    let renamed = NewEquipment {
        lab_id: equipment.lab_id.clone(),
        name: "改名的设备".into(),
        category: equipment.category.clone(),
        model: equipment.model.clone(),
        hourly_fee_cents: 0,
        subsidy_pct: 100,
        policy: equipment.policy.clone(),
        weekly_hours: vec![],
    };
    let holder: String = ok(store.conn().query_row("SELECT id FROM person ORDER BY id LIMIT 1", [], |r| r.get(0)));
    let mut changes = vec![
        Mutation::CreateEquipment { equipment_id: "a-strangers-equipment".into(), equipment: renamed.clone() },
        Mutation::UpdateEquipment { equipment_id: resource.to_string(), equipment: renamed },
        Mutation::AddBlackout {
            blackout: Blackout {
                id: "a-strangers-blackout".into(),
                resource_id: resource.to_string(),
                when: BlackoutWhen::Once { start: later.timestamp() - 86_400, end: later.timestamp() + 86_400 },
                reason: "维护".into(),
            },
            cancel_hits: true,
        },
        Mutation::GrantQualification { person_id: holder.clone(), resource_id: resource.to_string(), expires_at: None },
        Mutation::RevokeQualification { person_id: holder, resource_id: resource.to_string() },
    ];
    let blackout: Option<String> = ok(store
        .conn()
        .query_row("SELECT id FROM blackout WHERE resource_id = ?1 AND deleted = 0 LIMIT 1", [resource], |r| r.get(0))
        .optional());
    changes.extend(blackout.map(|blackout_id| Mutation::RemoveBlackout { blackout_id }));
    changes
}

/// A space admin's changes to the makerspace's directory: a person, a lab, a mentor, and a
/// mentor's profile (of a mentor who is none of the actors).
fn directory_changes(store: &Store, home: &str, actors: &[(String, String, String)]) -> Vec<Mutation> {
    let code: String = ok(store.conn().query_row("SELECT code FROM makerspace WHERE id = ?1", [home], |r| r.get(0)));
    let (mentor, mentor_person): (String, String) = ok(store.conn().query_row(
        "SELECT m.resource_id, m.person_id FROM mentor m JOIN resource r ON r.id = m.resource_id WHERE r.makerspace_id = ?1
         ORDER BY m.person_id IN (SELECT value FROM json_each(?2)), m.resource_id LIMIT 1",
        rusqlite::params![home, serde_json::to_string(&actors.iter().map(|a| &a.1).collect::<Vec<_>>()).unwrap_or_default()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    ));
    assert!(actors.iter().all(|a| a.1 != mentor_person), "every mentor of {code} is an actor");
    let profile = ok(store.mentor(&mentor));
    let newcomer = ok(store.conn().query_row(
        "SELECT id FROM person WHERE id NOT IN (SELECT person_id FROM mentor) ORDER BY id LIMIT 1",
        [],
        |r| r.get::<_, String>(0),
    ));
    vec![
        Mutation::CreatePerson {
            person_id: "a-strangers-recruit".into(),
            person: NewPerson {
                name: "冒名者".into(),
                roles: vec![RoleGrant { makerspace_code: code.clone(), role: Role::SpaceAdmin }],
                ..NewPerson::default()
            },
        },
        Mutation::CreateLab {
            lab_id: "a-strangers-lab".into(),
            lab: NewLab {
                makerspace_code: code.clone(),
                name: "冒名实验室".into(),
                description: String::new(),
                manager_ids: vec![],
            },
        },
        Mutation::CreateMentor {
            mentor_id: "a-strangers-mentor".into(),
            mentor: NewMentor {
                full_time: false,
                person_id: newcomer,
                makerspace_code: code,
                title: String::new(),
                bio: String::new(),
                tags: vec![],
                industries: vec![],
                languages: vec![],
                formats: vec![],
                visibility: profile.visibility,
                timezone: None,
                policy: incubook::domain::Policy::default(),
                weekly_hours: vec![],
            },
        },
        Mutation::UpdateMentorProfile {
            mentor_id: mentor,
            profile: MentorProfile {
                full_time: false,
                title: "改过的头衔".into(),
                bio: String::new(),
                tags: vec![],
                industries: vec![],
                languages: vec![],
                formats: vec![],
                visibility: profile.visibility,
                timezone: None,
            },
        },
    ]
}

/// The booking's status and time, its resource's hours and rules, and the audit log's length.
fn row_state(server: &TestServer, booking_id: &str) -> Option<String> {
    server.text(
        "SELECT b.status || ' ' || b.start_at || ' ' || b.end_at || ' ' || (SELECT count(*) FROM audit_log) || ' ' ||
                (SELECT count(*) FROM date_override) || ' ' || (SELECT count(*) FROM blackout WHERE deleted = 0) || ' ' ||
                (SELECT count(*) FROM qualification) || ' ' || (SELECT count(*) FROM resource) || ' ' || r.name || ' ' ||
                (SELECT count(*) FROM person) || ' ' || (SELECT count(*) FROM lab) || ' ' ||
                (SELECT count(*) FROM mentor WHERE title = '改过的头衔') || ' ' ||
                r.weekly_hours || r.capacity || r.min_notice_min || r.horizon_days || r.approval_required
         FROM booking b JOIN resource r ON r.id = b.resource_id WHERE b.id = $1",
        &[Arg::T(booking_id)],
    )
}

fn every_booking_change_by_a_stranger_or_a_wrong_role_is_refused(backend: Backend) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let store = server.seed();
    let makerspaces: Vec<(String, String)> = {
        let mut stmt = ok(store.conn().prepare("SELECT id, code FROM makerspace WHERE deleted = 0 ORDER BY code"));
        ok(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))).map(ok).collect()
    };
    let http = ok(HttpTransport::new(&server.base));
    let mut accounts: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut clients = 0;
    let mut refused = 0;
    for kind in ["mentor", "equipment"] {
        let (booking, booker, resource, home, mentor_person) = future_booking(&store, kind, now.timestamp());
        let mut actors: Vec<(String, String, String)> = Vec::new(); // (label, person, makerspace code)
        for (ms, code) in &makerspaces {
            let same = *ms == home;
            for role in ["founder", "mentor", "lab_manager", "space_admin"] {
                // In the home makerspace only the roles that must not touch this booking.
                let allowed_here = same && kind == "equipment" && (role == "lab_manager" || role == "space_admin");
                if allowed_here {
                    continue;
                }
                let exclude = [booker.as_str(), mentor_person.as_deref().unwrap_or_default()];
                if let Some(person) = only_role(&store, ms, role, &exclude) {
                    actors.push((format!("{role}@{code}"), person, code.clone()));
                }
            }
        }
        assert!(actors.len() >= 6, "{kind}: {actors:?}");
        let later = now + Duration::days(3);
        let mutations: Vec<Mutation> = [
            Mutation::Approve { booking_id: booking.clone() },
            Mutation::Decline { booking_id: booking.clone(), reason: "不合适".into() },
            Mutation::Cancel { booking_id: booking.clone(), reason: Some("占用".into()) },
            Mutation::Complete { booking_id: booking.clone() },
            Mutation::NoShow { booking_id: booking.clone() },
            Mutation::Reschedule { booking_id: booking.clone(), start: later, end: later + Duration::hours(1) },
            Mutation::SetWeeklyHours { resource_id: resource.clone(), hours: vec![] },
            Mutation::SetPolicy { resource_id: resource.clone(), policy: incubook::domain::Policy::default() },
            Mutation::AddDateOverride {
                override_id: "a-strangers-day-off".into(),
                resource_id: resource.clone(),
                date_override: incubook::domain::DateOverride {
                    date: later.date_naive(),
                    kind: incubook::domain::OverrideKind::Off,
                    start_min: 0,
                    end_min: 1440,
                },
                note: String::new(),
            },
        ]
        .into_iter()
        .chain(if kind == "equipment" { equipment_changes(&store, &resource, later) } else { Vec::new() })
        .chain(if kind == "equipment" { directory_changes(&store, &home, &actors) } else { Vec::new() })
        // Only the home makerspace's space admin uploads its bookings (that role is left out
        // of the actors for equipment only).
        .chain((kind == "equipment").then(|| Mutation::UploadBooking {
            booking: UploadedBooking {
                id: "a-strangers-upload".into(),
                resource_id: resource.clone(),
                booker_id: booker.clone(),
                start: later,
                end: later + Duration::hours(1),
                status: incubook::domain::BookingStatus::Confirmed,
                topic: String::new(),
            },
        }))
        // A change wrapped as part of an upload is authorized as the change itself.
        .chain((kind == "equipment").then(|| Mutation::Uploaded {
            change: Box::new(Mutation::SetPolicy { resource_id: resource.clone(), policy: incubook::domain::Policy::default() }),
        }))
        .collect::<Vec<_>>();
        let before = row_state(&server, &booking);
        assert!(before.is_some());
        for (label, person, code) in &actors {
            clients += 1;
            let next = format!("u{}", accounts.len() + 1);
            let username = accounts.entry(person.clone()).or_insert_with(|| {
                let role = ok(ServerRole::parse(label.split('@').next().unwrap_or_default()));
                server.account(&next, person, code, &[role]);
                next.clone()
            });
            let token = ok(http.sign_in(username, PASSWORD)).token;
            let pushed: Vec<PushedMutation> =
                mutations.iter().enumerate().map(|(i, m)| ok(PushedMutation::new(i as i64 + 1, m))).collect();
            let answer = ok(http.push(&token, &PushRequest { client_id: format!("client-{clients}"), mutations: pushed }));
            for (outcome, mutation) in answer.outcomes.iter().zip(&mutations) {
                assert!(!outcome.applied, "{label} applied {mutation:?} on a {kind} booking");
                assert_eq!(outcome.code.as_deref(), Some("forbidden"), "{label} {mutation:?}");
                refused += 1;
            }
        }
        let after = row_state(&server, &booking);
        assert_eq!(after, before, "{kind}: the booking, the resource's hours or rules, or the audit log changed");
    }
    // A refused upload leaves no declined row in someone else's name behind.
    assert_eq!(server.count("SELECT count(*) FROM booking WHERE id = $1", &[Arg::T("a-strangers-upload")]), 0);
    assert!(refused >= 108, "only {refused} refusals checked");
}

on_both_backends!(every_booking_change_by_a_stranger_or_a_wrong_role_is_refused);
