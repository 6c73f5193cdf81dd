//! The tables that sync, with the columns that identify a row. Names here are the only
//! table and column names sync ever puts into SQL: nothing from the wire is.

pub struct SyncedTable {
    pub name: &'static str,
    pub key: &'static [&'static str],
}

/// Parents before children, so a first pull applied in this order meets its references.
pub const SYNCED_TABLES: &[SyncedTable] = &[
    SyncedTable { name: "makerspace", key: &["id"] },
    SyncedTable { name: "person", key: &["id"] },
    SyncedTable { name: "person_role", key: &["person_id", "makerspace_id", "role"] },
    SyncedTable { name: "startup", key: &["id"] },
    SyncedTable { name: "startup_member", key: &["startup_id", "person_id"] },
    SyncedTable { name: "residency", key: &["id"] },
    SyncedTable { name: "programme", key: &["code"] },
    SyncedTable { name: "funding_call", key: &["id"] },
    SyncedTable { name: "application", key: &["id"] },
    SyncedTable { name: "application_event", key: &["id"] },
    SyncedTable { name: "hour_allocation", key: &["id"] },
    SyncedTable { name: "hour_topup", key: &["id"] },
    SyncedTable { name: "event", key: &["id"] },
    SyncedTable { name: "event_registration", key: &["event_id", "person_id"] },
    SyncedTable { name: "resource", key: &["id"] },
    SyncedTable { name: "mentor", key: &["resource_id"] },
    SyncedTable { name: "mentor_facet", key: &["mentor_id", "facet", "value"] },
    SyncedTable { name: "lab", key: &["id"] },
    SyncedTable { name: "lab_manager", key: &["lab_id", "person_id"] },
    SyncedTable { name: "equipment", key: &["resource_id"] },
    SyncedTable { name: "date_override", key: &["id"] },
    SyncedTable { name: "blackout", key: &["id"] },
    SyncedTable { name: "qualification", key: &["person_id", "resource_id"] },
    SyncedTable { name: "booking", key: &["id"] },
    SyncedTable { name: "office_block", key: &["id"] },
    SyncedTable { name: "office_seat", key: &["block_id", "person_id"] },
    SyncedTable { name: "session_note", key: &["booking_id"] },
    SyncedTable { name: "feedback", key: &["booking_id"] },
    SyncedTable { name: "mentor_feedback", key: &["booking_id"] },
    SyncedTable { name: "usage_session", key: &["id"] },
    SyncedTable { name: "waitlist", key: &["id"] },
    SyncedTable { name: "notification", key: &["id"] },
    SyncedTable { name: "notice", key: &["id"] },
];

pub fn table(name: &str) -> Option<&'static SyncedTable> {
    SYNCED_TABLES.iter().find(|t| t.name == name)
}

/// `k1 = NEW.k1 AND k2 = NEW.k2` for a trigger body.
pub fn key_match(table: &SyncedTable, row: &str) -> String {
    table.key.iter().map(|k| format!("{k} = {row}.{k}")).collect::<Vec<_>>().join(" AND ")
}
