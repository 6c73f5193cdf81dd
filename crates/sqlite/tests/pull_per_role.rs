//! What each role's pull carries, field by field (the table in ARCHITECTURE.md, "What each
//! role pulls"): one founder's rows as seen by her, her teammate, another founder, a mentor, the
//! lab manager and the space admin of her makerspace, and a founder and a lab manager of another.

use incubook_core::decide::Actor;
use incubook_core::domain::Role;
use incubook_core::protocol::{BUSY_PERSON_ID, Change};
use incubook_sqlite::redact::{ResourceOwnership, RowLookup, Viewer};
use serde_json::{Map, Value, json};

/// The scene's facts, as a backend would answer them.
struct Scene;

impl RowLookup for Scene {
    type Error = std::convert::Infallible;

    fn ownership(&self, resource_id: &str) -> Result<Option<ResourceOwnership>, Self::Error> {
        Ok(match resource_id {
            "laser" => Some(ResourceOwnership { is_mentor: false, makerspace_id: "ms-1".into(), mentor_person: None }),
            "mentor-1" => {
                Some(ResourceOwnership { is_mentor: true, makerspace_id: "ms-1".into(), mentor_person: Some("mei".into()) })
            }
            _ => None,
        })
    }

    fn booking_parties(&self, booking_id: &str) -> Result<Option<(String, String)>, Self::Error> {
        Ok(match booking_id {
            "b-laser" => Some(("fang".into(), "laser".into())),
            "b-mentor" => Some(("fang".into(), "mentor-1".into())),
            _ => None,
        })
    }

    fn startup_of(&self, person_id: &str) -> Result<Option<String>, Self::Error> {
        Ok(match person_id {
            "fang" | "tao" => Some("s-1".into()),
            "ou" => Some("s-2".into()),
            _ => None,
        })
    }

    fn application_startup(&self, application_id: &str) -> Result<Option<String>, Self::Error> {
        Ok((application_id == "app-1").then(|| "s-1".into()))
    }
}

/// Fang (founder, startup s-1), Tao (her teammate), Ou (another founder), Mei (mentor), Li
/// (lab manager), An (space admin) — all of ms-1; Xu (founder) and Yu (lab manager) of ms-2.
const VIEWERS: [&str; 8] = ["fang", "tao", "ou", "mei", "li", "an", "xu", "yu"];

fn actor(id: &str) -> Actor {
    let role = match id {
        "mei" => Role::Mentor,
        "li" | "yu" => Role::LabManager,
        "an" => Role::SpaceAdmin,
        _ => Role::Founder,
    };
    let makerspace = if matches!(id, "xu" | "yu") { "ms-2" } else { "ms-1" };
    Actor { id: id.into(), roles: vec![(makerspace.into(), role)], district_operator: false }
}

fn row(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The row as `viewer` receives it; `None` when it is not sent.
fn pulled(viewer: &str, table: &str, value: Value) -> Option<Map<String, Value>> {
    let change = Change::Put { table: table.into(), version: 1, row: row(value) };
    match Viewer::new(actor(viewer), Scene).redact(change) {
        Ok(Some(Change::Put { row, .. })) => Some(row),
        _ => None,
    }
}

/// Who receives `field` of the row with its value (the rest receive it emptied or not at all).
fn who_sees(table: &str, value: &Value, field: &str) -> Vec<&'static str> {
    let original = value.get(field).cloned();
    VIEWERS.into_iter().filter(|v| pulled(v, table, value.clone()).and_then(|r| r.get(field).cloned()) == original).collect()
}

/// Who receives the row at all.
fn who_gets(table: &str, value: &Value) -> Vec<&'static str> {
    VIEWERS.into_iter().filter(|v| pulled(v, table, value.clone()).is_some()).collect()
}

#[test]
fn a_person_s_contact_kiosk_and_startup_fields() {
    let fang = json!({"id": "fang", "name": "方", "email": "fang@example.cn", "phone": "13800000000",
                      "kiosk_pin": "$argon2id$…", "check_in_key": "00ff", "startup_name": "量子", "industry": "AI", "stage": "seed"});
    assert_eq!(who_gets("person", &fang), VIEWERS, "everyone knows who is in the district");
    assert_eq!(who_sees("person", &fang, "name"), VIEWERS);
    assert_eq!(who_sees("person", &fang, "email"), ["fang"]);
    // Every lab of the district is shared, so every lab's kiosk may have to know her: the lab
    // managers and space admins of other makerspaces too, but not founders or mentors.
    for kiosk_field in ["phone", "kiosk_pin", "check_in_key"] {
        assert_eq!(who_sees("person", &fang, kiosk_field), ["fang", "li", "an", "yu"], "{kiosk_field}: the lab kiosks");
    }
    for field in ["startup_name", "industry", "stage"] {
        assert_eq!(who_sees("person", &fang, field), ["fang", "mei", "li", "an", "yu"], "{field}: who serves founders");
    }
}

#[test]
fn a_startup_s_registration_is_for_its_members_and_the_space_admins() {
    let startup =
        json!({"id": "s-1", "name": "量子", "credit_code": "91310115MA1K4PXX0T", "headcount": 3, "description": "传感"});
    assert_eq!(who_sees("startup", &startup, "name"), VIEWERS);
    for field in ["credit_code", "headcount", "description"] {
        assert_eq!(who_sees("startup", &startup, field), ["fang", "tao", "an"], "{field}");
    }
    let hours = json!({"id": "h-1", "startup_id": "s-1", "minutes": 600});
    assert_eq!(who_gets("hour_allocation", &hours), ["fang", "tao", "an"]);
}

#[test]
fn an_instrument_booking_is_busy_time_to_everyone_but_its_booker_and_its_lab() {
    let booking = json!({"id": "b-laser", "resource_id": "laser", "booker_id": "fang", "startup_id": "s-1",
                         "topic": "样品切割", "reason": "no check-in within 15 minutes of the start", "status": "no_show",
                         "start_at": 1, "end_at": 2});
    assert_eq!(who_gets("booking", &booking), VIEWERS, "everyone sees the time is taken");
    for field in ["booker_id", "topic", "reason", "status"] {
        assert_eq!(who_sees("booking", &booking, field), ["fang", "li", "an"], "{field}");
    }
    assert_eq!(
        who_sees("booking", &booking, "startup_id"),
        ["fang", "tao", "li", "an"],
        "a teammate's session counts for the team"
    );
    let as_other = pulled("xu", "booking", booking.clone()).unwrap_or_default();
    assert_eq!(as_other.get("booker_id"), Some(&Value::from(BUSY_PERSON_ID)));
    assert_eq!(as_other.get("status"), Some(&Value::from("completed")), "nobody else learns of a no-show");
}

#[test]
fn a_mentor_session_is_the_founder_s_and_the_mentor_s() {
    let booking = json!({"id": "b-mentor", "resource_id": "mentor-1", "booker_id": "fang", "startup_id": "s-1",
                         "topic": "融资", "reason": null, "status": "confirmed", "start_at": 1, "end_at": 2});
    assert_eq!(who_sees("booking", &booking, "topic"), ["fang", "mei"]);
    let note = json!({"booking_id": "b-mentor", "author_id": "mei", "body": "下次带财务模型"});
    assert_eq!(who_gets("session_note", &note), ["mei"], "a session note is the mentor's own");
    let feedback = json!({"booking_id": "b-mentor", "author_id": "fang", "rating": 5});
    assert_eq!(who_gets("feedback", &feedback), ["fang", "mei", "an"]);
}

#[test]
fn machine_hours_and_private_rows() {
    let session = json!({"id": "u-1", "resource_id": "laser", "person_id": "fang", "fee_fen": 12000});
    assert_eq!(who_gets("usage_session", &session), ["fang", "li", "an"], "not the other makerspace's lab manager");
    let qualification = json!({"person_id": "fang", "resource_id": "laser"});
    assert_eq!(who_gets("qualification", &qualification), ["fang", "li", "an"]);
    for table in ["waitlist", "notification"] {
        assert_eq!(who_gets(table, &json!({"id": "x", "person_id": "fang"})), ["fang"], "{table}");
    }
    let registration = json!({"event_id": "e-1", "person_id": "fang"});
    assert_eq!(who_gets("event_registration", &registration), ["fang", "an"]);
    let role = json!({"person_id": "fang", "makerspace_id": "ms-1", "role": "founder"});
    assert_eq!(who_gets("person_role", &role), ["fang", "tao", "ou", "mei", "li", "an"], "the makerspace's own people");
}

#[test]
fn an_application_and_its_history_are_its_team_s_and_the_district_s() {
    let application = json!({"id": "app-1", "call_id": "c-1", "startup_id": "s-1", "applicant_id": "fang", "state": "submitted",
                             "title": "量子传感", "avoid_experts": "[{\"name\":\"某专家\",\"reason\":\"竞争关系\"}]"});
    let event =
        json!({"id": "e-1", "application_id": "app-1", "actor_id": "fang", "from_state": "draft", "to_state": "submitted"});
    // Not even the space admin where the team lives: whom an applicant would avoid, and how
    // its application fares, are the district's to know until it publishes them.
    assert_eq!(who_gets("application", &application), ["fang", "tao"]);
    assert_eq!(who_gets("application_event", &event), ["fang", "tao"]);
    let operator = Actor { id: "zhao".into(), roles: Vec::new(), district_operator: true };
    for (table, value) in [("application", &application), ("application_event", &event)] {
        let change = Change::Put { table: table.into(), version: 1, row: row(value.clone()) };
        let seen = Viewer::new(operator.clone(), Scene).redact(change);
        assert!(matches!(seen, Ok(Some(Change::Put { .. }))), "{table}: the district's operator takes applications in");
    }
    let call = json!({"id": "c-1", "programme_code": "KJ", "title_zh": "区科技发展基金"});
    assert_eq!(who_gets("funding_call", &call), VIEWERS, "a call is published to everyone");
}
