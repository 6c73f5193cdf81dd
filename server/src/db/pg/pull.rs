//! Pull on PostgreSQL. A row's version is the id of the transaction that wrote it (see the
//! V2 migration), so all rows of one transaction share a version and a page ends between
//! versions, never inside one. Transactions commit out of order, so a pull reads only below
//! the oldest one of this database still running (`sync_visible_below`, read before the
//! pull's snapshot): nothing can later commit behind the cursor it hands out.

use std::cell::RefCell;

use incubook_core::protocol::check_client_id;
use incubook_core::protocol::{Change, HORIZON_SQL, MAX_PULL_PAGE, PullResponse, behind_horizon, fill_page};
use incubook_core::tables::SYNCED_TABLES;
use incubook_sqlite::redact::{ResourceOwnership, RowLookup, Viewer};

use super::bookings::load_actor;
use super::sql::{PgConn, Tx};
use crate::error::{Result, ServerError};

type Row = serde_json::Map<String, serde_json::Value>;

fn parse_row(text: &str) -> Result<Row> {
    serde_json::from_str(text).map_err(|e| ServerError::Internal(format!("row as JSON: {e}")))
}

/// Puts and tombstones with `after < version < below`, at most `limit` of each table, or
/// exactly the rows of one version (`only`).
fn read_changes(
    tx: &mut Tx<'_, '_>,
    (after, below): (i64, i64),
    limit: i64,
    only: Option<i64>,
) -> Result<(Vec<Change>, Option<i64>)> {
    let mut changes = Vec::new();
    // The lowest version at which some table had more rows than one page: rows from there on
    // may be incomplete in this page.
    let mut cut: Option<i64> = None;
    let mut note_full = |rows: usize, last: Option<i64>| {
        if rows as i64 == limit
            && let Some(v) = last
        {
            cut = Some(cut.map_or(v, |c| c.min(v)));
        }
    };
    for t in SYNCED_TABLES {
        let rows = match only {
            Some(v) => tx.query(&format!("SELECT version, row_to_json(t)::text FROM {} t WHERE version = $1", t.name), &[&v])?,
            None => tx.query(
                &format!(
                    "SELECT version, row_to_json(t)::text FROM {} t WHERE version > $1 AND version < $3 ORDER BY version LIMIT $2",
                    t.name
                ),
                &[&after, &limit, &below],
            )?,
        };
        note_full(rows.len(), rows.last().map(|r| r.get(0)));
        for r in &rows {
            changes.push(Change::Put { table: t.name.to_string(), version: r.get(0), row: parse_row(r.get(1))? });
        }
    }
    let rows = match only {
        Some(v) => tx.query("SELECT version, table_name, row_key FROM sync_tombstone WHERE version = $1 ORDER BY seq", &[&v])?,
        None => tx.query(
            "SELECT version, table_name, row_key FROM sync_tombstone WHERE version > $1 AND version < $3 ORDER BY version, seq LIMIT $2",
            &[&after, &limit, &below],
        )?,
    };
    note_full(rows.len(), rows.last().map(|r| r.get(0)));
    for r in &rows {
        changes.push(Change::Delete { table: r.get(1), version: r.get(0), key: parse_row(r.get(2))? });
    }
    changes.sort_by_key(Change::apply_order);
    Ok((changes, if only.is_some() { None } else { cut }))
}

pub(super) fn pull(conn: &mut PgConn, person_id: &str, client_id: Option<&str>, cursor: i64, limit: u32) -> Result<PullResponse> {
    let below: i64 = conn.sql().query_one("SELECT sync_visible_below()", &[])?.get(0);
    conn.snapshot(|tx| -> Result<PullResponse> {
        let actor = load_actor(tx, person_id)?;
        let last_mutation_id = match client_id {
            Some(id) => {
                check_client_id(id)?;
                match tx.query_opt("SELECT person_id, last_mutation_id FROM sync_client WHERE client_id = $1", &[&id])? {
                    None => 0,
                    Some(row) if row.get::<_, &str>(0) == person_id => row.get(1),
                    Some(_) => {
                        return Err(incubook_core::CoreError::Forbidden("this client id belongs to another user".into()).into());
                    }
                }
            }
            None => 0,
        };
        let horizon: i64 = tx.query_one(HORIZON_SQL, &[])?.get(0);
        if behind_horizon(cursor, horizon) {
            return Ok(PullResponse::start_over(last_mutation_id));
        }
        let limit = i64::from(limit.clamp(1, MAX_PULL_PAGE));
        let (mut changes, cut) = read_changes(tx, (cursor, below), limit, None)?;
        let mut more = false;
        if let Some(cut) = cut {
            more = true;
            changes.retain(|c| c.version() < cut);
            if changes.is_empty() {
                // One transaction wrote more than a page: send all of it.
                changes = read_changes(tx, (cursor, below), limit, Some(cut))?.0;
            }
        }
        let lookup = TxLookup(RefCell::new(tx));
        let viewer = Viewer::new(actor, &lookup);
        let (visible, next, more) = fill_page(changes, (cursor, more), |change| viewer.redact(change))?;
        Ok(PullResponse { changes: visible, cursor: next, more, last_mutation_id, resync: false })
    })
}

struct TxLookup<'a, 'b, 'c>(RefCell<&'a mut Tx<'b, 'c>>);

impl RowLookup for &TxLookup<'_, '_, '_> {
    type Error = postgres::Error;

    fn ownership(&self, resource_id: &str) -> std::result::Result<Option<ResourceOwnership>, postgres::Error> {
        let row = self
            .0
            .borrow_mut()
            .query_opt(
                "SELECT r.kind, r.makerspace_id, m.person_id FROM resource r LEFT JOIN mentor m ON m.resource_id = r.id WHERE r.id = $1",
                &[&resource_id],
            )?;
        Ok(row.map(|r| ResourceOwnership {
            is_mentor: r.get::<_, &str>(0) == "mentor",
            makerspace_id: r.get(1),
            mentor_person: r.get(2),
        }))
    }

    fn booking_parties(&self, booking_id: &str) -> std::result::Result<Option<(String, String)>, postgres::Error> {
        let row = self.0.borrow_mut().query_opt("SELECT booker_id, resource_id FROM booking WHERE id = $1", &[&booking_id])?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    fn startup_of(&self, person_id: &str) -> std::result::Result<Option<String>, postgres::Error> {
        let row = self.0.borrow_mut().query_opt(incubook_sqlite::store::STARTUP_OF_SQL, &[&person_id])?;
        Ok(row.map(|r| r.get(0)))
    }

    fn application_startup(&self, application_id: &str) -> std::result::Result<Option<String>, postgres::Error> {
        let row = self.0.borrow_mut().query_opt(incubook_sqlite::redact::APPLICATION_STARTUP_SQL, &[&application_id])?;
        Ok(row.map(|r| r.get(0)))
    }
}

/// Keeps a mark of the version below which everything has committed today, and drops the
/// deletes older than [`TOMBSTONE_DAYS`](incubook_core::protocol::TOMBSTONE_DAYS): the
/// number dropped.
pub(super) fn compact_deletes(conn: &mut PgConn, now: i64) -> Result<u64> {
    use incubook_core::protocol::{COMPACT_SQL, COMPACTABLE_SQL, TOMBSTONE_DAYS, day_number};
    conn.transaction(|tx| -> Result<u64> {
        tx.execute(
            "INSERT INTO sync_mark(day, version) VALUES ($1, sync_visible_below() - 1) ON CONFLICT (day) DO NOTHING",
            &[&day_number(now)],
        )?;
        let mark: Option<i64> = tx.query_one(COMPACTABLE_SQL, &[&(day_number(now) - TOMBSTONE_DAYS)])?.get(0);
        let Some(mark) = mark else { return Ok(0) };
        let dropped = tx.execute(COMPACT_SQL[0], &[&mark])?;
        for sql in &COMPACT_SQL[1..] {
            tx.execute(sql, &[&mark])?;
        }
        Ok(dropped)
    })
}
