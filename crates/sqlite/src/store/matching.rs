//! Matching on the founder's replica, offline: the district's mentors the founder may see,
//! scored by `matching` in the core, the best five with their first free slot. Calendars are
//! looked at best first and only while a mentor could still reach the top five.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;

use super::Store;
use super::mentors::MentorSearch;
use crate::domain::{Id, Slot, to_utc};
use crate::error::{CoreError, Result};
use crate::i18n;
use crate::interval::Span;
use crate::matching::{AVAILABILITY_POINTS, MatchNeed, MentorTraits, Score, WITHIN_DAYS, month_cap, score_without_availability};

/// How many matches a founder is shown.
pub const MATCHES_SHOWN: usize = 5;

/// A mentor suggested for a need: who, the score with its parts, and the slot to book.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MentorMatch {
    pub mentor_id: Id,
    pub name: String,
    pub title: String,
    pub makerspace_code: String,
    pub tags: Vec<String>,
    pub industries: Vec<String>,
    pub languages: Vec<String>,
    pub timezone: String,
    pub score: Score,
    /// The first free slot within 14 days, one not late for the founder when there is one.
    pub suggested: Option<Slot>,
}

/// A candidate's facts, read for all at once.
#[derive(Default)]
struct Facts {
    name: String,
    title: String,
    makerspace_code: String,
    timezone: String,
    tags: Vec<String>,
    industries: Vec<String>,
    languages: Vec<String>,
    formats: Vec<String>,
    held: u32,
    cap: Option<u32>,
}

impl Store {
    /// The best mentors for `need` as `viewer` (a founder) sees them: at most five, best first.
    /// The need's industry is the viewer's startup's when not given.
    pub fn match_mentors(&self, viewer: &str, need: &MatchNeed, now: DateTime<Utc>) -> Result<Vec<MentorMatch>> {
        let minutes = need.minutes.unwrap_or(60);
        if minutes == 0 || minutes > 480 {
            return Err(CoreError::invalid("minutes", "must be between 1 and 480"));
        }
        let need = self.stored_need(viewer, need)?;
        let ids = self.matching_mentor_ids(&MentorSearch { viewer_id: Some(viewer.to_string()), ..MentorSearch::default() })?;
        let facts = self.match_facts(&ids, now)?;
        let zone = self.person_zone(viewer)?;
        let mut ranked: Vec<(Score, &Id, &Facts)> = facts
            .iter()
            .map(|(id, f)| {
                let traits = MentorTraits {
                    tags: &f.tags,
                    industries: &f.industries,
                    languages: &f.languages,
                    formats: &f.formats,
                    held_this_month: f.held,
                    month_cap: f.cap,
                };
                (score_without_availability(&need, &traits), id, f)
            })
            .filter(|(s, ..)| !s.at_cap)
            .collect();
        ranked.sort_by(|a, b| b.0.total.cmp(&a.0.total).then_with(|| a.1.cmp(b.1)));
        let range = Span::new(now.timestamp(), now.timestamp() + WITHIN_DAYS * 86_400);
        let mut best: Vec<MentorMatch> = Vec::new();
        // Calendars in batches, best first, until nobody left could reach the fifth place.
        for chunk in ranked.chunks(16) {
            let fifth = (best.len() >= MATCHES_SHOWN).then(|| best[MATCHES_SHOWN - 1].score.total);
            if fifth.is_some_and(|f| chunk[0].0.total + AVAILABILITY_POINTS < f) {
                break;
            }
            let chunk_ids: Vec<Id> = chunk.iter().map(|(_, id, _)| (*id).clone()).collect();
            let slots: HashMap<Id, Vec<Span>> = self.slots_many(&chunk_ids, range, minutes, now)?.into_iter().collect();
            for (partial, id, f) in chunk {
                let free = slots.get(*id).map(Vec::as_slice).unwrap_or_default();
                let late = |s: &Span| crate::zones::late_for(to_utc(s.start), to_utc(s.end), zone);
                let suggested = free.iter().find(|s| !late(s)).or(free.first()).map(|s| Slot {
                    start: to_utc(s.start),
                    end: to_utc(s.end),
                    late: late(s),
                });
                let score = partial.with_first_free(suggested.map(|s| (s.start, s.late)), now);
                best.push(MentorMatch {
                    mentor_id: (*id).clone(),
                    name: f.name.clone(),
                    title: f.title.clone(),
                    makerspace_code: f.makerspace_code.clone(),
                    tags: f.tags.clone(),
                    industries: f.industries.clone(),
                    languages: f.languages.clone(),
                    timezone: f.timezone.clone(),
                    score,
                    suggested,
                });
            }
            best.sort_by(|a, b| {
                b.score.total.cmp(&a.score.total).then_with(|| {
                    let start = |m: &MentorMatch| m.suggested.map(|s| s.start);
                    start(a)
                        .is_none()
                        .cmp(&start(b).is_none())
                        .then(start(a).cmp(&start(b)))
                        .then_with(|| a.mentor_id.cmp(&b.mentor_id))
                })
            });
            best.truncate(MATCHES_SHOWN);
        }
        Ok(best)
    }

    /// The need with tags and language in their stored form, and the viewer's startup's
    /// industry when it names none.
    fn stored_need(&self, viewer: &str, need: &MatchNeed) -> Result<MatchNeed> {
        let tags = crate::validate::tag_keys(&need.tags)?;
        let language = match need.language.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            Some(l) => Some(
                i18n::language_code(l)
                    .ok_or_else(|| CoreError::invalid("language", format!("unknown language '{l}'")))?
                    .to_string(),
            ),
            None => None,
        };
        if let Some(format) = need.format.as_deref()
            && !matches!(format, "online" | "in_person")
        {
            return Err(CoreError::invalid("format", format!("'{format}' is not online or in_person")));
        }
        let industry = match need.industry.clone().filter(|i| !i.trim().is_empty()) {
            Some(i) => Some(i),
            None => self.startup_of_person(viewer)?.map(|s| s.industry).filter(|i| !i.is_empty()),
        };
        Ok(MatchNeed { tags, language, industry, ..need.clone() })
    }

    /// Every candidate's traits and how many of their sessions this month holds, in four
    /// queries whatever their number.
    fn match_facts(&self, ids: &[Id], now: DateTime<Utc>) -> Result<HashMap<Id, Facts>> {
        let list = std::rc::Rc::new(ids.iter().map(|id| rusqlite::types::Value::from(id.clone())).collect::<Vec<_>>());
        let mut facts: HashMap<Id, Facts> = HashMap::with_capacity(ids.len());
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.resource_id, p.name, m.title, ms.code, r.timezone, m.formats, r.max_per_day, r.max_per_week
             FROM mentor m JOIN resource r ON r.id = m.resource_id JOIN person p ON p.id = m.person_id
             JOIN makerspace ms ON ms.id = r.makerspace_id WHERE m.resource_id IN rarray(?1)",
        )?;
        let rows = stmt.query_map([list.clone()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Facts {
                    name: r.get(1)?,
                    title: r.get(2)?,
                    makerspace_code: r.get(3)?,
                    timezone: r.get(4)?,
                    formats: r.get::<_, String>(5)?.split(',').filter(|f| !f.is_empty()).map(str::to_string).collect(),
                    cap: month_cap(r.get(6)?, r.get(7)?),
                    ..Facts::default()
                },
            ))
        })?;
        for row in rows {
            let (id, f) = row?;
            facts.insert(id, f);
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT mentor_id, facet, value FROM mentor_facet WHERE mentor_id IN rarray(?1) ORDER BY value")?;
        let rows =
            stmt.query_map([list.clone()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        for row in rows {
            let (id, facet, value) = row?;
            if let Some(f) = facts.get_mut(&id) {
                match facet.as_str() {
                    "tag" => f.tags.push(value),
                    "industry" => f.industries.push(value),
                    "language" => f.languages.push(value),
                    _ => {}
                }
            }
        }
        // This month in the district's zone, from its first day to the first of the next.
        let local = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
        let first = local.with_day(1).unwrap_or(local);
        let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
        let month = super::local_range(chrono_tz::Asia::Shanghai, first, next.pred_opt().unwrap_or(next))?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT resource_id, count(*) FROM booking WHERE resource_id IN rarray(?1) AND start_at >= ?2 AND start_at < ?3
             AND status IN ('requested', 'confirmed', 'completed') AND deleted = 0 GROUP BY resource_id",
        )?;
        let rows = stmt
            .query_map(rusqlite::params![list, month.start, month.end], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?;
        for row in rows {
            let (id, held) = row?;
            if let Some(f) = facts.get_mut(&id) {
                f.held = held;
            }
        }
        Ok(facts)
    }
}
