//! An operator's import into the server's SQLite file: rows copied as they are, none replaced.

use incubook_core::Result;
use incubook_core::tables::SyncedTable;
use incubook_sqlite::store::{Store, sql_value, table_columns};

/// Inserts rows (as `catalogue_rows_of` gives them) that are not here yet, in one transaction;
/// returns how many were new. Columns this schema lacks are ignored.
pub fn insert_rows_if_absent(
    store: &mut Store,
    table: &SyncedTable,
    rows: &[serde_json::Map<String, serde_json::Value>],
) -> Result<usize> {
    store.transaction(|tx| {
        let known = table_columns(tx, table.name)?;
        let mut added = 0;
        for row in rows {
            let present: Vec<&String> = known.iter().filter(|c| row.contains_key(c.as_str())).collect();
            let names = present.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ");
            let marks = (1..=present.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
            let values: Vec<rusqlite::types::Value> = present.iter().map(|c| sql_value(&row[c.as_str()])).collect();
            added += tx
                .prepare_cached(&format!("INSERT OR IGNORE INTO {}({names}) VALUES ({marks})", table.name))?
                .execute(rusqlite::params_from_iter(values))?;
        }
        Ok(added)
    })
}
