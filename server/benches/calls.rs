//! Accepting applications on the server (`make bench-calls`): each acceptance is one push of
//! one `DecideApplication`, as an operator's desktop sends it, and mints its unified code in
//! the transaction that acknowledges it. The `small` sample on the SQLite backend and, with
//! `INCUBOOK_TEST_POSTGRES_URL` set, on PostgreSQL; 300 acceptances each, median and p99.

use std::time::{Duration, Instant};

use incubook::calls::application::Intake;
use incubook::calls::{NewCall, NewProgramme, ProgrammeKind};
use incubook::sample::{self, Scale};
use incubook::store::Store;
use incubook::sync::{Mutation, PushRequest, PushedMutation};
use incubook_server::db::{self, Database, ServerRole};

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

const ACCEPTED: usize = 300;

/// Pushes one mutation as the operator's desktop would, under its own growing ids.
fn push(db: &dyn Database, operator: &str, id: &mut i64, mutation: Mutation) -> Option<String> {
    *id += 1;
    let request = PushRequest { client_id: "bench-operator".into(), mutations: vec![ok(PushedMutation::new(*id, &mutation))] };
    let response = ok(db.push(operator, &request, incubook_core::clock::Clock::System.now()));
    response.outcomes.into_iter().find_map(|o| o.code)
}

fn measure(backend: &str, db: &dyn Database, applications: &dyn Fn(&[String])) {
    let now = incubook_core::clock::Clock::System.now();
    let hash = ok(incubook_server::auth::hash_password("bench-password-1"));
    let operator = ok(db.add_account("PD-0001", "bench-operator", &hash, &[ServerRole::DistrictOperator], None, 0));
    let mut id = 0;
    let programme = NewProgramme {
        code: "BJ".into(),
        kind: ProgrammeKind::Grant,
        name_zh: "基准专项".into(),
        name_en: "Bench programme".into(),
        funder: "区科经委".into(),
        yearly_budget_fen: 10_000_000_000,
    };
    assert_eq!(push(db, &operator, &mut id, Mutation::CreateProgramme { programme }), None);
    let call = NewCall {
        programme_code: "BJ".into(),
        year: 2026,
        batch: 1,
        title_zh: "基准批次".into(),
        title_en: String::new(),
        guide: "指南".into(),
        opens_at: now - chrono::Duration::days(10),
        closes_at: now - chrono::Duration::days(1),
        ceiling_fen: 50_000_000,
        budget_fen: 2_000_000_000,
        public_share_pct: 50,
        max_per_organisation: 20,
        max_ongoing_led: None,
        attachments: Vec::new(),
        form: Vec::new(),
        eligibility: Vec::new(),
        recommendation: None,
    };
    assert_eq!(push(db, &operator, &mut id, Mutation::PublishCall { call_id: "bench-call".into(), call }), None);
    let ids: Vec<String> = (0..ACCEPTED).map(|n| format!("bench-app-{n:04}")).collect();
    applications(&ids);
    let mut times: Vec<Duration> = ids
        .iter()
        .map(|application_id| {
            let accept = Mutation::DecideApplication {
                application_id: application_id.clone(),
                event_id: format!("ev-{application_id}"),
                intake: Intake::Accept,
            };
            let started = Instant::now();
            let refused = push(db, &operator, &mut id, accept);
            let took = started.elapsed();
            assert_eq!(refused, None, "{application_id}");
            took
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{backend}: accepting an application (one push, code minted): median {:.2} ms, p99 {:.2} ms (of {ACCEPTED})",
        ms(times[ACCEPTED / 2]),
        ms(times[ACCEPTED * 99 / 100])
    );
}

/// Applications received, written behind the server's back, twenty per startup lead.
const APPLICATIONS_SQL: &str =
    "INSERT INTO application(id, call_id, startup_id, applicant_id, state, title, requested_fen, pledged,
     created_at, updated_at)
     SELECT $1, $2, startup_id, person_id, 'submitted', '项目', 1000000, 1, 0, 0 FROM startup_member
     WHERE lead = 1 ORDER BY startup_id LIMIT 1 OFFSET $3";

fn main() {
    let dir = ok(tempfile::tempdir());
    let path = dir.path().join("district.db");
    {
        let mut store = ok(Store::open(&path));
        ok(sample::load(&mut store, Scale::Small, 7, incubook_core::clock::Clock::System.now()));
    }
    let leads: i64 =
        ok(ok(Store::open(&path)).conn().query_row("SELECT count(*) FROM startup_member WHERE lead = 1", [], |r| r.get(0)));
    let sqlite = ok(db::open(&format!("sqlite:{}", path.display())));
    measure("SQLite", sqlite.as_ref(), &|ids| {
        let store = ok(Store::open(&path));
        for (n, id) in ids.iter().enumerate() {
            let offset = n as i64 / 20 % leads;
            ok(store.conn().execute(&APPLICATIONS_SQL.replace('$', "?"), rusqlite::params![id, "bench-call", offset]));
        }
    });
    drop(sqlite);

    if let Ok(admin) = std::env::var("INCUBOOK_TEST_POSTGRES_URL") {
        let name = format!("incubook_bench_{}", uuid::Uuid::now_v7().simple());
        ok(ok(postgres::Client::connect(&admin, postgres::NoTls)).batch_execute(&format!("CREATE DATABASE {name}")));
        let url = format!("{}/{name}", admin.rsplit_once('/').map_or(admin.as_str(), |(server, _)| server));
        let pg = ok(db::open(&url));
        let source = ok(Store::open(&path));
        let codes: Vec<String> = ok(source.makerspaces()).into_iter().map(|m| m.code).collect();
        ok(pg.import_catalogue(&source, &codes, &mut |_, _| {}));
        measure("PostgreSQL", pg.as_ref(), &|ids| {
            let mut client = ok(postgres::Client::connect(&url, postgres::NoTls));
            for (n, id) in ids.iter().enumerate() {
                let offset = n as i64 / 20 % leads;
                ok(client.execute(APPLICATIONS_SQL, &[id, &"bench-call", &offset]));
            }
        });
        drop(pg);
        ok(ok(postgres::Client::connect(&admin, postgres::NoTls)).batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")));
    }
}
