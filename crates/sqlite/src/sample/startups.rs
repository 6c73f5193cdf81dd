//! The sample's startups as records: the founders of one makerspace who share a startup name
//! share its record (the first of them leads it), resident there since they joined; every
//! seventh is resident in the next makerspace too (one record, two makerspaces). Every third
//! is a registered company with a valid credit code; bookings and usage sessions name their
//! founder's startup.

use std::collections::BTreeMap;

use rusqlite::{Connection, params};

use crate::domain::Id;
use crate::error::Result;
use crate::startup::{StartupKind, check_character};
use crate::store::{INSERT_RESIDENCY_SQL, INSERT_STARTUP_SQL, SET_MEMBER_SQL};

/// A founder as the sample made them: (person, startup name, industry, stage, makerspace id).
pub(super) struct SampleFounder<'a> {
    pub person: &'a str,
    pub startup: &'a str,
    pub industry: &'a str,
    pub stage: &'a str,
    pub makerspace: &'a str,
}

/// Writes the startups; how many.
pub(super) fn insert_startups(tx: &Connection, founders: &[SampleFounder<'_>], since: i64) -> Result<usize> {
    // In the order the makerspaces were made, so that "the next makerspace" is well defined.
    let mut spaces: Vec<&str> = Vec::new();
    let mut by_name: BTreeMap<(usize, &str), Vec<&SampleFounder<'_>>> = BTreeMap::new();
    for f in founders {
        let space = spaces.iter().position(|s| *s == f.makerspace).unwrap_or_else(|| {
            spaces.push(f.makerspace);
            spaces.len() - 1
        });
        by_name.entry((space, f.startup)).or_default().push(f);
    }
    let move_in = chrono::DateTime::from_timestamp(since, 0).map(|t| t.date_naive().to_string()).unwrap_or_default();
    for (n, ((space, name), members)) in by_name.iter().enumerate() {
        let Some(first) = members.first() else { continue };
        let id: Id = format!("startup-{:05}", n + 1);
        let enterprise = n % 3 == 0;
        let (kind, code) = if enterprise {
            // 9131 0115 (Shanghai, Pudong) MA + a serial, then the check character.
            let first17 = format!("91310115MA1K{:05}", n + 1);
            (StartupKind::Enterprise, check_character(&first17).map(|c| format!("{first17}{c}")))
        } else {
            (StartupKind::Team, None)
        };
        let headcount = 2 + (n % 20) as i64;
        tx.prepare_cached(INSERT_STARTUP_SQL)?.execute(params![
            id,
            name,
            kind.as_str(),
            code,
            first.stage,
            first.industry,
            headcount,
            "",
            since,
            // A few codes were typed by their founders and wait for a space admin to confirm them.
            i64::from(n % 9 != 6)
        ])?;
        for (i, m) in members.iter().enumerate() {
            tx.prepare_cached(SET_MEMBER_SQL)?.execute(params![id, m.person, i64::from(i == 0), since])?;
        }
        let Some(home) = spaces.get(*space) else { continue };
        let mut resident = vec![*home];
        if n % 7 == 3
            && let Some(next) = spaces.get(space + 1)
        {
            resident.push(next);
        }
        for (i, at) in resident.iter().enumerate() {
            let stay = params![format!("{id}-r{i}"), id, at, move_in, "active", Option::<String>::None];
            tx.prepare_cached(INSERT_RESIDENCY_SQL)?.execute(stay)?;
        }
    }
    tx.execute(
        "UPDATE usage_session SET startup_id = (SELECT m.startup_id FROM startup_member m WHERE m.person_id = usage_session.person_id)",
        [],
    )?;
    tx.execute(
        "UPDATE booking SET startup_id = (SELECT m.startup_id FROM startup_member m WHERE m.person_id = booking.booker_id)",
        [],
    )?;
    Ok(by_name.len())
}
