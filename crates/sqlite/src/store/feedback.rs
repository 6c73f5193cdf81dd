//! Feedback both ways: the statements every backend runs, and the desktop's reads of it.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use super::Store;
use crate::command::Command as Mutation;
use crate::error::Result;
use crate::feedback::Side;

/// How many sessions a founder had with a resource (confirmed or completed) before a time.
pub const PAIR_SESSIONS_BEFORE_SQL: &str =
    "SELECT count(*) FROM booking WHERE booker_id = $1 AND resource_id = $2 AND start_at < $3
     AND status IN ('confirmed', 'completed') AND deleted = 0";

/// The insert of one side's feedback: (booking, author, rating, comment, pairing fits,
/// startup, at).
pub fn insert_feedback_sql(side: Side) -> &'static str {
    match side {
        Side::Founder => {
            "INSERT INTO feedback(booking_id, author_id, rating, comment, pairing_fits, startup_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        }
        Side::Mentor => {
            "INSERT INTO mentor_feedback(booking_id, author_id, rating, comment, pairing_fits, startup_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        }
    }
}

/// One side's feedback on a session.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GivenFeedback {
    pub rating: u8,
    pub comment: String,
    pub pairing_fits: Option<bool>,
}

/// Both sides' feedback on a session, as far as this replica knows it, and whether the
/// pairing question is asked (the pair's first session).
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionFeedback {
    pub founder: Option<GivenFeedback>,
    pub mentor: Option<GivenFeedback>,
    pub asks_pairing: bool,
}

fn given(r: &rusqlite::Row) -> rusqlite::Result<GivenFeedback> {
    Ok(GivenFeedback { rating: r.get(0)?, comment: r.get(1)?, pairing_fits: r.get(2)? })
}

impl Store {
    /// A rating of a session that is over, by its founder or its mentor; `pairing_fits` only
    /// after the pair's first session.
    pub fn give_feedback(
        &mut self,
        actor_id: &str,
        booking_id: &str,
        (rating, comment, pairing_fits): (u8, &str, Option<bool>),
        now: DateTime<Utc>,
    ) -> Result<()> {
        let command = Mutation::GiveFeedback {
            booking_id: booking_id.to_string(),
            rating,
            comment: comment.trim().to_string(),
            pairing_fits,
        };
        self.apply(actor_id, &command, now)
    }

    /// (rating, comment) of the founder's feedback on a session, if given.
    pub fn feedback(&self, booking_id: &str) -> Result<Option<(u8, String)>> {
        Ok(self.session_feedback(booking_id)?.founder.map(|f| (f.rating, f.comment)))
    }

    /// Both sides' feedback on a session.
    pub fn session_feedback(&self, booking_id: &str) -> Result<SessionFeedback> {
        let founder = self
            .conn
            .prepare_cached("SELECT rating, comment, pairing_fits FROM feedback WHERE booking_id = ?1")?
            .query_row([booking_id], given)
            .optional()?;
        let mentor = self
            .conn
            .prepare_cached("SELECT rating, comment, pairing_fits FROM mentor_feedback WHERE booking_id = ?1")?
            .query_row([booking_id], given)
            .optional()?;
        let (booker, resource, start, kind): (String, String, i64, String) = self.conn.query_row(
            "SELECT b.booker_id, b.resource_id, b.start_at, r.kind FROM booking b JOIN resource r ON r.id = b.resource_id WHERE b.id = ?1",
            [booking_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let before: u32 = self
            .conn
            .prepare_cached(PAIR_SESSIONS_BEFORE_SQL)?
            .query_row(rusqlite::params![booker, resource, start], |r| r.get(0))?;
        Ok(SessionFeedback { founder, mentor, asks_pairing: kind == "mentor" && before == 0 })
    }
}
