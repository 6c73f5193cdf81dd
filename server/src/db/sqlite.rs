//! The embedded backend: one SQLite file, one connection behind a mutex (writes are
//! serialized anyway), WAL, and its own migrations.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};

use super::{Account, Database, Principal, ServerRole};
use crate::error::{Result, ServerError};

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(include_str!("../../migrations/sqlite/0001_accounts.sql"))])
}

pub struct SqliteDatabase {
    conn: Mutex<Connection>,
}

impl SqliteDatabase {
    pub fn open(path: &Path) -> Result<SqliteDatabase> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| ServerError::Internal(format!("cannot create {}: {e}", dir.display())))?;
        }
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(Duration::from_secs(30))?;
        migrations().to_latest(&mut conn)?;
        Ok(SqliteDatabase { conn: Mutex::new(conn) })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
        let mut conn = self.conn.lock().map_err(|_| ServerError::Internal("database lock poisoned".into()))?;
        f(&mut conn)
    }
}

fn require_makerspace(conn: &Connection, code: &str) -> Result<()> {
    let exists: bool = conn.query_row("SELECT EXISTS(SELECT 1 FROM makerspace WHERE code = ?1)", [code], |r| r.get(0))?;
    if exists { Ok(()) } else { Err(ServerError::NotFound(format!("makerspace {code}"))) }
}

fn account_id(conn: &Connection, username: &str) -> Result<String> {
    conn.query_row("SELECT id FROM account WHERE username = ?1", [username], |r| r.get(0))
        .optional()?
        .ok_or_else(|| ServerError::NotFound(format!("user {username}")))
}

impl Database for SqliteDatabase {
    fn add_makerspace(&self, code: &str, name: &str) -> Result<()> {
        self.with(|conn| {
            let n = conn.execute("INSERT OR IGNORE INTO makerspace(code, name) VALUES (?1, ?2)", params![code, name])?;
            if n == 0 {
                return Err(ServerError::Conflict(format!("makerspace {code} exists already")));
            }
            Ok(())
        })
    }

    fn add_account(
        &self,
        makerspace_code: &str,
        username: &str,
        password_hash: &str,
        roles: &[ServerRole],
        now: i64,
    ) -> Result<String> {
        self.with(|conn| {
            let tx = conn.transaction()?;
            require_makerspace(&tx, makerspace_code)?;
            let id = uuid::Uuid::now_v7().to_string();
            let n = tx.execute(
                "INSERT OR IGNORE INTO account(id, username, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![id, username, password_hash, now],
            )?;
            if n == 0 {
                return Err(ServerError::Conflict(format!("user {username} exists already")));
            }
            for role in roles {
                tx.execute(
                    "INSERT INTO account_role(account_id, makerspace_code, role) VALUES (?1, ?2, ?3)",
                    params![id, makerspace_code, role.as_str()],
                )?;
            }
            tx.commit()?;
            Ok(id)
        })
    }

    fn set_roles(&self, username: &str, makerspace_code: &str, roles: &[ServerRole]) -> Result<()> {
        self.with(|conn| {
            let tx = conn.transaction()?;
            require_makerspace(&tx, makerspace_code)?;
            let id = account_id(&tx, username)?;
            tx.execute("DELETE FROM account_role WHERE account_id = ?1 AND makerspace_code = ?2", params![id, makerspace_code])?;
            for role in roles {
                tx.execute(
                    "INSERT INTO account_role(account_id, makerspace_code, role) VALUES (?1, ?2, ?3)",
                    params![id, makerspace_code, role.as_str()],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn set_password_hash(&self, username: &str, password_hash: &str) -> Result<()> {
        self.with(|conn| {
            let n =
                conn.execute("UPDATE account SET password_hash = ?2 WHERE username = ?1", params![username, password_hash])?;
            if n == 0 {
                return Err(ServerError::NotFound(format!("user {username}")));
            }
            Ok(())
        })
    }

    fn account_by_username(&self, username: &str) -> Result<Option<Account>> {
        self.with(|conn| {
            Ok(conn
                .query_row("SELECT id, username, password_hash FROM account WHERE username = ?1", [username], |r| {
                    Ok(Account { id: r.get(0)?, username: r.get(1)?, password_hash: r.get(2)? })
                })
                .optional()?)
        })
    }

    fn create_token(&self, account_id: &str, token_hash: &str, expires_at: i64) -> Result<()> {
        self.with(|conn| {
            conn.execute(
                "INSERT INTO token(token_hash, account_id, expires_at) VALUES (?1, ?2, ?3)",
                params![token_hash, account_id, expires_at],
            )?;
            Ok(())
        })
    }

    fn principal_for_token(&self, token_hash: &str, now: i64) -> Result<Option<Principal>> {
        self.with(|conn| {
            let found: Option<(String, String)> = conn
                .query_row(
                    "SELECT a.id, a.username FROM token t JOIN account a ON a.id = t.account_id WHERE t.token_hash = ?1 AND t.revoked = 0 AND t.expires_at > ?2",
                    params![token_hash, now],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((account_id, username)) = found else { return Ok(None) };
            let mut stmt = conn.prepare("SELECT makerspace_code, role FROM account_role WHERE account_id = ?1 ORDER BY makerspace_code, role")?;
            let roles = stmt
                .query_map([&account_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                .filter_map(|row| row.ok())
                .filter_map(|(code, role)| ServerRole::parse(&role).ok().map(|role| (code, role)))
                .collect();
            Ok(Some(Principal { account_id, username, roles }))
        })
    }

    fn revoke_tokens(&self, username: &str, now: i64) -> Result<usize> {
        self.with(|conn| {
            let id = account_id(conn, username)?;
            Ok(conn.execute(
                "UPDATE token SET revoked = 1 WHERE account_id = ?1 AND revoked = 0 AND expires_at > ?2",
                params![id, now],
            )?)
        })
    }
}
