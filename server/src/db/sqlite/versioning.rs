//! Row versions on the server's SQLite file: every write of a synced table takes the next
//! value of one counter (DESIGN "Sync"), kept by TEMP triggers on the server's connection only.

use incubook_core::tables::{SYNCED_TABLES, key_match};
use incubook_sqlite::store::Store;

use crate::error::Result;

/// Makes this connection the server's: from now on every insert, update and delete of
/// a synced table takes the next version (deletes leave a tombstone). The triggers are
/// TEMP, so they live on the server's connection only and never on a desktop.
pub fn install_server_versioning(store: &Store) -> Result<()> {
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
    let tx = store.conn().unchecked_transaction()?;
    tx.execute_batch(&sql)?;
    tx.commit()?;
    Ok(())
}
