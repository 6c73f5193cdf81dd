//! Sync with the district server, after Replicache's push/pull model: the desktop keeps an
//! outbox of its mutations (written in the same transaction as the local change) and a
//! replica of the rows the server lets it see; the server applies each mutation once, in
//! order, with the same store code and rules, and versions every row it writes.
//!
//! The wire types here are pure data; `server` is the server's half (used by the SQLite
//! backend of `incubook-server`), `client` the desktop's half over a [`client::Transport`].

pub mod client;
pub mod http;
pub mod redact;
mod secret;
pub mod server;
mod tables;
pub mod upload;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::domain::{Blackout, DateOverride, Id, Policy, Role, WeeklyHours};
use crate::error::{CoreError, Result};
use crate::store::{MentorProfile, NewEquipment, NewLab, NewMentor, NewPerson};

pub use tables::{SYNCED_TABLES, SyncedTable, table};

/// One change a client made, as it travels in a push.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "args", rename_all = "snake_case", deny_unknown_fields)]
pub enum Mutation {
    Book {
        booking_id: Id,
        resource_id: Id,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        topic: String,
    },
    /// A booking the desktop held before it joined the district, in a space admin's upload.
    UploadBooking {
        booking: upload::UploadedBooking,
    },
    /// A change of a space admin's catalogue upload: applied like `change`, but its rows were
    /// on the desktop before it connected, so a refusal must not make the desktop drop them.
    Uploaded {
        change: Box<Mutation>,
    },
    Cancel {
        booking_id: Id,
        reason: Option<String>,
    },
    Approve {
        booking_id: Id,
    },
    Decline {
        booking_id: Id,
        reason: String,
    },
    Complete {
        booking_id: Id,
    },
    NoShow {
        booking_id: Id,
    },
    Reschedule {
        booking_id: Id,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// A mentor's or equipment's weekly open hours, replaced whole.
    SetWeeklyHours {
        resource_id: Id,
        hours: Vec<WeeklyHours>,
    },
    /// A mentor's or equipment's booking rules, replaced whole.
    SetPolicy {
        resource_id: Id,
        policy: Policy,
    },
    /// A day off, part of a day off, or extra hours on one date, under an id the client chose.
    AddDateOverride {
        override_id: Id,
        resource_id: Id,
        date_override: DateOverride,
        note: String,
    },
    RemoveDateOverride {
        override_id: Id,
    },
    /// New equipment in a lab, under an id the client chose.
    CreateEquipment {
        equipment_id: Id,
        equipment: NewEquipment,
    },
    /// A piece of equipment's fields, hours and rules, replaced whole.
    UpdateEquipment {
        equipment_id: Id,
        equipment: NewEquipment,
    },
    /// A maintenance blackout under an id the client chose; with `cancel_hits` the server
    /// cancels every active booking it falls on — including ones the client only saw as busy.
    AddBlackout {
        blackout: Blackout,
        cancel_hits: bool,
    },
    RemoveBlackout {
        blackout_id: Id,
    },
    GrantQualification {
        person_id: Id,
        resource_id: Id,
        expires_at: Option<DateTime<Utc>>,
    },
    RevokeQualification {
        person_id: Id,
        resource_id: Id,
    },
    /// A founder waits for a resource in a time window, under an id the client chose.
    JoinWaitlist {
        waitlist_id: Id,
        resource_id: Id,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// The mentor's private note on a session, replaced whole.
    SetSessionNote {
        booking_id: Id,
        body: String,
    },
    /// The founder's rating of a session that is over.
    GiveFeedback {
        booking_id: Id,
        rating: u8,
        comment: String,
    },
    /// A space admin adds a person (with roles in their makerspace), under an id the client chose.
    CreatePerson {
        person_id: Id,
        person: NewPerson,
    },
    CreateLab {
        lab_id: Id,
        lab: NewLab,
    },
    /// A space admin adds a person to the mentor pool, under an id the client chose.
    CreateMentor {
        mentor_id: Id,
        mentor: NewMentor,
    },
    /// A mentor's profile (title, bio, expertise, languages…), replaced whole.
    UpdateMentorProfile {
        mentor_id: Id,
        profile: MentorProfile,
    },
    /// A space admin gives (`granted`) or takes a role in their makerspace.
    SetRole {
        person_id: Id,
        makerspace_id: Id,
        role: Role,
        granted: bool,
    },
}

/// A row a mutation changes, by its table and key values (in the table's key order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRef<'a> {
    pub table: &'static str,
    pub key: Vec<&'a str>,
}

impl RowRef<'_> {
    /// The key as the outbox and tombstones keep it.
    pub fn key_json(&self) -> serde_json::Value {
        let columns = table(self.table).map_or(&[][..], |t| t.key);
        serde_json::Value::Object(columns.iter().zip(&self.key).map(|(c, v)| (c.to_string(), (*v).into())).collect())
    }
}

impl Mutation {
    /// The rows the mutation changes: a mutation the server refuses re-sends them, or a
    /// tombstone for one the server never had, so the replica drops its optimistic copy.
    pub fn rows(&self) -> Vec<RowRef<'_>> {
        fn one<'a>(table: &'static str, id: &'a str) -> Vec<RowRef<'a>> {
            vec![RowRef { table, key: vec![id] }]
        }
        match self {
            Mutation::Book { booking_id, .. }
            | Mutation::Cancel { booking_id, .. }
            | Mutation::Approve { booking_id }
            | Mutation::Decline { booking_id, .. }
            | Mutation::Complete { booking_id }
            | Mutation::NoShow { booking_id }
            | Mutation::Reschedule { booking_id, .. } => one("booking", booking_id),
            Mutation::UploadBooking { booking } => one("booking", &booking.id),
            Mutation::Uploaded { change } => change.rows(),
            Mutation::SetWeeklyHours { resource_id, .. } | Mutation::SetPolicy { resource_id, .. } => {
                one("resource", resource_id)
            }
            Mutation::AddDateOverride { override_id, .. } | Mutation::RemoveDateOverride { override_id } => {
                one("date_override", override_id)
            }
            Mutation::CreateEquipment { equipment_id, .. } | Mutation::UpdateEquipment { equipment_id, .. } => vec![
                RowRef { table: "resource", key: vec![equipment_id] },
                RowRef { table: "equipment", key: vec![equipment_id] },
            ],
            Mutation::AddBlackout { blackout, .. } => one("blackout", &blackout.id),
            Mutation::RemoveBlackout { blackout_id } => one("blackout", blackout_id),
            Mutation::GrantQualification { person_id, resource_id, .. }
            | Mutation::RevokeQualification { person_id, resource_id } => {
                vec![RowRef { table: "qualification", key: vec![person_id, resource_id] }]
            }
            Mutation::JoinWaitlist { waitlist_id, .. } => one("waitlist", waitlist_id),
            Mutation::SetSessionNote { booking_id, .. } => one("session_note", booking_id),
            Mutation::GiveFeedback { booking_id, .. } => one("feedback", booking_id),
            Mutation::CreatePerson { person_id, .. } => one("person", person_id),
            Mutation::CreateLab { lab_id, .. } => one("lab", lab_id),
            Mutation::CreateMentor { mentor_id, .. } => {
                vec![RowRef { table: "resource", key: vec![mentor_id] }, RowRef { table: "mentor", key: vec![mentor_id] }]
            }
            Mutation::UpdateMentorProfile { mentor_id, .. } => one("mentor", mentor_id),
            Mutation::SetRole { person_id, makerspace_id, role, .. } => {
                vec![RowRef { table: "person_role", key: vec![person_id, makerspace_id, role.as_str()] }]
            }
        }
    }

    /// The new booking a refused `Book` (by `pusher`) or `UploadBooking` asked for, which the
    /// server keeps as declined with the reason, for its booker alone to learn by pull. Only
    /// when a booking rule refused it: a request for a resource the pusher may not see, or one
    /// that is not well-formed, leaves no row (the pusher learns from the push's answer). An
    /// upload from someone not entitled to upload must not leave a row in another's name.
    pub fn kept_declined<'a>(&'a self, pusher: &'a str, error: &CoreError) -> Option<BookingAsked<'a>> {
        // Not for someone who may not book here at all: a row in their name is not theirs to get.
        let by_a_rule = matches!(error, CoreError::Refused(r)
            if !matches!(r, crate::error::Refusal::NotVisible | crate::error::Refusal::NotAFounder));
        match self {
            Mutation::Book { booking_id, resource_id, start, end, topic } if by_a_rule => {
                Some(BookingAsked { id: booking_id, resource_id, booker_id: pusher, start: *start, end: *end, topic })
            }
            Mutation::Uploaded { change } => change.kept_declined(pusher, error),
            Mutation::UploadBooking { booking: b } if by_a_rule => Some(BookingAsked {
                id: &b.id,
                resource_id: &b.resource_id,
                booker_id: &b.booker_id,
                start: b.start,
                end: b.end,
                topic: &b.topic,
            }),
            _ => None,
        }
    }

    /// Whether a refusal leaves the client's rows alone where the server has none: the
    /// upload's rows were the desktop's before it connected. Any other refused change made
    /// its rows optimistically, and the client drops them.
    pub fn keeps_rows_the_server_lacks(&self) -> bool {
        matches!(self, Mutation::Uploaded { .. })
    }

    /// The person an uploaded `CreatePerson` adds. One the district has already (the same id,
    /// from another makerspace's upload) is not added again: the server takes that change as
    /// done, and the person's roles here come with the `SetRole`s the upload sends after it.
    pub fn uploaded_person(change: &Mutation) -> Option<&str> {
        match change {
            Mutation::CreatePerson { person_id, .. } => Some(person_id),
            _ => None,
        }
    }

    /// The change an `Uploaded` wraps, to apply as itself: one level deep only.
    pub fn uploaded_change(change: &Mutation) -> Result<&Mutation> {
        match change {
            Mutation::Uploaded { .. } => Err(CoreError::invalid("mutation", "an uploaded change wraps one change")),
            change => Ok(change),
        }
    }

    /// What the outbox files the mutation under: the first row's key, parts joined by `/`.
    pub fn entity_id(&self) -> String {
        self.rows().first().map(|r| r.key.join("/")).unwrap_or_default()
    }

    /// The bookings a refused mutation must re-send: the client cancelled them locally along
    /// with a blackout the server did not take. Only those the blackout could have hit (its
    /// window, not the resource's whole calendar), so that a refusal costs no more than the
    /// change asked. Not for a blackout that is malformed or names nothing the server has:
    /// the client's own store refuses the same, so it cancelled nothing.
    pub fn resends_bookings_of(&self, error: &CoreError) -> Option<ResentBookings<'_>> {
        if matches!(error, CoreError::NotFound { .. } | CoreError::Invalid { .. }) {
            return None;
        }
        match self {
            Mutation::AddBlackout { blackout, cancel_hits: true } => {
                let (from, to) = match &blackout.when {
                    crate::domain::BlackoutWhen::Once { start, end } => (*start, *end),
                    // A day's slack either side: the dates are the resource's, in its zone.
                    crate::domain::BlackoutWhen::Weekly { from, until, .. } => {
                        let day_start = |d: &chrono::NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
                        (day_start(from) - 86_400, until.as_ref().map_or(i64::MAX, |u| day_start(u) + 2 * 86_400))
                    }
                };
                Some(ResentBookings { resource_id: &blackout.resource_id, from, to })
            }
            Mutation::Uploaded { change } => change.resends_bookings_of(error),
            _ => None,
        }
    }
}

/// A resource's active bookings that overlap `from..to` (Unix seconds), to be sent again.
#[derive(Debug, PartialEq, Eq)]
pub struct ResentBookings<'a> {
    pub resource_id: &'a str,
    pub from: i64,
    pub to: i64,
}

/// A booking a mutation asks the server to make.
pub struct BookingAsked<'a> {
    pub id: &'a str,
    pub resource_id: &'a str,
    pub booker_id: &'a str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub topic: &'a str,
}

/// A mutation in a push: the client's sequence number, the mutation's name and arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushedMutation {
    pub id: i64,
    pub name: String,
    pub args: serde_json::Value,
}

impl PushedMutation {
    pub fn new(id: i64, mutation: &Mutation) -> Result<PushedMutation> {
        // The enum is adjacently tagged, so its JSON is exactly {"name": …, "args": …}.
        match serde_json::to_value(mutation) {
            Ok(serde_json::Value::Object(mut map)) => Ok(PushedMutation {
                id,
                name: map.remove("name").and_then(|n| n.as_str().map(str::to_string)).unwrap_or_default(),
                args: map.remove("args").unwrap_or(serde_json::Value::Null),
            }),
            Ok(other) => Err(CoreError::invalid("mutation", format!("not an object: {other}"))),
            Err(e) => Err(CoreError::invalid("mutation", e.to_string())),
        }
    }

    /// The typed mutation, or `invalid.mutation` for an unknown name or wrong arguments.
    pub fn parse(&self) -> Result<Mutation> {
        serde_json::from_value(serde_json::json!({"name": self.name, "args": self.args}))
            .map_err(|e| CoreError::invalid("mutation", format!("{} #{}: {e}", self.name, self.id)))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub client_id: String,
    pub mutations: Vec<PushedMutation>,
}

/// What became of one pushed mutation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MutationOutcome {
    pub id: i64,
    pub applied: bool,
    /// The error code when it failed for good (and was consumed).
    pub code: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushResponse {
    pub last_mutation_id: i64,
    pub outcomes: Vec<MutationOutcome>,
}

/// One change in a pull: a row to keep (insert or replace) or a row to delete.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    Put { table: String, version: i64, row: serde_json::Map<String, serde_json::Value> },
    Delete { table: String, version: i64, key: serde_json::Map<String, serde_json::Value> },
}

impl Change {
    pub fn version(&self) -> i64 {
        match self {
            Change::Put { version, .. } | Change::Delete { version, .. } => *version,
        }
    }

    /// The order a page applies changes in: by version, and within one version (all rows of
    /// one PostgreSQL transaction share it) deletes before puts. A put is the row as it is
    /// now, so a row deleted and written again in one transaction (a mentor's facets
    /// replaced) must end written.
    pub fn apply_order(&self) -> (i64, bool) {
        (self.version(), matches!(self, Change::Put { .. }))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// The cursor to ask with next.
    pub cursor: i64,
    /// More changes wait after this page.
    pub more: bool,
    /// The last of this client's mutations the server has processed (0 for none).
    pub last_mutation_id: i64,
}

/// Pull pages hold at most this many changes.
pub const MAX_PULL_PAGE: u32 = 5_000;

/// A client pushes its outbox oldest first, and a push is answered before the next is sent:
/// one that starts at mutation id N holds no change before N, so the refusals recorded before
/// N (kept to answer a retried push) are not asked for again. One statement for both server
/// backends: SQLite binds `$n` by position as PostgreSQL does.
pub const PRUNE_FAILURES_SQL: &str = "DELETE FROM sync_failure WHERE client_id = $1 AND mutation_id < $2";

/// Appends a mutation to the outbox, inside the transaction of the local change, when this
/// database syncs with a server. On the server and on unconnected desktops it does nothing.
pub(crate) fn record(tx: &Connection, mutation: &Mutation, now: i64) -> Result<()> {
    let connected: bool = tx.prepare_cached("SELECT EXISTS(SELECT 1 FROM sync_state)")?.query_row([], |r| r.get(0))?;
    if !connected {
        return Ok(());
    }
    let pushed = PushedMutation::new(0, mutation)?;
    let entity_id = mutation.entity_id();
    // The change goes out under the client of the account signed in now, which the server
    // applies it as. Its id is the wall clock in microseconds (or the next id, if larger): a
    // database restored from a backup would otherwise number its new changes with ids the
    // server already took from the changes made after the backup, and they would be dropped
    // as duplicates. The ids stay increasing whatever the clock does.
    tx.prepare_cached(
        "INSERT INTO outbox(mutation_id, name, args, entity_id, created_at, client_id, person_id)
         SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0) + 1,
                    CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)),
                ?1, ?2, ?3, ?4, client_id, person_id
         FROM sync_state WHERE id = 1",
    )?
    .execute(params![pushed.name, pushed.args.to_string(), entity_id, now])?;
    Ok(())
}
