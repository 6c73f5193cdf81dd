//! Copies the named makerspaces' rows of a desktop database into PostgreSQL: every synced
//! table, parents first,
//! rows matched to columns by name (`json_populate_recordset`), rows already present kept.
//! Each batch commits on its own, so a first pull pages through many versions.

use incubook_core::tables::SYNCED_TABLES;
use incubook_sqlite::store::Store;
use postgres::Client;

use crate::error::Result;

const BATCH: usize = 2_000;

pub(super) fn import(
    client: &mut Client,
    source: &Store,
    codes: &[String],
    progress: &mut dyn FnMut(&str, usize),
) -> Result<usize> {
    let makerspaces = crate::db::catalogue_makerspaces(source, codes, &mut |code| {
        Ok(client.query_opt("SELECT id FROM makerspace WHERE code = $1", &[&code])?.map(|r| r.get(0)))
    })?;
    let mut added = 0;
    for table in SYNCED_TABLES {
        let rows = super::super::catalogue::catalogue_rows_of(source, table, &makerspaces)?;
        progress(table.name, rows.len());
        let keys = table.key.join(", ");
        let sql = format!(
            "INSERT INTO {name} SELECT * FROM json_populate_recordset(NULL::{name}, $1::text::json) ON CONFLICT ({keys}) DO NOTHING",
            name = table.name
        );
        for batch in rows.chunks(BATCH) {
            let json = serde_json::Value::Array(batch.iter().cloned().map(serde_json::Value::Object).collect()).to_string();
            added += client.execute(&sql, &[&json])? as usize;
        }
    }
    Ok(added)
}
