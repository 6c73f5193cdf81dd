//! Matching on the founder's replica, offline: the district's mentors the founder may see,
//! scored by `matching` in the core, the best five with their first free slot. What needs no
//! calendar is scored for everyone; calendars and this month's bookings are looked at best
//! first, and only while a mentor could still reach the top five.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;

use super::Store;
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
    /// How the mentor meets (in_person, online, phone): the booking is made in one of them.
    pub formats: Vec<String>,
    pub score: Score,
    /// The first free slot within 14 days, one not late for the founder when there is one.
    pub suggested: Option<Slot>,
}

/// What a candidate's score needs, read for every mentor at once: of their tags, industries
/// and languages only those the need names (the score counts no others), so that thousands
/// of mentors cost no more than their ids.
#[derive(Default)]
struct Facts {
    tags: Vec<String>,
    industries: Vec<String>,
    languages: Vec<String>,
    formats: Vec<String>,
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
        let facts = self.match_facts(viewer, &need)?;
        let zone = self.person_zone(viewer)?;
        let month = this_month(now)?;
        // The most each could score: every part that needs no calendar, with the month still
        // free (its bookings are counted for the few looked at).
        let mut ranked: Vec<(u32, &Id, &Facts)> = facts
            .iter()
            .map(|(id, f)| {
                let traits = MentorTraits {
                    tags: &f.tags,
                    industries: &f.industries,
                    languages: &f.languages,
                    formats: &f.formats,
                    held_this_month: 0,
                    month_cap: None,
                };
                (score_without_availability(&need, &traits).total, id, f)
            })
            .collect();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let range = Span::new(now.timestamp(), now.timestamp() + WITHIN_DAYS * 86_400);
        let mut best: Vec<MentorMatch> = Vec::new();
        // Calendars in batches, best first, until nobody left could reach the fifth place.
        for chunk in ranked.chunks(16) {
            let fifth = (best.len() >= MATCHES_SHOWN).then(|| best[MATCHES_SHOWN - 1].score.total);
            if fifth.is_some_and(|f| chunk[0].0 + AVAILABILITY_POINTS < f) {
                break;
            }
            let chunk_ids: Vec<Id> = chunk.iter().map(|(_, id, _)| (*id).clone()).collect();
            let held = self.held_in(&chunk_ids, month)?;
            let slots: HashMap<Id, Vec<Span>> = self.slots_many(&chunk_ids, range, minutes, now)?.into_iter().collect();
            for (_, id, f) in chunk {
                let traits = MentorTraits {
                    tags: &f.tags,
                    industries: &f.industries,
                    languages: &f.languages,
                    formats: &f.formats,
                    held_this_month: held.get(*id).copied().unwrap_or(0),
                    month_cap: f.cap,
                };
                let partial = score_without_availability(&need, &traits);
                if partial.at_cap {
                    continue;
                }
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
                    name: String::new(),
                    title: String::new(),
                    makerspace_code: String::new(),
                    tags: Vec::new(),
                    industries: Vec::new(),
                    languages: Vec::new(),
                    timezone: String::new(),
                    formats: Vec::new(),
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
        // Who the five are, read for them alone.
        for m in &mut best {
            let mentor = super::mentors::mentor(&self.conn, &m.mentor_id)?;
            (m.name, m.title, m.makerspace_code) = (mentor.name, mentor.title, mentor.makerspace_code);
            (m.tags, m.industries, m.languages, m.timezone) = (mentor.tags, mentor.industries, mentor.languages, mentor.timezone);
            m.formats = mentor.formats;
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
            && format.parse::<crate::place::SessionFormat>().is_err()
        {
            return Err(CoreError::invalid("format", format!("'{format}' is not in_person, online or phone")));
        }
        let industry = match need.industry.clone().filter(|i| !i.trim().is_empty()) {
            Some(i) => Some(i),
            None => self.startup_of_person(viewer)?.map(|s| s.industry).filter(|i| !i.is_empty()),
        };
        Ok(MatchNeed { tags, language, industry, ..need.clone() })
    }

    /// Every mentor the viewer may see, with what their score needs (see `Facts`).
    fn match_facts(&self, viewer: &str, need: &MatchNeed) -> Result<HashMap<Id, Facts>> {
        let actor = super::load_actor(&self.conn, viewer)?;
        let mut facts: HashMap<Id, Facts> = HashMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.resource_id, r.makerspace_id, m.visibility, m.formats, r.max_per_day, r.max_per_week
             FROM mentor m JOIN resource r ON r.id = m.resource_id WHERE r.deleted = 0 AND r.active = 1",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let visibility = crate::domain::Visibility::from_stored(r.get_ref(2)?.as_str()?);
            if !crate::decide::mentor_visible_to(&actor, r.get_ref(1)?.as_str()?, visibility) {
                continue;
            }
            let f = Facts {
                formats: r.get_ref(3)?.as_str()?.split(',').filter(|f| !f.is_empty()).map(str::to_string).collect(),
                cap: month_cap(r.get(4)?, r.get(5)?),
                ..Facts::default()
            };
            facts.insert(r.get(0)?, f);
        }
        let language = need.language.as_deref().unwrap_or("zh");
        let mut stmt = self.conn.prepare_cached("SELECT mentor_id, facet, value FROM mentor_facet")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let value = r.get_ref(2)?.as_str()?;
            let (list, named) = match r.get_ref(1)?.as_str()? {
                "tag" => (0, need.tags.iter().any(|t| t == value)),
                "industry" => (1, need.industry.as_deref() == Some(value)),
                "language" => (2, language == value),
                _ => continue,
            };
            if !named {
                continue;
            }
            let Some(f) = facts.get_mut(r.get_ref(0)?.as_str()?) else { continue };
            [&mut f.tags, &mut f.industries, &mut f.languages][list].push(value.to_string());
        }
        Ok(facts)
    }

    /// How many bookings holding their time (or done) each of these mentors has starting
    /// within `month`.
    fn held_in(&self, ids: &[Id], month: Span) -> Result<HashMap<Id, u32>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT count(*) FROM booking WHERE resource_id = ?1 AND start_at >= ?2 AND start_at < ?3
             AND status IN ('requested', 'confirmed', 'completed') AND deleted = 0",
        )?;
        let mut held = HashMap::with_capacity(ids.len());
        for id in ids {
            let n: u32 = stmt.query_row(rusqlite::params![id, month.start, month.end], |r| r.get(0))?;
            held.insert(id.clone(), n);
        }
        Ok(held)
    }
}

/// This month in the district's zone: from its first day to the first of the next.
fn this_month(now: DateTime<Utc>) -> Result<Span> {
    let local = now.with_timezone(&incubook_core::clock::DISTRICT_ZONE).date_naive();
    let first = local.with_day(1).unwrap_or(local);
    let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
    super::local_range(incubook_core::clock::DISTRICT_ZONE, first, next.pred_opt().unwrap_or(next))
}
