//! Property tests of push and pull parsing: whatever bytes arrive, the server answers with a
//! 2xx or a 4xx `{code, message}` — never a panic, never a 500 — and keeps serving.

mod common;

use common::{PASSWORD, TestServer, founders_of, ok};
use incubook::sync::PushedMutation;
use incubook_server::db::ServerRole;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |x| x.is_finite()).prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        prop_oneof![
            Just("book"),
            Just("cancel"),
            Just("reschedule"),
            Just("client_id"),
            Just("mutations"),
            Just("id"),
            Just("2026-12-01T02:00:00Z")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("client_id".to_string()),
                    Just("mutations".to_string()),
                    Just("id".to_string()),
                    Just("name".to_string()),
                    Just("args".to_string()),
                    Just("booking_id".to_string()),
                    ".{0,8}".prop_map(|s: String| s)
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn mutation_parsing_never_panics() {
    let mut runner = TestRunner::new(Config::with_cases(2_000));
    ok(runner.run(&(".{0,20}", json_value(), any::<i64>()), |(name, args, id)| {
        let pushed = PushedMutation { id, name, args };
        if let Err(e) = pushed.parse() {
            prop_assert_eq!(e.code(), "invalid.mutation");
        }
        Ok(())
    }));
}

/// What a client reads off a pull page: any JSON is a change or an error, never a panic; a
/// change reads back as the server wrote it; a put that also names a key, or a delete with a
/// row, is refused.
#[test]
fn pulled_changes_parse_back_and_bad_ones_are_refused() {
    use incubook::sync::Change;
    let mut runner = TestRunner::new(Config::with_cases(2_000));
    let fields = prop::collection::btree_map(".{1,8}", json_value(), 0..5)
        .prop_map(|m| m.into_iter().collect::<serde_json::Map<String, Value>>());
    let change = (any::<bool>(), ".{0,12}", any::<i64>(), fields).prop_map(|(put, table, version, fields)| {
        if put { Change::Put { table, version, row: fields } } else { Change::Delete { table, version, key: fields } }
    });
    ok(runner.run(&(change, json_value()), |(change, noise)| {
        let wire = ok(serde_json::to_value(&change));
        prop_assert_eq!(ok(serde_json::from_value::<Change>(wire.clone())), change);
        let _ = serde_json::from_value::<Change>(noise);
        let mut both = wire;
        if let Value::Object(o) = &mut both {
            o.insert("row".into(), serde_json::json!({}));
            o.insert("key".into(), serde_json::json!({}));
        }
        prop_assert!(serde_json::from_value::<Change>(both).is_err());
        Ok(())
    }));
}

#[test]
fn push_and_pull_answer_bad_input_with_a_4xx_code() {
    let now = common::now();
    let server = TestServer::start(now);
    let founder = founders_of(&server.seed(), "PD-0001")[0].clone();
    server.account("f", &founder, "PD-0001", &[ServerRole::Founder]);
    let token = ok(ok(incubook::sync::http::HttpTransport::new(&server.base)).sign_in("f", PASSWORD)).token;
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let auth = format!("Bearer {token}");

    let mut runner = TestRunner::new(Config::with_cases(300));
    let raw = json_value().prop_map(|v| v.to_string());
    let as_args = json_value().prop_map(one_book_with_args);
    let as_client_id = json_value().prop_map(|v| serde_json::json!({"client_id": v, "mutations": []}).to_string());
    let bodies = prop_oneof![raw, as_args, as_client_id, ".{0,200}"];
    ok(runner.run(&(bodies, ".{0,60}"), |(body, query)| {
        let mut answer = ok(agent
            .post(format!("{}/v1/push", server.base))
            .header("Authorization", &auth)
            .header("Content-Type", "application/json")
            .send(body.as_bytes()));
        let status = answer.status().as_u16();
        let reply: Value = answer.body_mut().read_json().unwrap_or(Value::Null);
        prop_assert!(status == 200 || (400..500).contains(&status), "push {status} {body}");
        if status != 200 {
            prop_assert!(reply["code"].is_string(), "push {status} without a code: {reply}");
        }
        let url = format!("{}/v1/pull?{}", server.base, url_escape(&query));
        let mut answer = ok(agent.get(&url).header("Authorization", &auth).call());
        let status = answer.status().as_u16();
        let reply: Value = answer.body_mut().read_json().unwrap_or(Value::Null);
        prop_assert!(status == 200 || (400..500).contains(&status), "pull {status} {query}");
        if status != 200 {
            prop_assert!(reply["code"].is_string(), "pull {status} without a code: {reply}");
        }
        Ok(())
    }));
    let mut health = ok(agent.get(format!("{}/v1/health", server.base)).call());
    assert_eq!(health.status().as_u16(), 200);
    assert!(health.body_mut().read_to_string().is_ok());
}

fn one_book_with_args(args: Value) -> String {
    serde_json::json!({"client_id": "c1", "mutations": [{"id": 1, "name": "book", "args": args}]}).to_string()
}

/// Keeps the generated query text inside one URL while still sending odd characters.
fn url_escape(text: &str) -> String {
    text.chars()
        .map(
            |c| {
                if c.is_ascii_alphanumeric() || "=&-_.".contains(c) { c.to_string() } else { format!("%{:02X}", c as u32 & 0xFF) }
            },
        )
        .collect()
}
