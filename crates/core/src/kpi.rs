//! A makerspace's yearly figures (众创空间年度统计): its mentors and the sessions they
//! delivered (服务次数) and their hours, sessions per mentor with a warning under two a year,
//! mentors from outside the space who served its founders, startups served, activities held
//! against the floor of ten, mean rating and how many sessions got feedback. Computed here
//! from plain facts, so every store adds the same.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::domain::Id;

/// Activities a makerspace must hold in a year.
pub const ACTIVITIES_FLOOR: u32 = 10;
/// Sessions each mentor should deliver in a year.
pub const SESSIONS_PER_MENTOR_FLOOR: u32 = 2;

/// One completed mentor session of the year that concerns the makerspace: given by one of
/// its mentors, or by a mentor from elsewhere to one of its founders.
#[derive(Debug, Clone)]
pub struct SessionFact<'a> {
    pub mentor_id: &'a str,
    /// The mentor's home is this makerspace.
    pub mentor_here: bool,
    /// The booker is a member of this makerspace.
    pub booker_here: bool,
    pub booker_startup: Option<&'a str>,
    pub seconds: i64,
    pub rating: Option<u8>,
}

/// A completed mentor session of the year as the whole district reads it.
#[derive(Debug, Clone)]
pub struct YearSession {
    pub mentor_id: Id,
    pub mentor_makerspace: Id,
    pub booker_id: Id,
    /// The startup the session was booked for.
    pub startup_id: Option<Id>,
    pub seconds: i64,
    pub rating: Option<u8>,
}

/// What the figures of several makerspaces are made of, read once for all of them.
pub struct YearFacts<'a> {
    pub year: i32,
    /// (id, code, name) of the makerspaces to report.
    pub makerspaces: &'a [(Id, String, String)],
    /// (mentor id, name, home makerspace, full-time) of every mentor.
    pub mentors: &'a [(Id, String, Id, bool)],
    pub sessions: &'a [YearSession],
    /// (person, makerspace) for every membership.
    pub memberships: &'a [(Id, Id)],
    /// Events held per makerspace.
    pub activities: &'a HashMap<Id, u32>,
}

/// Each makerspace's figures: every session goes to its mentor's makerspace and to each
/// makerspace its founder is a member of — a session concerns a makerspace exactly then.
pub fn district_year_figures(facts: &YearFacts<'_>) -> Vec<YearFigures> {
    let mut member_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for (person, ms) in facts.memberships {
        member_of.entry(person.as_str()).or_default().push(ms.as_str());
    }
    let wanted: HashMap<&str, usize> = facts.makerspaces.iter().enumerate().map(|(k, (id, _, _))| (id.as_str(), k)).collect();
    let mut concerning: Vec<Vec<SessionFact<'_>>> = vec![Vec::new(); facts.makerspaces.len()];
    for s in facts.sessions {
        let bookers_spaces = member_of.get(s.booker_id.as_str()).map(Vec::as_slice).unwrap_or_default();
        let mentors_space = s.mentor_makerspace.as_str();
        let elsewhere = (!bookers_spaces.contains(&mentors_space)).then_some(mentors_space);
        for ms in bookers_spaces.iter().copied().chain(elsewhere) {
            let Some(&k) = wanted.get(ms) else { continue };
            concerning[k].push(SessionFact {
                mentor_id: &s.mentor_id,
                mentor_here: s.mentor_makerspace == ms,
                booker_here: bookers_spaces.contains(&ms),
                booker_startup: s.startup_id.as_deref(),
                seconds: s.seconds,
                rating: s.rating,
            });
        }
    }
    let mut mentors_of: Vec<Vec<MentorHere>> = vec![Vec::new(); facts.makerspaces.len()];
    for (id, name, ms, full_time) in facts.mentors {
        if let Some(&k) = wanted.get(ms.as_str()) {
            mentors_of[k].push(MentorHere { id: id.clone(), name: name.clone(), full_time: *full_time });
        }
    }
    facts
        .makerspaces
        .iter()
        .enumerate()
        .map(|(k, (id, code, name))| {
            let held = facts.activities.get(id).copied().unwrap_or(0);
            year_figures((facts.year, code, name), &mentors_of[k], &concerning[k], held)
        })
        .collect()
}

/// A mentor whose home is the makerspace.
#[derive(Debug, Clone)]
pub struct MentorHere {
    pub id: Id,
    pub name: String,
    /// 专职 rather than 兼职.
    pub full_time: bool,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct MentorYear {
    pub mentor_id: Id,
    pub name: String,
    pub full_time: bool,
    pub sessions: u32,
    pub hours: f64,
    /// Fewer than two sessions in the year.
    pub under_floor: bool,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct YearFigures {
    pub year: i32,
    pub makerspace_code: String,
    pub makerspace_name: String,
    /// Mentors whose home is the makerspace: full-time (专职) and part-time (兼职).
    pub mentors: u32,
    pub full_time_mentors: u32,
    pub part_time_mentors: u32,
    /// Mentors of other makerspaces who served its founders.
    pub outside_mentors: u32,
    /// Sessions its mentors delivered (服务次数), and their hours.
    pub sessions: u32,
    pub mentor_hours: f64,
    pub per_mentor: Vec<MentorYear>,
    /// Distinct startups its mentors served.
    pub startups_served: u32,
    /// Events held (begun, not cancelled) in the year, against the floor of ten.
    pub activities: u32,
    pub activities_floor: u32,
    pub mean_rating: Option<f64>,
    /// Sessions with the founder's feedback, of the sessions delivered (0–1).
    pub feedback_completion: Option<f64>,
}

/// The figures of `year` from the makerspace's mentors, the year's sessions and the events
/// held.
pub fn year_figures(
    (year, code, name): (i32, &str, &str),
    mentors_here: &[MentorHere],
    sessions: &[SessionFact<'_>],
    activities: u32,
) -> YearFigures {
    let mine: Vec<&SessionFact<'_>> = sessions.iter().filter(|s| s.mentor_here).collect();
    let mut per: BTreeMap<&str, (u32, i64)> = mentors_here.iter().map(|m| (m.id.as_str(), (0, 0))).collect();
    for s in &mine {
        let entry = per.entry(s.mentor_id).or_insert((0, 0));
        entry.0 += 1;
        entry.1 += s.seconds;
    }
    let hours = |seconds: i64| (seconds as f64 / 3600.0 * 100.0).round() / 100.0;
    let mut per_mentor: Vec<MentorYear> = mentors_here
        .iter()
        .map(|m| {
            let (n, secs) = per.get(m.id.as_str()).copied().unwrap_or((0, 0));
            MentorYear {
                mentor_id: m.id.clone(),
                name: m.name.clone(),
                full_time: m.full_time,
                sessions: n,
                hours: hours(secs),
                under_floor: n < SESSIONS_PER_MENTOR_FLOOR,
            }
        })
        .collect();
    per_mentor.sort_by(|a, b| b.sessions.cmp(&a.sessions).then_with(|| a.name.cmp(&b.name)));
    let outside: BTreeSet<&str> = sessions.iter().filter(|s| !s.mentor_here && s.booker_here).map(|s| s.mentor_id).collect();
    let startups: BTreeSet<&str> = mine.iter().filter_map(|s| s.booker_startup).collect();
    let ratings: Vec<u8> = mine.iter().filter_map(|s| s.rating).collect();
    let delivered = mine.len() as u32;
    YearFigures {
        year,
        makerspace_code: code.to_string(),
        makerspace_name: name.to_string(),
        mentors: mentors_here.len() as u32,
        full_time_mentors: mentors_here.iter().filter(|m| m.full_time).count() as u32,
        part_time_mentors: mentors_here.iter().filter(|m| !m.full_time).count() as u32,
        outside_mentors: outside.len() as u32,
        sessions: delivered,
        mentor_hours: hours(mine.iter().map(|s| s.seconds).sum()),
        per_mentor,
        startups_served: startups.len() as u32,
        activities,
        activities_floor: ACTIVITIES_FLOOR,
        mean_rating: (!ratings.is_empty())
            .then(|| (ratings.iter().map(|r| f64::from(*r)).sum::<f64>() / ratings.len() as f64 * 100.0).round() / 100.0),
        feedback_completion: (delivered > 0).then(|| (ratings.len() as f64 / f64::from(delivered) * 1000.0).round() / 1000.0),
    }
}
