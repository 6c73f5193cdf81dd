//! Two server processes on one PostgreSQL accept 200 applications at once: the serials of the
//! programme's year are 1..200, none twice and none skipped — each acceptance takes its serial
//! inside its own transaction, from a row the other process waits on.

mod common;

use std::process::{Command, Stdio};

use common::{Arg, Backend, PASSWORD, TestServer, founders_of, ok};
use incubook::calls::application::Intake;
use incubook::calls::{NewCall, sample};
use incubook::domain::new_id;
use incubook::sync::client::Transport;
use incubook::sync::http::HttpTransport;
use incubook::unified_code::UnifiedCode;
use incubook_core::protocol::{Mutation, PushRequest, PushedMutation};
use incubook_server::db::ServerRole;

const APPLICATIONS: usize = 200;
const PER_STARTUP: u32 = 20;

/// The real server binary on the test server's PostgreSQL database, on a port of its own.
fn second_server(url: &str) -> (std::process::Child, String) {
    let port = ok(std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr())).port();
    let child = ok(Command::new(env!("CARGO_BIN_EXE_incubook-server"))
        .env("INCUBOOK_NOW", common::now().to_rfc3339())
        .args(["--db", url, "serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn());
    let base = format!("http://127.0.0.1:{port}");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let up = (0..200).any(|_| {
        let healthy = agent.get(format!("{base}/v1/health")).call().is_ok_and(|r| r.status() == 200);
        if !healthy {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        healthy
    });
    assert!(up, "the second server never answered");
    (child, base)
}

#[test]
fn two_server_processes_on_one_postgresql_mint_serials_one_to_two_hundred() {
    let now = common::now();
    let server = TestServer::start_on(Backend::Postgres, now);
    let url = server.postgres.as_ref().map(|p| p.url.clone()).unwrap_or_default();
    let hash = ok(incubook_server::auth::hash_password(PASSWORD));
    ok(server.db.add_account("PD-0001", "operator", &hash, &[ServerRole::DistrictOperator], None, 0));
    let mut operator = server.client("operator", now);
    let operator_id = operator.person_id.clone();
    ok(operator.store.create_programme(&operator_id, &sample::programme(), now));
    let call = NewCall {
        opens_at: now - chrono::Duration::days(2),
        closes_at: now - chrono::Duration::days(1),
        max_per_organisation: PER_STARTUP,
        ..sample::grant_call()
    };
    let call_id = ok(operator.store.publish_call(&operator_id, &call, now - chrono::Duration::days(3)));
    assert!(operator.sync(now).refused.is_empty());

    // Two hundred applications received before the close (written behind the servers' back:
    // the race is in taking them in), twenty from each of ten startups.
    let seed = server.seed();
    let mut leads = Vec::new();
    for code in ["PD-0001", "PD-0002", "PD-0003"] {
        for founder in founders_of(&seed, code) {
            let startup =
                server.text("SELECT startup_id FROM startup_member WHERE person_id = $1 AND lead = 1", &[Arg::T(&founder)]);
            leads.extend(startup.map(|s| (founder, s)));
        }
    }
    assert!(leads.len() * PER_STARTUP as usize >= APPLICATIONS, "{} leads", leads.len());
    let mut ids = Vec::new();
    let mut pg = ok(postgres::Client::connect(&url, postgres::NoTls));
    for n in 0..APPLICATIONS {
        let (lead, startup) = &leads[n / PER_STARTUP as usize];
        let id = format!("app-{n:03}");
        ok(pg.execute(
            "INSERT INTO application(id, call_id, startup_id, applicant_id, state, title, requested_fen, pledged, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'submitted', '项目', 1000000, 1, $5, $5)",
            &[&id, &call_id, startup, lead, &now.timestamp()],
        ));
        ids.push(id);
    }

    // Eight clients of the operator push acceptances one at a time, half to each server.
    let (mut child, second) = second_server(&url);
    let token = ok(ok(HttpTransport::new_allowing_plain_http(&server.base)).sign_in("operator", PASSWORD)).token;
    let bases = [server.base.clone(), second];
    let results: Vec<Vec<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = ids
            .chunks(APPLICATIONS / 8)
            .enumerate()
            .map(|(k, chunk)| {
                let (token, base) = (token.clone(), bases[k % 2].clone());
                scope.spawn(move || {
                    let transport = ok(HttpTransport::new_allowing_plain_http(&base));
                    let client_id = format!("racer-{k}");
                    let mut refused = Vec::new();
                    for (i, application_id) in chunk.iter().enumerate() {
                        let accept = Mutation::DecideApplication {
                            application_id: application_id.clone(),
                            event_id: new_id(),
                            intake: Intake::Accept,
                        };
                        let pushed = ok(PushedMutation::new(i as i64 + 1, &accept));
                        let response =
                            ok(transport.push(&token, &PushRequest { client_id: client_id.clone(), mutations: vec![pushed] }));
                        refused.extend(response.outcomes.into_iter().filter_map(|o| o.code));
                    }
                    refused
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| panic!("a racer panicked"))).collect()
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(results.iter().all(Vec::is_empty), "refused: {results:?}");

    let mut serials: Vec<u32> = ids
        .iter()
        .map(|id| {
            ok(pg.query_one("SELECT code FROM application WHERE id = $1", &[id])).get::<_, Option<String>>(0).unwrap_or_default()
        })
        .map(|code| ok(UnifiedCode::parse(&code)).serial)
        .collect();
    serials.sort_unstable();
    assert_eq!(serials, (1..=APPLICATIONS as u32).collect::<Vec<_>>(), "1..200, none twice, none skipped");
}
