//! The embedded backend: one SQLite file holding the core's own schema (so mutations run
//! through the same store code as on the desktop) plus the server's account and sync
//! tables. One connection behind a mutex: SQLite serializes writers anyway. Pushes are
//! group-committed (`group.rs`): the push that leads applies every push waiting by then in
//! one transaction (a savepoint per mutation), so many clients share one sync of the log.

mod import;
mod pull;
mod push;
mod versioning;

use std::path::Path;
use std::sync::Mutex;

use incubook_core::CoreError;
use incubook_core::protocol::{PullResponse, PushRequest, PushResponse};
use incubook_sqlite::report::DistrictReport;
use incubook_sqlite::store::{NoJournal, Notice, Store, is_transient};
use incubook_sqlite::upload::MakerspaceSummary;
use rusqlite::{Connection, OptionalExtension, params};

pub use push::{Acknowledgement, apply_push};
pub use versioning::install_server_versioning;

use super::group::{Groups, Waiting};
use super::{Account, Database, Principal, ServerRole};
use crate::error::{Result, ServerError};

pub struct SqliteDatabase {
    store: Mutex<Store>,
    /// A second connection for sign-ins and pulls: in WAL mode they read beside the writer
    /// instead of waiting for its group commits.
    reader: Mutex<Store>,
    /// Pushes waiting for the next group commit.
    groups: Groups,
    /// The writer's journal: the pushed mutation being applied.
    acks: Acknowledgement,
}

impl SqliteDatabase {
    pub fn open(path: &Path) -> Result<SqliteDatabase> {
        let acks = Acknowledgement::default();
        let store = Store::open_with(path, Box::new(acks.clone()))?;
        // Each push in a group runs in a savepoint, whose journal of the pages it changed
        // spilled to a temporary file: a third of the writer's write calls in a perf profile
        // of the race. Set before the versioning triggers: changing `temp_store` drops TEMP
        // triggers.
        store.conn().pragma_update(None, "temp_store", "MEMORY")?;
        install_server_versioning(&store)?;
        // Every commit walks the page cache (SQLite truncates it to the file's size), so the
        // writer keeps a small one: 4 MB instead of the desktop's 32 MB raised the race
        // from 1,700 to 2,000 pushes/s here. Reads have their own connection and cache.
        store.conn().pragma_update(None, "cache_size", -4_000)?;
        let reader = Store::open_with(path, Box::new(NoJournal))?;
        Ok(SqliteDatabase { store: Mutex::new(store), reader: Mutex::new(reader), groups: Groups::default(), acks })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        let result = guarded(&self.store, f);
        if matches!(result, Err(ServerError::Panicked(_))) {
            // The mutation that panicked was rolled back; no later write may acknowledge it.
            self.acks.clear();
        }
        result
    }

    fn read<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        guarded(&self.reader, |store| f(store))
    }

    /// Applies a group of pushes in one transaction and answers each. A push that fails for
    /// the database's sake fails the whole group (its clients retry; nothing was kept). A
    /// group that panicked is applied again push by push, so that only the push that panics
    /// fails.
    fn commit_group(&self, group: &[Waiting]) -> Result<Vec<Result<PushResponse>>> {
        match self.with(|store| apply_group(store, &self.acks, group)) {
            Err(ServerError::Panicked(_)) if group.len() > 1 => Ok(group
                .iter()
                .map(|push| match self.with(|store| apply_group(store, &self.acks, std::slice::from_ref(push))) {
                    Ok(mut answers) => {
                        answers.pop().unwrap_or_else(|| Err(ServerError::Internal("a push went unanswered".into())))
                    }
                    Err(e) => Err(e),
                })
                .collect()),
            Err(e @ ServerError::Panicked(_)) => Ok(vec![Err(e)]),
            answers => answers,
        }
    }
}

fn apply_group(store: &mut Store, acks: &Acknowledgement, group: &[Waiting]) -> Result<Vec<Result<PushResponse>>> {
    let answers = store.batch(|store| {
        let mut answers = Vec::with_capacity(group.len());
        for push in group {
            match apply_push(store, acks, &push.person_id, &push.request, push.now) {
                Err(e) if is_transient(&e) => return Err(e),
                answer => answers.push(answer.map_err(ServerError::from)),
            }
        }
        Ok(answers)
    })?;
    Ok(answers)
}

/// Runs `f` on the connection behind `lock`. A panic in `f` fails only this request: it is
/// caught before it can poison the lock, whatever `f` had begun is rolled back, and the
/// connection serves the next request as if nothing happened.
fn guarded<T>(lock: &Mutex<Store>, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
    let mut store = lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut store))) {
        Ok(result) => result,
        Err(panic) => {
            let message = crate::error::panic_message(&*panic);
            tracing::error!("a request panicked and was rolled back: {message}");
            store.recover_after_panic();
            Err(ServerError::Panicked(message))
        }
    }
}

/// A statement both backends run, in SQLite's spelling of its parameters (`?1` for `$1`).
fn sqlite_sql(sql: &str) -> String {
    sql.replace('$', "?")
}

fn makerspace_id(conn: &Connection, code: &str) -> incubook_core::Result<String> {
    conn.query_row("SELECT id FROM makerspace WHERE code = ?1 AND deleted = 0", [code], |r| r.get(0))
        .optional()?
        .ok_or_else(|| CoreError::not_found("makerspace", code))
}

fn person_of(conn: &Connection, username: &str) -> incubook_core::Result<String> {
    conn.query_row("SELECT person_id FROM account WHERE username = ?1", [username], |r| r.get(0))
        .optional()?
        .ok_or_else(|| CoreError::not_found("user", username))
}

fn write_roles(tx: &Connection, person_id: &str, makerspace_id: &str, roles: &[ServerRole]) -> incubook_core::Result<()> {
    for role in roles {
        if *role == ServerRole::DistrictOperator {
            tx.execute("INSERT OR IGNORE INTO district_operator(person_id) VALUES (?1)", [person_id])?;
        } else {
            tx.execute(
                "INSERT OR IGNORE INTO person_role(person_id, makerspace_id, role) VALUES (?1, ?2, ?3)",
                params![person_id, makerspace_id, role.as_str()],
            )?;
        }
    }
    Ok(())
}

impl Database for SqliteDatabase {
    fn add_makerspace(&self, code: &str, name: &str) -> Result<()> {
        self.with(|store| {
            store.transaction(|tx| {
                let n = tx.execute(
                    "INSERT OR IGNORE INTO makerspace(id, code, name) VALUES (?1, ?2, ?3)",
                    params![uuid::Uuid::now_v7().to_string(), code, name],
                )?;
                if n == 0 {
                    return Err(CoreError::Conflict(format!("makerspace {code} exists already")));
                }
                Ok(())
            })?;
            Ok(())
        })
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
        self.with(|store| {
            Ok(store.transaction(|tx| {
                let makerspace = makerspace_id(tx, makerspace_code)?;
                let taken: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM account WHERE username = ?1)", [username], |r| r.get(0))?;
                if taken {
                    return Err(CoreError::Conflict(format!("user {username} exists already")));
                }
                let id = match person_id {
                    Some(id) => {
                        let (exists, linked): (bool, bool) = tx.query_row(
                            "SELECT EXISTS(SELECT 1 FROM person WHERE id = ?1 AND deleted = 0), EXISTS(SELECT 1 FROM account WHERE person_id = ?1)",
                            [id],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )?;
                        if !exists {
                            return Err(CoreError::not_found("person", id));
                        }
                        if linked {
                            return Err(CoreError::Conflict(format!("person {id} has an account already")));
                        }
                        id.to_string()
                    }
                    None => {
                        let id = uuid::Uuid::now_v7().to_string();
                        tx.execute("INSERT INTO person(id, name, created_at) VALUES (?1, ?2, ?3)", params![id, username, now])?;
                        id
                    }
                };
                tx.execute(
                    "INSERT INTO account(person_id, username, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                    params![id, username, password_hash, now],
                )?;
                write_roles(tx, &id, &makerspace, roles)?;
                Ok(id)
            })?)
        })
    }

    fn set_roles(&self, username: &str, makerspace_code: &str, roles: &[ServerRole]) -> Result<()> {
        self.with(|store| {
            Ok(store.transaction(|tx| {
                let makerspace = makerspace_id(tx, makerspace_code)?;
                let person = person_of(tx, username)?;
                tx.execute("DELETE FROM person_role WHERE person_id = ?1 AND makerspace_id = ?2", params![person, makerspace])?;
                if !roles.contains(&ServerRole::DistrictOperator) {
                    tx.execute("DELETE FROM district_operator WHERE person_id = ?1", [&person])?;
                }
                tx.execute(&sqlite_sql(super::REVOKE_PERSON_SQL), [&person])?;
                write_roles(tx, &person, &makerspace, roles)
            })?)
        })
    }

    fn set_password_hash(&self, username: &str, password_hash: &str) -> Result<()> {
        self.with(|store| {
            Ok(store.transaction(|tx| {
                let n =
                    tx.execute("UPDATE account SET password_hash = ?2 WHERE username = ?1", params![username, password_hash])?;
                if n == 0 {
                    return Err(CoreError::not_found("user", username));
                }
                tx.execute(&sqlite_sql(super::REVOKE_PERSON_SQL), [person_of(tx, username)?])?;
                Ok(())
            })?)
        })
    }

    fn account_by_username(&self, username: &str) -> Result<Option<Account>> {
        self.read(|store| {
            Ok(store
                .conn()
                .query_row("SELECT person_id, username, password_hash FROM account WHERE username = ?1", [username], |r| {
                    Ok(Account { id: r.get(0)?, username: r.get(1)?, password_hash: r.get(2)? })
                })
                .optional()?)
        })
    }

    fn create_token(&self, person_id: &str, token_hash: &str, expires_at: i64, now: i64) -> Result<()> {
        self.with(|store| {
            Ok(store.transaction(|tx| {
                tx.execute(&sqlite_sql(super::PRUNE_TOKENS_SQL), params![person_id, now])?;
                tx.execute(
                    "INSERT INTO account_token(token_hash, person_id, expires_at) VALUES (?1, ?2, ?3)",
                    params![token_hash, person_id, expires_at],
                )?;
                Ok(())
            })?)
        })
    }

    fn revoke_token(&self, token_hash: &str) -> Result<()> {
        self.with(|store| {
            Ok(store.transaction(|tx| {
                tx.execute(&sqlite_sql(super::REVOKE_TOKEN_SQL), [token_hash])?;
                Ok(())
            })?)
        })
    }

    fn principal_for_token(&self, token_hash: &str, now: i64) -> Result<Option<Principal>> {
        self.read(|store| {
            let mut stmt = store.conn().prepare_cached(&sqlite_sql(super::PRINCIPAL_SQL))?;
            let rows = stmt
                .query_map(params![token_hash, now], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(super::principal_of(rows))
        })
    }

    fn revoke_tokens(&self, username: &str, now: i64) -> Result<usize> {
        self.with(|store| {
            Ok(store.transaction(|tx| {
                let person = person_of(tx, username)?;
                Ok(tx.execute(
                    "UPDATE account_token SET revoked = 1 WHERE person_id = ?1 AND revoked = 0 AND expires_at > ?2",
                    params![person, now],
                )?)
            })?)
        })
    }

    fn push(&self, person_id: &str, request: &PushRequest, now: chrono::DateTime<chrono::Utc>) -> Result<PushResponse> {
        self.groups.push(person_id, request, now, |group| self.commit_group(group))
    }

    fn pull(&self, person_id: &str, client_id: Option<&str>, cursor: i64, limit: u32) -> Result<PullResponse> {
        self.read(|store| Ok(pull::pull_for(store, person_id, client_id, cursor, limit)?))
    }

    fn publish_notice(&self, person_id: &str, title: &str, body: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Notice> {
        self.with(|store| Ok(store.publish_notice(person_id, title, body, now)?))
    }

    fn sweep_usage(&self, now: chrono::DateTime<chrono::Utc>) -> Result<incubook_core::apply::Swept> {
        self.with(|store| Ok(store.sweep_usage(now)?))
    }

    fn compact_deletes(&self, now: chrono::DateTime<chrono::Utc>) -> Result<u64> {
        self.with(|store| Ok(pull::compact_deletes(store, now.timestamp())? as u64))
    }

    fn notices(&self, limit: u32) -> Result<Vec<Notice>> {
        self.read(|store| Ok(store.notices(limit)?))
    }

    fn district_report(&self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> Result<DistrictReport> {
        self.read(|store| Ok(store.district_report(from, to)?))
    }

    fn year_figures(&self, year: i32, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<incubook_core::kpi::YearFigures>> {
        self.read(|store| Ok(store.district_year_figures(year, now)?))
    }

    fn startups(
        &self,
        filter: &incubook_core::startup::StartupFilter,
        today: chrono::NaiveDate,
    ) -> Result<Vec<incubook_core::startup::StartupRecord>> {
        self.read(|store| Ok(store.startups(filter, today)?))
    }

    fn indicators(
        &self,
        (from, to): (chrono::NaiveDate, chrono::NaiveDate),
        by: incubook_sqlite::indicators::GroupBy,
        with_sessions: bool,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<incubook_sqlite::indicators::IndicatorReport> {
        self.read(|store| {
            Ok(if with_sessions {
                store.indicators_with_sessions(from, to, by, now)?
            } else {
                store.indicators(from, to, by, now)?
            })
        })
    }

    fn health(&self) -> Result<()> {
        let ping =
            |store: &Store| -> Result<()> { Ok(store.conn().query_row("SELECT count(*) FROM sync_client", [], |_| Ok(()))?) };
        self.with(|store| ping(store))?;
        self.read(|store| ping(store))
    }

    fn makerspaces(&self) -> Result<Vec<MakerspaceSummary>> {
        self.read(|store| Ok(store.makerspace_summaries()?))
    }

    fn import_catalogue(&self, source: &Store, codes: &[String], progress: &mut dyn FnMut(&str, usize)) -> Result<usize> {
        let makerspaces = super::catalogue_makerspaces(source, codes, &mut |code| {
            self.with(|store| {
                Ok(store.conn().query_row("SELECT id FROM makerspace WHERE code = ?1", [code], |r| r.get(0)).optional()?)
            })
        })?;
        let mut added = 0;
        for table in incubook_core::tables::SYNCED_TABLES {
            let rows = super::catalogue::catalogue_rows_of(source, table, &makerspaces)?;
            progress(table.name, rows.len());
            added += self.with(|store| Ok(import::insert_rows_if_absent(store, table, &rows)?))?;
        }
        Ok(added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request that panics in the middle of a write leaves nothing behind: its rows are
    /// rolled back, the lock is not poisoned, and the next request writes and commits.
    #[test]
    fn a_panic_inside_a_write_fails_only_its_own_request() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = SqliteDatabase::open(&dir.path().join("district.db")).unwrap_or_else(|e| panic!("{e}"));
        let makerspaces = |db: &SqliteDatabase| {
            db.read(|s| Ok(s.conn().query_row("SELECT count(*) FROM makerspace", [], |r| r.get::<_, i64>(0))?))
        };
        let before = makerspaces(&db).unwrap_or(-1);
        let panicked: Result<()> = db.with(|store| {
            store.batch(|store| {
                store.transaction(|tx| {
                    tx.execute("INSERT INTO makerspace(id, code, name) VALUES ('x', 'PD-9999', '半途')", [])?;
                    Ok(())
                })?;
                panic!("a bug in the middle of a group");
            })?;
            Ok(())
        });
        assert!(matches!(panicked, Err(ServerError::Panicked(ref m)) if m.contains("a bug")), "{panicked:?}");
        assert_eq!(makerspaces(&db).unwrap_or(-1), before, "the half-done write was rolled back");
        db.add_makerspace("PD-0100", "新空间").unwrap_or_else(|e| panic!("the next request fails: {e}"));
        assert_eq!(makerspaces(&db).unwrap_or(-1), before + 1);
        assert!(db.health().is_ok());
    }
}
