//! Rows as sync carries them: a table's columns, and a JSON value as SQLite stores it.

use rusqlite::Connection;
use rusqlite::types::Value;

use crate::error::Result;

/// The columns of a table of this database, in order.
pub fn table_columns(tx: &Connection, name: &str) -> Result<Vec<String>> {
    let mut stmt = tx.prepare(&format!("PRAGMA table_info({name})"))?;
    let names = stmt.query_map([], |r| r.get::<_, String>(1))?;
    Ok(names.collect::<rusqlite::Result<_>>()?)
}

/// A JSON value as SQLite keeps it (booleans as integers, anything nested as its JSON text).
pub fn sql_value(value: &serde_json::Value) -> Value {
    match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Integer(i64::from(*b)),
        serde_json::Value::Number(n) => {
            n.as_i64().map(Value::Integer).or_else(|| n.as_f64().map(Value::Real)).unwrap_or(Value::Null)
        }
        serde_json::Value::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}
