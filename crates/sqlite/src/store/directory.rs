//! Makerspaces, people and their roles.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::ledger::SqliteLedger;
use super::{Store, audit, check_text, load_actor};
use crate::command::{Command as Mutation, NewPerson, check_person};
use crate::domain::{Makerspace, Person, Role, RoleGrant, new_id, parse_tz};
use crate::error::{CoreError, Result};
use crate::ledger::{DirectoryEffect, Ledger};
use crate::validate::check_code;

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewMakerspace {
    pub code: String,
    pub name: String,
    pub address: String,
    pub timezone: String,
}

#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    pub role: Option<Role>,
    pub makerspace_code: Option<String>,
}

impl Store {
    fn is_empty_directory(conn: &Connection) -> Result<bool> {
        Ok(conn.query_row("SELECT NOT EXISTS(SELECT 1 FROM person WHERE deleted = 0)", [], |r| r.get(0))?)
    }

    /// Registers a makerspace. On an empty database anyone may (first start); after
    /// that, only a space admin of an existing makerspace, who becomes its admin too.
    pub fn create_makerspace(&mut self, actor_id: Option<&str>, new: &NewMakerspace, now: DateTime<Utc>) -> Result<Makerspace> {
        check_code(&new.code)?;
        check_text("name", &new.name, 100, true)?;
        check_text("address", &new.address, 200, false)?;
        parse_tz("timezone", &new.timezone)?;
        self.write(|tx| {
            if !Store::is_empty_directory(tx)? {
                let actor = match actor_id {
                    Some(id) => load_actor(tx, id)?,
                    None => return Err(CoreError::Forbidden("registering a makerspace needs a space admin".into())),
                };
                if !actor.has_anywhere(Role::SpaceAdmin) {
                    return Err(CoreError::Forbidden("registering a makerspace needs a space admin".into()));
                }
            }
            let taken: bool =
                tx.query_row("SELECT EXISTS(SELECT 1 FROM makerspace WHERE code = ?1)", [&new.code], |r| r.get(0))?;
            if taken {
                return Err(CoreError::Conflict(format!("makerspace code {} is taken", new.code)));
            }
            let m = Makerspace {
                id: new_id(),
                code: new.code.trim().to_string(),
                name: new.name.trim().to_string(),
                address: new.address.trim().to_string(),
                timezone: new.timezone.trim().to_string(),
            };
            insert_makerspace(tx, &m)?;
            // Whoever registers a makerspace administers it until they hand it over.
            if let Some(actor) = actor_id {
                tx.execute(
                    "INSERT INTO person_role(person_id, makerspace_id, role) VALUES (?1, ?2, 'space_admin')",
                    params![actor, m.id],
                )?;
            }
            audit(tx, now.timestamp(), actor_id, "create", "makerspace", &m.id, serde_json::json!({"code": m.code}))?;
            Ok(m)
        })
    }

    pub fn makerspaces(&self) -> Result<Vec<Makerspace>> {
        let mut stmt =
            self.conn.prepare("SELECT id, code, name, address, timezone FROM makerspace WHERE deleted = 0 ORDER BY code")?;
        let rows = stmt.query_map([], makerspace_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn makerspace_by_code(&self, code: &str) -> Result<Makerspace> {
        makerspace_by_code(&self.conn, code)
    }

    /// Adds a person with roles. A space admin adds people to own makerspace only; on an
    /// empty database the first person (the first admin) may be added by anyone.
    pub fn create_person(&mut self, actor_id: Option<&str>, new: &NewPerson, now: DateTime<Utc>) -> Result<Person> {
        self.create_person_with_id(actor_id, &new_id(), new, now)
    }

    /// Adds a person under an id the client chose, so they keep their id through sync.
    pub fn create_person_with_id(
        &mut self,
        actor_id: Option<&str>,
        person_id: &str,
        new: &NewPerson,
        now: DateTime<Utc>,
    ) -> Result<Person> {
        if let Some(actor_id) = actor_id {
            self.apply(actor_id, &Mutation::CreatePerson { person_id: person_id.to_string(), person: new.clone() }, now)?;
            return person(&self.conn, person_id, true);
        }
        // The first person of an empty database (its first admin) is added by nobody, and is
        // no change the district has to hear of.
        check_person(new)?;
        check_text("person_id", person_id, 64, true)?;
        self.write(|tx| {
            if !Store::is_empty_directory(tx)? {
                return Err(CoreError::Forbidden("adding people needs a space admin".into()));
            }
            let mut ledger = SqliteLedger::new(tx);
            let name = new.name.trim();
            ledger.write(DirectoryEffect::InsertPerson { id: person_id, name, person: new, at: now.timestamp() })?;
            for grant in &new.roles {
                let ms = makerspace_by_code(tx, &grant.makerspace_code)?;
                ledger.write(DirectoryEffect::GrantRole { person_id, makerspace_id: &ms.id, role: grant.role })?;
            }
            audit(tx, now.timestamp(), None, "create", "person", person_id, serde_json::json!({"name": new.name}))?;
            person(tx, person_id, true)
        })
    }

    /// Gives or takes a role. Only a space admin of that makerspace may.
    pub fn set_role(
        &mut self,
        actor_id: &str,
        person_id: &str,
        makerspace_code: &str,
        role: Role,
        granted: bool,
        now: DateTime<Utc>,
    ) -> Result<Person> {
        let makerspace_id = makerspace_by_code(&self.conn, makerspace_code)?.id;
        self.apply(actor_id, &Mutation::SetRole { person_id: person_id.to_string(), makerspace_id, role, granted }, now)?;
        person(&self.conn, person_id, false)
    }

    /// A person as `viewer_id` may see them: contact details only for themselves and for
    /// space admins of a makerspace the person belongs to.
    pub fn person(&self, id: &str, viewer_id: Option<&str>) -> Result<Person> {
        let private = match viewer_id {
            Some(v) if v == id => true,
            Some(v) => {
                let viewer = load_actor(&self.conn, v)?;
                let subject = load_actor(&self.conn, id)?;
                subject.roles.iter().any(|(m, _)| viewer.has(Role::SpaceAdmin, m))
            }
            None => false,
        };
        person(&self.conn, id, private)
    }

    pub fn people(&self, filter: &PeopleFilter) -> Result<Vec<Person>> {
        // The district's operators hold no makerspace role: listed when nothing narrows the list.
        let mut stmt = self.conn.prepare(
            "SELECT id FROM (
               SELECT p.id, p.name FROM person p JOIN person_role pr ON pr.person_id = p.id JOIN makerspace m ON m.id = pr.makerspace_id
               WHERE p.deleted = 0 AND (?1 IS NULL OR pr.role = ?1) AND (?2 IS NULL OR m.code = ?2)
               UNION SELECT p.id, p.name FROM person p JOIN district_operator d ON d.person_id = p.id
               WHERE p.deleted = 0 AND ?1 IS NULL AND ?2 IS NULL)
             ORDER BY name, id",
        )?;
        let ids: Vec<String> = stmt
            .query_map(params![filter.role.map(Role::as_str), filter.makerspace_code], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.iter().map(|id| person(&self.conn, id, false)).collect()
    }
}

pub(crate) fn insert_makerspace(tx: &Connection, m: &Makerspace) -> Result<()> {
    tx.execute(
        "INSERT INTO makerspace(id, code, name, address, timezone) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![m.id, m.code, m.name, m.address, m.timezone],
    )?;
    Ok(())
}

pub(crate) fn makerspace_from_row(r: &rusqlite::Row) -> rusqlite::Result<Makerspace> {
    Ok(Makerspace { id: r.get(0)?, code: r.get(1)?, name: r.get(2)?, address: r.get(3)?, timezone: r.get(4)? })
}

pub(crate) fn makerspace_by_code(conn: &Connection, code: &str) -> Result<Makerspace> {
    conn.query_row(
        "SELECT id, code, name, address, timezone FROM makerspace WHERE code = ?1 AND deleted = 0",
        [code.trim()],
        makerspace_from_row,
    )
    .optional()?
    .ok_or_else(|| CoreError::not_found("makerspace", code))
}

pub(crate) fn makerspace_code(conn: &Connection, id: &str) -> Result<String> {
    Ok(conn.query_row("SELECT code FROM makerspace WHERE id = ?1", [id], |r| r.get(0))?)
}

pub(crate) fn person(conn: &Connection, id: &str, with_private: bool) -> Result<Person> {
    let mut p = conn
        .query_row(
            "SELECT id, name, phone, email, startup_name, industry, stage FROM person WHERE id = ?1 AND deleted = 0",
            [id],
            |r| {
                Ok(Person {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    phone: r.get(2)?,
                    email: r.get(3)?,
                    startup_name: r.get(4)?,
                    industry: r.get(5)?,
                    stage: r.get(6)?,
                    roles: Vec::new(),
                    district_operator: false,
                })
            },
        )
        .optional()?
        .ok_or_else(|| CoreError::not_found("person", id))?;
    if !with_private {
        p.phone = None;
        p.email = None;
    }
    let mut stmt = conn.prepare_cached(
        "SELECT m.code, pr.role FROM person_role pr JOIN makerspace m ON m.id = pr.makerspace_id WHERE pr.person_id = ?1 ORDER BY m.code, pr.role",
    )?;
    p.roles = stmt
        .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .filter_map(|row| row.ok())
        .filter_map(|(code, role)| Role::parse(&role).ok().map(|role| RoleGrant { makerspace_code: code, role }))
        .collect();
    p.district_operator = super::is_district_operator(conn, id)?;
    Ok(p)
}
