//! The shared mentor pool: profiles, availability, and search.

use std::rc::Rc;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::calendar::load_rules;
use super::directory::makerspace_code;
use super::{Actor, Store, check_text, load_actor};
use crate::command::Command as Mutation;
use crate::command::{MentorProfile, NewMentor};
use crate::domain::encode_weekly;
use crate::domain::{DateOverride, Id, Mentor, Policy, ResourceKind, Slot, Visibility, WeeklyHours, new_id, to_utc};
use crate::error::{CoreError, Result};
use crate::i18n;
use crate::interval::Span;
use crate::rules::ResourceRules;

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct MentorSearch {
    pub tag: Option<String>,
    pub industry: Option<String>,
    pub language: Option<String>,
    pub makerspace_code: Option<String>,
    pub text: Option<String>,
    /// Only mentors with a free slot of `minutes` within this many days.
    pub free_within_days: Option<u32>,
    pub minutes: Option<u32>,
    /// Who is searching: mentors visible to their own makerspace only are hidden from others.
    pub viewer_id: Option<Id>,
    pub limit: Option<u32>,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MentorCard {
    pub id: Id,
    pub name: String,
    pub title: String,
    pub makerspace_code: String,
    pub tags: Vec<String>,
    pub industries: Vec<String>,
    pub languages: Vec<String>,
    /// The zone of the mentor's hours: an overseas mentor's own.
    pub timezone: String,
    /// How they meet: in_person, online, phone.
    pub formats: Vec<String>,
    /// Each session waits for the mentor's confirmation.
    pub approval_required: bool,
    pub person_id: Id,
    /// The first few free slots, soonest first.
    pub next_free: Vec<Slot>,
}

/// Mentors' days are ranked by the next two weeks unless the search says otherwise.
const DEFAULT_SEARCH_DAYS: u32 = 14;
const DEFAULT_SESSION_MIN: u32 = 60;

/// Writes a resource's booking rules (checked by the caller).
pub(crate) fn write_policy(tx: &Connection, resource_id: &str, policy: &Policy) -> Result<()> {
    tx.execute(
        "UPDATE resource SET capacity = ?2, granularity_min = ?3, min_duration_min = ?4, max_duration_min = ?5, durations_min = ?6,
         min_notice_min = ?7, horizon_days = ?8, cancel_cutoff_min = ?9, buffer_before_min = ?10, buffer_after_min = ?11,
         max_per_day = ?12, max_per_week = ?13, approval_required = ?14, qualification_required = ?15, max_per_person = ?16
         WHERE id = ?1",
        params![
            resource_id,
            policy.capacity,
            policy.granularity_min,
            policy.min_duration_min,
            policy.max_duration_min,
            serde_json::to_string(&policy.durations_min).unwrap_or_else(|_| "[]".into()),
            policy.min_notice_min,
            policy.horizon_days,
            policy.cancel_cutoff_min,
            policy.buffer_before_min,
            policy.buffer_after_min,
            policy.max_per_day,
            policy.max_per_week,
            policy.approval_required,
            policy.qualification_required,
            policy.max_per_person,
        ],
    )?;
    Ok(())
}

/// Whether the actor may change this resource's availability and rules: a mentor their
/// own, a lab manager the equipment of their makerspace.
pub(crate) fn require_owner(conn: &Connection, actor: &Actor, rules: &ResourceRules) -> Result<()> {
    let mentor_person: Option<String> = match rules.kind {
        ResourceKind::Mentor => {
            conn.query_row("SELECT person_id FROM mentor WHERE resource_id = ?1", [&rules.id], |r| r.get(0)).optional()?
        }
        ResourceKind::Equipment => None,
    };
    crate::decide::require_owner(actor, rules.kind, &rules.makerspace_id, mentor_person.as_deref())
}

/// Writes a mentor whose tags and languages are already normalized keys.
/// (zone, resource id): a mentor moves their hours to another zone.
pub const SET_RESOURCE_ZONE_SQL: &str = "UPDATE resource SET timezone = $1 WHERE id = $2";

/// (resource, person, title, bio, formats, visibility, full time 0/1).
pub const INSERT_MENTOR_SQL: &str = "INSERT INTO mentor(resource_id, person_id, title, bio, formats, visibility, full_time)
     VALUES ($1, $2, $3, $4, $5, $6, $7)";
/// (title, bio, formats, visibility, full time 0/1, resource).
pub const UPDATE_MENTOR_PROFILE_SQL: &str =
    "UPDATE mentor SET title = $1, bio = $2, formats = $3, visibility = $4, full_time = $5 WHERE resource_id = $6";

pub(crate) fn insert_mentor(tx: &Connection, id: &str, makerspace_id: &str, name: &str, tz: &str, new: &NewMentor) -> Result<()> {
    insert_resource(tx, id, ResourceKind::Mentor, makerspace_id, name, tz, &new.policy, &new.weekly_hours)?;
    tx.prepare_cached(INSERT_MENTOR_SQL)?.execute(params![
        id,
        new.person_id,
        new.title.trim(),
        new.bio.trim(),
        new.formats.join(","),
        new.visibility.as_str(),
        i64::from(new.full_time)
    ])?;
    write_facets(tx, id, &new.tags, &new.industries, &new.languages)
}

/// Writes a mentor's tags, industries and languages (already normalized).
pub(crate) fn write_facets(
    tx: &Connection,
    id: &str,
    tags: &[String],
    industries: &[String],
    languages: &[String],
) -> Result<()> {
    let mut facet = tx.prepare_cached("INSERT OR IGNORE INTO mentor_facet(mentor_id, facet, value) VALUES (?1, ?2, ?3)")?;
    for (kind, values) in [("tag", tags), ("industry", industries), ("language", languages)] {
        for v in values {
            facet.execute(params![id, kind, v])?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_resource(
    tx: &Connection,
    id: &str,
    kind: ResourceKind,
    makerspace_id: &str,
    name: &str,
    tz: &str,
    p: &Policy,
    weekly: &[WeeklyHours],
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO resource(id, kind, makerspace_id, name, timezone, capacity, granularity_min, min_duration_min, max_duration_min,
         durations_min, min_notice_min, horizon_days, cancel_cutoff_min, buffer_before_min, buffer_after_min, max_per_day, max_per_week,
         approval_required, qualification_required, weekly_hours, max_per_person)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
    )?
    .execute(params![
        id,
        kind.as_str(),
        makerspace_id,
        name,
        tz,
        p.capacity,
        p.granularity_min,
        p.min_duration_min,
        p.max_duration_min,
        serde_json::to_string(&p.durations_min).unwrap_or_else(|_| "[]".into()),
        p.min_notice_min,
        p.horizon_days,
        p.cancel_cutoff_min,
        p.buffer_before_min,
        p.buffer_after_min,
        p.max_per_day,
        p.max_per_week,
        p.approval_required,
        p.qualification_required,
        encode_weekly(weekly),
        p.max_per_person,
    ])?;
    Ok(())
}

impl Store {
    /// Adds a mentor to the pool: a space admin of the mentor's makerspace does this.
    pub fn create_mentor(&mut self, actor_id: &str, new: &NewMentor, now: DateTime<Utc>) -> Result<Mentor> {
        self.create_mentor_with_id(actor_id, &new_id(), new, now)
    }

    /// Adds a mentor under an id the client chose, so they keep their id through sync.
    pub fn create_mentor_with_id(&mut self, actor_id: &str, id: &str, new: &NewMentor, now: DateTime<Utc>) -> Result<Mentor> {
        self.apply(actor_id, &Mutation::CreateMentor { mentor_id: id.to_string(), mentor: new.clone() }, now)?;
        self.mentor(id)
    }

    /// The mentor edits their own profile; a space admin of their makerspace may too.
    pub fn update_mentor_profile(
        &mut self,
        actor_id: &str,
        id: &str,
        profile: &MentorProfile,
        now: DateTime<Utc>,
    ) -> Result<Mentor> {
        self.apply(actor_id, &Mutation::UpdateMentorProfile { mentor_id: id.to_string(), profile: profile.clone() }, now)?;
        self.mentor(id)
    }

    pub fn mentor(&self, id: &str) -> Result<Mentor> {
        mentor(&self.conn, id)
    }

    /// The mentor profile of a person, if they are one.
    pub fn mentor_of_person(&self, person_id: &str) -> Result<Option<Mentor>> {
        let id: Option<String> =
            self.conn.query_row("SELECT resource_id FROM mentor WHERE person_id = ?1", [person_id], |r| r.get(0)).optional()?;
        id.map(|id| mentor(&self.conn, &id)).transpose()
    }

    /// Replaces the weekly hours of a mentor or a piece of equipment.
    pub fn set_weekly_hours(
        &mut self,
        actor_id: &str,
        resource_id: &str,
        hours: &[WeeklyHours],
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.apply(actor_id, &Mutation::SetWeeklyHours { resource_id: resource_id.to_string(), hours: hours.to_vec() }, now)
    }

    /// Replaces the booking rules of a mentor or a piece of equipment.
    pub fn set_policy(&mut self, actor_id: &str, resource_id: &str, policy: &Policy, now: DateTime<Utc>) -> Result<()> {
        self.apply(actor_id, &Mutation::SetPolicy { resource_id: resource_id.to_string(), policy: policy.clone() }, now)
    }

    /// A day off, part of a day off, or extra hours on one date. Returns the override's id.
    pub fn add_date_override(
        &mut self,
        actor_id: &str,
        resource_id: &str,
        o: &DateOverride,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<Id> {
        let id = new_id();
        self.add_date_override_with_id(actor_id, &id, resource_id, o, note, now)?;
        Ok(id)
    }

    /// Adds an override under an id the client chose, so it keeps its id through sync.
    pub fn add_date_override_with_id(
        &mut self,
        actor_id: &str,
        id: &str,
        resource_id: &str,
        o: &DateOverride,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let command = Mutation::AddDateOverride {
            override_id: id.to_string(),
            resource_id: resource_id.to_string(),
            date_override: o.clone(),
            note: note.to_string(),
        };
        self.apply(actor_id, &command, now)
    }

    pub fn remove_date_override(&mut self, actor_id: &str, override_id: &str, now: DateTime<Utc>) -> Result<()> {
        self.apply(actor_id, &Mutation::RemoveDateOverride { override_id: override_id.to_string() }, now)
    }

    pub fn date_overrides(&self, resource_id: &str, from: NaiveDate) -> Result<Vec<(Id, DateOverride)>> {
        let mut stmt = self.conn.prepare("SELECT id, date, kind, start_min, end_min FROM date_override WHERE resource_id = ?1 AND date >= ?2 ORDER BY date, start_min")?;
        let rows = stmt.query_map(params![resource_id, from.format("%Y-%m-%d").to_string()], |r| {
            let date: String = r.get(1)?;
            let kind: String = r.get(2)?;
            Ok((
                r.get::<_, String>(0)?,
                DateOverride {
                    date: NaiveDate::parse_from_str(&date, "%Y-%m-%d").unwrap_or_default(),
                    kind: if kind == "off" { crate::domain::OverrideKind::Off } else { crate::domain::OverrideKind::Extra },
                    start_min: r.get(3)?,
                    end_min: r.get(4)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Mentors matching the search, those with the soonest free slot first.
    pub fn search_mentors(&self, search: &MentorSearch, now: DateTime<Utc>) -> Result<Vec<MentorCard>> {
        let ids = self.matching_mentor_ids(search)?;
        let days = search.free_within_days.unwrap_or(DEFAULT_SEARCH_DAYS);
        if days == 0 || days > 366 {
            return Err(CoreError::invalid("free_within_days", "must be between 1 and 366 days"));
        }
        let minutes = search.minutes.unwrap_or(DEFAULT_SESSION_MIN);
        if minutes == 0 || minutes > 1440 {
            return Err(CoreError::invalid("minutes", "must be between 1 and 1440"));
        }
        let range = Span::new(now.timestamp(), now.timestamp() + i64::from(days) * 86_400);
        let mut ranked: Vec<(Option<i64>, Id, Vec<Span>)> = self
            .slots_many(&ids, range, minutes, now)?
            .into_iter()
            .map(|(id, slots)| (slots.first().map(|s| s.start), id, slots))
            .filter(|(next, _, _)| search.free_within_days.is_none() || next.is_some())
            .collect();
        ranked.sort_by(|a, b| match (a.0, b.0) {
            (Some(x), Some(y)) => x.cmp(&y).then_with(|| a.1.cmp(&b.1)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.1.cmp(&b.1),
        });
        ranked.truncate(search.limit.unwrap_or(50) as usize);
        ranked
            .into_iter()
            .map(|(_, id, slots)| {
                let m = mentor(&self.conn, &id)?;
                Ok(MentorCard {
                    id: m.id,
                    name: m.name,
                    title: m.title,
                    makerspace_code: m.makerspace_code,
                    tags: m.tags,
                    industries: m.industries,
                    languages: m.languages,
                    timezone: m.timezone,
                    formats: m.formats,
                    approval_required: m.policy.approval_required,
                    person_id: m.person_id,
                    next_free: slots
                        .into_iter()
                        .take(3)
                        .map(|s| Slot { start: to_utc(s.start), end: to_utc(s.end), late: false })
                        .collect(),
                })
            })
            .collect()
    }

    /// Ids of the mentors a search's filters (not its free-time condition) select.
    pub fn matching_mentor_ids(&self, search: &MentorSearch) -> Result<Vec<Id>> {
        let tag = match &search.tag {
            Some(t) => Some(
                i18n::expertise_key(t).ok_or_else(|| CoreError::invalid("tag", format!("unknown expertise '{t}'")))?.to_string(),
            ),
            None => None,
        };
        let language = match &search.language {
            Some(l) => Some(
                i18n::language_code(l)
                    .ok_or_else(|| CoreError::invalid("language", format!("unknown language '{l}'")))?
                    .to_string(),
            ),
            None => None,
        };
        if let Some(t) = &search.text {
            check_text("text", t, 100, false)?;
        }
        let pattern = search.text.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(|t| format!("%{}%", escape_like(t)));
        let viewer_spaces: Vec<Value> = match &search.viewer_id {
            Some(v) => load_actor(&self.conn, v)?.roles.into_iter().map(|(m, _)| Value::from(m)).collect(),
            None => Vec::new(),
        };
        // The facet with a value drives the query through its index; the rest filter.
        let driver = if tag.is_some() {
            "SELECT mentor_id FROM mentor_facet WHERE facet = 'tag' AND value = ?1"
        } else if language.is_some() {
            "SELECT mentor_id FROM mentor_facet WHERE facet = 'language' AND value = ?3"
        } else {
            "SELECT resource_id FROM mentor"
        };
        let sql = format!(
            "SELECT m.resource_id FROM mentor m JOIN resource r ON r.id = m.resource_id JOIN makerspace ms ON ms.id = r.makerspace_id
             JOIN person p ON p.id = m.person_id
             WHERE m.resource_id IN ({driver}) AND r.deleted = 0 AND r.active = 1
             AND (?1 IS NULL OR EXISTS (SELECT 1 FROM mentor_facet f WHERE f.mentor_id = m.resource_id AND f.facet = 'tag' AND f.value = ?1))
             AND (?2 IS NULL OR EXISTS (SELECT 1 FROM mentor_facet f WHERE f.mentor_id = m.resource_id AND f.facet = 'industry' AND f.value = ?2))
             AND (?3 IS NULL OR EXISTS (SELECT 1 FROM mentor_facet f WHERE f.mentor_id = m.resource_id AND f.facet = 'language' AND f.value = ?3))
             AND (?4 IS NULL OR ms.code = ?4)
             AND (?5 IS NULL OR p.name LIKE ?5 ESCAPE '\\' OR m.title LIKE ?5 ESCAPE '\\' OR m.bio LIKE ?5 ESCAPE '\\')
             AND (m.visibility = 'district' OR r.makerspace_id IN rarray(?6))
             ORDER BY m.resource_id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![
                tag,
                search.industry.as_deref().map(str::trim),
                language,
                search.makerspace_code,
                pattern,
                Rc::new(viewer_spaces)
            ],
            |r| r.get(0),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(crate) fn mentor(conn: &Connection, id: &str) -> Result<Mentor> {
    let rules = load_rules(conn, id)?;
    if rules.kind != ResourceKind::Mentor {
        return Err(CoreError::not_found("mentor", id));
    }
    let (person_id, title, bio, formats, visibility, full_time): (String, String, String, String, String, i64) = conn
        .prepare_cached("SELECT person_id, title, bio, formats, visibility, full_time FROM mentor WHERE resource_id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?;
    let mut tags = Vec::new();
    let mut industries = Vec::new();
    let mut languages = Vec::new();
    let mut stmt = conn.prepare_cached("SELECT facet, value FROM mentor_facet WHERE mentor_id = ?1 ORDER BY facet, value")?;
    let mut rows = stmt.query([id])?;
    while let Some(row) = rows.next()? {
        let facet: String = row.get(0)?;
        let value: String = row.get(1)?;
        match facet.as_str() {
            "tag" => tags.push(value),
            "industry" => industries.push(value),
            _ => languages.push(value),
        }
    }
    Ok(Mentor {
        id: rules.id,
        person_id,
        name: rules.name,
        makerspace_code: makerspace_code(conn, &rules.makerspace_id)?,
        title,
        bio,
        tags,
        industries,
        languages,
        formats: formats.split(',').filter(|f| !f.is_empty()).map(str::to_string).collect(),
        visibility: if visibility == "makerspace" { Visibility::Makerspace } else { Visibility::District },
        timezone: rules.tz.name().to_string(),
        policy: rules.policy,
        weekly_hours: rules.weekly,
        full_time: full_time == 1,
    })
}
