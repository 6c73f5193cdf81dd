//! Policy notices (政策通知): published by district operators on the server, synced to every
//! replica, read on the Notices screen.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::{Store, check_text};
use crate::domain::{Id, new_id, to_utc};
use crate::error::Result;

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: Id,
    pub title: String,
    pub body: String,
    pub published_by: String,
    pub published_at: DateTime<Utc>,
}

impl Notice {
    /// A new notice with its text checked; who may publish is the server's decision.
    pub fn new(title: &str, body: &str, publisher: &str, now: DateTime<Utc>) -> Result<Notice> {
        check_text("title", title, 200, true)?;
        check_text("body", body, 20_000, true)?;
        Ok(Notice {
            id: new_id(),
            title: title.trim().to_string(),
            body: body.trim().to_string(),
            published_by: publisher.to_string(),
            published_at: now,
        })
    }
}

impl Store {
    /// Publishes a notice. Who may is the server's decision (district operators).
    pub fn publish_notice(&mut self, publisher: &str, title: &str, body: &str, now: DateTime<Utc>) -> Result<Notice> {
        let notice = Notice::new(title, body, publisher, now)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO notice(id, title, body, published_by, published_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![notice.id, notice.title, notice.body, notice.published_by, now.timestamp()],
            )?;
            super::audit(tx, now.timestamp(), None, "publish", "notice", &notice.id, serde_json::json!({"title": notice.title}))?;
            Ok(())
        })?;
        Ok(notice)
    }

    /// Notices, newest first.
    pub fn notices(&self, limit: u32) -> Result<Vec<Notice>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, title, body, published_by, published_at FROM notice WHERE deleted = 0 ORDER BY published_at DESC, id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok(Notice {
                id: r.get(0)?,
                title: r.get(1)?,
                body: r.get(2)?,
                published_by: r.get(3)?,
                published_at: to_utc(r.get(4)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
