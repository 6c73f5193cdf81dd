//! A space admin's first connection: the makerspace's catalogue, kept on the desktop so far,
//! goes to a server that has none of it — as ordinary mutations through the outbox, so the
//! server checks and authorizes each row as it would any change, and a half-sent upload
//! resumes at the next sync like any waiting change.

mod programmes;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::command::Command as Mutation;
pub use crate::command::UploadedBooking;
use crate::domain::{Blackout, BlackoutWhen, BookingStatus, DateOverride, Id, OverrideKind, to_utc};
use crate::error::{CoreError, Result};
use crate::store::{EquipmentFilter, NewEquipment, NewLab, NewMentor, NewPerson, Store};

/// A makerspace as the server lists it, with how much of its catalogue the server has.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MakerspaceSummary {
    pub id: Id,
    pub code: String,
    pub name: String,
    pub labs: i64,
    pub resources: i64,
}

impl MakerspaceSummary {
    pub fn has_catalogue(&self) -> bool {
        self.labs > 0 || self.resources > 0
    }
}

/// What an upload put in the outbox.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CatalogueUpload {
    pub makerspace_code: String,
    pub people: u32,
    /// The people's roles in this makerspace, sent again on their own for people the district
    /// already has.
    pub roles: u32,
    pub labs: u32,
    pub equipment: u32,
    pub mentors: u32,
    pub date_overrides: u32,
    pub blackouts: u32,
    pub qualifications: u32,
    /// Upcoming requested and confirmed bookings, so the district sees that time as taken.
    pub bookings: u32,
    /// Events of the last year and ahead (cancelled ones go up cancelled).
    pub events: u32,
    /// Mentor-hour allocations, each with its top-ups.
    pub allocations: u32,
    /// What stays on this desktop: mentors' own days off and blackouts (only a mentor
    /// changes their calendar; they enter them again), qualifications of people of other
    /// makerspaces (a lab manager grants them again), and bookings by people of other
    /// makerspaces (their booker is not this upload's to add), and events begun more than a
    /// year ago.
    pub skipped: u32,
}

impl CatalogueUpload {
    pub fn changes(&self) -> u32 {
        self.people
            + self.roles
            + self.labs
            + self.equipment
            + self.mentors
            + self.date_overrides
            + self.blackouts
            + self.qualifications
            + self.bookings
            + self.events
            + self.allocations
    }
}

/// The catalogue of one makerspace, read before anything is written.
struct Catalogue {
    people: Vec<(Id, NewPerson)>,
    labs: Vec<(Id, NewLab)>,
    equipment: Vec<(Id, NewEquipment)>,
    mentors: Vec<(Id, NewMentor)>,
    /// Mentors' default places, for those who keep any.
    places: Vec<(Id, crate::place::PlaceDefaults)>,
    overrides: Vec<(Id, Id, DateOverride, String)>,
    blackouts: Vec<Blackout>,
    qualifications: Vec<(Id, Id, Option<DateTime<Utc>>)>,
    bookings: Vec<UploadedBooking>,
    skipped: u32,
}

/// For a user signed in with `roles` ((makerspace code, role) pairs, as the server's sign-in
/// answers): queues the upload of each makerspace they administer that the server has no
/// catalogue for and this desktop has one. What was queued goes out with the next sync.
pub fn queue_missing_catalogues(
    store: &mut Store,
    on_server: &[MakerspaceSummary],
    roles: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<Vec<CatalogueUpload>> {
    let mut queued = Vec::new();
    for (code, role) in roles {
        if role != "space_admin" {
            continue;
        }
        let Some(server) = on_server.iter().find(|m| &m.code == code) else { continue };
        if server.has_catalogue() || !store.has_local_catalogue(code)? {
            continue;
        }
        queued.push(store.queue_catalogue_upload(code, &server.id, now)?);
    }
    Ok(queued)
}

/// The makerspaces with their catalogue's size; both server backends answer with this query.
pub const MAKERSPACE_SUMMARIES_SQL: &str = "SELECT m.id, m.code, m.name,
    (SELECT count(*) FROM lab l WHERE l.makerspace_id = m.id AND l.deleted = 0),
    (SELECT count(*) FROM resource r WHERE r.makerspace_id = m.id AND r.deleted = 0)
    FROM makerspace m WHERE m.deleted = 0 ORDER BY m.code";

impl Store {
    pub fn makerspace_summaries(&self) -> Result<Vec<MakerspaceSummary>> {
        let mut stmt = self.conn.prepare(MAKERSPACE_SUMMARIES_SQL)?;
        let rows = stmt.query_map([], |r| {
            Ok(MakerspaceSummary { id: r.get(0)?, code: r.get(1)?, name: r.get(2)?, labs: r.get(3)?, resources: r.get(4)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether this desktop has a catalogue of its own for the makerspace (labs or resources).
    pub fn has_local_catalogue(&self, code: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM makerspace m WHERE m.code = ?1 AND (
               EXISTS(SELECT 1 FROM lab l WHERE l.makerspace_id = m.id AND l.deleted = 0) OR
               EXISTS(SELECT 1 FROM resource r WHERE r.makerspace_id = m.id AND r.deleted = 0)))",
            [code],
            |r| r.get(0),
        )?)
    }

    /// Puts the makerspace's catalogue in the outbox, in one transaction, for a server whose
    /// makerspace of that code has the id `server_id`: the local makerspace takes that id
    /// first, so the rows that come back from the server are the same rows.
    pub fn queue_catalogue_upload(&mut self, code: &str, server_id: &str, now: DateTime<Utc>) -> Result<CatalogueUpload> {
        if self.sync_status()?.is_none() {
            return Err(CoreError::invalid("sync", "connect to a district server before uploading a catalogue"));
        }
        let local = self.makerspace_by_code(code)?;
        let catalogue = self.read_catalogue(&local.id, code, now)?;
        let programmes = programmes::read_programmes(&self.conn, &local.id, now)?;
        // The startups that have lived here, with their members and their stays here.
        let startups: Vec<crate::startup::StartupRecord> = self
            .startups(&crate::startup::StartupFilter::default(), chrono::NaiveDate::MIN)?
            .into_iter()
            .filter(|s| s.residencies.iter().any(|r| r.residency.makerspace_id == local.id))
            .collect();
        let at = now.timestamp();
        self.write(|tx| {
            if local.id != server_id {
                // The ids change together; the references are checked at commit.
                tx.execute_batch("PRAGMA defer_foreign_keys = ON")?;
                for sql in [
                    "UPDATE makerspace SET id = ?2 WHERE id = ?1",
                    "UPDATE person_role SET makerspace_id = ?2 WHERE makerspace_id = ?1",
                    "UPDATE resource SET makerspace_id = ?2 WHERE makerspace_id = ?1",
                    "UPDATE lab SET makerspace_id = ?2 WHERE makerspace_id = ?1",
                    "UPDATE residency SET makerspace_id = ?2 WHERE makerspace_id = ?1",
                    "UPDATE event SET makerspace_id = ?2 WHERE makerspace_id = ?1",
                    "UPDATE hour_allocation SET makerspace_id = ?2 WHERE makerspace_id = ?1",
                ] {
                    tx.execute(sql, params![local.id, server_id])?;
                }
            }
            let record = |m: Mutation| tx.record(&Mutation::Uploaded { change: Box::new(m) }, at);
            for (person_id, person) in &catalogue.people {
                record(Mutation::CreatePerson { person_id: person_id.clone(), person: person.clone() })?;
            }
            // Someone the district has already (from another makerspace's upload) is not
            // created again, so their roles here travel on their own.
            for (person_id, person) in &catalogue.people {
                for grant in &person.roles {
                    record(Mutation::SetRole {
                        person_id: person_id.clone(),
                        makerspace_id: server_id.to_string(),
                        role: grant.role,
                        granted: true,
                    })?;
                }
            }
            for (lab_id, lab) in &catalogue.labs {
                record(Mutation::CreateLab { lab_id: lab_id.clone(), lab: lab.clone() })?;
            }
            for (equipment_id, equipment) in &catalogue.equipment {
                record(Mutation::CreateEquipment { equipment_id: equipment_id.clone(), equipment: equipment.clone() })?;
            }
            for (mentor_id, mentor) in &catalogue.mentors {
                record(Mutation::CreateMentor { mentor_id: mentor_id.clone(), mentor: mentor.clone() })?;
            }
            for (mentor_id, defaults) in &catalogue.places {
                record(Mutation::SetPlaceDefaults { mentor_id: mentor_id.clone(), defaults: defaults.clone() })?;
            }
            for (override_id, resource_id, date_override, note) in &catalogue.overrides {
                record(Mutation::AddDateOverride {
                    override_id: override_id.clone(),
                    resource_id: resource_id.clone(),
                    date_override: date_override.clone(),
                    note: note.clone(),
                })?;
            }
            for b in &catalogue.blackouts {
                record(Mutation::AddBlackout { blackout: b.clone(), cancel_hits: false })?;
            }
            for (person_id, resource_id, expires_at) in &catalogue.qualifications {
                record(Mutation::GrantQualification {
                    person_id: person_id.clone(),
                    resource_id: resource_id.clone(),
                    expires_at: *expires_at,
                })?;
            }
            for booking in &catalogue.bookings {
                record(Mutation::UploadBooking { booking: booking.clone() })?;
            }
            for s in &startups {
                let Some(lead) = s.members.iter().find(|m| m.lead) else { continue };
                let startup = crate::startup::NewStartup {
                    name: s.name.clone(),
                    kind: s.kind,
                    credit_code: s.credit_code.clone(),
                    stage: s.stage.clone(),
                    industry: s.industry.clone(),
                    headcount: s.headcount,
                    description: s.description.clone(),
                };
                record(Mutation::CreateStartup { startup_id: s.id.clone(), startup, lead_id: lead.person_id.clone() })?;
                for m in s.members.iter().filter(|m| !m.lead) {
                    let (startup_id, person_id) = (s.id.clone(), m.person_id.clone());
                    record(Mutation::SetStartupMember { startup_id, person_id, member: true, lead: false })?;
                }
                for r in s.residencies.iter().map(|r| &r.residency).filter(|r| r.makerspace_id == local.id) {
                    record(Mutation::MoveIn {
                        residency_id: r.id.clone(),
                        startup_id: s.id.clone(),
                        makerspace_id: server_id.to_string(),
                        date: r.move_in,
                    })?;
                    if let Some(date) = r.move_out {
                        record(Mutation::MoveOut { startup_id: s.id.clone(), residency_id: r.id.clone(), date })?;
                    }
                }
            }
            // After the startups: an allocation names one.
            for m in programmes.mutations(server_id) {
                record(m)?;
            }
            Ok(())
        })?;
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(CatalogueUpload {
            makerspace_code: code.to_string(),
            people: count(catalogue.people.len()),
            roles: count(catalogue.people.iter().map(|(_, p)| p.roles.len()).sum()),
            labs: count(catalogue.labs.len()),
            equipment: count(catalogue.equipment.len()),
            mentors: count(catalogue.mentors.len()),
            date_overrides: count(catalogue.overrides.len()),
            blackouts: count(catalogue.blackouts.len()),
            qualifications: count(catalogue.qualifications.len()),
            bookings: count(catalogue.bookings.len()),
            events: count(programmes.events.len()),
            allocations: count(programmes.allocations.len()),
            skipped: catalogue.skipped + programmes.skipped,
        })
    }

    fn read_catalogue(&self, makerspace_id: &str, code: &str, now: DateTime<Utc>) -> Result<Catalogue> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT r.person_id FROM person_role r JOIN person p ON p.id = r.person_id
             WHERE r.makerspace_id = ?1 AND p.deleted = 0 ORDER BY r.person_id",
        )?;
        let ids: Vec<String> = stmt.query_map([makerspace_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        let mut people = Vec::with_capacity(ids.len());
        for id in ids {
            // Read as the person themself sees it, so that contact details come along.
            let p = self.person(&id, Some(&id))?;
            let roles = p.roles.into_iter().filter(|g| g.makerspace_code == code).collect();
            let person = NewPerson {
                name: p.name,
                phone: p.phone,
                email: p.email,
                startup_name: p.startup_name,
                industry: p.industry,
                stage: p.stage,
                roles,
            };
            people.push((id, person));
        }
        let labs = self
            .labs(Some(code))?
            .into_iter()
            .map(|l| {
                let lab = NewLab {
                    makerspace_code: code.to_string(),
                    name: l.name,
                    description: l.description,
                    manager_ids: l.manager_ids,
                };
                (l.id, lab)
            })
            .collect();
        let equipment: Vec<(Id, NewEquipment)> = self
            .equipment(&EquipmentFilter { makerspace_code: Some(code.to_string()), ..EquipmentFilter::default() })?
            .into_iter()
            .map(|e| {
                let new = NewEquipment {
                    lab_id: e.lab_id,
                    name: e.name,
                    category: e.category,
                    model: e.model,
                    hourly_fee_cents: e.hourly_fee_cents,
                    subsidy_pct: e.subsidy_pct,
                    policy: e.policy,
                    weekly_hours: e.weekly_hours,
                };
                (e.id, new)
            })
            .collect();
        let mut stmt = self.conn.prepare(
            "SELECT r.id FROM resource r JOIN mentor m ON m.resource_id = r.id WHERE r.makerspace_id = ?1 AND r.deleted = 0 ORDER BY r.id",
        )?;
        let mentor_ids: Vec<String> = stmt.query_map([makerspace_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        let mut mentors = Vec::with_capacity(mentor_ids.len());
        let mut places = Vec::new();
        for id in mentor_ids {
            let defaults = self.place_defaults(&id)?;
            if !defaults.places.is_empty() {
                places.push((id.clone(), defaults));
            }
            let m = self.mentor(&id)?;
            let new = NewMentor {
                full_time: m.full_time,
                person_id: m.person_id,
                makerspace_code: code.to_string(),
                title: m.title,
                bio: m.bio,
                tags: m.tags,
                industries: m.industries,
                languages: m.languages,
                formats: m.formats,
                visibility: m.visibility,
                timezone: Some(m.timezone),
                policy: m.policy,
                weekly_hours: m.weekly_hours,
            };
            mentors.push((id, new));
        }
        let today = now.date_naive();
        let mut stmt = self.conn.prepare(
            "SELECT o.id, o.resource_id, o.date, o.kind, o.start_min, o.end_min, o.note, r.kind FROM date_override o
             JOIN resource r ON r.id = o.resource_id WHERE r.makerspace_id = ?1 AND r.deleted = 0 AND o.date >= ?2 ORDER BY o.date, o.id",
        )?;
        let mut overrides = Vec::new();
        let mut skipped = 0;
        let rows = stmt.query_map(params![makerspace_id, today.format("%Y-%m-%d").to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, u16>(4)?,
                r.get::<_, u16>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        })?;
        for row in rows {
            let (id, resource_id, date, kind, start_min, end_min, note, resource_kind) = row?;
            if resource_kind == "mentor" {
                skipped += 1;
                continue;
            }
            let date = NaiveDate::parse_from_str(&date, "%Y-%m-%d").map_err(|e| CoreError::invalid("date", e.to_string()))?;
            let kind = if kind == "off" { OverrideKind::Off } else { OverrideKind::Extra };
            overrides.push((id, resource_id, DateOverride { date, kind, start_min, end_min }, note));
        }
        let mut blackouts = Vec::new();
        let mut qualifications = Vec::new();
        for (id, _) in &equipment {
            for b in self.blackouts(id)? {
                let current = match &b.when {
                    BlackoutWhen::Once { end, .. } => *end > now.timestamp(),
                    BlackoutWhen::Weekly { until, .. } => until.is_none_or(|u| u >= today),
                };
                if current {
                    blackouts.push(b);
                }
            }
            for q in self.qualifications(id)? {
                if q.expires_at.is_some_and(|e| e <= now) {
                    continue;
                }
                // People of other makerspaces are not this upload's to add: they keep the
                // qualification here, and a lab manager grants it again on the server.
                if people.iter().any(|(p, _)| *p == q.person_id) {
                    qualifications.push((q.person_id, q.resource_id, q.expires_at));
                } else {
                    skipped += 1;
                }
            }
        }
        for (id, _) in &mentors {
            skipped += u32::try_from(self.blackouts(id)?.len()).unwrap_or(0);
        }
        let mut bookings = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT b.id, b.resource_id, b.booker_id, b.start_at, b.end_at, b.status, b.topic FROM booking b
             JOIN resource r ON r.id = b.resource_id
             WHERE r.makerspace_id = ?1 AND r.deleted = 0 AND b.deleted = 0 AND b.end_at > ?2
               AND b.status IN ('requested', 'confirmed') ORDER BY b.start_at, b.id",
        )?;
        let rows = stmt.query_map(params![makerspace_id, now.timestamp()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        for row in rows {
            let (id, resource_id, booker_id, start, end, status, topic) = row?;
            if !people.iter().any(|(p, _)| *p == booker_id) {
                skipped += 1;
                continue;
            }
            let status = if status == "requested" { BookingStatus::Requested } else { BookingStatus::Confirmed };
            let (start, end) = (to_utc(start), to_utc(end));
            bookings.push(UploadedBooking { id, resource_id, booker_id, start, end, status, topic });
        }
        Ok(Catalogue { people, labs, equipment, mentors, places, overrides, blackouts, qualifications, bookings, skipped })
    }
}
