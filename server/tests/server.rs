//! The real server on a loopback port (port 0) with a real SQLite file, driven over HTTP,
//! and the real admin CLI on both backends.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;

use incubook_server::auth;
use incubook_server::db::{self, Database, ServerRole};
use serde_json::{Value, json};

struct Server {
    _dir: tempfile::TempDir,
    base: String,
    db: Arc<dyn Database>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn start() -> Server {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = db::open(&format!("sqlite:{}", dir.path().join("district.db").display())).unwrap_or_else(|e| panic!("{e}"));
    db.add_makerspace("PD-0001", "张江众创空间").unwrap_or_else(|e| panic!("{e}"));
    let hash = auth::hash_password("correct horse").unwrap_or_else(|e| panic!("{e}"));
    db.add_account("PD-0001", "zhang", &hash, &[ServerRole::Founder, ServerRole::Mentor], None, 0)
        .unwrap_or_else(|e| panic!("{e}"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("{e}"));
    let base = format!("http://{}", listener.local_addr().unwrap_or_else(|e| panic!("{e}")));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = db.clone();
    tokio::spawn(async move {
        let _ =
            incubook_server::serve(listener, (served, incubook_core::clock::Clock::Pinned(common::now())), None, async move {
                let _ = stopped.await;
            })
            .await;
    });
    Server { _dir: dir, base, db, stop: Some(stop) }
}

async fn post(base: &str, path: &str, body: reqwest::Body) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(base: &str, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = reqwest::Client::new().get(format!("{base}{path}"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn sign_in(base: &str, username: &str, password: &str) -> (u16, Value) {
    post(base, "/v1/session", json!({ "username": username, "password": password }).to_string().into()).await
}

#[tokio::test]
async fn health_answers() {
    let s = start().await;
    let (status, body) = get(&s.base, "/v1/health", None).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
}

#[tokio::test]
async fn signing_in_gives_a_token_that_names_the_user_and_roles() {
    let s = start().await;
    let (status, session) = sign_in(&s.base, "zhang", "correct horse").await;
    assert_eq!(status, 200, "{session}");
    let token = session["token"].as_str().unwrap_or_default().to_string();
    assert_eq!(token.len(), 64);
    let (status, me) = get(&s.base, "/v1/me", Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(me["username"], "zhang");
    assert_eq!(me["roles"], json!([["PD-0001", "founder"], ["PD-0001", "mentor"]]));
}

#[tokio::test]
async fn wrong_passwords_unknown_users_and_missing_tokens_get_401() {
    let s = start().await;
    for (user, password) in [("zhang", "wrong password"), ("nobody", "correct horse")] {
        let (status, body) = sign_in(&s.base, user, password).await;
        assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")), "{user}");
    }
    assert_eq!(get(&s.base, "/v1/me", None).await.0, 401);
    let (status, body) = get(&s.base, "/v1/me", Some("not-a-token")).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));
}

#[tokio::test]
async fn revoked_tokens_stop_working() {
    let s = start().await;
    let (_, session) = sign_in(&s.base, "zhang", "correct horse").await;
    let token = session["token"].as_str().unwrap_or_default().to_string();
    assert_eq!(get(&s.base, "/v1/me", Some(&token)).await.0, 200);
    let revoked = s.db.revoke_tokens("zhang", common::now().timestamp()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(revoked, 1);
    assert_eq!(get(&s.base, "/v1/me", Some(&token)).await.0, 401);
}

#[tokio::test]
async fn bad_bodies_get_a_code_never_a_500() {
    let s = start().await;
    let cases: Vec<(reqwest::Body, u16, &str)> = vec![
        ("{not json".into(), 400, "bad_request"),
        (json!({ "username": "zhang", "password": "correct horse", "admin": true }).to_string().into(), 422, "invalid"),
        (json!({ "username": 7, "password": "x" }).to_string().into(), 422, "invalid"),
        (json!({ "username": "", "password": "x" }).to_string().into(), 422, "invalid"),
        (vec![b'a'; 2 * 1024 * 1024].into(), 413, "too_large"),
    ];
    for (body, status, code) in cases {
        let (got, value) = post(&s.base, "/v1/session", body).await;
        assert_eq!((got, value["code"].as_str()), (status, Some(code)), "{value}");
    }
}

/// The admin CLI against a database URL: makerspaces, users, roles, and a catalogue import.
fn admin_cli_adds_users_who_can_sign_in(url: &str) {
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_incubook-server"))
            .env("INCUBOOK_NOW", common::now().to_rfc3339())
            .args(["--db", url])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        }
        child.wait_with_output().unwrap_or_else(|e| panic!("{e}"))
    };
    assert!(run(&["admin", "add-makerspace", "--code", "PD-0009", "--name", "陆家嘴孵化器"], None).status.success());
    let added = run(
        &[
            "admin",
            "add-user",
            "--makerspace",
            "PD-0009",
            "--username",
            "li",
            "--password-stdin",
            "--roles",
            "lab_manager,space_admin",
        ],
        Some("lab manager pw\n"),
    );
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let duplicate = run(
        &["admin", "add-user", "--makerspace", "PD-0009", "--username", "li", "--password-stdin", "--roles", "founder"],
        Some("another pw 123\n"),
    );
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("\"code\":\"conflict\""));
    let bad_role = run(&["admin", "set-roles", "--makerspace", "PD-0009", "--username", "li", "--roles", "king"], None);
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("\"code\":\"invalid\""));
    let db = db::open(url).unwrap_or_else(|e| panic!("{e}"));
    let account = db.account_by_username("li").unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("li missing"));
    assert!(auth::verify_password("lab manager pw", &account.password_hash));
    assert!(!auth::verify_password("lab manager pw\n", &account.password_hash), "the newline is not part of the password");
    drop(db);

    // A desktop database's catalogue, imported; then a person of it gets an account.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let desktop = dir.path().join("incubook.db");
    let founder = {
        let mut store = incubook::store::Store::open(&desktop).unwrap_or_else(|e| panic!("{e}"));
        let now = common::now();
        incubook::sample::load(&mut store, incubook::sample::Scale::Small, 3, now).unwrap_or_else(|e| panic!("{e}"));
        common::founders_of(&store, "PD-0001")[0].clone()
    };
    let desktop = desktop.display().to_string();
    let unnamed = run(&["admin", "import-catalogue", "--from", &desktop], None);
    assert!(!unnamed.status.success(), "the makerspaces to take are named");
    let imported = run(&["admin", "import-catalogue", "--from", &desktop, "--makerspace", "PD-0001"], None);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    assert!(String::from_utf8_lossy(&imported.stderr).contains("booking: "), "progress per table");
    // The review's L9: only the named makerspace's rows, and only its people's bookings.
    {
        let db = db::open(url).unwrap_or_else(|e| panic!("{e}"));
        let spaces = db.makerspaces().unwrap_or_else(|e| panic!("{e}"));
        let with_catalogue: Vec<&str> = spaces.iter().filter(|m| m.has_catalogue()).map(|m| m.code.as_str()).collect();
        assert_eq!(with_catalogue, ["PD-0001"], "{spaces:?}");
    }
    let again = run(&["admin", "import-catalogue", "--from", &desktop, "--makerspace", "PD-0001"], None);
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim(), "0 rows added", "rows present are kept");
    let absent = run(&["admin", "import-catalogue", "--from", &desktop, "--makerspace", "PD-9999"], None);
    assert!(String::from_utf8_lossy(&absent.stderr).contains("\"code\":\"not_found\""));
    let linked = run(
        &[
            "admin",
            "add-user",
            "--makerspace",
            "PD-0001",
            "--username",
            "wang",
            "--password-stdin",
            "--roles",
            "founder",
            "--person",
            &founder,
        ],
        Some("founder pw 123\n"),
    );
    assert!(linked.status.success(), "{}", String::from_utf8_lossy(&linked.stderr));
    // A second district's catalogue reuses the code PD-0001 for another makerspace: refused whole.
    let other = dir.path().join("other.db");
    {
        let mut store = incubook::store::Store::open(&other).unwrap_or_else(|e| panic!("{e}"));
        incubook::sample::load(&mut store, incubook::sample::Scale::Small, 4, common::now()).unwrap_or_else(|e| panic!("{e}"));
    }
    let clash = run(&["admin", "import-catalogue", "--from", &other.display().to_string(), "--makerspace", "PD-0001"], None);
    assert!(
        String::from_utf8_lossy(&clash.stderr).contains("\"code\":\"conflict\""),
        "{}",
        String::from_utf8_lossy(&clash.stderr)
    );
    let missing = run(&["admin", "import-catalogue", "--from", "/nonexistent/incubook.db", "--makerspace", "PD-0001"], None);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("\"code\":\"not_found\""));
}

#[test]
fn the_admin_cli_adds_users_who_can_sign_in_on_sqlite() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    admin_cli_adds_users_who_can_sign_in(&format!("sqlite:{}", dir.path().join("district.db").display()));
}

#[test]
fn the_admin_cli_adds_users_who_can_sign_in_on_postgres() {
    let database = common::fresh_postgres_database();
    admin_cli_adds_users_who_can_sign_in(&database.url);
}

/// The real binary serves, and on Ctrl-C finishes and exits cleanly (on PostgreSQL the
/// connection pool must close outside the async runtime).
fn serve_and_stop(url: &str) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let child = Command::new(env!("CARGO_BIN_EXE_incubook-server"))
        .env("INCUBOOK_NOW", common::now().to_rfc3339())
        .args(["--db", url, "serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let healthy = (0..200).any(|_| {
        let up = agent.get(format!("http://127.0.0.1:{port}/v1/health")).call().is_ok_and(|r| r.status() == 200);
        if !up {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        up
    });
    assert!(healthy, "the server never answered /v1/health");
    let signalled = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap_or_else(|e| panic!("{e}"));
    assert!(signalled.success());
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert!(output.status.success(), "exit {:?}: {}", output.status, String::from_utf8_lossy(&output.stderr));
}

#[test]
fn the_server_stops_cleanly_on_ctrl_c_on_sqlite() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    serve_and_stop(&format!("sqlite:{}", dir.path().join("district.db").display()));
}

#[test]
fn the_server_stops_cleanly_on_ctrl_c_on_postgres() {
    let database = common::fresh_postgres_database();
    serve_and_stop(&database.url);
}

/// The review's L6: the PostgreSQL password need not stand on the command line (where `ps`
/// shows it): it comes from a file `INCUBOOK_DB_PASSWORD_FILE` names, or from `PGPASSWORD`; and
/// a URL the server cannot use is never echoed with its password.
#[test]
fn the_postgres_password_comes_from_a_file_and_is_never_echoed() {
    let database = common::fresh_postgres_database();
    let parts = database.url.split_once("://").and_then(|(scheme, rest)| {
        let (userinfo, host) = rest.split_once('@')?;
        let (user, password) = userinfo.split_once(':')?;
        Some((format!("{scheme}://{user}@{host}"), password.to_string()))
    });
    let (bare, password) = parts.unwrap_or_else(|| panic!("the test URL has a user and a password"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("db-password");
    std::fs::write(&file, format!("{password}\n")).unwrap_or_else(|e| panic!("{e}"));
    let cli = |url: &str, env: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_incubook-server"));
        command.args(["--db", url, "admin", "add-makerspace", "--code", "PD-0009", "--name", "陆家嘴孵化器"]);
        command.env_remove("PGPASSWORD").env_remove("INCUBOOK_DB_PASSWORD_FILE");
        for (k, v) in env {
            command.env(k, v);
        }
        command.output().unwrap_or_else(|e| panic!("{e}"))
    };
    let without = cli(&bare, &[]);
    assert!(!without.status.success(), "no password, no connection");
    let from_file = cli(&bare, &[("INCUBOOK_DB_PASSWORD_FILE", &file.display().to_string())]);
    assert!(from_file.status.success(), "{}", String::from_utf8_lossy(&from_file.stderr));

    let secret = "s3cr3t-Pa55";
    let malformed = format!("postgres://incubook:{secret}@127.0.0.1:notaport/district");
    let refused = cli(&malformed, &[]);
    assert!(!refused.status.success());
    let said = format!("{}{}", String::from_utf8_lossy(&refused.stdout), String::from_utf8_lossy(&refused.stderr));
    assert!(!said.contains(secret), "the password was echoed: {said}");
    assert!(said.contains("***"), "the URL is quoted without its password: {said}");
}

/// The review's L10: `/v1/health` answers only when the database does (503 otherwise, so that a
/// load balancer takes the server out).
#[tokio::test]
async fn health_fails_when_the_database_does() {
    let s = start().await;
    assert_eq!(get(&s.base, "/v1/health", None).await.0, 200);
    // The file's tables go from under the running server (a disk swapped, a file truncated).
    s.db.health().unwrap_or_else(|e| panic!("{e}"));
    let path = s._dir.path().join("district.db");
    let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch("DROP TABLE sync_client").unwrap_or_else(|e| panic!("{e}"));
    let (status, body) = get(&s.base, "/v1/health", None).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], "database", "{body}");
}
