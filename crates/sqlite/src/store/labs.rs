//! Labs (the public technology platforms), their equipment, blackouts and qualifications.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::bookings::{BookingView, booking_views_hitting};
use super::calendar::{RESOURCE_COLUMNS, load_rules, rules_from_row};
use super::mentors::{insert_resource, require_owner};
use super::{Store, load_actor};
use crate::command::Command as Mutation;
use crate::command::{NewEquipment, NewLab};
use crate::decide::validate_blackout;
use crate::domain::{Blackout, BlackoutWhen, Equipment, Id, Lab, ResourceKind, new_id, to_utc};
use crate::error::{CoreError, Result};

#[derive(Debug, Clone, Default)]
pub struct EquipmentFilter {
    pub lab_id: Option<Id>,
    pub category: Option<String>,
    pub makerspace_code: Option<String>,
}

/// What to do with a blackout that falls on existing bookings.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlackoutMode {
    /// Only report the bookings it would hit; write nothing.
    Preview,
    /// Add the blackout and leave the bookings it hits for the manager to settle.
    KeepBookings,
    /// Add the blackout and cancel the bookings it hits, telling their bookers why.
    CancelBookings,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlackoutOutcome {
    pub blackout: Option<Blackout>,
    pub hits: Vec<BookingView>,
    pub cancelled: usize,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QualificationGrant {
    pub person_id: Id,
    pub person_name: String,
    pub resource_id: Id,
    pub granted_by: Id,
    pub granted_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

pub(crate) fn insert_lab(tx: &Connection, lab: &Lab, makerspace_id: &str) -> Result<()> {
    tx.prepare_cached("INSERT INTO lab(id, makerspace_id, name, description) VALUES (?1, ?2, ?3, ?4)")?.execute(params![
        lab.id,
        makerspace_id,
        lab.name,
        lab.description
    ])?;
    for m in &lab.manager_ids {
        tx.prepare_cached("INSERT OR IGNORE INTO lab_manager(lab_id, person_id) VALUES (?1, ?2)")?.execute(params![lab.id, m])?;
    }
    Ok(())
}

pub(crate) fn insert_equipment(tx: &Connection, id: &str, makerspace_id: &str, tz: &str, new: &NewEquipment) -> Result<()> {
    insert_resource(tx, id, ResourceKind::Equipment, makerspace_id, new.name.trim(), tz, &new.policy, &new.weekly_hours)?;
    tx.prepare_cached("INSERT INTO equipment(resource_id, lab_id, category, model, hourly_fee_cents, subsidy_pct) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(params![id, new.lab_id, new.category.trim(), new.model.trim(), new.hourly_fee_cents, new.subsidy_pct])?;
    Ok(())
}

/// (makerspace id, timezone) of a lab.
pub(crate) fn lab_home(conn: &Connection, lab_id: &str) -> Result<(Id, String)> {
    conn.query_row(
        "SELECT l.makerspace_id, m.timezone FROM lab l JOIN makerspace m ON m.id = l.makerspace_id WHERE l.id = ?1 AND l.deleted = 0",
        [lab_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .ok_or_else(|| CoreError::not_found("lab", lab_id))
}

impl Store {
    /// A space admin or lab manager of the makerspace opens a lab.
    pub fn create_lab(&mut self, actor_id: &str, new: &NewLab, now: DateTime<Utc>) -> Result<Lab> {
        self.create_lab_with_id(actor_id, &new_id(), new, now)
    }

    /// Opens a lab under an id the client chose, so it keeps its id through sync.
    pub fn create_lab_with_id(&mut self, actor_id: &str, id: &str, new: &NewLab, now: DateTime<Utc>) -> Result<Lab> {
        self.apply(actor_id, &Mutation::CreateLab { lab_id: id.to_string(), lab: new.clone() }, now)?;
        self.labs(Some(&new.makerspace_code))?.into_iter().find(|lab| lab.id == id).ok_or_else(|| CoreError::not_found("lab", id))
    }

    pub fn labs(&self, makerspace_code: Option<&str>) -> Result<Vec<Lab>> {
        let mut stmt = self.conn.prepare(
            "SELECT l.id, m.code, l.name, l.description FROM lab l JOIN makerspace m ON m.id = l.makerspace_id
             WHERE l.deleted = 0 AND (?1 IS NULL OR m.code = ?1) ORDER BY m.code, l.name",
        )?;
        let labs: Vec<Lab> = stmt
            .query_map([makerspace_code], |r| {
                Ok(Lab {
                    id: r.get(0)?,
                    makerspace_code: r.get(1)?,
                    name: r.get(2)?,
                    description: r.get(3)?,
                    manager_ids: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut managers = self.conn.prepare("SELECT person_id FROM lab_manager WHERE lab_id = ?1 ORDER BY person_id")?;
        labs.into_iter()
            .map(|mut lab| {
                lab.manager_ids = managers.query_map([&lab.id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
                Ok(lab)
            })
            .collect()
    }

    /// A lab manager of the lab's makerspace adds equipment.
    pub fn create_equipment(&mut self, actor_id: &str, new: &NewEquipment, now: DateTime<Utc>) -> Result<Equipment> {
        self.create_equipment_with_id(actor_id, &new_id(), new, now)
    }

    /// Adds equipment under an id the client chose, so it keeps its id through sync.
    pub fn create_equipment_with_id(
        &mut self,
        actor_id: &str,
        id: &str,
        new: &NewEquipment,
        now: DateTime<Utc>,
    ) -> Result<Equipment> {
        self.apply(actor_id, &Mutation::CreateEquipment { equipment_id: id.to_string(), equipment: new.clone() }, now)?;
        self.equipment_by_id(id)
    }

    /// Changes the name, lab, fee, hours and rules of a piece of equipment, in one transaction.
    pub fn update_equipment(&mut self, actor_id: &str, id: &str, new: &NewEquipment, now: DateTime<Utc>) -> Result<Equipment> {
        self.apply(actor_id, &Mutation::UpdateEquipment { equipment_id: id.to_string(), equipment: new.clone() }, now)?;
        self.equipment_by_id(id)
    }

    pub fn equipment_by_id(&self, id: &str) -> Result<Equipment> {
        equipment(&self.conn, id)
    }

    pub fn equipment(&self, filter: &EquipmentFilter) -> Result<Vec<Equipment>> {
        let mut stmt = self.conn.prepare(
            "SELECT e.resource_id FROM equipment e JOIN resource r ON r.id = e.resource_id JOIN makerspace m ON m.id = r.makerspace_id
             WHERE r.deleted = 0 AND (?1 IS NULL OR e.lab_id = ?1) AND (?2 IS NULL OR e.category = ?2) AND (?3 IS NULL OR m.code = ?3)
             ORDER BY m.code, e.lab_id, r.name",
        )?;
        let ids: Vec<String> = stmt
            .query_map(params![filter.lab_id, filter.category.as_deref().map(str::trim), filter.makerspace_code], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.iter().map(|id| equipment(&self.conn, id)).collect()
    }

    /// Adds a maintenance blackout. It always reports the active bookings it falls on;
    /// `mode` says whether to write it, and whether to cancel those bookings.
    pub fn add_blackout(
        &mut self,
        actor_id: &str,
        resource_id: &str,
        when: &BlackoutWhen,
        reason: &str,
        mode: BlackoutMode,
        now: DateTime<Utc>,
    ) -> Result<BlackoutOutcome> {
        let blackout =
            Blackout { id: new_id(), resource_id: resource_id.to_string(), when: when.clone(), reason: reason.to_string() };
        self.add_blackout_with_id(actor_id, &blackout, mode, now)
    }

    /// Adds a blackout under the id it carries, so it keeps its id through sync.
    pub fn add_blackout_with_id(
        &mut self,
        actor_id: &str,
        blackout: &Blackout,
        mode: BlackoutMode,
        now: DateTime<Utc>,
    ) -> Result<BlackoutOutcome> {
        validate_blackout(&blackout.when, &blackout.reason, now.timestamp())?;
        let blackout = Blackout { reason: blackout.reason.trim().to_string(), ..blackout.clone() };
        // What it falls on, read before it is written: the same bookings `apply` cancels.
        let hits = {
            let conn = &self.conn;
            let actor = load_actor(conn, actor_id)?;
            let rules = load_rules(conn, &blackout.resource_id)?;
            require_owner(conn, &actor, &rules)?;
            booking_views_hitting(conn, &rules, &blackout, now.timestamp())?
        };
        if mode == BlackoutMode::Preview {
            return Ok(BlackoutOutcome { blackout: None, hits, cancelled: 0 });
        }
        let cancel_hits = mode == BlackoutMode::CancelBookings;
        self.apply(actor_id, &Mutation::AddBlackout { blackout: blackout.clone(), cancel_hits }, now)?;
        let cancelled = if cancel_hits { hits.len() } else { 0 };
        Ok(BlackoutOutcome { blackout: Some(blackout), hits, cancelled })
    }

    pub fn remove_blackout(&mut self, actor_id: &str, blackout_id: &str, now: DateTime<Utc>) -> Result<()> {
        self.apply(actor_id, &Mutation::RemoveBlackout { blackout_id: blackout_id.to_string() }, now)
    }

    pub fn blackouts(&self, resource_id: &str) -> Result<Vec<Blackout>> {
        Ok(load_rules(&self.conn, resource_id)?.blackouts)
    }

    /// A lab manager of the equipment's makerspace lets a person use it, until `expires_at`.
    pub fn grant_qualification(
        &mut self,
        actor_id: &str,
        person_id: &str,
        resource_id: &str,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let command =
            Mutation::GrantQualification { person_id: person_id.to_string(), resource_id: resource_id.to_string(), expires_at };
        self.apply(actor_id, &command, now)
    }

    pub fn revoke_qualification(&mut self, actor_id: &str, person_id: &str, resource_id: &str, now: DateTime<Utc>) -> Result<()> {
        let command = Mutation::RevokeQualification { person_id: person_id.to_string(), resource_id: resource_id.to_string() };
        self.apply(actor_id, &command, now)
    }

    /// The person's own qualification for a piece of equipment: `None` if they have none,
    /// `Some(expiry)` if they have one (`Some(None)`: it does not expire).
    pub fn qualification_of(&self, person_id: &str, resource_id: &str) -> Result<Option<Option<DateTime<Utc>>>> {
        let row: Option<Option<i64>> = self
            .conn
            .query_row(
                "SELECT expires_at FROM qualification WHERE person_id = ?1 AND resource_id = ?2",
                params![person_id, resource_id],
                |r| r.get(0),
            )
            .optional()?;
        Ok(row.map(|e| e.map(to_utc)))
    }

    pub fn qualifications(&self, resource_id: &str) -> Result<Vec<QualificationGrant>> {
        let mut stmt = self.conn.prepare(
            "SELECT q.person_id, p.name, q.resource_id, q.granted_by, q.granted_at, q.expires_at FROM qualification q JOIN person p ON p.id = q.person_id
             WHERE q.resource_id = ?1 ORDER BY p.name",
        )?;
        let rows = stmt.query_map([resource_id], |r| {
            Ok(QualificationGrant {
                person_id: r.get(0)?,
                person_name: r.get(1)?,
                resource_id: r.get(2)?,
                granted_by: r.get(3)?,
                granted_at: to_utc(r.get(4)?),
                expires_at: r.get::<_, Option<i64>>(5)?.map(to_utc),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

pub(crate) fn insert_blackout(tx: &Connection, b: &Blackout, created_by: &str, now: i64) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO blackout(id, resource_id, kind, start_at, end_at, weekday, start_min, end_min, valid_from, valid_until, reason, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    match &b.when {
        BlackoutWhen::Once { start, end } => stmt.execute(params![
            b.id,
            b.resource_id,
            "once",
            start,
            end,
            None::<u8>,
            None::<u16>,
            None::<u16>,
            None::<String>,
            None::<String>,
            b.reason,
            created_by,
            now
        ])?,
        BlackoutWhen::Weekly { weekday, start_min, end_min, from, until } => stmt.execute(params![
            b.id,
            b.resource_id,
            "weekly",
            None::<i64>,
            None::<i64>,
            weekday,
            start_min,
            end_min,
            from.format("%Y-%m-%d").to_string(),
            until.map(|u| u.format("%Y-%m-%d").to_string()),
            b.reason,
            created_by,
            now
        ])?,
    };
    Ok(())
}

pub(crate) fn equipment(conn: &Connection, id: &str) -> Result<Equipment> {
    let sql = format!("SELECT {RESOURCE_COLUMNS} FROM resource WHERE id = ?1 AND kind = 'equipment'");
    let rules = conn
        .prepare_cached(&sql)?
        .query_row([id], rules_from_row)
        .optional()?
        .ok_or_else(|| CoreError::not_found("equipment", id))?;
    let (lab_id, category, model, fee, subsidy): (String, String, String, i64, u8) = conn
        .prepare_cached("SELECT lab_id, category, model, hourly_fee_cents, subsidy_pct FROM equipment WHERE resource_id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
    Ok(Equipment {
        id: rules.id,
        lab_id,
        name: rules.name,
        category,
        model,
        hourly_fee_cents: fee,
        subsidy_pct: subsidy,
        rates: super::usage::read_rates(conn, id)?.unwrap_or_default(),
        timezone: rules.tz.name().to_string(),
        policy: rules.policy,
        weekly_hours: rules.weekly,
    })
}
