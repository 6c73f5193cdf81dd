//! Pulls from the server's SQLite file: the rows after a cursor that the caller may see, in
//! version order, other people's bookings only as busy.

use incubook_core::Result;
use incubook_core::protocol::{Change, HORIZON_SQL, MAX_PULL_PAGE, PullResponse, behind_horizon, check_client_id, fill_page};
use incubook_core::tables::SYNCED_TABLES;
use incubook_sqlite::redact::Viewer;
use incubook_sqlite::store::{Store, load_actor};
use rusqlite::params;

use super::push::last_mutation_id;
use crate::db::catalogue::row_to_json;

/// Rows after `cursor` that this person may see, at most `limit`, in version order;
/// other people's bookings only as busy, private rows only to whom they concern.
pub fn pull_for(store: &Store, person_id: &str, client_id: Option<&str>, cursor: i64, limit: u32) -> Result<PullResponse> {
    // One snapshot for the whole page. Read table by table in autocommit, a push that
    // commits between two tables' reads could leave an older row behind a newer version
    // read later, and the cursor handed out would skip it for good (a desktop saw an
    // event's count stuck at 2 of 3 this way). Dropping the read transaction ends it.
    let _snapshot = store.conn().unchecked_transaction()?;
    let viewer = Viewer::new(load_actor(store.conn(), person_id)?, store.conn());
    let last_mutation_id = match client_id {
        Some(id) => {
            check_client_id(id)?;
            last_mutation_id(store, id, person_id)?
        }
        None => 0,
    };
    let horizon: i64 = store.conn().prepare_cached(HORIZON_SQL)?.query_row([], |r| r.get(0))?;
    if behind_horizon(cursor, horizon) {
        return Ok(PullResponse::start_over(last_mutation_id));
    }
    let limit = limit.clamp(1, MAX_PULL_PAGE) as usize;
    // Every row has its own version: find the page's last one from the version index
    // alone, then read only the rows up to it (not a page's worth from every table).
    let mut versions: Vec<i64> = Vec::new();
    for t in SYNCED_TABLES {
        let mut stmt = store
            .conn()
            .prepare_cached(&format!("SELECT version FROM {} WHERE version > ?1 ORDER BY version LIMIT ?2", t.name))?;
        // One more than a page, so that a page's worth from one table still says "more".
        let rows = stmt.query_map(params![cursor, limit as i64 + 1], |r| r.get::<_, i64>(0))?;
        versions.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
    }
    let mut stmt =
        store.conn().prepare_cached("SELECT version FROM sync_tombstone WHERE version > ?1 ORDER BY version LIMIT ?2")?;
    versions.extend(
        stmt.query_map(params![cursor, limit as i64 + 1], |r| r.get::<_, i64>(0))?.collect::<rusqlite::Result<Vec<_>>>()?,
    );
    versions.sort_unstable();
    let more = versions.len() > limit;
    let last = if more { versions[limit - 1] } else { i64::MAX };
    let mut candidates: Vec<Change> = Vec::with_capacity(versions.len().min(limit));
    for t in SYNCED_TABLES {
        let mut stmt = store
            .conn()
            .prepare_cached(&format!("SELECT * FROM {} WHERE version > ?1 AND version <= ?2 ORDER BY version", t.name))?;
        let names: Vec<String> = stmt.column_names().into_iter().map(str::to_string).collect();
        let rows = stmt.query_map(params![cursor, last], |r| row_to_json(r, &names))?;
        for row in rows {
            let row = row?;
            let version = row.get("version").and_then(|v| v.as_i64()).unwrap_or(0);
            candidates.push(Change::Put { table: t.name.to_string(), version, row });
        }
    }
    let mut stmt = store.conn().prepare_cached(
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
    let (changes, next, more) = fill_page(candidates, (cursor, more), |change| viewer.redact(change))?;
    Ok(PullResponse { changes, cursor: next, more, last_mutation_id, resync: false })
}

/// Keeps a mark of the version the server stands at today, and drops the deletes older than
/// [`TOMBSTONE_DAYS`](incubook_core::protocol::TOMBSTONE_DAYS): the number dropped.
pub fn compact_deletes(store: &Store, now: i64) -> Result<usize> {
    use incubook_core::protocol::{COMPACT_SQL, COMPACTABLE_SQL, TOMBSTONE_DAYS, day_number};
    let tx = store.conn().unchecked_transaction()?;
    tx.prepare_cached(
        "INSERT INTO sync_mark(day, version) VALUES (?1, (SELECT value FROM sync_clock WHERE id = 1)) ON CONFLICT(day) DO NOTHING",
    )?
    .execute([day_number(now)])?;
    let mark: Option<i64> = tx.prepare_cached(COMPACTABLE_SQL)?.query_row([day_number(now) - TOMBSTONE_DAYS], |r| r.get(0))?;
    let mut dropped = 0;
    if let Some(mark) = mark {
        dropped = tx.prepare_cached(COMPACT_SQL[0])?.execute([mark])?;
        for sql in &COMPACT_SQL[1..] {
            tx.prepare_cached(sql)?.execute([mark])?;
        }
    }
    tx.commit()?;
    Ok(dropped)
}
