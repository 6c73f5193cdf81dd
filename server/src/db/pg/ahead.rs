//! New bookings on PostgreSQL's fast paths (`optimistic.rs`, `batch.rs`): one statement reads
//! ahead every fact `apply` needs for a `Book` (`context_columns`), the core's own `apply`
//! runs over those facts ([`ReadAhead`]), and the effects it decided — or the refusal that
//! `consume_refused` decided — are kept in [`Effects`] to be written in one statement
//! (`effects_sql`). The decision is the one every backend makes; only the reading and the
//! writing are batched. A fact not read ahead, or a write these paths do not make, answers
//! [`NotReadAhead`], and the booking goes the locking way, which reads and writes anything.

use incubook_core::apply::apply;
use incubook_core::decide::Actor;
use incubook_core::domain::{BookingStatus, Id, Role, new_id};
use incubook_core::interval::Span;
use incubook_core::ledger::*;
use incubook_core::protocol::{BookingAsked, Mutation, RefusalLedger, ResentBookings, ToldBooker, consume_refused};
use incubook_core::tables::SyncedTable;
use incubook_core::usage::{NO_SHOW_WINDOW_DAYS, UsageRules};
use incubook_core::{CoreError, availability::Days};
use incubook_sqlite::store::{ResourceRules, usage_rules_of};
use std::collections::HashMap;
use std::sync::LazyLock;

use postgres::GenericClient;
use postgres::types::ToSql;

use super::bookings::{Failure, MAX_BOOKING_SECONDS, RULES_COLUMNS, Res, parse_rules};
use super::sql::Sql;

/// `Days::covering` reaches at most eight days and fourteen hours (the widest UTC offset) either
/// side of a request: a resource with a daily or weekly cap counts the bookings that start
/// within nine days of it, and the rows outside the request's weeks are dropped in Rust.
const CAP_WINDOW_SECONDS: i64 = 9 * 86_400;

/// What `apply` needs about new bookings, one row per booking of `$1`–`$6` (id, booker,
/// resource, start, end, time of the push), numbered from 1: the resource's rules, whether the
/// booking id is taken, the booker's roles, the resource's busy spans, the booker's
/// qualification, the mentor, the lab managers who decide on requests (only where the
/// resource asks for approval), the booker's upcoming bookings of it (only where the policy
/// limits them) and the calendar's counter. What belongs to a resource or a person is read
/// once however many of the bookings share it.
///
/// The busy spans are those the rules can see from the requests: bookings that come within
/// twice the buffers of them (a booking's buffers and the request's), and, where the
/// resource has a cap, every booking that starts in the weeks around them. A resource
/// without caps reads a few rows instead of every booking of four weeks.
static CONTEXT_SQL: LazyLock<String> = LazyLock::new(|| {
    let capped = "(r.max_per_day IS NOT NULL OR r.max_per_week IS NOT NULL)";
    let reach =
        format!("(CASE WHEN {capped} THEN {CAP_WINDOW_SECONDS} ELSE 0 END + 120 * (r.buffer_before_min + r.buffer_after_min))");
    let no_show_window = NO_SHOW_WINDOW_DAYS * 86_400;
    format!(
        "WITH i AS MATERIALIZED (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[])
             WITH ORDINALITY AS i(booking, person, resource, start_at, end_at, now, n)),
         r(id, resource, overrides, blackouts, busy, mentor, managers, limited, seq, usage, no_show_limit) AS MATERIALIZED (
           SELECT r.id, {RULES_COLUMNS},
             (SELECT coalesce(json_agg(json_build_array(b.start_at, b.end_at)), '[]') FROM booking b
                WHERE b.resource_id = r.id AND b.status IN ('requested', 'confirmed') AND b.deleted = 0
                  AND b.start_at > w.lo - {reach} - {MAX_BOOKING_SECONDS} AND b.start_at < w.hi + {reach})::text,
             (SELECT json_build_array(m.person_id, m.visibility) FROM mentor m WHERE m.resource_id = r.id)::text,
             CASE WHEN r.kind <> 'mentor' AND r.approval_required <> 0 THEN
               (SELECT coalesce(json_agg(pr.person_id), '[]') FROM person_role pr
                  WHERE pr.makerspace_id = r.makerspace_id AND pr.role = 'lab_manager')::text END,
             r.max_per_person IS NOT NULL,
             coalesce((SELECT c.seq FROM resource_calendar c WHERE c.resource_id = r.id), 0),
             e.usage, coalesce(e.no_show_limit, 0)
           FROM (SELECT resource, min(start_at) AS lo, max(end_at) AS hi FROM i GROUP BY resource) w
             JOIN resource r ON r.id = w.resource AND r.deleted = 0
             LEFT JOIN LATERAL (SELECT json_build_array(e.check_in_opens_min, e.no_show_after_min, e.close_grace_min,
                                                        e.approval_after_no_shows)::text AS usage,
                                       e.approval_after_no_shows AS no_show_limit
                                FROM equipment e WHERE e.resource_id = r.id) e ON true),
         who(person, roles, startup) AS MATERIALIZED (
           SELECT d.person, (SELECT json_agg(json_build_array(pr.makerspace_id, pr.role)) FROM person p
                               LEFT JOIN person_role pr ON pr.person_id = p.id WHERE p.id = d.person AND p.deleted = 0)::text,
             (SELECT sm.startup_id FROM startup_member sm WHERE sm.person_id = d.person)
           FROM (SELECT DISTINCT person FROM i) d)
         SELECT i.n, r.resource, r.overrides, r.blackouts,
           EXISTS(SELECT 1 FROM booking WHERE id = i.booking),
           who.roles, r.busy,
           (SELECT json_build_array(q.expires_at) FROM qualification q WHERE q.person_id = i.person AND q.resource_id = r.id)::text,
           r.mentor, r.managers,
           CASE WHEN r.limited THEN
             (SELECT count(*) FROM booking h WHERE h.resource_id = r.id AND h.booker_id = i.person AND h.end_at > i.now
                AND h.status IN ('requested', 'confirmed') AND h.deleted = 0) END,
           r.seq, r.usage,
           CASE WHEN r.no_show_limit > 0 THEN
             (SELECT count(*) FROM booking n WHERE n.booker_id = i.person AND n.status = 'no_show' AND n.deleted = 0
                AND n.start_at >= i.now - {no_show_window}) END,
           who.startup
         FROM i JOIN r ON r.id = i.resource JOIN who ON who.person = i.person"
    )
});

/// A new booking whose context is read.
pub(super) struct Asked<'a> {
    pub booking_id: &'a str,
    pub person: &'a str,
    pub resource_id: &'a str,
    /// The validated request.
    pub request: Span,
    pub now: i64,
}

/// What the bookings of one resource share: its rules, busy spans, mentor and lab managers.
type Shared = (ResourceRules, Vec<Span>, Option<MentorFacts>, Option<Vec<Id>>, Option<UsageRules>);

/// The context of each booking, in order; `None` where its resource is missing.
pub(super) fn read_contexts<'a, C: GenericClient>(sql: &mut Sql<'_, C>, asked: &[Asked<'a>]) -> Res<Vec<Option<Context>>> {
    let column = |f: fn(&Asked<'a>) -> &'a str| asked.iter().map(f).collect::<Vec<_>>();
    let number = |f: fn(&Asked<'a>) -> i64| asked.iter().map(f).collect::<Vec<_>>();
    let (ids, people, resources) = (column(|a| a.booking_id), column(|a| a.person), column(|a| a.resource_id));
    let (starts, ends, nows) = (number(|a| a.request.start), number(|a| a.request.end), number(|a| a.now));
    let rows = sql.query(&CONTEXT_SQL, &[&ids, &people, &resources, &starts, &ends, &nows])?;
    let mut contexts: Vec<Option<Context>> = asked.iter().map(|_| None).collect();
    // What a resource shares among its bookings is parsed once.
    let mut shared: HashMap<String, Shared> = HashMap::new();
    for row in rows {
        let n = usize::try_from(row.get::<_, i64>(0) - 1).map_err(|_| Failure::Corrupt("an unnumbered context".into()))?;
        let Some((a, slot)) = asked.get(n).zip(contexts.get_mut(n)) else {
            return Err(Failure::Corrupt(format!("context {n} of {}", asked.len())));
        };
        let corrupt = |e: serde_json::Error| Failure::Corrupt(format!("booking context of {}: {e}", a.resource_id));
        let json = |i: usize| row.get::<_, Option<&str>>(i);
        if !shared.contains_key(a.resource_id) {
            let rules = parse_rules(a.resource_id, row.get(1), row.get(2), row.get(3))?;
            let busy: Vec<(i64, i64)> = serde_json::from_str(json(6).unwrap_or("[]")).map_err(corrupt)?;
            let busy = busy.into_iter().map(|(start, end)| Span::new(start, end));
            let mentor = json(8)
                .map(|text| {
                    serde_json::from_str::<(Id, String)>(text).map(|(person_id, visibility): (String, String)| MentorFacts {
                        person_id,
                        visibility: incubook_core::domain::Visibility::from_stored(&visibility),
                    })
                })
                .transpose()
                .map_err(corrupt)?;
            let lab_managers = json(9).map(serde_json::from_str::<Vec<Id>>).transpose().map_err(corrupt)?;
            let usage = json(12).map(serde_json::from_str::<[i64; 4]>).transpose().map_err(corrupt)?.map(usage_rules_of);
            shared.insert(a.resource_id.to_string(), (rules, busy.collect(), mentor, lab_managers, usage));
        }
        let Some((rules, busy, mentor, lab_managers, usage_rules)) = shared.get(a.resource_id) else { continue };
        let actor = match json(5) {
            None => None,
            Some(roles) => {
                let roles: Vec<(Option<String>, Option<String>)> = serde_json::from_str(roles).map_err(corrupt)?;
                let roles =
                    roles.into_iter().filter_map(|(makerspace, role)| Some((makerspace?, Role::parse(&role?).ok()?))).collect();
                // A booking's decisions never ask whether its maker works for the district.
                Some(Actor { id: a.person.to_string(), roles, district_operator: false })
            }
        };
        let expires =
            json(7).map(|text| serde_json::from_str::<(Option<i64>,)>(text).map(|e| e.0)).transpose().map_err(corrupt)?;
        *slot = Some(Context {
            booking_id: a.booking_id.to_string(),
            busy: within_weeks(rules, a.request, busy.iter().copied()),
            rules: rules.clone(),
            taken: row.get(4),
            actor,
            expires,
            mentor: mentor.clone(),
            lab_managers: lab_managers.clone(),
            holding: row.get::<_, Option<i64>>(10).map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
            now: a.now,
            seq: row.get(11),
            usage_rules: usage_rules.clone(),
            no_shows: row.get::<_, Option<i64>>(13).map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
            startup: row.get(14),
        });
    }
    Ok(contexts)
}

/// What the read found for one new booking.
pub(super) struct Context {
    pub booking_id: String,
    pub rules: ResourceRules,
    pub taken: bool,
    pub actor: Option<Actor>,
    /// The resource's active bookings over the weeks the request's caps count.
    pub busy: Vec<Span>,
    pub expires: Option<Option<i64>>,
    pub mentor: Option<MentorFacts>,
    /// Read only where a request for approval would tell them.
    pub lab_managers: Option<Vec<Id>>,
    /// Read only where the policy limits a person's bookings.
    pub holding: Option<u32>,
    /// The time the holding (and the no-shows' window) was counted from.
    pub now: i64,
    pub seq: i64,
    /// An instrument's check-in rules; `None` for a mentor.
    pub usage_rules: Option<UsageRules>,
    /// The booker's recent no-shows, read only where the instrument asks for approval after some.
    pub no_shows: Option<u32>,
    /// The startup the booker is a member of.
    pub startup: Option<Id>,
}

/// The same rows as `bookings::load_busy` over the weeks `check_booking` counts.
fn within_weeks(rules: &ResourceRules, request: Span, spans: impl Iterator<Item = Span>) -> Vec<Span> {
    let weeks = Days::covering(rules.tz, request).span();
    spans.filter(|s| s.start < weeks.end && s.start > weeks.start - MAX_BOOKING_SECONDS && s.end > weeks.start).collect()
}

/// A fact `apply` asked for that was not read ahead, or a write these paths do not make.
#[derive(Debug)]
pub(super) struct NotReadAhead;

/// Bookings accepted earlier in the same statement: they hold their slots for the later ones.
#[derive(Default)]
pub(super) struct Earlier<'a> {
    pub spans: &'a [Span],
    /// How many of them are the booker's own.
    pub own: u32,
}

/// A ledger over one `Context`: `apply` reads the facts read ahead and its effects are kept.
pub(super) struct ReadAhead<'a> {
    pub person: &'a str,
    pub context: &'a Context,
    pub earlier: Earlier<'a>,
    pub effects: &'a mut Effects,
}

type Ahead<T> = std::result::Result<T, NotReadAhead>;

impl ReadAhead<'_> {
    fn resource(&self, resource_id: &str) -> Ahead<()> {
        if resource_id == self.context.rules.id { Ok(()) } else { Err(NotReadAhead) }
    }

    fn booker(&self, person_id: &str) -> Ahead<()> {
        if person_id == self.person { Ok(()) } else { Err(NotReadAhead) }
    }
}

impl RecordLedger for ReadAhead<'_> {
    type Error = NotReadAhead;

    fn exists(&mut self, entity: Entity, id: &str) -> Ahead<bool> {
        match entity {
            Entity::Booking if id == self.context.booking_id => Ok(self.context.taken),
            _ => Err(NotReadAhead),
        }
    }

    fn write_record(&mut self, effect: RecordEffect<'_>) -> Ahead<()> {
        let e = &mut *self.effects;
        match effect {
            RecordEffect::Audit { actor_id, action, entity, entity_id, detail, at } => {
                e.audit_ats.push(at);
                e.audit_actors.push(actor_id.to_string());
                e.audit_actions.push(action.to_string());
                e.audit_entities.push(entity.to_string());
                e.audit_ids.push(entity_id.to_string());
                e.audit_details.push(detail.to_string());
            }
            RecordEffect::Notify { person_id, kind, booking_id, resource_id, detail, at } => {
                e.notice_ids.push(new_id());
                e.notice_people.push(person_id.to_string());
                e.notice_kinds.push(kind.to_string());
                e.notice_bookings.push(booking_id.map(str::to_string));
                e.notice_resources.push(resource_id.map(str::to_string));
                e.notice_details.push(detail.to_string());
                e.notice_ats.push(at);
            }
        }
        Ok(())
    }
}

impl BookingLedger for ReadAhead<'_> {
    fn busy(&mut self, resource_id: &str, window: Span, except: Option<&str>) -> Ahead<Vec<Span>> {
        self.resource(resource_id)?;
        if except.is_some() {
            return Err(NotReadAhead);
        }
        let read = self.context.busy.iter().chain(self.earlier.spans);
        Ok(read.filter(|s| s.start < window.end && s.end > window.start).copied().collect())
    }

    fn holding(&mut self, person_id: &str, resource_id: &str, after: i64, except: Option<&str>) -> Ahead<u32> {
        self.booker(person_id)?;
        self.resource(resource_id)?;
        match self.context.holding {
            Some(held) if except.is_none() && after == self.context.now => Ok(held.saturating_add(self.earlier.own)),
            _ => Err(NotReadAhead),
        }
    }

    fn booking(&mut self, _id: &str) -> Ahead<Option<StoredBooking>> {
        Err(NotReadAhead)
    }

    fn first_waiting(&mut self, _resource_id: &str, _freed: Span) -> Ahead<Option<(Id, Id)>> {
        Err(NotReadAhead)
    }

    fn active_bookings(&mut self, _resource_id: &str, _after: i64) -> Ahead<Vec<StoredBooking>> {
        Err(NotReadAhead)
    }

    fn series_of(&mut self, _booking_id: &str) -> Ahead<Vec<incubook_core::ledger::SeriesMember>> {
        Err(NotReadAhead)
    }

    fn unanswered_requests(&mut self, _before: i64) -> Ahead<Vec<StoredBooking>> {
        Err(NotReadAhead)
    }

    fn write_booking(&mut self, effect: BookingEffect<'_>) -> Ahead<()> {
        let e = &mut *self.effects;
        match effect {
            BookingEffect::InsertBooking { id, resource_id, booker_id, startup_id, span, status, topic, at } => {
                e.booking((id, resource_id, booker_id, topic), span, status, at, None);
                e.startups.push(startup_id.map(str::to_string));
            }
            _ => return Err(NotReadAhead),
        }
        Ok(())
    }
}

impl CalendarLedger for ReadAhead<'_> {
    /// The batch holds the calendars' locks; a single booking writes only if its calendar's
    /// counter is still the one read.
    fn rules(&mut self, resource_id: &str, _lock: bool) -> Ahead<Option<ResourceRules>> {
        self.resource(resource_id)?;
        Ok(Some(self.context.rules.clone()))
    }

    fn owner_of(&mut self, _row: OwnedRow<'_>) -> Ahead<Option<Id>> {
        Err(NotReadAhead)
    }

    fn write_calendar(&mut self, _effect: CalendarEffect<'_>) -> Ahead<()> {
        Err(NotReadAhead)
    }
}

impl MentorLedger for ReadAhead<'_> {
    fn mentor(&mut self, resource_id: &str) -> Ahead<Option<MentorFacts>> {
        self.resource(resource_id)?;
        Ok(self.context.mentor.clone())
    }

    fn pair_sessions_before(&mut self, _booker_id: &str, _resource_id: &str, _start: i64) -> Ahead<u32> {
        Err(NotReadAhead)
    }

    fn mentor_places(&mut self, _resource_id: &str) -> Ahead<Option<incubook_core::ledger::MentorPlaces>> {
        Err(NotReadAhead)
    }

    fn mentor_sessions(&mut self, _window: Span) -> Ahead<Vec<MentorSession>> {
        Err(NotReadAhead)
    }

    fn write_mentor(&mut self, _effect: MentorEffect<'_>) -> Ahead<()> {
        Err(NotReadAhead)
    }
}

impl LabLedger for ReadAhead<'_> {
    fn qualification(&mut self, person_id: &str, resource_id: &str) -> Ahead<Option<Option<i64>>> {
        self.booker(person_id)?;
        self.resource(resource_id)?;
        Ok(self.context.expires)
    }

    fn lab_home(&mut self, _lab_id: &str) -> Ahead<Option<(Id, String)>> {
        Err(NotReadAhead)
    }

    fn rates(&mut self, _resource_id: &str) -> Ahead<Option<incubook_core::usage::Rates>> {
        Err(NotReadAhead)
    }

    fn usage_rules(&mut self, resource_id: &str) -> Ahead<Option<UsageRules>> {
        self.resource(resource_id)?;
        Ok(self.context.usage_rules.clone())
    }

    fn write_lab(&mut self, _effect: LabEffect<'_>) -> Ahead<()> {
        Err(NotReadAhead)
    }
}

impl UsageLedger for ReadAhead<'_> {
    fn usage_session(
        &mut self,
        _key: incubook_core::ledger::SessionKey<'_>,
    ) -> Ahead<Option<incubook_core::ledger::StoredSession>> {
        Err(NotReadAhead)
    }

    fn open_sessions(&mut self, _resource_id: &str) -> Ahead<Vec<incubook_core::ledger::StoredSession>> {
        Err(NotReadAhead)
    }

    fn no_shows(&mut self, person_id: &str, since: i64) -> Ahead<u32> {
        self.booker(person_id)?;
        match self.context.no_shows {
            Some(missed) if since == UsageRules::no_show_window_start(self.context.now) => Ok(missed),
            _ => Err(NotReadAhead),
        }
    }

    fn unchecked_started(&mut self, _now: i64) -> Ahead<Vec<StoredBooking>> {
        Err(NotReadAhead)
    }

    fn open_after_end(&mut self, _now: i64) -> Ahead<Vec<incubook_core::ledger::StoredSession>> {
        Err(NotReadAhead)
    }

    fn write_usage(&mut self, _effect: UsageEffect<'_>) -> Ahead<()> {
        Err(NotReadAhead)
    }
}

impl OfficeLedger for ReadAhead<'_> {
    fn office_block(&mut self, _id: &str, _lock: bool) -> Ahead<Option<incubook_core::office::StoredBlock>> {
        Err(NotReadAhead)
    }

    fn seats(&mut self, _block_id: &str) -> Ahead<Vec<incubook_core::office::StoredSeat>> {
        Err(NotReadAhead)
    }

    fn write_office(&mut self, _effect: OfficeEffect<'_>) -> Ahead<()> {
        Err(NotReadAhead)
    }
}

impl EventLedger for ReadAhead<'_> {
    fn event(&mut self, _id: &str, _lock: bool) -> Ahead<Option<incubook_core::events::StoredEvent>> {
        Err(NotReadAhead)
    }

    fn registrations(&mut self, _event_id: &str) -> Ahead<Vec<incubook_core::events::Registration>> {
        Err(NotReadAhead)
    }

    fn write_event(&mut self, _effect: EventEffect<'_>) -> Ahead<()> {
        Err(NotReadAhead)
    }
}

impl StartupLedger for ReadAhead<'_> {
    fn startup(&mut self, _id: &str) -> Ahead<Option<incubook_core::startup::StoredStartup>> {
        Err(NotReadAhead)
    }

    fn startup_of(&mut self, person_id: &str) -> Ahead<Option<Id>> {
        self.booker(person_id)?;
        Ok(self.context.startup.clone())
    }

    fn startup_by_credit_code(&mut self, _code: &str) -> Ahead<Option<(Id, String)>> {
        Err(NotReadAhead)
    }

    fn write_startup(&mut self, _effect: StartupEffect<'_>) -> Ahead<()> {
        Err(NotReadAhead)
    }
}

/// A booking reads nothing of calls.
impl CallLedger for ReadAhead<'_> {
    fn programme(&mut self, _code: &str) -> Ahead<Option<incubook_core::calls::NewProgramme>> {
        Err(NotReadAhead)
    }

    fn call(&mut self, _id: &str) -> Ahead<Option<incubook_core::calls::application::StoredCall>> {
        Err(NotReadAhead)
    }

    fn call_in_batch(&mut self, _programme_code: &str, _year: u16, _batch: u8) -> Ahead<Option<Id>> {
        Err(NotReadAhead)
    }

    fn application(&mut self, _id: &str) -> Ahead<Option<incubook_core::calls::application::StoredApplication>> {
        Err(NotReadAhead)
    }

    fn applications_of_call(&mut self, _call_id: &str) -> Ahead<Vec<incubook_core::calls::application::ApplicationBrief>> {
        Err(NotReadAhead)
    }

    fn led_ongoing(&mut self, _programme_code: &str, _person_id: &str, _except: &str) -> Ahead<u32> {
        Err(NotReadAhead)
    }

    fn take_serial(&mut self, _programme_code: &str, _year: u16) -> Ahead<Option<u32>> {
        Err(NotReadAhead)
    }

    fn write_call(&mut self, _effect: CallEffect<'_>) -> Ahead<()> {
        Err(NotReadAhead)
    }
}

impl MoneyLedger for ReadAhead<'_> {
    fn allocation(&mut self, _id: &str) -> Ahead<Option<(Id, Id)>> {
        Err(NotReadAhead)
    }

    fn write_money(&mut self, _effect: MoneyEffect<'_>) -> Ahead<()> {
        Err(NotReadAhead)
    }
}

impl DirectoryLedger for ReadAhead<'_> {
    fn actor(&mut self, person_id: &str) -> Ahead<Option<Actor>> {
        self.booker(person_id)?;
        Ok(self.context.actor.clone())
    }

    fn lab_managers(&mut self, makerspace_id: &str) -> Ahead<Vec<Id>> {
        match &self.context.lab_managers {
            Some(managers) if makerspace_id == self.context.rules.makerspace_id => Ok(managers.clone()),
            _ => Err(NotReadAhead),
        }
    }

    fn makerspace(&mut self, _key: MakerspaceKey<'_>) -> Ahead<Option<incubook_core::domain::Makerspace>> {
        Err(NotReadAhead)
    }

    fn person_name(&mut self, _person_id: &str) -> Ahead<Option<String>> {
        Err(NotReadAhead)
    }

    fn write_directory(&mut self, _effect: DirectoryEffect<'_>) -> Ahead<()> {
        Err(NotReadAhead)
    }
}

/// Decides a new booking of `person` over the facts read ahead, as mutation `id` of
/// `client_id`: `Ok(None)` when applied, `Ok(Some(refusal))` when refused and consumed, its
/// rows added to `effects` either way; nothing added when a fact was not read ahead.
pub(super) fn decide(
    effects: &mut Effects,
    (person, client_id, id): (&str, &str, i64),
    context: &Context,
    earlier: Earlier<'_>,
    mutation: &Mutation,
    now: i64,
) -> Ahead<Option<CoreError>> {
    let mut mine = Effects::default();
    let decided = apply(&mut ReadAhead { person, context, earlier, effects: &mut mine }, person, mutation, now);
    let refusal = match decided {
        Ok(()) => None,
        Err(ApplyError::Storage(e)) => return Err(e),
        Err(ApplyError::Decided(refusal)) => {
            mine = Effects::default();
            let mut consumed = Refusals { effects: &mut mine, client_id, id, context };
            consume_refused(&mut consumed, person, Some(mutation), &refusal, now)?;
            Some(refusal)
        }
    };
    effects.append(mine);
    Ok(refusal)
}

/// The rows a fast path writes, column by column, for `effects_sql`.
#[derive(Default)]
pub(super) struct Effects {
    ids: Vec<String>,
    resources: Vec<String>,
    bookers: Vec<String>,
    starts: Vec<i64>,
    ends: Vec<i64>,
    statuses: Vec<&'static str>,
    topics: Vec<String>,
    ats: Vec<i64>,
    rejections: Vec<Option<String>>,
    audit_ats: Vec<i64>,
    audit_actors: Vec<String>,
    audit_actions: Vec<String>,
    audit_entities: Vec<String>,
    audit_ids: Vec<String>,
    audit_details: Vec<String>,
    notice_ids: Vec<String>,
    notice_people: Vec<String>,
    notice_kinds: Vec<String>,
    notice_bookings: Vec<Option<String>>,
    notice_resources: Vec<Option<String>>,
    notice_details: Vec<String>,
    notice_ats: Vec<i64>,
    failed_clients: Vec<String>,
    failed_ids: Vec<i64>,
    failed_codes: Vec<String>,
    failed_messages: Vec<String>,
    tombstone_tables: Vec<String>,
    tombstone_keys: Vec<String>,
    /// The booking rows' startups, beside `ids`.
    startups: Vec<Option<String>>,
}

/// How many parameters `effects_sql` takes.
pub(super) const EFFECT_PARAMS: usize = 29;

impl Effects {
    /// A booking row: (id, resource, booker, topic).
    fn booking(
        &mut self,
        (id, resource, booker, topic): (&str, &str, &str, &str),
        span: Span,
        status: BookingStatus,
        at: i64,
        rejection: Option<&str>,
    ) {
        self.ids.push(id.to_string());
        self.resources.push(resource.to_string());
        self.bookers.push(booker.to_string());
        self.starts.push(span.start);
        self.ends.push(span.end);
        self.statuses.push(status.as_str());
        self.topics.push(topic.to_string());
        self.ats.push(at);
        self.rejections.push(rejection.map(str::to_string));
    }

    pub(super) fn bookings(&self) -> usize {
        self.ids.len()
    }

    fn append(&mut self, mut other: Effects) {
        macro_rules! each {
            ($($field:ident),*) => { $(self.$field.append(&mut other.$field);)* };
        }
        each!(
            ids,
            resources,
            bookers,
            starts,
            ends,
            statuses,
            topics,
            ats,
            rejections,
            audit_ats,
            audit_actors,
            audit_actions,
            audit_entities,
            audit_ids,
            audit_details,
            notice_ids,
            notice_people,
            notice_kinds,
            notice_bookings,
            notice_resources,
            notice_details,
            notice_ats,
            failed_clients,
            failed_ids,
            failed_codes,
            failed_messages,
            tombstone_tables,
            tombstone_keys,
            startups
        );
    }

    /// The parameters of `effects_sql`, in its order.
    pub(super) fn params(&self) -> [&(dyn ToSql + Sync); EFFECT_PARAMS] {
        [
            &self.ids,
            &self.resources,
            &self.bookers,
            &self.starts,
            &self.ends,
            &self.statuses,
            &self.topics,
            &self.ats,
            &self.rejections,
            &self.audit_ats,
            &self.audit_actors,
            &self.audit_actions,
            &self.audit_entities,
            &self.audit_ids,
            &self.audit_details,
            &self.notice_ids,
            &self.notice_people,
            &self.notice_kinds,
            &self.notice_bookings,
            &self.notice_resources,
            &self.notice_details,
            &self.notice_ats,
            &self.failed_clients,
            &self.failed_ids,
            &self.failed_codes,
            &self.failed_messages,
            &self.tombstone_tables,
            &self.tombstone_keys,
            &self.startups,
        ]
    }
}

/// `Effects`' rows as data-modifying common table expressions over `unnest`s of `$1`–`$29`,
/// each written only where `gate` holds; `booked` returns the ids of the bookings written.
pub(super) fn effects_sql(gate: &str) -> String {
    format!(
        "booked AS (
           INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, topic, created_at, updated_at, rejection,
                               startup_id)
           SELECT id, resource, booker, s, e, status, topic, at, at, rejection, startup
           FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::bigint[], $9::text[],
                       $29::text[])
             AS b(id, resource, booker, s, e, status, topic, at, rejection, startup)
           WHERE {gate}
           RETURNING id),
         audited AS (
           INSERT INTO audit_log(at, actor_id, action, entity, entity_id, detail)
           SELECT * FROM unnest($10::bigint[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[]) WHERE {gate}),
         noticed AS (
           INSERT INTO notification(id, person_id, kind, booking_id, resource_id, detail, created_at)
           SELECT * FROM unnest($16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::bigint[])
           WHERE {gate}),
         failed AS (
           INSERT INTO sync_failure(client_id, mutation_id, code, message)
           SELECT * FROM unnest($23::text[], $24::bigint[], $25::text[], $26::text[]) WHERE {gate}
           ON CONFLICT (client_id, mutation_id) DO UPDATE SET code = excluded.code, message = excluded.message),
         tombstoned AS (
           INSERT INTO sync_tombstone(version, table_name, row_key)
           SELECT sync_version(), t, k FROM unnest($27::text[], $28::text[]) AS x(t, k) WHERE {gate})"
    )
}

/// A refusal's writes on a fast path (see `protocol::consume_refused`). The read found the
/// resource and the booker and no booking with the id, and the request was validated, so the
/// declined row can stand.
struct Refusals<'a> {
    effects: &'a mut Effects,
    client_id: &'a str,
    id: i64,
    context: &'a Context,
}

impl RefusalLedger for Refusals<'_> {
    type Error = NotReadAhead;

    fn record_failure(&mut self, code: &str, message: &str) -> Ahead<()> {
        let e = &mut *self.effects;
        e.failed_clients.push(self.client_id.to_string());
        e.failed_ids.push(self.id);
        e.failed_codes.push(code.to_string());
        e.failed_messages.push(message.to_string());
        Ok(())
    }

    fn keep_declined(&mut self, asked: &BookingAsked<'_>, rejection: &str, now: i64) -> Ahead<()> {
        let fresh = asked.id == self.context.booking_id && !self.context.taken && asked.resource_id == self.context.rules.id;
        if !fresh || self.context.actor.is_none() {
            return Err(NotReadAhead);
        }
        let span = Span::new(asked.start.timestamp(), asked.end.timestamp());
        let row = (asked.id, asked.resource_id, asked.booker_id, asked.topic);
        self.effects.booking(row, span, BookingStatus::Declined, now, Some(rejection));
        // A refused request was nobody's session.
        self.effects.startups.push(None);
        Ok(())
    }

    /// Only the booking asked for, which the read found missing.
    fn resend(&mut self, table: &SyncedTable, key: &[&str]) -> Ahead<bool> {
        match key {
            [id] if table.name == "booking" && *id == self.context.booking_id && !self.context.taken => Ok(false),
            _ => Err(NotReadAhead),
        }
    }

    fn tombstone(&mut self, table: &str, key: &str) -> Ahead<()> {
        self.effects.tombstone_tables.push(table.to_string());
        self.effects.tombstone_keys.push(key.to_string());
        Ok(())
    }

    fn resend_bookings(&mut self, _resent: &ResentBookings<'_>, _now: i64) -> Ahead<()> {
        Err(NotReadAhead)
    }

    fn resend_series(&mut self, _booking_id: &str) -> Ahead<()> {
        Err(NotReadAhead)
    }

    /// A check-in is not read ahead.
    fn tell_booker(&mut self, _told: &ToldBooker<'_>, _now: i64) -> Ahead<()> {
        Err(NotReadAhead)
    }
}
