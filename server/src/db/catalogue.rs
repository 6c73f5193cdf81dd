//! A makerspace's catalogue read from its desktop database file, for an operator's import:
//! the same rows whichever backend receives them.

use incubook_core::tables::SyncedTable;
use incubook_sqlite::store::Store;
use rusqlite::types::ValueRef;

use incubook_core::CoreError;

/// The rows of `table` that belong to the makerspaces with these ids: their own rows,
/// their resources' rows, and their people's bookings, waitlist places and qualifications
/// on those resources. Nothing of another makerspace, and no district notice: an operator
/// importing a makerspace's desktop database takes that makerspace and no more.
pub fn catalogue_rows_of(
    store: &Store,
    table: &SyncedTable,
    makerspace_ids: &[String],
) -> incubook_core::Result<Vec<serde_json::Map<String, serde_json::Value>>> {
    let Some(filter) = catalogue_filter(table.name) else { return Ok(Vec::new()) };
    let sql = format!(
        "WITH ms(id) AS (SELECT value FROM json_each(?1)),
              res(id) AS (SELECT id FROM resource WHERE makerspace_id IN ms),
              people(id) AS (SELECT person_id FROM person_role WHERE makerspace_id IN ms),
              theirs(id) AS (SELECT id FROM booking WHERE resource_id IN res AND booker_id IN people),
              startups(id) AS (SELECT startup_id FROM residency WHERE makerspace_id IN ms
                               UNION SELECT startup_id FROM startup_member WHERE person_id IN people)
         SELECT * FROM {} WHERE {filter}",
        table.name
    );
    let mut stmt = store.conn().prepare(&sql)?;
    let names: Vec<String> = stmt.column_names().into_iter().map(str::to_string).collect();
    let ids = serde_json::to_string(makerspace_ids).map_err(|e| CoreError::invalid("makerspace", e.to_string()))?;
    let rows = stmt.query_map([ids], |r| row_to_json(r, &names))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn row_to_json(r: &rusqlite::Row, names: &[String]) -> rusqlite::Result<serde_json::Map<String, serde_json::Value>> {
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
        "qualification" | "waitlist" | "usage_session" => "resource_id IN res AND person_id IN people",
        "booking" => "id IN theirs",
        "startup" => "id IN startups",
        "startup_member" => "startup_id IN startups AND person_id IN people",
        "residency" => "startup_id IN startups AND makerspace_id IN ms",
        "hour_allocation" => "startup_id IN startups AND makerspace_id IN ms",
        "hour_topup" => "allocation_id IN (SELECT id FROM hour_allocation WHERE startup_id IN startups AND makerspace_id IN ms)",
        "event" => "makerspace_id IN ms",
        "office_block" => "resource_id IN res",
        "office_seat" => "block_id IN (SELECT id FROM office_block WHERE resource_id IN res) AND person_id IN people",
        "event_registration" => "event_id IN (SELECT id FROM event WHERE makerspace_id IN ms) AND person_id IN people",
        "session_note" | "feedback" | "mentor_feedback" => "booking_id IN theirs",
        "notification" => "person_id IN people AND (resource_id IS NULL OR resource_id IN res)",
        _ => return None,
    })
}
