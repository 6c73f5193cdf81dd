//! A new booking on PostgreSQL outside a batch (`batch.rs` takes pushes of new bookings only;
//! this takes the bookings of any other push, and those a batch hands back) in two round
//! trips: one statement reads everything the core's rules need together with the calendar's
//! counter (`resource_calendar`, V3), the rules decide in Rust, and one statement writes the
//! outcome — the booking, its audit entry and the client's acknowledgement — only if the
//! counter is still the one read. Every other change to
//! a calendar moves the counter under its lock (`bookings::lock_rules`), so a booking decided
//! on rows that changed since is decided again; the write is its own transaction, and the
//! calendar's lock is held for that one statement only. The exclusion constraint still backs
//! capacity-1 resources. Anything unusual (an approval to ask for, a missing row, a refusal
//! that is not a rule's) goes the locking way (`push::apply_once`), which handles every case.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use incubook::CoreError;
use incubook::apply::RequestFacts;
use incubook::availability::Days;
use incubook::decide::{self, Actor};
use incubook::domain::{BookingStatus, Role};
use incubook::interval::Span;
use incubook::store::ResourceRules;
use incubook::sync::{Mutation, MutationOutcome};
use postgres::types::ToSql;

use super::bookings::{Failure, MAX_BOOKING_SECONDS, RULES_COLUMNS, Res, parse_rules};
use super::refusal::{DECLINED_COLUMNS, DECLINED_CONDITIONS, Declined, refused};
use super::sql::PgConn;

/// Times a booking is decided again because its calendar changed meanwhile, before it waits
/// its turn on the locking way.
const ATTEMPTS: usize = 4;

/// `Days::covering` reaches at most eight days and fourteen hours (the widest UTC offset) either
/// side of a request: a resource with a daily or weekly cap counts the bookings that start
/// within nine days of it, and the rows outside the request's weeks are dropped in Rust.
const CAP_WINDOW_SECONDS: i64 = 9 * 86_400;

/// What the rules need about one booking, as columns over `resource r`: whether the booking
/// id is taken, the booker's roles, the resource's busy spans, the booker's qualification,
/// the mentor's visibility and the calendar's counter. The names are SQL expressions for the
/// booking's id, booker, start and end: parameters for one booking, columns of an `unnest`
/// for a batch.
///
/// The busy spans are those the rules can see from the request: bookings that come within
/// twice the buffers of it (a booking's buffers and the request's), and, where the resource
/// has a cap, every booking that starts in the weeks around it. A resource without caps
/// reads a few rows instead of every booking of four weeks.
pub(super) fn context_columns(booking: &str, person: &str, start: &str, end: &str) -> String {
    let capped = "(r.max_per_day IS NOT NULL OR r.max_per_week IS NOT NULL)";
    let margin = "(120 * (r.buffer_before_min + r.buffer_after_min))";
    let (near_lo, near_hi) = (format!("{start} - {margin}"), format!("{end} + {margin}"));
    let (cap_lo, cap_hi) = (format!("{start} - {CAP_WINDOW_SECONDS}"), format!("{end} + {CAP_WINDOW_SECONDS}"));
    format!(
        "{RULES_COLUMNS},
           EXISTS(SELECT 1 FROM booking WHERE id = {booking}),
           (SELECT json_agg(json_build_array(pr.makerspace_id, pr.role)) FROM person p
              LEFT JOIN person_role pr ON pr.person_id = p.id WHERE p.id = {person} AND p.deleted = 0)::text,
           (SELECT coalesce(json_agg(json_build_array(b.start_at, b.end_at)), '[]') FROM booking b
              WHERE b.resource_id = r.id AND b.status IN ('requested', 'confirmed') AND b.deleted = 0
                AND b.start_at > CASE WHEN {capped} THEN least({cap_lo}, {near_lo} - {MAX_BOOKING_SECONDS})
                                      ELSE {near_lo} - {MAX_BOOKING_SECONDS} END
                AND b.start_at < CASE WHEN {capped} THEN greatest({cap_hi}, {near_hi}) ELSE {near_hi} END
                AND (({capped} AND b.start_at >= {cap_lo} AND b.start_at < {cap_hi})
                     OR (b.end_at > {near_lo} AND b.start_at < {near_hi})))::text,
           (SELECT json_build_array(q.expires_at) FROM qualification q WHERE q.person_id = {person} AND q.resource_id = r.id)::text,
           (SELECT m.visibility FROM mentor m WHERE m.resource_id = r.id),
           coalesce((SELECT c.seq FROM resource_calendar c WHERE c.resource_id = r.id), 0)"
    )
}

/// The columns of `context_columns` after the rules' three.
const CONTEXT_WIDTH: usize = 9;

static CONTEXT_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {} FROM resource r WHERE r.id = $3 AND r.deleted = 0",
        context_columns("$1", "$2", "$4::bigint", "$5::bigint")
    )
});

/// The booking, written only if the calendar's counter is still `$12` (moving it on) and the
/// client's mutation is not taken yet; answers whether each held.
const BOOK_SQL: &str = "WITH bumped AS (
       INSERT INTO resource_calendar(resource_id, seq) VALUES ($2, 1)
       ON CONFLICT (resource_id) DO UPDATE SET seq = resource_calendar.seq + 1 WHERE resource_calendar.seq = $12
       RETURNING seq),
     claimed AS (
       UPDATE sync_client SET last_mutation_id = $11
       WHERE client_id = $10 AND last_mutation_id < $11 AND EXISTS (SELECT 1 FROM bumped) RETURNING client_id),
     booked AS (
       INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, topic, created_at, updated_at)
       SELECT $1::text, $2::text, $3::text, $4::bigint, $5::bigint, $6::text, $7::text, $8::bigint, $8::bigint FROM claimed
       RETURNING id),
     audited AS (
       INSERT INTO audit_log(at, actor_id, action, entity, entity_id, detail)
       SELECT $8::bigint, $3::text, 'book', 'booking', id, $9::text FROM booked)
     SELECT (SELECT count(*) FROM bumped), (SELECT count(*) FROM claimed)";

/// The refusal: the client's mutation taken, the failure recorded and the booking kept as
/// declined with its reason; answers whether the mutation was still the client's to take.
static REFUSE_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH claimed AS (
           UPDATE sync_client SET last_mutation_id = $10 WHERE client_id = $9 AND last_mutation_id < $10 RETURNING client_id),
         failed AS (
           INSERT INTO sync_failure(client_id, mutation_id, code, message) SELECT client_id, $10, $11, $12 FROM claimed
           ON CONFLICT (client_id, mutation_id) DO UPDATE SET code = excluded.code, message = excluded.message),
         declined AS ({DECLINED_COLUMNS} FROM claimed WHERE {DECLINED_CONDITIONS})
         SELECT count(*) FROM claimed"
    )
});

/// What became of a booking tried this way.
pub(super) enum Booked {
    /// Decided: its outcome, or `None` when another push of the client took it first.
    Decided(Option<MutationOutcome>),
    /// To be applied the locking way.
    Locking,
}

/// What the read found for the decision.
pub(super) struct Context {
    pub rules: ResourceRules,
    pub taken: bool,
    pub actor: Option<Actor>,
    /// The resource's active bookings over the weeks the request's caps count.
    pub busy: Vec<Span>,
    pub expires: Option<Option<i64>>,
    pub mentor_visibility: Option<String>,
    pub seq: i64,
}

fn read(conn: &mut PgConn, person: &str, booking_id: &str, resource_id: &str, request: Span) -> Res<Option<Context>> {
    let row = conn.sql().query_opt(&CONTEXT_SQL, &[&booking_id, &person, &resource_id, &request.start, &request.end])?;
    row.map(|row| Context::of(&row, 0, person, resource_id, request)).transpose()
}

impl Context {
    /// The context from the `context_columns` of `row` that start at `at`.
    pub(super) fn of(row: &postgres::Row, at: usize, person: &str, resource_id: &str, request: Span) -> Res<Context> {
        let rules = parse_rules(resource_id, row.get(at), row.get(at + 1), row.get(at + 2))?;
        let corrupt = |e: serde_json::Error| Failure::Corrupt(format!("booking context of {resource_id}: {e}"));
        let actor = match row.get::<_, Option<&str>>(at + 4) {
            None => None,
            Some(roles) => {
                let roles: Vec<(Option<String>, Option<String>)> = serde_json::from_str(roles).map_err(corrupt)?;
                let roles =
                    roles.into_iter().filter_map(|(makerspace, role)| Some((makerspace?, Role::parse(&role?).ok()?))).collect();
                Some(Actor { id: person.to_string(), roles })
            }
        };
        let busy: Vec<(i64, i64)> = serde_json::from_str(row.get(at + 5)).map_err(corrupt)?;
        let busy = Context::within_weeks(&rules, request, busy.into_iter().map(|(start, end)| Span::new(start, end)));
        let expires = match row.get::<_, Option<&str>>(at + 6) {
            None => None,
            Some(text) => Some(serde_json::from_str::<(Option<i64>,)>(text).map_err(corrupt)?.0),
        };
        let (taken, mentor_visibility, seq) = (row.get(at + 3), row.get(at + 7), row.get(at + CONTEXT_WIDTH - 1));
        Ok(Context { rules, taken, actor, busy, expires, mentor_visibility, seq })
    }

    /// The same rows as `bookings::load_busy` over the weeks `check_booking` counts.
    pub(super) fn within_weeks(rules: &ResourceRules, request: Span, spans: impl Iterator<Item = Span>) -> Vec<Span> {
        let weeks = Days::covering(rules.tz, request).span();
        spans.filter(|s| s.start < weeks.end && s.start > weeks.start - MAX_BOOKING_SECONDS && s.end > weeks.start).collect()
    }
}

/// Decides and writes a `Book` for `person`, as mutation `id` of `client_id`.
pub(super) fn book(
    conn: &mut PgConn,
    person: &str,
    client_id: &str,
    id: i64,
    mutation: &Mutation,
    now: DateTime<Utc>,
) -> Res<Booked> {
    let Mutation::Book { booking_id, resource_id, start, end, topic } = mutation else {
        return Ok(Booked::Locking);
    };
    let (Ok(request), Ok(())) =
        (decide::validate_request(*start, *end, topic, now.timestamp()), decide::check_text("booking_id", booking_id, 64, true))
    else {
        return Ok(Booked::Locking);
    };
    for _ in 0..ATTEMPTS {
        let Some(context) = read(conn, person, booking_id, resource_id, request)? else {
            return Ok(Booked::Locking);
        };
        // A per-person limit needs the booker's own bookings, which this read does not take:
        // the locking way reads them.
        let Some(actor) = context.actor.as_ref().filter(|_| !context.taken && context.rules.policy.max_per_person.is_none())
        else {
            return Ok(Booked::Locking);
        };
        let rules = &context.rules;
        let visible = incubook::decide::visible_to(actor, rules, context.mentor_visibility.as_deref());
        let facts = RequestFacts { busy: &context.busy, expires: context.expires, visible, holding: 0 };
        match incubook::apply::decide_new_booking(actor, rules, &facts, request, now.timestamp()) {
            Ok(status) => {
                // A request for approval also tells the owners: the locking way does that.
                if status != BookingStatus::Confirmed {
                    return Ok(Booked::Locking);
                }
                let detail = serde_json::json!({"resource_id": rules.id, "start": request.start, "end": request.end, "status": status.as_str()});
                let row = conn.sql().query_one(
                    BOOK_SQL,
                    &[
                        booking_id,
                        &rules.id,
                        &person,
                        &request.start,
                        &request.end,
                        &status.as_str(),
                        &topic.trim(),
                        &now.timestamp(),
                        &detail.to_string(),
                        &client_id,
                        &id,
                        &context.seq,
                    ],
                )?;
                let (bumped, claimed): (i64, i64) = (row.get(0), row.get(1));
                if bumped == 0 {
                    continue;
                }
                let applied = MutationOutcome { id, applied: true, code: None, message: None };
                return Ok(Booked::Decided((claimed == 1).then_some(applied)));
            }
            Err(error) => return refuse(conn, person, client_id, id, mutation, &error, now),
        }
    }
    Ok(Booked::Locking)
}

fn refuse(
    conn: &mut PgConn,
    person: &str,
    client_id: &str,
    id: i64,
    mutation: &Mutation,
    error: &CoreError,
    now: DateTime<Utc>,
) -> Res<Booked> {
    let Some(declined) = Declined::of(mutation, person, error, now) else {
        return Ok(Booked::Locking);
    };
    let outcome = refused(id, error);
    let mut params = declined.params();
    params.extend([&client_id as &(dyn ToSql + Sync), &id, &outcome.code, &outcome.message]);
    let claimed: i64 = conn.sql().query_one(&REFUSE_SQL, &params)?.get(0);
    Ok(Booked::Decided((claimed == 1).then_some(outcome)))
}
