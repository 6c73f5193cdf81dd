//! Policy notices and the district report: who may publish and read, and that notices
//! reach every replica by pull.

mod common;

use common::{Backend, PASSWORD, TestServer, founders_of, ok};
use incubook::indicators::GroupBy;
use incubook::sync::client::SyncClient;
use incubook_server::db::ServerRole;
use serde_json::{Value, json};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

fn token(server: &TestServer, username: &str) -> String {
    let http = ok(incubook::sync::http::HttpTransport::new(&server.base));
    ok(http.sign_in(username, PASSWORD)).token
}

fn call(method: &str, url: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let agent = agent();
    let auth = token.map(|t| format!("Bearer {t}")).unwrap_or_default();
    let response = match (method, body) {
        ("POST", Some(body)) => agent.post(url).header("Authorization", &auth).send_json(&body),
        _ => agent.get(url).header("Authorization", &auth).call(),
    };
    let mut response = ok(response);
    let status = response.status().as_u16();
    (status, response.body_mut().read_json().unwrap_or(Value::Null))
}

fn setup(backend: Backend) -> (TestServer, String, String) {
    let now = common::now();
    let server = TestServer::start_on(backend, now);
    let founder = founders_of(&server.seed(), "PD-0001")[0].clone();
    server.account("founder", &founder, "PD-0001", &[ServerRole::Founder]);
    let hash = ok(incubook_server::auth::hash_password(PASSWORD));
    ok(server.db.add_account("PD-0001", "operator", &hash, &[ServerRole::DistrictOperator], None, 0));
    let (f, o) = (token(&server, "founder"), token(&server, "operator"));
    (server, f, o)
}

fn operators_publish_notices_everyone_reads_them_and_they_reach_replicas(backend: Backend) {
    let (server, founder, operator) = setup(backend);
    let url = format!("{}/v1/notices", server.base);
    let notice = json!({"title": "关于2027年度科技创新券申领的通知", "body": "各众创空间：创新券申领将于1月5日开始。"});

    let (status, body) = call("POST", &url, Some(&founder), Some(notice.clone()));
    assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")));
    let (status, _) = call("POST", &url, None, Some(notice.clone()));
    assert_eq!(status, 401);
    let (status, body) = call("POST", &url, Some(&operator), Some(json!({"title": "", "body": "x"})));
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid.title")));
    let (status, body) = call("POST", &url, Some(&operator), Some(json!({"title": "t", "body": "b", "urgent": true})));
    assert!(status == 400 || status == 422, "{status} {body}");

    let (status, published) = call("POST", &url, Some(&operator), Some(notice));
    assert_eq!(status, 201, "{published}");
    let (status, list) = call("GET", &url, Some(&founder), None);
    assert_eq!(status, 200);
    assert_eq!(list[0]["title"], "关于2027年度科技创新券申领的通知");

    let mut client = server.client("founder", common::now());
    let notices = ok(client.store.notices(10));
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].id, published["id"].as_str().unwrap_or_default());
    client.sync(common::now());
    assert_eq!(ok(client.store.notices(10)).len(), 1, "a second pull brings nothing twice");
}

fn the_district_report_is_for_operators_and_sums_each_makerspace(backend: Backend) {
    let (server, founder, operator) = setup(backend);
    let today = common::now().date_naive();
    let from = today - chrono::Duration::days(90);
    let url = format!("{}/v1/reports/district?from={from}&to={today}", server.base);
    let (status, _) = call("GET", &url, Some(&founder), None);
    assert_eq!(status, 403);
    let (status, report) = call("GET", &url, Some(&operator), None);
    assert_eq!(status, 200, "{report}");
    let rows = report["by_makerspace"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 3);
    let sessions: u64 = rows.iter().map(|r| r["mentor_sessions"].as_u64().unwrap_or(0)).sum();
    let local = ok(server.seed().mentor_report(from, today));
    assert_eq!(sessions, local.by_mentor.iter().map(|m| u64::from(m.sessions)).sum::<u64>());
    assert!(sessions > 0);
    // Every figure equals the desktop store's own report of the same catalogue.
    assert_eq!(report, serde_json::to_value(ok(server.seed().district_report(from, today))).unwrap_or_default());

    let (status, body) =
        call("GET", &format!("{}/v1/reports/district?from=2026-13-01&to={today}", server.base), Some(&operator), None);
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid.from")));
    let (status, _) = call("GET", &format!("{}/v1/reports/district?from={from}", server.base), Some(&operator), None);
    assert_eq!(status, 400);
}

fn the_districts_sharing_figures_are_the_desktops_figures_of_the_same_sessions(backend: Backend) {
    let (server, founder, operator) = setup(backend);
    // A past quarter: every booking in it has ended, whatever the clock says.
    let today = common::now().date_naive();
    let (from, to) = (today - chrono::Duration::days(120), today - chrono::Duration::days(1));
    let url = |by: &str| format!("{}/v1/reports/indicators?from={from}&to={to}&by={by}", server.base);
    let (status, _) = call("GET", &url("makerspace"), Some(&founder), None);
    assert_eq!(status, 403);
    for by in [GroupBy::Instrument, GroupBy::Lab, GroupBy::Makerspace] {
        let name = format!("{by:?}").to_lowercase();
        let (status, report) = call("GET", &url(&name), Some(&operator), None);
        assert_eq!(status, 200, "{report}");
        let local = ok(server.seed().indicators(from, to, by, common::now()));
        assert!(local.total.figures.effective_seconds > 0, "the sample district has sessions in the quarter");
        assert_eq!(report, serde_json::to_value(&local).unwrap_or_default(), "by {name}");
    }
    let (status, listed) = call("GET", &format!("{}&sessions=true", url("makerspace")), Some(&operator), None);
    assert_eq!(status, 200);
    let local = ok(server.seed().indicators_with_sessions(from, to, GroupBy::Makerspace, common::now()));
    let ids = listed["total"]["session_ids"].as_array().map(Vec::len).unwrap_or_default();
    assert_eq!(ids, local.total.session_ids.len());
    assert!(ids > 0);
    let (status, body) = call("GET", &url("room"), Some(&operator), None);
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid.by")));
}

/// The operator sees every makerspace's yearly figures side by side, the same as each
/// makerspace's own report of the same rows.
fn the_district_sees_every_makerspaces_year_side_by_side(backend: Backend) {
    let (server, founder, operator) = setup(backend);
    // The year of a month ago: the sample's sessions of the last 90 days fall in it even on 1 January.
    let year = chrono::Datelike::year(&(common::now() - chrono::Duration::days(30)).with_timezone(&chrono_tz::Asia::Shanghai));
    let url = format!("{}/v1/reports/kpi?year={year}", server.base);
    assert_eq!(call("GET", &url, Some(&founder), None).0, 403);
    let (status, report) = call("GET", &url, Some(&operator), None);
    assert_eq!(status, 200, "{report}");
    let local = ok(server.seed().district_year_figures(year, common::now()));
    assert_eq!(local.len(), 3, "every makerspace of the sample");
    assert!(local.iter().map(|f| f.sessions).sum::<u32>() > 0, "the sample's mentors delivered sessions this year");
    assert_eq!(report, serde_json::to_value(&local).unwrap_or_default());
    let (status, body) = call("GET", &format!("{}/v1/reports/kpi?year=1900", server.base), Some(&operator), None);
    assert_eq!(status, 422, "{body}");

    // The operator's desktop learns at sign-in that it is a district operator's, and reads the
    // same table through its connection; a founder's desktop is told no.
    let mut desktop = server.client("operator", common::now());
    let signed_in = ok(desktop.http.sign_in("operator", PASSWORD));
    assert!(signed_in.user.is_district_operator());
    ok(desktop.store.set_district_operator(signed_in.user.is_district_operator()));
    assert_eq!(ok(desktop.store.sync_status()).map(|s| s.district_operator), Some(true));
    let (_, token) = ok(desktop.store.sync_token());
    let fetched = ok(desktop.http.district_year_figures(&token, year));
    assert_eq!(fetched, local);
    let founders_desktop = server.client("founder", common::now());
    assert_eq!(ok(founders_desktop.store.sync_status()).map(|s| s.district_operator), Some(false));
    let (_, token) = ok(founders_desktop.store.sync_token());
    let refused = founders_desktop.http.district_year_figures(&token, year).map(|_| ()).map_err(|e| e.code());
    assert_eq!(refused, Err("forbidden".to_string()));
}

on_both_backends!(
    the_district_sees_every_makerspaces_year_side_by_side,
    operators_publish_notices_everyone_reads_them_and_they_reach_replicas,
    the_district_report_is_for_operators_and_sums_each_makerspace,
    the_districts_sharing_figures_are_the_desktops_figures_of_the_same_sessions
);
