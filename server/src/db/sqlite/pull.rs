//! Pulls from the server's SQLite file: the rows after a cursor that the caller may see, in
//! version order, other people's bookings only as busy.

use incubook_core::Result;
use incubook_core::protocol::{Change, MAX_PULL_PAGE, PullResponse, check_client_id};
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
    let next = candidates.last().map_or(cursor, Change::version);
    let mut changes = Vec::with_capacity(candidates.len());
    for change in candidates {
        if let Some(change) = viewer.redact(change)? {
            changes.push(change);
        }
    }
    Ok(PullResponse { changes, cursor: next, more, last_mutation_id })
}
