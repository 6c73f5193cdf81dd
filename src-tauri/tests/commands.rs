//! The commands through Tauri's mock runtime: real IPC round trips on a real SQLite file,
//! each command's happy path and a refusal as `{code, message}`.

use incubook::clock::Clock;
use incubook::error::ErrorCode;
use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder, mock_context, noop_assets};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

struct Harness {
    _dir: tempfile::TempDir,
    _app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

/// The app's clock in these tests: Wednesday 2026-12-09 10:00 in Shanghai, or the RFC 3339
/// instant in `INCUBOOK_TEST_NOW` (CI runs the suite again at a hostile one).
fn now() -> chrono::DateTime<chrono::Utc> {
    let pinned = std::env::var("INCUBOOK_TEST_NOW").unwrap_or_else(|_| "2026-12-09T02:00:00Z".into());
    Clock::pinned_at(&pinned).unwrap_or_else(|e| panic!("{e}")).now()
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let state = incubook_desktop::state::AppState::open_with_clock(dir.path().join("incubook.db"), Clock::Pinned(now()))
        .unwrap_or_else(|e| panic!("{e}"));
    let app = incubook_desktop::builder(mock_builder())
        .manage(state)
        .build(mock_context(noop_assets()))
        .unwrap_or_else(|e| panic!("{e}"));
    let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().unwrap_or_else(|e| panic!("{e}"));
    Harness { _dir: dir, _app: app, window }
}

impl Harness {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap_or_else(|e| panic!("{e}")),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request).map(|body| body.deserialize::<Value>().unwrap_or(Value::Null))
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    /// The command's error, with its typed code (`{"kind": "refused", "reason": …}`) given as
    /// the dotted text the tests compare (`"code": "refused.slot_taken"`). Tauri's own refusal
    /// of malformed arguments is a plain string and stays one.
    fn err(&self, cmd: &str, args: Value) -> Value {
        match self.call(cmd, args) {
            Err(mut e) => {
                if let Some(code) = e.get("code").cloned() {
                    let typed: ErrorCode = serde_json::from_value(code).unwrap_or_else(|err| panic!("{e}: {err}"));
                    e["code"] = Value::String(typed.to_string());
                }
                e
            }
            Ok(v) => panic!("{cmd} should fail, got {v}"),
        }
    }

    /// Loads the sample and acts as the given kind of person.
    fn sample_as(&self, who: &str) -> Value {
        let summary = self.ok("load_sample", json!({}));
        let id = summary[who].clone();
        self.ok("set_profile", json!({ "personId": id }));
        summary
    }

    fn founder_with_slot(&self) -> (Value, Value, Value) {
        let summary = self.sample_as("founder_id");
        let mentors = self.ok("search_mentors", json!({ "search": { "free_within_days": 14, "minutes": 60 } }));
        let mentor = mentors[0].clone();
        let slot = mentor["next_free"][0].clone();
        (summary, mentor, slot)
    }
}

#[test]
fn first_start_has_no_data_and_no_profile() {
    let h = harness();
    let info = h.ok("app_info", json!({}));
    assert_eq!(info["has_data"], false);
    assert_eq!(info["profile"], Value::Null);
    assert_eq!(info["language"], "zh-CN");
    // Acting needs a profile: the UI answers this code with the profile switcher.
    let e = h.err("my_bookings", json!({}));
    assert_eq!(e["code"], "no_profile");
}

#[test]
fn the_sample_loads_once_and_the_profile_is_remembered() {
    let h = harness();
    let summary = h.sample_as("founder_id");
    let info = h.ok("app_info", json!({}));
    assert_eq!(info["has_data"], true);
    assert_eq!(info["profile"]["id"], summary["founder_id"]);
    assert!(info["profile"]["roles"].as_array().is_some_and(|r| !r.is_empty()));
    let again = h.err("load_sample", json!({}));
    assert_eq!(again["code"], "conflict");
    let people = h.ok("list_people", json!({ "role": "mentor" }));
    assert!(people.as_array().is_some_and(|p| p.len() >= 15));
    assert_eq!(h.err("set_profile", json!({ "personId": "nobody" }))["code"], "not_found.person");
}

#[test]
fn a_founder_books_a_mentor_and_a_second_booking_is_refused_with_a_reason() {
    let h = harness();
    let (_, mentor, slot) = h.founder_with_slot();
    let booking = json!({ "resource_id": mentor["id"], "start": slot["start"], "end": slot["end"], "topic": "融资路演" });
    let made = h.ok("book", json!({ "booking": booking }));
    assert!(made["status"] == "confirmed" || made["status"] == "requested");
    let mine = h.ok("my_bookings", json!({}));
    assert!(mine.as_array().is_some_and(|b| b.iter().any(|x| x["id"] == made["id"])));
    let refused = h.err("book", json!({ "booking": booking }));
    assert_eq!(refused["code"], "refused.slot_taken");
    assert_eq!(refused["message"], "该时段已被预约");
    h.ok("set_language", json!({ "language": "en" }));
    let refused = h.err("book", json!({ "booking": booking }));
    assert_eq!(refused["message"], "that slot is already taken");
}

#[test]
fn bad_arguments_are_refused_before_the_core() {
    let h = harness();
    let (_, mentor, _) = h.founder_with_slot();
    let e = h.err(
        "book",
        json!({ "booking": { "resource_id": mentor["id"], "start": "not a time", "end": "2026-12-08T02:00:00Z", "topic": "" } }),
    );
    assert!(e.as_str().is_some_and(|s| s.contains("invalid")) || e.get("code").is_some(), "{e}");
    let e =
        h.err("resource_slots", json!({ "resourceId": mentor["id"], "from": "2026-12-10", "to": "2026-12-01", "minutes": 60 }));
    assert_eq!(e["code"], "invalid.to");
}

#[test]
fn slots_calendar_cancel_and_waitlist() {
    let h = harness();
    let (_, mentor, next_free) = h.founder_with_slot();
    // Dates are the mentor's own: a New York mentor's Shanghai-morning slot is on the day before
    // its UTC date, so the days either side are asked for.
    let day: chrono::NaiveDate = next_free["start"].as_str().unwrap_or_default()[..10].parse().unwrap_or_else(|e| panic!("{e}"));
    let (from, to) = (day - chrono::Duration::days(1), day + chrono::Duration::days(1));
    let slots = h.ok("resource_slots", json!({ "resourceId": mentor["id"], "from": from, "to": to, "minutes": 60 }));
    assert!(
        slots.as_array().is_some_and(|s| s.iter().any(|x| x["start"] == next_free["start"])),
        "{mentor}\n{next_free}\n{slots}"
    );
    // A slot days ahead, so that it is still before the mentor's cancellation cutoff whatever
    // the time of day the test runs (the next free one may start within the cutoff).
    let slot = (3..14)
        .find_map(|ahead| {
            let day = (now() + chrono::Duration::days(ahead)).format("%Y-%m-%d").to_string();
            let slots = h.ok("resource_slots", json!({ "resourceId": mentor["id"], "from": day, "to": day, "minutes": 60 }));
            slots.as_array().and_then(|s| s.first().cloned())
        })
        .unwrap_or_else(|| panic!("the mentor has no free hour in the next two weeks"));
    let made = h.ok(
        "book",
        json!({ "booking": { "resource_id": mentor["id"], "start": slot["start"], "end": slot["end"], "topic": "" } }),
    );
    let cal = h.ok("resource_calendar", json!({ "resourceId": mentor["id"], "from": slot["start"], "to": slot["end"] }));
    assert_eq!(cal[0]["booking"]["id"], made["id"], "own booking shown in full");
    let cancelled = h.ok("cancel", json!({ "bookingId": made["id"], "reason": "时间冲突" }));
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(h.err("cancel", json!({ "bookingId": made["id"], "reason": null }))["code"], "refused.wrong_status");
    let waiting = h.ok("join_waitlist", json!({ "resourceId": mentor["id"], "start": slot["start"], "end": slot["end"] }));
    assert_eq!(waiting["notified"], false);
}

#[test]
fn a_lab_manager_previews_a_blackout_and_sees_the_booking_it_hits() {
    let h = harness();
    let summary = h.sample_as("lab_manager_id");
    let labs = h.ok("list_labs", json!({ "makerspaceCode": "PD-0001" }));
    let lab_id = labs[0]["id"].clone();
    let equipment = h.ok("list_equipment", json!({ "labId": lab_id }));
    let printer =
        equipment.as_array().and_then(|e| e.iter().find(|x| x["category"] == "3d_printer")).cloned().unwrap_or_default();
    // The founder books the printer, then the manager plans maintenance over it.
    h.ok("set_profile", json!({ "personId": summary["founder_id"] }));
    // A week on (the lab is closed on some days: a Sunday's run found no slot that day).
    let day = |n: i64| (now() + chrono::Duration::days(n)).format("%Y-%m-%d").to_string();
    let slots = h.ok("resource_slots", json!({ "resourceId": printer["id"], "from": day(7), "to": day(13), "minutes": 60 }));
    let slot = slots[0].clone();
    assert!(slot.is_object(), "the printer has no free hour in the week after next: {slots}");
    let made = h.ok(
        "book",
        json!({ "booking": { "resource_id": printer["id"], "start": slot["start"], "end": slot["end"], "topic": "外壳打印" } }),
    );
    h.ok("set_profile", json!({ "personId": summary["lab_manager_id"] }));
    let start = chrono::DateTime::parse_from_rfc3339(slot["start"].as_str().unwrap_or_default())
        .map(|t| t.timestamp())
        .unwrap_or_default();
    let when = json!({ "kind": "once", "start": start - 1800, "end": start + 7200 });
    let preview =
        h.ok("add_blackout", json!({ "resourceId": printer["id"], "when": when, "reason": "喷头更换", "mode": "preview" }));
    assert_eq!(preview["hits"][0]["id"], made["id"]);
    assert_eq!(preview["blackout"], Value::Null);
    let added = h.ok(
        "add_blackout",
        json!({ "resourceId": printer["id"], "when": when, "reason": "喷头更换", "mode": "cancel_bookings" }),
    );
    assert_eq!(added["cancelled"], 1);
    let cal = h.ok("lab_calendar", json!({ "labId": lab_id, "from": slot["start"], "to": slot["end"] }));
    assert!(cal["resources"].as_array().is_some_and(|r| r.len() == equipment.as_array().map(Vec::len).unwrap_or(0)));
    // A founder cannot add blackouts.
    h.ok("set_profile", json!({ "personId": summary["founder_id"] }));
    assert_eq!(
        h.err("add_blackout", json!({ "resourceId": printer["id"], "when": when, "reason": "", "mode": "keep_bookings" }))["code"],
        "forbidden"
    );
}

#[test]
fn equipment_detail_says_which_qualification_is_missing_and_who_grants_it() {
    let h = harness();
    let summary = h.sample_as("founder_id");
    let equipment = h.ok("list_equipment", json!({ "category": "sem" }));
    let sem = equipment[0].clone();
    let detail = h.ok("equipment_detail", json!({ "id": sem["id"] }));
    assert!(detail["qualification"] == "missing" || detail["qualification"] == "valid");
    assert!(detail["managers"].as_array().is_some_and(|m| !m.is_empty()));
    h.ok("set_profile", json!({ "personId": summary["lab_manager_id"] }));
    let grants = h.ok("qualifications", json!({ "resourceId": sem["id"] }));
    assert!(grants.as_array().is_some());
}

#[test]
fn mentors_keep_their_availability_and_decide_requests() {
    let h = harness();
    let summary = h.sample_as("mentor_person_id");
    let me = h.ok("my_mentor_profile", json!({}));
    let hours = json!([{ "weekday": 0, "start_min": 540, "end_min": 720 }]);
    h.ok("set_weekly_hours", json!({ "resourceId": me["id"], "hours": hours }));
    assert_eq!(h.ok("get_mentor", json!({ "id": me["id"] }))["weekly_hours"], hours);
    let bad = json!([{ "weekday": 0, "start_min": 720, "end_min": 540 }]);
    assert_eq!(h.err("set_weekly_hours", json!({ "resourceId": me["id"], "hours": bad }))["code"], "invalid.hours");
    let requests = h.ok("requests", json!({}));
    assert!(requests.is_array());
    h.ok("set_profile", json!({ "personId": summary["founder_id"] }));
    assert_eq!(h.err("set_weekly_hours", json!({ "resourceId": me["id"], "hours": hours }))["code"], "forbidden");
}

#[test]
fn reports_and_import_report_rows() {
    let h = harness();
    h.sample_as("space_admin_id");
    let today = now().format("%Y-%m-%d").to_string();
    let from = (now() - chrono::Duration::days(90)).format("%Y-%m-%d").to_string();
    let report = h.ok("mentor_report", json!({ "from": from, "to": today }));
    assert!(report["by_mentor"].as_array().is_some_and(|m| !m.is_empty()));
    let bad = "name,makerspace_code,tags\n某导师,PD-0001,astrology\n".as_bytes().to_vec();
    let outcome = h.ok("import_csv", json!({ "kind": "mentors", "bytes": bad }));
    assert_eq!(outcome["summary"], Value::Null);
    assert_eq!(outcome["errors"][0]["line"], 2);
    assert_eq!(outcome["errors"][0]["field"], "tags");
    let good = "name,makerspace_code,tags\n新导师,PD-0001,融资\n".as_bytes().to_vec();
    let outcome = h.ok("import_csv", json!({ "kind": "mentors", "bytes": good }));
    assert_eq!(outcome["summary"]["rows"], 1);
}

#[test]
fn district_connection_commands_before_and_without_a_server() {
    let h = harness();
    h.sample_as("founder_id");
    assert_eq!(h.ok("sync_status", json!({})), Value::Null);
    assert_eq!(h.ok("notices", json!({})), json!([]));
    assert_eq!(h.ok("sync_now", json!({})), Value::Null, "nothing to do when not connected");
    let bad = h.err("connect_server", json!({"url": "district", "username": "wang", "password": "pw"}));
    assert_eq!(bad["code"], "invalid.server_url");
    // Port 9 on loopback: nobody answers, so the app says the server is unreachable.
    let offline = h.err("connect_server", json!({"url": "http://127.0.0.1:9", "username": "wang", "password": "pw"}));
    assert_eq!(offline["code"], "sync.offline");
    assert_eq!(h.ok("sync_status", json!({})), Value::Null, "a failed sign-in remembers nothing");
}
