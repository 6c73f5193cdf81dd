//! What travels between a desktop and the district server, and what the server needs to know
//! about a command to sync it: the rows it changes, what a refusal of it keeps or re-sends,
//! and the small identifiers of the protocol. Pure data and pure functions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// On the wire a mutation is a command, named as the outbox names it.
pub use crate::command::Command as Mutation;
use crate::error::{CoreError, Result};
use crate::tables::table;

/// The person other people's bookings are attributed to on a replica.
pub const BUSY_PERSON_ID: &str = "00000000-0000-0000-0000-000000000000";

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
            | Mutation::Reschedule { booking_id, .. }
            | Mutation::SetSessionPlace { booking_id, .. } => one("booking", booking_id),
            Mutation::UploadBooking { booking } => one("booking", &booking.id),
            Mutation::SetKioskPin { person_id, .. } => one("person", person_id),
            Mutation::BookSeries { occurrences, .. } => {
                occurrences.iter().map(|o| RowRef { table: "booking", key: vec![o.booking_id.as_str()] }).collect()
            }
            // The rest of the series comes again through `resends_series_of`.
            Mutation::CancelSeries { booking_id, .. } | Mutation::MoveSeries { booking_id, .. } => one("booking", booking_id),
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
            // Either side's row: the pusher's is the one the server did not take.
            Mutation::GiveFeedback { booking_id, .. } => vec![
                RowRef { table: "feedback", key: vec![booking_id] },
                RowRef { table: "mentor_feedback", key: vec![booking_id] },
            ],
            Mutation::CreatePerson { person_id, .. } => one("person", person_id),
            Mutation::CreateLab { lab_id, .. } => one("lab", lab_id),
            Mutation::CreateMentor { mentor_id, .. } => {
                vec![RowRef { table: "resource", key: vec![mentor_id] }, RowRef { table: "mentor", key: vec![mentor_id] }]
            }
            Mutation::UpdateMentorProfile { mentor_id, .. } | Mutation::SetPlaceDefaults { mentor_id, .. } => {
                one("mentor", mentor_id)
            }
            Mutation::CheckIn { session_id, .. }
            | Mutation::CheckOut { session_id, .. }
            | Mutation::CorrectSession { session_id, .. } => one("usage_session", session_id),
            Mutation::WalkUp { session_id, booking_id, .. } => {
                vec![RowRef { table: "booking", key: vec![booking_id] }, RowRef { table: "usage_session", key: vec![session_id] }]
            }
            Mutation::SetRates { resource_id, .. }
            | Mutation::SetUsageRules { resource_id, .. }
            | Mutation::SetRegister { resource_id, .. } => one("equipment", resource_id),
            Mutation::CreateStartup { startup_id, lead_id, .. } => vec![
                RowRef { table: "startup", key: vec![startup_id] },
                RowRef { table: "startup_member", key: vec![startup_id, lead_id] },
            ],
            Mutation::UpdateStartup { startup_id, .. } | Mutation::ConfirmCreditCode { startup_id } => one("startup", startup_id),
            Mutation::PublishEvent { event_id, .. } | Mutation::CancelEvent { event_id } => one("event", event_id),
            // The registration comes again (or its tombstone), and the places taken with the event.
            Mutation::RegisterForEvent { event_id, person_id, .. } => vec![
                RowRef { table: "event", key: vec![event_id] },
                RowRef { table: "event_registration", key: vec![event_id, person_id] },
            ],
            Mutation::MarkAttendance { event_id, person_id, .. } => {
                vec![RowRef { table: "event_registration", key: vec![event_id, person_id] }]
            }
            // A new lead's refusal re-sends their row; the lead before keeps theirs until the
            // next pull of the startup's members.
            Mutation::SetStartupMember { startup_id, person_id, .. } => {
                vec![RowRef { table: "startup_member", key: vec![startup_id, person_id] }]
            }
            Mutation::MoveIn { residency_id, .. }
            | Mutation::MoveOut { residency_id, .. }
            | Mutation::AnswerMoveIn { residency_id, .. } => one("residency", residency_id),
            Mutation::AllocateHours { allocation_id, .. } => one("hour_allocation", allocation_id),
            Mutation::TopUpHours { topup_id, .. } => one("hour_topup", topup_id),
            // A block is the booking that holds the mentor's calendar, and its row.
            Mutation::PublishOfficeHours { blocks } => blocks
                .blocks
                .iter()
                .flat_map(|b| {
                    [
                        RowRef { table: "booking", key: vec![&b.block_id] },
                        RowRef { table: "office_block", key: vec![&b.block_id] },
                    ]
                })
                .collect(),
            Mutation::CancelOfficeHours { block_id } => {
                vec![RowRef { table: "booking", key: vec![block_id] }, RowRef { table: "office_block", key: vec![block_id] }]
            }
            Mutation::TakeSeat { block_id, person_id, .. } | Mutation::LeaveSeat { block_id, person_id } => vec![
                RowRef { table: "office_block", key: vec![block_id] },
                RowRef { table: "office_seat", key: vec![block_id, person_id] },
            ],
            Mutation::CreateProgramme { programme } => one("programme", &programme.code),
            Mutation::PublishCall { call_id, .. }
            | Mutation::CorrectCall { call_id, .. }
            | Mutation::CancelCall { call_id, .. } => one("funding_call", call_id),
            Mutation::DraftApplication { application_id, .. } => one("application", application_id),
            // A refused transition: the application as the server has it (a submission after
            // the close stays a draft), and the event the client logged goes.
            Mutation::SubmitApplication { application_id, event_id }
            | Mutation::DecideApplication { application_id, event_id, .. }
            | Mutation::RequestRecheck { application_id, event_id, .. }
            | Mutation::WithdrawApplication { application_id, event_id, .. } => vec![
                RowRef { table: "application", key: vec![application_id] },
                RowRef { table: "application_event", key: vec![event_id] },
            ],
            Mutation::SetRole { person_id, makerspace_id, role, .. } => {
                vec![RowRef { table: "person_role", key: vec![person_id, makerspace_id, role.as_str()] }]
            }
        }
    }

    /// The bounds a mutation from the wire keeps, whatever the rules later say: lists no
    /// longer than a valid command's, and every row it names keyed by a checked id.
    pub fn check_wire_bounds(&self) -> Result<()> {
        match self {
            Mutation::BookSeries { occurrences, .. } if occurrences.len() > crate::recurrence::MAX_OCCURRENCES => {
                return Err(CoreError::invalid(
                    "occurrences",
                    format!("a series has at most {} times", crate::recurrence::MAX_OCCURRENCES),
                ));
            }
            Mutation::PublishOfficeHours { blocks } if blocks.blocks.len() > crate::office::MAX_WEEKS => {
                return Err(CoreError::invalid("blocks", format!("at most {} blocks at once", crate::office::MAX_WEEKS)));
            }
            _ => {}
        }
        let rows = self.rows();
        if rows.len() > MAX_ROWS_NAMED {
            return Err(CoreError::invalid("mutation", format!("a change names at most {MAX_ROWS_NAMED} rows")));
        }
        rows.iter().flat_map(|r| r.key.iter()).try_for_each(|part| check_wire_key(part))
    }

    /// The new booking a refused `Book` (by `pusher`) or `UploadBooking` asked for, which the
    /// server keeps as declined with the reason, for its booker alone to learn by pull. Only
    /// when a booking rule refused it: a request for a resource the pusher may not see, or one
    /// that is not well-formed, leaves no row (the pusher learns from the push's answer). An
    /// upload from someone not entitled to upload must not leave a row in another's name.
    pub fn kept_declined<'a>(&'a self, pusher: &'a str, error: &CoreError) -> Vec<BookingAsked<'a>> {
        // Not for someone who may not book here at all: a row in their name is not theirs to get.
        if !error.is_rule_refusal() {
            return Vec::new();
        }
        match self {
            Mutation::Book { booking_id, resource_id, start, end, topic, .. } => {
                vec![BookingAsked { id: booking_id, resource_id, booker_id: pusher, start: *start, end: *end, topic }]
            }
            // A series refused whole is kept as its first time, with the refusal; the client
            // drops the others (they are tombstoned for it alone). A refused push of many
            // series cannot fill the district's calendars with declined rows.
            Mutation::BookSeries { resource_id, occurrences, topic, .. } => occurrences
                .iter()
                .take(1)
                .map(|o| BookingAsked { id: &o.booking_id, resource_id, booker_id: pusher, start: o.start, end: o.end, topic })
                .collect(),
            // A walk-up refused at the server (another kiosk took the slot offline first) is
            // kept declined with its reason, for the person to learn why on their next pull.
            Mutation::WalkUp { booking_id, resource_id, person_id, start, end, .. } => {
                vec![BookingAsked { id: booking_id, resource_id, booker_id: person_id, start: *start, end: *end, topic: "" }]
            }
            Mutation::Uploaded { change } => change.kept_declined(pusher, error),
            Mutation::UploadBooking { booking: b } => vec![BookingAsked {
                id: &b.id,
                resource_id: &b.resource_id,
                booker_id: &b.booker_id,
                start: b.start,
                end: b.end,
                topic: &b.topic,
            }],
            _ => Vec::new(),
        }
    }

    /// The booking whose whole series a refusal sends again: a change of a series touched
    /// bookings the mutation does not name.
    pub fn resends_series_of(&self) -> Option<&str> {
        match self {
            Mutation::CancelSeries { booking_id, .. } | Mutation::MoveSeries { booking_id, .. } => Some(booking_id),
            Mutation::Uploaded { change } => change.resends_series_of(),
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
        // A client whose store believed it could (a role revoked on the server and not yet
        // pulled, a rule it saw pass) cancelled the bookings locally: forbidden included. What
        // is sent again is what an accepted blackout would have cancelled — the active
        // bookings in its window (`RESEND_BOOKINGS_SQL`) — so a refusal costs no more than the
        // change asked for. Malformed, or naming nothing the server has: the client's own
        // store refuses the same, so it cancelled nothing.
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

    /// What applying the mutation costs the server, in rows it names (at least one): what a
    /// push draws from its account's budget. A malformed one is refused for one.
    pub fn weight(&self) -> usize {
        self.parse().map_or(1, |m| m.rows().len().max(1))
    }

    /// The typed mutation, or `invalid.mutation` for an unknown name or wrong arguments.
    /// A parsed mutation names at most [`MAX_ROWS_NAMED`] rows, each by a short key
    /// ([`check_wire_key`]): whatever a refusal of it writes is keyed by checked text and
    /// bounded before any rule runs (a 1 MB booking id or a 7,500-time series is refused
    /// here, and leaves nothing but its refusal).
    pub fn parse(&self) -> Result<Mutation> {
        let mutation: Mutation = serde_json::from_value(serde_json::json!({"name": self.name, "args": self.args}))
            .map_err(|e| CoreError::invalid("mutation", format!("{} #{}: {e}", self.name, self.id)))?;
        mutation.check_wire_bounds()?;
        Ok(mutation)
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

impl MutationOutcome {
    pub fn applied(id: i64) -> MutationOutcome {
        MutationOutcome { id, applied: true, code: None, message: None }
    }

    /// A mutation refused for good. The message is English: a desktop shows its own words
    /// for the code.
    pub fn refused(id: i64, error: &CoreError) -> MutationOutcome {
        MutationOutcome { id, applied: false, code: Some(error.code()), message: Some(error.message(crate::i18n::Lang::En)) }
    }

    /// A mutation processed by an earlier push: applied, unless a refusal (code, message)
    /// was kept for it (`KEPT_FAILURE_SQL`).
    pub fn earlier(id: i64, kept_failure: Option<(String, String)>) -> MutationOutcome {
        match kept_failure {
            None => MutationOutcome::applied(id),
            Some((code, message)) => MutationOutcome { id, applied: false, code: Some(code), message: Some(message) },
        }
    }
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

    /// About how many bytes the change is as JSON.
    pub fn json_len(&self) -> usize {
        let body = match self {
            Change::Put { table, row, .. } | Change::Delete { table, key: row, .. } => {
                table.len() + row.iter().map(|(k, v)| k.len() + 4 + json_len(v)).sum::<usize>()
            }
        };
        body + 48
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
    /// The cursor is behind the server's compacted deletes ([`TOMBSTONE_DAYS`]): the
    /// replica drops the rows it has from the server and pulls again from 0. Its outbox is
    /// kept: nothing of its own is lost.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub resync: bool,
}

impl PullResponse {
    /// The answer to a pull whose cursor is behind the compacted deletes.
    pub fn start_over(last_mutation_id: i64) -> PullResponse {
        PullResponse { changes: Vec::new(), cursor: 0, more: true, last_mutation_id, resync: true }
    }
}

/// Deletes are kept this long for replicas that were offline; a replica further behind
/// starts over from a snapshot ([`PullResponse::resync`]).
pub const TOMBSTONE_DAYS: i64 = 90;

/// The most rows one mutation may name (a series of 52 times; 26 office-hour blocks, two
/// rows each).
pub const MAX_ROWS_NAMED: usize = 2 * crate::office::MAX_WEEKS;

/// A row's key part as a client may send it: an id of 1–64 characters, none of them a
/// control character. Every id the app makes is a UUID (36).
pub fn check_wire_key(part: &str) -> Result<()> {
    if part.is_empty() || part.len() > 64 || part.chars().any(char::is_control) {
        return Err(CoreError::invalid("id", "an id is 1–64 characters without control characters"));
    }
    Ok(())
}

/// A pull page's changes stop after about this many bytes of JSON, at the end of a version,
/// well below the 64 MiB a desktop accepts in one answer. A page always holds its first
/// version whole, however large.
pub const MAX_PULL_PAGE_BYTES: usize = 8 * 1024 * 1024;

/// Redacts a page's candidate changes (in [`Change::apply_order`]) for one viewer and ends the
/// page at the first version boundary past [`MAX_PULL_PAGE_BYTES`]: the changes to send, the
/// cursor they reach, and whether more wait (`more` when the candidates were not the last).
pub fn fill_page<E>(
    candidates: Vec<Change>,
    (cursor, more): (i64, bool),
    mut redact: impl FnMut(Change) -> std::result::Result<Option<Change>, E>,
) -> std::result::Result<(Vec<Change>, i64, bool), E> {
    let mut bytes = 0usize;
    let mut reached = cursor;
    let mut page = Vec::with_capacity(candidates.len());
    for change in candidates {
        let version = change.version();
        if bytes >= MAX_PULL_PAGE_BYTES && version > reached {
            return Ok((page, reached, true));
        }
        if let Some(change) = redact(change)? {
            bytes += change.json_len();
            page.push(change);
        }
        reached = version;
    }
    Ok((page, reached, more))
}

/// About how long a JSON value is: the sum of its strings and a few bytes per item. Cheaper
/// than serialising it to measure a page.
fn json_len(value: &serde_json::Value) -> usize {
    match value {
        serde_json::Value::String(s) => s.len() + 2,
        serde_json::Value::Array(items) => 2 + items.iter().map(|v| json_len(v) + 1).sum::<usize>(),
        serde_json::Value::Object(map) => 2 + map.iter().map(|(k, v)| k.len() + 4 + json_len(v)).sum::<usize>(),
        _ => 8,
    }
}

/// Pull pages hold at most this many changes.
pub const MAX_PULL_PAGE: u32 = 5_000;

/// A client pushes at most this many mutations in one request; the server's batch path is
/// sized for it.
pub const PUSH_BATCH: usize = 100;

/// The largest request body the server takes (413 above it).
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// A client pushes its outbox oldest first, and a push is answered before the next is sent:
/// one that starts at mutation id N holds no change before N, so the refusals recorded before
/// N (kept to answer a retried push) are not asked for again. One statement for both server
/// backends: SQLite numbers `$n` in the order they first appear, which here is their order.
pub const PRUNE_FAILURES_SQL: &str = "DELETE FROM sync_failure WHERE client_id = $1 AND mutation_id < $2";

/// Sends again a resource's active bookings (`$1`) that end after now (`$2`) and after the
/// window's start (`$3`), and start before its end (`$4`). One statement for both backends.
pub const RESEND_BOOKINGS_SQL: &str = "UPDATE booking SET version = version
     WHERE resource_id = $1 AND end_at > $2 AND end_at > $3 AND start_at < $4
       AND status IN ('requested', 'confirmed') AND deleted = 0";

/// The version up to which deletes were compacted: a pull with a cursor below it (but not
/// 0) is answered [`PullResponse::start_over`]. One statement for both server backends.
pub const HORIZON_SQL: &str = "SELECT below FROM sync_horizon WHERE id = 1";

/// The newest day mark at least [`TOMBSTONE_DAYS`] old (`$1`, a UTC day number).
pub const COMPACTABLE_SQL: &str = "SELECT max(version) FROM sync_mark WHERE day <= $1";
/// Drops the deletes up to a mark (`$1`), and remembers how far.
pub const COMPACT_SQL: [&str; 3] = [
    "DELETE FROM sync_tombstone WHERE version <= $1",
    "UPDATE sync_horizon SET below = $1 WHERE id = 1 AND below < $1",
    "DELETE FROM sync_mark WHERE version < $1",
];

/// The UTC day number of an instant (Unix seconds), as `sync_mark` keeps it.
pub fn day_number(seconds: i64) -> i64 {
    seconds.div_euclid(86_400)
}

/// Whether a pull at `cursor` must start over: deletes after it were compacted away.
pub fn behind_horizon(cursor: i64, horizon: i64) -> bool {
    cursor > 0 && cursor < horizon
}

/// The refusal kept for mutation `$2` of client `$1`, if it was refused: its code and message.
/// One statement for both server backends, as above.
pub const KEPT_FAILURE_SQL: &str = "SELECT code, message FROM sync_failure WHERE client_id = $1 AND mutation_id = $2";

/// The key of a row a refused mutation made only on its client. Only the pusher's replica
/// holds such a row, so the tombstone is for the pusher alone: it names them
/// ([`TOMBSTONE_FOR`]), and pull sends it to nobody else. (Rows of private tables, a
/// waitlist entry, also name the pusher as their `person_id`.)
pub fn tombstone_key(row: &RowRef, pusher: &str) -> String {
    let mut key = row.key_json();
    if let serde_json::Value::Object(map) = &mut key {
        map.entry("person_id").or_insert_with(|| pusher.into());
        map.insert(TOMBSTONE_FOR.into(), pusher.into());
    }
    key.to_string()
}

/// The field of a tombstone's key that names the one person it is for.
pub const TOMBSTONE_FOR: &str = "for";

/// Client ids are chosen by clients: short, and safe to log.
pub fn check_client_id(client_id: &str) -> Result<()> {
    let ok = !client_id.is_empty() && client_id.len() <= 64 && client_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok { Ok(()) } else { Err(CoreError::invalid("client_id", "must be 1–64 letters, digits or dashes")) }
}

/// What a server writes to consume a mutation it refused for good, inside the transaction
/// that also acknowledges it. Each server backend implements it in its own SQL;
/// [`consume_refused`] decides what is written, once for both.
pub trait RefusalLedger {
    type Error;
    /// Keeps the refusal, to answer a retry of the same push.
    fn record_failure(&mut self, code: &str, message: &str) -> std::result::Result<(), Self::Error>;
    /// Keeps the booking a refused mutation asked for as declined, with the refusal as JSON;
    /// only where the row can stand (a known resource and booker, a fresh id, a sane span).
    fn keep_declined(&mut self, asked: &BookingAsked<'_>, rejection: &str, now: i64) -> std::result::Result<(), Self::Error>;
    /// Sends a row again (a new version); `false` when the server has no such row.
    fn resend(&mut self, table: &crate::tables::SyncedTable, key: &[&str]) -> std::result::Result<bool, Self::Error>;
    /// Tells the pusher's replica to drop a row the server never had.
    fn tombstone(&mut self, table: &str, key: &str) -> std::result::Result<(), Self::Error>;
    /// Sends again every booking of the series the booking belongs to.
    fn resend_series(&mut self, booking_id: &str) -> std::result::Result<(), Self::Error>;
    /// Sends again a resource's active bookings that end after `now` and overlap the window.
    fn resend_bookings(&mut self, resent: &ResentBookings<'_>, now: i64) -> std::result::Result<(), Self::Error>;
    /// Tells the booker of an existing booking, once per booking and kind, unless they pushed
    /// it themselves ([`TELL_BOOKER_SQL`]).
    fn tell_booker(&mut self, told: &ToldBooker<'_>, now: i64) -> std::result::Result<(), Self::Error>;
}

/// A refusal the booker of a booking learns of, though someone else pushed it (a lab's kiosk
/// that checked them in).
#[derive(Debug, Clone, PartialEq)]
pub struct ToldBooker<'a> {
    pub booking_id: &'a str,
    pub pusher: &'a str,
    pub kind: &'static str,
    pub detail: serde_json::Value,
}

/// (notification id, kind, detail, at, booking id, pusher): a notification for the booker of
/// an existing booking that the pusher did not make, unless they were told this kind of thing
/// of it already — so a refusal writes at most one row per booking. One statement for both
/// server backends (`$n` appear in order, as SQLite binds them).
pub const TELL_BOOKER_SQL: &str = "INSERT INTO notification(id, person_id, kind, booking_id, resource_id, detail, created_at)
     SELECT CAST($1 AS TEXT), b.booker_id, CAST($2 AS TEXT), b.id, b.resource_id, CAST($3 AS TEXT), CAST($4 AS BIGINT)
     FROM booking b WHERE b.id = CAST($5 AS TEXT) AND b.booker_id <> CAST($6 AS TEXT)
       AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.booking_id = b.id AND n.kind = CAST($2 AS TEXT))";

/// Consumes a mutation refused for good: the refusal is kept; a refused new booking is kept
/// as declined for its booker to learn by pull; any other refused change sends again the rows
/// it tried to change (or a tombstone for a row the server never had), so that the client's
/// optimistic copy gives way to the server's.
pub fn consume_refused<L: RefusalLedger>(
    l: &mut L,
    pusher: &str,
    mutation: Option<&Mutation>,
    error: &CoreError,
    now: i64,
) -> std::result::Result<(), L::Error> {
    l.record_failure(&error.code(), &error.message(crate::i18n::Lang::En))?;
    let Some(m) = mutation else { return Ok(()) };
    let kept = m.kept_declined(pusher, error);
    if !kept.is_empty() {
        let rejection = serde_json::to_string(&crate::error::Rejection::of(error)).unwrap_or_default();
        for asked in &kept {
            l.keep_declined(asked, &rejection, now)?;
        }
    }
    for row in m.rows() {
        // A booking kept declined stands on the server; the rest of what the mutation made
        // (a walk-up's session) goes like any other refused change.
        if row.table == "booking" && kept.iter().any(|asked| row.key == [asked.id]) {
            continue;
        }
        let Some(t) = table(row.table) else { continue };
        // A row the client made and the server never took: the client drops it.
        if !l.resend(t, &row.key)? && !m.keeps_rows_the_server_lacks() {
            l.tombstone(t.name, &tombstone_key(&row, pusher))?;
        }
    }
    if kept.is_empty()
        && let Some(resent) = m.resends_bookings_of(error)
    {
        l.resend_bookings(&resent, now)?;
    }
    if let Some(booking_id) = m.resends_series_of() {
        l.resend_series(booking_id)?;
    }
    // A check-in a lab's kiosk recorded and the server refused (the booking released and its
    // time taken, say): its booker learns why, not only the kiosk. (Checked in already is no
    // news to them.)
    if let (Mutation::CheckIn { booking_id, .. }, CoreError::Refused(refusal)) = (m, error)
        && *refusal != crate::error::Refusal::AlreadyCheckedIn
    {
        let detail = serde_json::json!({
            "code": error.code(),
            "reason_zh": error.message(crate::i18n::Lang::Zh),
            "reason_en": error.message(crate::i18n::Lang::En),
        });
        l.tell_booker(&ToldBooker { booking_id, pusher, kind: "check_in_refused", detail }, now)?;
    }
    Ok(())
}

/// A server backend's half of push-once: what it keeps of each client, and how it applies
/// one mutation together with the client's acknowledgement. [`push_once`] is the other half,
/// the same for every backend.
pub trait PushTarget {
    type Error: From<CoreError>;
    /// The last mutation of this client the server has processed (0 for a new client), once
    /// the client is known to belong to `person_id`.
    fn last_processed(&mut self, client_id: &str, person_id: &str) -> std::result::Result<i64, Self::Error>;
    /// Forgets the refusals of mutations before `first` (see [`PRUNE_FAILURES_SQL`]).
    fn prune_failures(&mut self, client_id: &str, first: i64) -> std::result::Result<(), Self::Error>;
    /// Applies the mutation — or, refused for good, consumes it ([`consume_refused`]) — in
    /// the transaction that acknowledges it. `None` when an overlapping push of the same
    /// client processed it first.
    fn apply_once(
        &mut self,
        person_id: &str,
        client_id: &str,
        pushed: &PushedMutation,
    ) -> std::result::Result<Option<MutationOutcome>, Self::Error>;
    /// The outcome of a mutation processed earlier: applied, unless a refusal was kept.
    fn earlier_outcome(&mut self, client_id: &str, id: i64) -> std::result::Result<MutationOutcome, Self::Error>;
}

/// Applies a push in order, each mutation once: ids this client has already had processed
/// are answered as they were then (a retried push after a lost response), and the answer
/// names the last id processed so that the client trims its outbox.
pub fn push_once<T: PushTarget>(
    target: &mut T,
    person_id: &str,
    request: &PushRequest,
) -> std::result::Result<PushResponse, T::Error> {
    check_client_id(&request.client_id)?;
    let mut last = target.last_processed(&request.client_id, person_id)?;
    if let Some(first) = request.mutations.first() {
        target.prune_failures(&request.client_id, first.id)?;
    }
    let mut outcomes = Vec::with_capacity(request.mutations.len());
    for pushed in &request.mutations {
        let decided_now = if pushed.id > last {
            last = pushed.id;
            target.apply_once(person_id, &request.client_id, pushed)?
        } else {
            None
        };
        outcomes.push(match decided_now {
            Some(outcome) => outcome,
            None => target.earlier_outcome(&request.client_id, pushed.id)?,
        });
    }
    Ok(PushResponse { last_mutation_id: last, outcomes })
}
