//! The PostgreSQL backend, for district IT: a pool of connections, its own migrations
//! (`migrations/postgres`), the same tables and row meanings as the SQLite backend, and the
//! same decisions — every booking change is checked by the core's pure `rules` and `decide`.

mod ahead;
mod batch;
mod bookings;
mod calls;
mod catalogue;
mod ledger;
mod optimistic;
mod pull;
mod push;
mod refusal;
mod report;
mod sql;
mod startups;

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use incubook_core::CoreError;
use incubook_core::protocol::{PullResponse, PushRequest, PushResponse};
use incubook_sqlite::report::DistrictReport;
use incubook_sqlite::store::{Notice, Store};
use incubook_sqlite::upload::MakerspaceSummary;
use postgres::GenericClient;
use sql::{Manager, Sql};

use super::{Account, Database, Principal, ServerRole};
use crate::error::{Result, ServerError};

mod embedded {
    refinery::embed_migrations!("../migrations/postgres");
}

type Pool = r2d2::Pool<Manager>;

pub struct PostgresDatabase {
    /// Always present; an `Option` only so that `drop` can hand it to another thread.
    pool: Option<Pool>,
    /// Applies pushes of new bookings in batches (`batch.rs`).
    batcher: batch::Batcher,
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        // A client's own drop blocks on its private runtime, which tokio refuses on a thread
        // that drives async tasks (as at the end of `serve`): close the pool on a plain thread.
        if let Some(pool) = self.pool.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            let _ = std::thread::spawn(move || drop(pool)).join();
        }
    }
}

impl From<postgres::Error> for ServerError {
    fn from(error: postgres::Error) -> ServerError {
        // The server's own log needs the database's reason, not only "db error".
        ServerError::Postgres(match error.as_db_error() {
            Some(db) => format!("{} ({})", db.message(), db.code().code()),
            None => error.to_string(),
        })
    }
}

/// Applies the PostgreSQL migrations up to `version` (all of them when `None`): for upgrade
/// tests, which need a database as an older release left it.
pub fn migrate_postgres(url: &str, version: Option<i32>) -> Result<()> {
    let mut client = postgres::Client::connect(url, postgres::NoTls)?;
    let runner = embedded::migrations::runner();
    let runner = match version {
        Some(v) => runner.set_target(refinery::Target::Version(v)),
        None => runner,
    };
    runner.run(&mut client).map_err(|e| ServerError::Postgres(format!("migration: {e}")))?;
    Ok(())
}

impl PostgresDatabase {
    /// Connects and brings the schema up to date.
    pub fn open(url: &str) -> Result<PostgresDatabase> {
        // The URL may hold a password: the error names only what is safe to show.
        let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| {
            ServerError::Invalid(format!(
                "'{}' is not a PostgreSQL URL: {}",
                without_password(url),
                without_password(&e.to_string())
            ))
        })?;
        if config.get_password().is_none()
            && let Some(password) = password_from_environment()?
        {
            config.password(password);
        }
        let manager = Manager(config);
        let pool = r2d2::Pool::builder()
            .max_size(24)
            .min_idle(Some(2))
            // No test query before each use: a round trip per request. A connection that
            // broke fails its request (503, try again) and is not handed out again.
            .test_on_check_out(false)
            .connection_timeout(Duration::from_secs(15))
            .build(manager)
            .map_err(|e| ServerError::Postgres(format!("cannot connect: {e}")))?;
        let db = PostgresDatabase { batcher: batch::Batcher::start(pool.clone())?, pool: Some(pool) };
        let mut conn = db.conn()?;
        embedded::migrations::runner().run(&mut conn.client).map_err(|e| ServerError::Postgres(format!("migration: {e}")))?;
        Ok(db)
    }

    fn conn(&self) -> Result<r2d2::PooledConnection<Manager>> {
        let pool = self.pool.as_ref().ok_or_else(|| ServerError::Internal("the database is closed".into()))?;
        pool.get().map_err(|e| ServerError::Postgres(format!("no database connection: {e}")))
    }
}

/// The password of a URL without one, so that it need not stand in `ps` output: from
/// `PGPASSWORD`, or the first line of the file `INCUBOOK_DB_PASSWORD_FILE` names.
fn password_from_environment() -> Result<Option<String>> {
    if let Ok(password) = std::env::var("PGPASSWORD") {
        return Ok(Some(password));
    }
    let Ok(path) = std::env::var("INCUBOOK_DB_PASSWORD_FILE") else { return Ok(None) };
    let text =
        std::fs::read_to_string(&path).map_err(|e| ServerError::Invalid(format!("cannot read the password file {path}: {e}")))?;
    Ok(Some(text.lines().next().unwrap_or_default().to_string()))
}

/// A URL (or a message quoting one) with the password between `:` and `@` of its authority
/// replaced by `***`.
pub fn without_password(text: &str) -> String {
    let Some(scheme_end) = text.find("://") else { return text.to_string() };
    let rest = &text[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', ' ', '\'']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else { return text.to_string() };
    let Some(colon) = rest[..at].find(':') else { return text.to_string() };
    format!("{}***{}", &text[..scheme_end + 3 + colon + 1], &rest[at..])
}

fn makerspace_id<C: GenericClient>(client: &mut Sql<'_, C>, code: &str) -> Result<String> {
    client
        .query_opt("SELECT id FROM makerspace WHERE code = $1 AND deleted = 0", &[&code])?
        .map(|r| r.get(0))
        .ok_or_else(|| CoreError::not_found("makerspace", code).into())
}

fn person_of<C: GenericClient>(client: &mut Sql<'_, C>, username: &str) -> Result<String> {
    client
        .query_opt("SELECT person_id FROM account WHERE username = $1", &[&username])?
        .map(|r| r.get(0))
        .ok_or_else(|| CoreError::not_found("user", username).into())
}

fn write_roles<C: GenericClient>(
    client: &mut Sql<'_, C>,
    person_id: &str,
    makerspace_id: &str,
    roles: &[ServerRole],
) -> Result<()> {
    for role in roles {
        if *role == ServerRole::DistrictOperator {
            client.execute("INSERT INTO district_operator(person_id) VALUES ($1) ON CONFLICT DO NOTHING", &[&person_id])?;
        } else {
            client.execute(
                "INSERT INTO person_role(person_id, makerspace_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&person_id, &makerspace_id, &role.as_str()],
            )?;
        }
    }
    Ok(())
}

impl Database for PostgresDatabase {
    fn add_makerspace(&self, code: &str, name: &str) -> Result<()> {
        let n = self.conn()?.sql().execute(
            "INSERT INTO makerspace(id, code, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&uuid::Uuid::now_v7().to_string(), &code, &name],
        )?;
        if n == 0 {
            return Err(CoreError::Conflict(format!("makerspace {code} exists already")).into());
        }
        Ok(())
    }

    fn add_account(
        &self,
        makerspace_code: &str,
        username: &str,
        password_hash: &str,
        roles: &[ServerRole],
        person_id: Option<&str>,
        now: i64,
    ) -> Result<String> {
        self.conn()?.transaction(|tx| {
        let makerspace = makerspace_id(tx, makerspace_code)?;
        if tx.query_opt("SELECT 1 FROM account WHERE username = $1", &[&username])?.is_some() {
            return Err(CoreError::Conflict(format!("user {username} exists already")).into());
        }
        let id = match person_id {
            Some(id) => {
                let row = tx.query_one(
                    "SELECT EXISTS(SELECT 1 FROM person WHERE id = $1 AND deleted = 0), EXISTS(SELECT 1 FROM account WHERE person_id = $1)",
                    &[&id],
                )?;
                if !row.get::<_, bool>(0) {
                    return Err(CoreError::not_found("person", id).into());
                }
                if row.get::<_, bool>(1) {
                    return Err(CoreError::Conflict(format!("person {id} has an account already")).into());
                }
                id.to_string()
            }
            None => {
                let id = uuid::Uuid::now_v7().to_string();
                tx.execute("INSERT INTO person(id, name, created_at) VALUES ($1, $2, $3)", &[&id, &username, &now])?;
                id
            }
        };
        tx.execute(
            "INSERT INTO account(person_id, username, password_hash, created_at) VALUES ($1, $2, $3, $4)",
            &[&id, &username, &password_hash, &now],
        )?;
        write_roles(tx, &id, &makerspace, roles)?;
        Ok(id)
        })
    }

    fn set_roles(&self, username: &str, makerspace_code: &str, roles: &[ServerRole]) -> Result<()> {
        self.conn()?.transaction(|tx| {
            let makerspace = makerspace_id(tx, makerspace_code)?;
            let person = person_of(tx, username)?;
            tx.execute("DELETE FROM person_role WHERE person_id = $1 AND makerspace_id = $2", &[&person, &makerspace])?;
            if !roles.contains(&ServerRole::DistrictOperator) {
                tx.execute("DELETE FROM district_operator WHERE person_id = $1", &[&person])?;
            }
            tx.execute(super::REVOKE_PERSON_SQL, &[&person])?;
            write_roles(tx, &person, &makerspace, roles)
        })
    }

    fn set_password_hash(&self, username: &str, password_hash: &str) -> Result<()> {
        self.conn()?.transaction(|tx| {
            let n = tx.execute("UPDATE account SET password_hash = $2 WHERE username = $1", &[&username, &password_hash])?;
            if n == 0 {
                return Err(CoreError::not_found("user", username).into());
            }
            let person = person_of(tx, username)?;
            tx.execute(super::REVOKE_PERSON_SQL, &[&person])?;
            Ok(())
        })
    }

    fn account_by_username(&self, username: &str) -> Result<Option<Account>> {
        let row = self
            .conn()?
            .sql()
            .query_opt("SELECT person_id, username, password_hash FROM account WHERE username = $1", &[&username])?;
        Ok(row.map(|r| Account { id: r.get(0), username: r.get(1), password_hash: r.get(2) }))
    }

    fn create_token(&self, person_id: &str, token_hash: &str, expires_at: i64, now: i64) -> Result<()> {
        self.conn()?.transaction(|tx| {
            tx.execute(super::PRUNE_TOKENS_SQL, &[&person_id, &now])?;
            tx.execute(
                "INSERT INTO account_token(token_hash, person_id, expires_at) VALUES ($1, $2, $3)",
                &[&token_hash, &person_id, &expires_at],
            )?;
            Ok(())
        })
    }

    fn revoke_token(&self, token_hash: &str) -> Result<()> {
        self.conn()?.sql().execute(super::REVOKE_TOKEN_SQL, &[&token_hash])?;
        Ok(())
    }

    fn principal_for_token(&self, token_hash: &str, now: i64) -> Result<Option<Principal>> {
        let rows = self.conn()?.sql().query(super::PRINCIPAL_SQL, &[&token_hash, &now])?;
        Ok(super::principal_of(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect()))
    }

    fn revoke_tokens(&self, username: &str, now: i64) -> Result<usize> {
        let mut conn = self.conn()?;
        let mut conn = conn.sql();
        let person = person_of(&mut conn, username)?;
        let n = conn.execute(
            "UPDATE account_token SET revoked = 1 WHERE person_id = $1 AND revoked = 0 AND expires_at > $2",
            &[&person, &now],
        )?;
        Ok(n as usize)
    }

    fn push(&self, person_id: &str, request: &PushRequest, now: DateTime<Utc>) -> Result<PushResponse> {
        if batch::eligible(request) {
            self.batcher.check_client(|| self.conn(), person_id, request)?;
            if let Some(answer) = self.batcher.push(person_id, request, now)? {
                return answer;
            }
        }
        push::push(&mut *self.conn()?, person_id, request, now)
    }

    fn pull(&self, person_id: &str, client_id: Option<&str>, cursor: i64, limit: u32) -> Result<PullResponse> {
        pull::pull(&mut *self.conn()?, person_id, client_id, cursor, limit)
    }

    fn publish_notice(&self, person_id: &str, title: &str, body: &str, now: DateTime<Utc>) -> Result<Notice> {
        let notice = Notice::new(title, body, person_id, now)?;
        self.conn()?.transaction(|tx| -> Result<()> {
            if tx.query_opt("SELECT 1 FROM district_operator WHERE person_id = $1", &[&person_id])?.is_none() {
                return Err(CoreError::Forbidden("only district operators publish notices".into()).into());
            }
            tx.execute(
                "INSERT INTO notice(id, title, body, published_by, published_at) VALUES ($1, $2, $3, $4, $5)",
                &[&notice.id, &notice.title, &notice.body, &notice.published_by, &notice.published_at.timestamp()],
            )?;
            Ok(())
        })?;
        Ok(notice)
    }

    fn sweep_usage(&self, now: DateTime<Utc>) -> Result<incubook_core::apply::Swept> {
        let swept = self.conn()?.transaction(|tx| -> bookings::Res<incubook_core::apply::Swept> {
            Ok(incubook_core::apply::sweep(&mut ledger::PgLedger::new(tx), now.timestamp())?)
        })?;
        Ok(swept)
    }

    fn compact_deletes(&self, now: DateTime<Utc>) -> Result<u64> {
        pull::compact_deletes(&mut *self.conn()?, now.timestamp())
    }

    fn makerspaces(&self) -> Result<Vec<MakerspaceSummary>> {
        let rows = self.conn()?.sql().query(incubook_sqlite::upload::MAKERSPACE_SUMMARIES_SQL, &[])?;
        Ok(rows
            .iter()
            .map(|r| MakerspaceSummary { id: r.get(0), code: r.get(1), name: r.get(2), labs: r.get(3), resources: r.get(4) })
            .collect())
    }

    fn notices(&self, limit: u32) -> Result<Vec<Notice>> {
        let rows = self.conn()?.sql().query(
            "SELECT id, title, body, published_by, published_at FROM notice WHERE deleted = 0 ORDER BY published_at DESC, id DESC LIMIT $1",
            &[&i64::from(limit)],
        )?;
        Ok(rows
            .iter()
            .map(|r| Notice {
                id: r.get(0),
                title: r.get(1),
                body: r.get(2),
                published_by: r.get(3),
                published_at: incubook_core::domain::to_utc(r.get(4)),
            })
            .collect())
    }

    fn health(&self) -> Result<()> {
        self.conn()?.client.simple_query("SELECT 1")?;
        Ok(())
    }

    fn district_report(&self, from: NaiveDate, to: NaiveDate) -> Result<DistrictReport> {
        report::district(&mut *self.conn()?, from, to)
    }

    fn indicators(
        &self,
        dates: (NaiveDate, NaiveDate),
        by: incubook_sqlite::indicators::GroupBy,
        with_sessions: bool,
        now: DateTime<Utc>,
    ) -> Result<incubook_sqlite::indicators::IndicatorReport> {
        report::indicators(&mut *self.conn()?, dates, by, (now.timestamp(), with_sessions))
    }

    fn year_figures(&self, year: i32, now: DateTime<Utc>) -> Result<Vec<incubook_core::kpi::YearFigures>> {
        report::year_figures(&mut *self.conn()?, year, now.timestamp())
    }

    fn startups(
        &self,
        filter: &incubook_core::startup::StartupFilter,
        today: NaiveDate,
    ) -> Result<Vec<incubook_core::startup::StartupRecord>> {
        let mut conn = self.conn()?;
        Ok(conn.snapshot(|tx| startups::startups(tx, filter, today))?)
    }

    fn import_catalogue(&self, source: &Store, codes: &[String], progress: &mut dyn FnMut(&str, usize)) -> Result<usize> {
        catalogue::import(&mut self.conn()?.client, source, codes, progress)
    }
}
