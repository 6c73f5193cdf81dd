//! Server storage behind one trait, as atuin does: each backend in its own module with its
//! own migrations. SQLite is the embedded default; PostgreSQL is for district IT.

mod catalogue;
mod group;
mod pg;
pub mod sqlite;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use incubook_core::protocol::{PullResponse, PushRequest, PushResponse};
use incubook_sqlite::report::DistrictReport;
use incubook_sqlite::store::{Notice, Store};
use incubook_sqlite::upload::MakerspaceSummary;
use serde::Serialize;

use crate::error::{Result, ServerError};

pub use pg::{PostgresDatabase, migrate_postgres};
pub use sqlite::SqliteDatabase;

/// Roles on the server: the desktop's four, and the district operator who runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ServerRole {
    Founder,
    Mentor,
    LabManager,
    SpaceAdmin,
    DistrictOperator,
}

impl Principal {
    pub fn is_district_operator(&self) -> bool {
        self.roles.iter().any(|(_, r)| *r == ServerRole::DistrictOperator)
    }
}

impl ServerRole {
    pub const ALL: [ServerRole; 5] =
        [ServerRole::Founder, ServerRole::Mentor, ServerRole::LabManager, ServerRole::SpaceAdmin, ServerRole::DistrictOperator];

    pub fn as_str(self) -> &'static str {
        match self {
            ServerRole::Founder => "founder",
            ServerRole::Mentor => "mentor",
            ServerRole::LabManager => "lab_manager",
            ServerRole::SpaceAdmin => "space_admin",
            ServerRole::DistrictOperator => "district_operator",
        }
    }

    pub fn parse(text: &str) -> Result<ServerRole> {
        ServerRole::ALL.into_iter().find(|r| r.as_str() == text.trim()).ok_or_else(|| {
            ServerError::Invalid(format!("'{text}' is not a role (founder, mentor, lab_manager, space_admin, district_operator)"))
        })
    }

    /// A comma-separated list like `founder,mentor`.
    pub fn parse_list(text: &str) -> Result<Vec<ServerRole>> {
        let roles: Vec<ServerRole> =
            text.split(',').filter(|s| !s.trim().is_empty()).map(ServerRole::parse).collect::<Result<_>>()?;
        if roles.is_empty() {
            return Err(ServerError::Invalid("give at least one role".into()));
        }
        Ok(roles)
    }
}

/// A signed-in user with the roles they hold in each makerspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// The account's person in the district's directory.
    pub person_id: String,
    pub username: String,
    pub roles: Vec<(String, ServerRole)>,
}

#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub password_hash: String,
}

pub trait Database: Send + Sync {
    fn add_makerspace(&self, code: &str, name: &str) -> Result<()>;
    fn add_account(
        &self,
        makerspace_code: &str,
        username: &str,
        password_hash: &str,
        roles: &[ServerRole],
        person_id: Option<&str>,
        now: i64,
    ) -> Result<String>;
    /// Replaces the account's roles in one makerspace, and signs the account out everywhere.
    fn set_roles(&self, username: &str, makerspace_code: &str, roles: &[ServerRole]) -> Result<()>;
    /// A new password; signs the account out everywhere.
    fn set_password_hash(&self, username: &str, password_hash: &str) -> Result<()>;
    fn account_by_username(&self, username: &str) -> Result<Option<Account>>;
    /// A new token for the account; its dead tokens (expired or revoked) are deleted.
    fn create_token(&self, account_id: &str, token_hash: &str, expires_at: i64, now: i64) -> Result<()>;
    /// Signs one token out (the caller's own, on sign-out).
    fn revoke_token(&self, token_hash: &str) -> Result<()>;
    /// The principal behind a live (unexpired, unrevoked) token.
    fn principal_for_token(&self, token_hash: &str, now: i64) -> Result<Option<Principal>>;
    /// Revokes every token of the account; returns how many were live.
    fn revoke_tokens(&self, username: &str, now: i64) -> Result<usize>;
    /// Applies a client's mutations for the signed-in person (see `incubook_core::sync`).
    fn push(&self, person_id: &str, request: &PushRequest, now: DateTime<Utc>) -> Result<PushResponse>;
    /// The changes after `cursor` the person may see.
    fn pull(&self, person_id: &str, client_id: Option<&str>, cursor: i64, limit: u32) -> Result<PullResponse>;
    fn publish_notice(&self, person_id: &str, title: &str, body: &str, now: DateTime<Utc>) -> Result<Notice>;
    /// The app's own work on machine hours (`apply::sweep`): no-shows released, forgotten
    /// sessions closed. The server runs it by itself every few seconds (`lib.rs`).
    fn sweep_usage(&self, now: DateTime<Utc>) -> Result<incubook_core::apply::Swept>;
    /// Marks today's version and drops deletes older than 90 days; replicas further behind
    /// start over. Returns how many were dropped.
    fn compact_deletes(&self, now: DateTime<Utc>) -> Result<u64>;
    /// Notices, newest first.
    fn notices(&self, limit: u32) -> Result<Vec<Notice>>;
    fn district_report(&self, from: NaiveDate, to: NaiveDate) -> Result<DistrictReport>;
    /// The district's sharing figures (有效工作机时, 对外服务机时, 共享率…) of the local dates
    /// `from..=to` per instrument, lab or makerspace; with `with_sessions`, each lists the ids
    /// of its sessions.
    fn indicators(
        &self,
        dates: (NaiveDate, NaiveDate),
        by: incubook_sqlite::indicators::GroupBy,
        with_sessions: bool,
        now: DateTime<Utc>,
    ) -> Result<incubook_sqlite::indicators::IndicatorReport>;
    /// Every makerspace's yearly figures, by code: the district's side by side.
    fn year_figures(&self, year: i32, now: DateTime<Utc>) -> Result<Vec<incubook_core::kpi::YearFigures>>;
    /// The district's startup database: the startups the filter finds, with members and
    /// residencies (`today` is the date residency is looked at when the filter names none).
    fn startups(
        &self,
        filter: &incubook_core::startup::StartupFilter,
        today: NaiveDate,
    ) -> Result<Vec<incubook_core::startup::StartupRecord>>;
    /// Whether the database answers, on every connection a request may use.
    fn health(&self) -> Result<()>;
    /// The district's makerspaces, with how many labs and resources each has here.
    fn makerspaces(&self) -> Result<Vec<MakerspaceSummary>>;
    /// Copies the catalogue (and bookings) of a desktop database into the district's, keeping
    /// rows that exist already. `progress` hears each table and how many rows it read.
    /// Copies the named makerspaces' rows of a desktop database (see `catalogue_rows_of`).
    fn import_catalogue(&self, source: &Store, codes: &[String], progress: &mut dyn FnMut(&str, usize)) -> Result<usize>;
}

/// The account behind a live token with its roles, one row per role (the role columns empty
/// for an account without any), in one query both backends read: a token is checked on
/// every request. `$1` is the token's hash, `$2` the time now.
const PRINCIPAL_SQL: &str = "SELECT a.person_id, a.username, m.code, r.role FROM account_token t
     JOIN account a ON a.person_id = t.person_id
     LEFT JOIN person_role r ON r.person_id = a.person_id LEFT JOIN makerspace m ON m.id = r.makerspace_id
     WHERE t.token_hash = $1 AND t.revoked = 0 AND t.expires_at > $2
     UNION ALL
     SELECT a.person_id, a.username, '', 'district_operator' FROM account_token t
     JOIN account a ON a.person_id = t.person_id JOIN district_operator d ON d.person_id = a.person_id
     WHERE t.token_hash = $1 AND t.revoked = 0 AND t.expires_at > $2
     ORDER BY 3, 4";

/// Signs a person out everywhere: after a new password or new roles, a token issued before
/// must not go on acting with what it was given. `$1` is the person.
const REVOKE_PERSON_SQL: &str = "UPDATE account_token SET revoked = 1 WHERE person_id = $1 AND revoked = 0";

/// Signs one token out. `$1` is its hash.
const REVOKE_TOKEN_SQL: &str = "UPDATE account_token SET revoked = 1 WHERE token_hash = $1 AND revoked = 0";

/// Drops a person's tokens that can no longer be used, when they sign in again: the table
/// holds only live tokens and the recent dead ones of people who have not come back. `$1` is
/// the person, `$2` the time now.
const PRUNE_TOKENS_SQL: &str = "DELETE FROM account_token WHERE person_id = $1 AND (expires_at <= $2 OR revoked = 1)";

/// The principal from `PRINCIPAL_SQL`'s rows: (person, username, code, role).
fn principal_of(rows: Vec<(String, String, Option<String>, Option<String>)>) -> Option<Principal> {
    let (person_id, username) = rows.first().map(|(p, u, _, _)| (p.clone(), u.clone()))?;
    let roles = rows.into_iter().filter_map(|(_, _, code, role)| Some((code?, ServerRole::parse(&role?).ok()?))).collect();
    Some(Principal { person_id, username, roles })
}

/// The ids, in the catalogue, of the makerspaces an operator named to import. Refuses a code
/// the catalogue lacks, and one the district already uses for another makerspace: its people
/// and resources would hang off an id the server does not know.
fn catalogue_makerspaces(
    source: &Store,
    codes: &[String],
    server_id_of_code: &mut dyn FnMut(&str) -> Result<Option<String>>,
) -> Result<Vec<String>> {
    if codes.is_empty() {
        return Err(ServerError::Invalid("name the makerspaces to import (--makerspace CODE)".into()));
    }
    let in_file = source.makerspaces()?;
    let mut ids = Vec::with_capacity(codes.len());
    for code in codes {
        let makerspace = in_file
            .iter()
            .find(|m| &m.code == code)
            .ok_or_else(|| ServerError::NotFound(format!("the file has no makerspace {code}; nothing was imported")))?;
        if let Some(id) = server_id_of_code(code)?
            && id != makerspace.id
        {
            return Err(ServerError::Conflict(format!(
                "makerspace {code} exists on the server as another makerspace; nothing was imported"
            )));
        }
        ids.push(makerspace.id.clone());
    }
    Ok(ids)
}

/// Opens the backend a `--db` URL names: `sqlite:PATH` or `postgres://…`.
pub fn open(url: &str) -> Result<Arc<dyn Database>> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        if path.is_empty() {
            return Err(ServerError::Invalid("sqlite: needs a file path, like sqlite:/var/lib/incubook/district.db".into()));
        }
        return Ok(Arc::new(SqliteDatabase::open(std::path::Path::new(path))?));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(PostgresDatabase::open(url)?));
    }
    Err(ServerError::Invalid(format!("'{url}' is not a database URL (sqlite:PATH or postgres://…)")))
}
