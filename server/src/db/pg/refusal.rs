//! A mutation refused for good, on PostgreSQL: its answer, and the booking it asked for kept
//! as declined with the reason (for its booker alone to learn by pull). Shared by the locking,
//! optimistic and batch paths, so each keeps a refusal the same way.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use incubook::CoreError;
use incubook::error::Rejection;
use incubook::i18n::Lang;
use incubook::sync::{BookingAsked, Mutation, MutationOutcome};
use postgres::types::ToSql;

/// The answer to a mutation refused for good.
pub(super) fn refused(id: i64, error: &CoreError) -> MutationOutcome {
    MutationOutcome { id, applied: false, code: Some(error.code()), message: Some(error.message(Lang::En)) }
}

/// A refused new booking kept as declined with its reason (`$8`): the row and its values
/// `$1`–`$7`, to be followed by a `FROM` if any and `WHERE DECLINED_CONDITIONS`.
pub(super) const DECLINED_COLUMNS: &str = "INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, topic,
                                     created_at, updated_at, rejection)
    SELECT $1::text, $2::text, $3::text, $4::bigint, $5::bigint, 'declined', $6::text, $7::bigint, $7::bigint, $8::text";

/// Only when the row can stand: a known resource and booker, a fresh id, a sane span.
pub(super) const DECLINED_CONDITIONS: &str = "EXISTS(SELECT 1 FROM resource WHERE id = $2::text)
    AND EXISTS(SELECT 1 FROM person WHERE id = $3::text) AND NOT EXISTS(SELECT 1 FROM booking WHERE id = $1::text)
    AND $5::bigint > $4::bigint AND length($1::text) BETWEEN 1 AND 64 AND length($6::text) <= 500";

/// The values of `DECLINED_COLUMNS`' `$1`–`$8`: the booking a refused mutation asked for, kept
/// as declined with the reason.
pub(super) struct Declined<'a> {
    asked: BookingAsked<'a>,
    span: (i64, i64),
    now: i64,
    rejection: String,
}

impl<'a> Declined<'a> {
    pub(super) fn of(mutation: &'a Mutation, person: &'a str, error: &CoreError, now: DateTime<Utc>) -> Option<Declined<'a>> {
        let asked = mutation.kept_declined(person, error)?;
        let rejection = serde_json::to_string(&Rejection::of(error)).unwrap_or_default();
        Some(Declined { span: (asked.start.timestamp(), asked.end.timestamp()), asked, now: now.timestamp(), rejection })
    }

    /// The booking asked for, its span, the time of the refusal and the reason as JSON.
    pub(super) fn parts(&self) -> (&BookingAsked<'a>, (i64, i64), i64, &str) {
        (&self.asked, self.span, self.now, &self.rejection)
    }

    pub(super) fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        let a = &self.asked;
        vec![&a.id, &a.resource_id, &a.booker_id, &self.span.0, &self.span.1, &a.topic, &self.now, &self.rejection]
    }
}

pub(super) static DECLINED_SQL: LazyLock<String> = LazyLock::new(|| format!("{DECLINED_COLUMNS} WHERE {DECLINED_CONDITIONS}"));
