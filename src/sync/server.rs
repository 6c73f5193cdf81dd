//! The server's half of sync, on the core's own store: mutations are applied by the same
//! store methods (and so the same rules) as on the desktop, one transaction each, and every
//! row written takes the next value of one version counter.

use chrono::{DateTime, Utc};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};

use super::redact::Viewer;
use super::tables::{SYNCED_TABLES, key_match, table};
use super::{Change, Mutation, MutationOutcome, PullResponse, PushRequest, PushResponse};
use crate::error::{CoreError, Result};
use crate::i18n::Lang;
use crate::store::{Actor, BlackoutMode, NewBooking, Store};

pub use super::protocol::{BUSY_PERSON_ID, check_client_id, tombstone_key};
pub use crate::error::Rejection;

/// The mutation being applied: written in the same transaction as its change.
#[derive(Debug, Clone)]
pub(crate) struct Ack {
    pub client_id: String,
    pub person_id: String,
    pub mutation_id: i64,
}

pub(crate) fn write_ack(tx: &Connection, ack: &Ack) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO sync_client(client_id, person_id, last_mutation_id) VALUES (?1, ?2, ?3)
         ON CONFLICT(client_id) DO UPDATE SET last_mutation_id = excluded.last_mutation_id",
    )?
    .execute(params![ack.client_id, ack.person_id, ack.mutation_id])?;
    Ok(())
}

/// A new booking the server refused: kept as declined with the reason, so that its booker's
/// replica (and the resource owner's) learn why — only when the row can stand: a known
/// resource and booker, a fresh id, a sane span.
fn keep_declined(tx: &Connection, asked: &super::BookingAsked<'_>, error: &CoreError, now: i64) -> Result<()> {
    let rejection = serde_json::to_string(&Rejection::of(error)).unwrap_or_default();
    tx.prepare_cached(
        "INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, topic, created_at, updated_at, rejection)
         SELECT ?1, ?2, ?3, ?4, ?5, 'declined', ?6, ?7, ?7, ?8
         WHERE EXISTS(SELECT 1 FROM resource WHERE id = ?2) AND EXISTS(SELECT 1 FROM person WHERE id = ?3)
           AND NOT EXISTS(SELECT 1 FROM booking WHERE id = ?1)
           AND ?5 > ?4 AND length(?1) BETWEEN 1 AND 64 AND length(?6) <= 500",
    )?
    .execute(params![
        asked.id,
        asked.resource_id,
        asked.booker_id,
        asked.start.timestamp(),
        asked.end.timestamp(),
        asked.topic,
        now,
        rejection
    ])?;
    Ok(())
}

impl Store {
    /// Makes this connection the server's: from now on every insert, update and delete of
    /// a synced table takes the next version (deletes leave a tombstone). The triggers are
    /// TEMP, so they live on the server's connection only and never on a desktop.
    pub fn install_server_versioning(&self) -> Result<()> {
        let bump = "UPDATE sync_clock SET value = value + 1 WHERE id = 1;";
        let clock = "(SELECT value FROM sync_clock WHERE id = 1)";
        let mut sql = String::new();
        for t in SYNCED_TABLES {
            let (name, new_key) = (t.name, key_match(t, "NEW"));
            let key_json = t.key.iter().map(|k| format!("'{k}', OLD.{k}")).collect::<Vec<_>>().join(", ");
            sql.push_str(&format!(
                "CREATE TEMP TRIGGER IF NOT EXISTS sync_{name}_insert AFTER INSERT ON main.{name} BEGIN {bump}
                   UPDATE main.{name} SET version = {clock} WHERE {new_key}; END;
                 CREATE TEMP TRIGGER IF NOT EXISTS sync_{name}_update AFTER UPDATE ON main.{name} BEGIN {bump}
                   UPDATE main.{name} SET version = {clock} WHERE {new_key}; END;
                 CREATE TEMP TRIGGER IF NOT EXISTS sync_{name}_delete AFTER DELETE ON main.{name} BEGIN {bump}
                   INSERT INTO main.sync_tombstone(version, table_name, row_key) VALUES ({clock}, '{name}', json_object({key_json})); END;"
            ));
        }
        // Rows written before the server first ran (a loaded catalogue) take versions now.
        for t in SYNCED_TABLES {
            sql.push_str(&format!("UPDATE main.{} SET version = version WHERE version = 0;", t.name));
        }
        let tx = self.conn.unchecked_transaction()?;
        tx.execute_batch(&sql)?;
        tx.commit()?;
        Ok(())
    }

    /// The rows of `table` that belong to the makerspaces with these ids: their own rows,
    /// their resources' rows, and their people's bookings, waitlist places and qualifications
    /// on those resources. Nothing of another makerspace, and no district notice: an operator
    /// importing a makerspace's desktop database takes that makerspace and no more.
    pub fn catalogue_rows_of(
        &self,
        table: &super::SyncedTable,
        makerspace_ids: &[String],
    ) -> Result<Vec<serde_json::Map<String, serde_json::Value>>> {
        let Some(filter) = catalogue_filter(table.name) else { return Ok(Vec::new()) };
        let sql = format!(
            "WITH ms(id) AS (SELECT value FROM json_each(?1)),
                  res(id) AS (SELECT id FROM resource WHERE makerspace_id IN ms),
                  people(id) AS (SELECT person_id FROM person_role WHERE makerspace_id IN ms),
                  theirs(id) AS (SELECT id FROM booking WHERE resource_id IN res AND booker_id IN people)
             SELECT * FROM {} WHERE {filter}",
            table.name
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let names: Vec<String> = stmt.column_names().into_iter().map(str::to_string).collect();
        let ids = serde_json::to_string(makerspace_ids).map_err(|e| CoreError::invalid("makerspace", e.to_string()))?;
        let rows = stmt.query_map([ids], |r| row_to_json(r, &names))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Inserts rows (as `table_rows` gives them) that are not here yet, in one transaction;
    /// returns how many were new. Columns this schema lacks are ignored.
    pub fn insert_rows_if_absent(
        &mut self,
        table: &super::SyncedTable,
        rows: &[serde_json::Map<String, serde_json::Value>],
    ) -> Result<usize> {
        self.write(|tx| {
            let known = super::client::table_columns(tx, table.name)?;
            let mut added = 0;
            for row in rows {
                let present: Vec<&String> = known.iter().filter(|c| row.contains_key(c.as_str())).collect();
                let names = present.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ");
                let marks = (1..=present.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
                let values: Vec<rusqlite::types::Value> =
                    present.iter().map(|c| super::client::sql_value(&row[c.as_str()])).collect();
                added += tx
                    .prepare_cached(&format!("INSERT OR IGNORE INTO {}({names}) VALUES ({marks})", table.name))?
                    .execute(rusqlite::params_from_iter(values))?;
            }
            Ok(added)
        })
    }

    /// The last mutation of this client the server has processed.
    pub fn last_mutation_id(&self, client_id: &str, person_id: &str) -> Result<i64> {
        let row: Option<(String, i64)> = self
            .conn
            .query_row("SELECT person_id, last_mutation_id FROM sync_client WHERE client_id = ?1", [client_id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        match row {
            None => Ok(0),
            Some((owner, last)) if owner == person_id => Ok(last),
            Some(_) => Err(CoreError::Forbidden("this client id belongs to another user".into())),
        }
    }

    /// Applies a push for the signed-in person: in order, one transaction per mutation,
    /// skipping ids already processed for this client.
    pub fn apply_push(&mut self, person_id: &str, push: &PushRequest, now: DateTime<Utc>) -> Result<PushResponse> {
        check_client_id(&push.client_id)?;
        let mut last = self.last_mutation_id(&push.client_id, person_id)?;
        if let Some(first) = push.mutations.first() {
            self.conn.prepare_cached(super::PRUNE_FAILURES_SQL)?.execute(params![push.client_id, first.id])?;
        }
        let mut outcomes = Vec::with_capacity(push.mutations.len());
        for pushed in &push.mutations {
            if pushed.id <= last {
                outcomes.push(self.earlier_outcome(&push.client_id, pushed.id)?);
                continue;
            }
            let ack = Ack { client_id: push.client_id.clone(), person_id: person_id.to_string(), mutation_id: pushed.id };
            self.ack = Some(ack.clone());
            let (parsed, result) = match pushed.parse() {
                Ok(m) => {
                    let result = self.apply_mutation(person_id, &m, now);
                    (Some(m), result)
                }
                Err(e) => (None, Err(e)),
            };
            let pending_ack = self.ack.take();
            match result {
                Ok(()) => {
                    // A mutation that changed nothing never opened a transaction.
                    if let Some(ack) = pending_ack {
                        self.write(|tx| write_ack(tx, &ack))?;
                    }
                    outcomes.push(MutationOutcome { id: pushed.id, applied: true, code: None, message: None });
                }
                Err(e) if e.is_transient() => return Err(e),
                Err(e) => {
                    self.consume_failed(&ack, parsed.as_ref(), &e, now)?;
                    outcomes.push(MutationOutcome {
                        id: pushed.id,
                        applied: false,
                        code: Some(e.code()),
                        message: Some(e.message(Lang::En)),
                    });
                }
            }
            last = pushed.id;
        }
        Ok(PushResponse { last_mutation_id: last, outcomes })
    }

    fn earlier_outcome(&self, client_id: &str, id: i64) -> Result<MutationOutcome> {
        let failure: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT code, message FROM sync_failure WHERE client_id = ?1 AND mutation_id = ?2",
                params![client_id, id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match failure {
            None => MutationOutcome { id, applied: true, code: None, message: None },
            Some((code, message)) => MutationOutcome { id, applied: false, code: Some(code), message: Some(message) },
        })
    }

    fn apply_mutation(&mut self, person: &str, mutation: &Mutation, now: DateTime<Utc>) -> Result<()> {
        match mutation {
            Mutation::Uploaded { change } => {
                let change = Mutation::uploaded_change(change)?;
                if let Some(id) = Mutation::uploaded_person(change) {
                    let known: bool =
                        self.conn.query_row("SELECT EXISTS(SELECT 1 FROM person WHERE id = ?1)", [id], |r| r.get(0))?;
                    if known {
                        return Ok(());
                    }
                }
                self.apply_mutation(person, change, now)
            }
            Mutation::Book { booking_id, resource_id, start, end, topic } => {
                let new = NewBooking { resource_id: resource_id.clone(), start: *start, end: *end, topic: topic.clone() };
                self.insert_booking(person, booking_id, &new, now)
            }
            Mutation::UploadBooking { booking } => self.upload_booking(person, booking, now),
            Mutation::Cancel { booking_id, reason } => self.cancel(person, booking_id, reason.as_deref(), now).map(drop),
            Mutation::Approve { booking_id } => self.approve(person, booking_id, now).map(drop),
            Mutation::Decline { booking_id, reason } => self.decline(person, booking_id, reason, now).map(drop),
            Mutation::Complete { booking_id } => self.complete(person, booking_id, now).map(drop),
            Mutation::NoShow { booking_id } => self.no_show(person, booking_id, now).map(drop),
            Mutation::Reschedule { booking_id, start, end } => self.reschedule(person, booking_id, *start, *end, now).map(drop),
            Mutation::SetWeeklyHours { resource_id, hours } => self.set_weekly_hours(person, resource_id, hours, now),
            Mutation::SetPolicy { resource_id, policy } => self.set_policy(person, resource_id, policy, now),
            Mutation::AddDateOverride { override_id, resource_id, date_override, note } => {
                self.add_date_override_with_id(person, override_id, resource_id, date_override, note, now)
            }
            Mutation::RemoveDateOverride { override_id } => self.remove_date_override(person, override_id, now),
            Mutation::CreateEquipment { equipment_id, equipment } => {
                self.create_equipment_with_id(person, equipment_id, equipment, now).map(drop)
            }
            Mutation::UpdateEquipment { equipment_id, equipment } => {
                self.update_equipment(person, equipment_id, equipment, now).map(drop)
            }
            Mutation::AddBlackout { blackout, cancel_hits } => {
                let mode = if *cancel_hits { BlackoutMode::CancelBookings } else { BlackoutMode::KeepBookings };
                self.add_blackout_with_id(person, blackout, mode, now).map(drop)
            }
            Mutation::RemoveBlackout { blackout_id } => self.remove_blackout(person, blackout_id, now),
            Mutation::GrantQualification { person_id, resource_id, expires_at } => {
                self.grant_qualification(person, person_id, resource_id, *expires_at, now)
            }
            Mutation::RevokeQualification { person_id, resource_id } => {
                self.revoke_qualification(person, person_id, resource_id, now)
            }
            Mutation::JoinWaitlist { waitlist_id, resource_id, start, end } => {
                self.join_waitlist_with_id(person, waitlist_id, resource_id, (*start, *end), now).map(drop)
            }
            Mutation::SetSessionNote { booking_id, body } => self.set_session_note(person, booking_id, body, now),
            Mutation::GiveFeedback { booking_id, rating, comment } => {
                self.give_feedback(person, booking_id, *rating, comment, now)
            }
            Mutation::CreatePerson { person_id, person: new } => {
                self.create_person_with_id(Some(person), person_id, new, now).map(drop)
            }
            Mutation::CreateLab { lab_id, lab } => self.create_lab_with_id(person, lab_id, lab, now).map(drop),
            Mutation::CreateMentor { mentor_id, mentor } => self.create_mentor_with_id(person, mentor_id, mentor, now).map(drop),
            Mutation::UpdateMentorProfile { mentor_id, profile } => {
                self.update_mentor_profile(person, mentor_id, profile, now).map(drop)
            }
            Mutation::SetRole { person_id, makerspace_id, role, granted } => {
                let code = self
                    .makerspaces()?
                    .into_iter()
                    .find(|m| &m.id == makerspace_id)
                    .map(|m| m.code)
                    .ok_or_else(|| CoreError::not_found("makerspace", makerspace_id))?;
                self.set_role(person, person_id, &code, *role, *granted, now).map(drop)
            }
        }
    }

    /// Consumes a mutation that failed for good, in one transaction: the client's ack, the
    /// failure, and what the client must learn by pull — a refused new booking is kept as
    /// rejected with its reason; any other refused change re-sends the row it tried to change.
    fn consume_failed(&mut self, ack: &Ack, mutation: Option<&Mutation>, error: &CoreError, now: DateTime<Utc>) -> Result<()> {
        let now = now.timestamp();
        self.write(|tx| {
            write_ack(tx, ack)?;
            tx.prepare_cached("INSERT OR REPLACE INTO sync_failure(client_id, mutation_id, code, message) VALUES (?1, ?2, ?3, ?4)")?
                .execute(params![ack.client_id, ack.mutation_id, error.code(), error.message(Lang::En)])?;
            let Some(other) = mutation else { return Ok(()) };
            if let Some(asked) = other.kept_declined(&ack.person_id, error) {
                return keep_declined(tx, &asked, error, now);
            }
            for row in other.rows() {
                let Some(t) = table(row.table) else { continue };
                let filter = t.key.iter().enumerate().map(|(i, k)| format!("{k} = ?{}", i + 1)).collect::<Vec<_>>().join(" AND ");
                let n = tx.execute(&format!("UPDATE {} SET version = version WHERE {filter}", t.name), rusqlite::params_from_iter(&row.key))?;
                // A row the client made and the server never took: the client drops it.
                if n == 0 && !other.keeps_rows_the_server_lacks() {
                    tx.execute("UPDATE sync_clock SET value = value + 1 WHERE id = 1", [])?;
                    tx.execute(
                        "INSERT INTO sync_tombstone(version, table_name, row_key) VALUES ((SELECT value FROM sync_clock WHERE id = 1), ?1, ?2)",
                        params![t.name, tombstone_key(&row, &ack.person_id)],
                    )?;
                }
            }
            if let Some(resent) = other.resends_bookings_of(error) {
                tx.execute(
                    "UPDATE booking SET version = version
                     WHERE resource_id = ?1 AND end_at > max(?2, ?3) AND start_at < ?4 AND deleted = 0",
                    params![resent.resource_id, now, resent.from, resent.to],
                )?;
            }
            Ok(())
        })
    }

    /// Rows after `cursor` that this person may see, at most `limit`, in version order;
    /// other people's bookings only as busy, private rows only to whom they concern.
    pub fn pull_for(&self, person_id: &str, client_id: Option<&str>, cursor: i64, limit: u32) -> Result<PullResponse> {
        let viewer = Viewer::new(Actor::load(&self.conn, person_id)?, &self.conn);
        let last_mutation_id = match client_id {
            Some(id) => {
                check_client_id(id)?;
                self.last_mutation_id(id, person_id)?
            }
            None => 0,
        };
        let limit = limit.clamp(1, super::MAX_PULL_PAGE) as usize;
        // Every row has its own version: find the page's last one from the version index
        // alone, then read only the rows up to it (not a page's worth from every table).
        let mut versions: Vec<i64> = Vec::new();
        for t in SYNCED_TABLES {
            let mut stmt = self
                .conn
                .prepare_cached(&format!("SELECT version FROM {} WHERE version > ?1 ORDER BY version LIMIT ?2", t.name))?;
            // One more than a page, so that a page's worth from one table still says "more".
            let rows = stmt.query_map(params![cursor, limit as i64 + 1], |r| r.get::<_, i64>(0))?;
            versions.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
        }
        let mut stmt =
            self.conn.prepare_cached("SELECT version FROM sync_tombstone WHERE version > ?1 ORDER BY version LIMIT ?2")?;
        versions.extend(
            stmt.query_map(params![cursor, limit as i64 + 1], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?,
        );
        versions.sort_unstable();
        let more = versions.len() > limit;
        let last = if more { versions[limit - 1] } else { i64::MAX };
        let mut candidates: Vec<Change> = Vec::with_capacity(versions.len().min(limit));
        for t in SYNCED_TABLES {
            let mut stmt = self
                .conn
                .prepare_cached(&format!("SELECT * FROM {} WHERE version > ?1 AND version <= ?2 ORDER BY version", t.name))?;
            let names: Vec<String> = stmt.column_names().into_iter().map(str::to_string).collect();
            let rows = stmt.query_map(params![cursor, last], |r| row_to_json(r, &names))?;
            for row in rows {
                let row = row?;
                let version = row.get("version").and_then(|v| v.as_i64()).unwrap_or(0);
                candidates.push(Change::Put { table: t.name.to_string(), version, row });
            }
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT version, table_name, row_key FROM sync_tombstone WHERE version > ?1 AND version <= ?2 ORDER BY version",
        )?;
        let tombstones =
            stmt.query_map(params![cursor, last], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        for t in tombstones {
            let (version, table, key) = t?;
            let key = match serde_json::from_str::<serde_json::Value>(&key) {
                Ok(serde_json::Value::Object(map)) => map,
                _ => continue,
            };
            candidates.push(Change::Delete { table, version, key });
        }
        candidates.sort_by_key(Change::apply_order);
        let next = candidates.last().map_or(cursor, Change::version);
        let mut changes = Vec::with_capacity(candidates.len());
        for change in candidates {
            if let Some(change) = viewer.redact(change)? {
                changes.push(change);
            }
        }
        Ok(PullResponse { changes, cursor: next, more, last_mutation_id })
    }
}

fn row_to_json(r: &rusqlite::Row, names: &[String]) -> rusqlite::Result<serde_json::Map<String, serde_json::Value>> {
    let mut map = serde_json::Map::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let value = match r.get_ref(i)? {
            ValueRef::Null => serde_json::Value::Null,
            ValueRef::Integer(n) => n.into(),
            ValueRef::Real(x) => x.into(),
            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
            ValueRef::Blob(b) => String::from_utf8_lossy(b).into_owned().into(),
        };
        map.insert(name.clone(), value);
    }
    Ok(map)
}

/// Which rows of a synced table belong to the makerspaces `ms` (see `catalogue_rows_of`);
/// `None` for a table no makerspace owns.
fn catalogue_filter(table: &str) -> Option<&'static str> {
    Some(match table {
        "makerspace" => "id IN ms",
        "person" => "id IN people",
        "person_role" | "resource" | "lab" => "makerspace_id IN ms",
        "mentor" | "equipment" | "date_override" | "blackout" => "resource_id IN res",
        "mentor_facet" => "mentor_id IN res",
        "lab_manager" => "lab_id IN (SELECT id FROM lab WHERE makerspace_id IN ms) AND person_id IN people",
        "qualification" | "waitlist" => "resource_id IN res AND person_id IN people",
        "booking" => "id IN theirs",
        "session_note" | "feedback" => "booking_id IN theirs",
        "notification" => "person_id IN people AND (resource_id IS NULL OR resource_id IN res)",
        _ => return None,
    })
}
