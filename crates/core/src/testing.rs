//! A ledger in memory, for tests (of this crate's users too): the same `apply` as every backend over plain maps, so the
//! model-based property test can run on memory, SQLite and PostgreSQL alike.

use std::collections::BTreeMap;
use std::convert::Infallible;

use crate::command::Command;
use crate::decide::Actor;
use crate::domain::{BookingStatus, DateOverride, Id, Makerspace, Role};
use crate::error::CoreError;
use crate::events::{Registration, StoredEvent};
use crate::interval::Span;
use crate::ledger::{
    ApplyError, Effect, Entity, Ledger, MakerspaceKey, MentorFacts, MentorPlaces, OwnedRow, SeriesMember, SessionKey,
    StoredBooking, StoredSession,
};
use crate::register::InstrumentRegister;
use crate::rules::ResourceRules;
use crate::startup::{Member, StoredStartup};
use crate::usage::{Fen, Rates, UsageRules};

/// A booking as the memory ledger keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryBooking {
    pub booking: StoredBooking,
    pub topic: String,
    pub reason: Option<String>,
    /// (series id, the start its rule gave it, the refusal of a skipped occurrence).
    pub series: Option<(Id, i64, Option<String>)>,
    pub created_at: i64,
    pub startup_id: Option<Id>,
}

#[derive(Debug, Clone, Default)]
pub struct MemoryLedger {
    pub people: BTreeMap<Id, Vec<(Id, Role)>>,
    pub resources: BTreeMap<Id, ResourceRules>,
    pub mentors: BTreeMap<Id, MentorFacts>,
    /// A mentor's formats and default places, when they keep any.
    pub mentor_places: BTreeMap<Id, MentorPlaces>,
    pub blocks: BTreeMap<Id, crate::office::StoredBlock>,
    /// allocation → (makerspace, startup, minutes with top-ups).
    pub allocations: BTreeMap<Id, (Id, Id, u32)>,
    pub top_ups: BTreeMap<Id, (Id, u32, String)>,
    /// (block, person) → seat.
    pub seats: BTreeMap<(Id, Id), crate::office::StoredSeat>,
    /// booking → (format, place).
    pub places: BTreeMap<Id, (crate::place::SessionFormat, Option<crate::place::SessionPlace>)>,
    pub bookings: BTreeMap<Id, MemoryBooking>,
    /// (person, resource) → expiry.
    pub qualifications: BTreeMap<(Id, Id), Option<i64>>,
    /// id → (resource, person, window, told at).
    pub waitlist: BTreeMap<Id, (Id, Id, Span, Option<i64>)>,
    pub notes: BTreeMap<Id, String>,
    pub feedback: BTreeMap<Id, (u8, String)>,
    pub mentor_feedback: BTreeMap<Id, (u8, String)>,
    /// (person, kind) in the order they were told.
    pub notifications: Vec<(Id, String)>,
    pub audit: Vec<(Id, String, Id)>,
    pub makerspaces: BTreeMap<Id, Makerspace>,
    /// lab id → (makerspace id, its timezone).
    pub labs: BTreeMap<Id, (Id, String)>,
    /// Person → name.
    pub names: BTreeMap<Id, String>,
    /// id → (resource, the override).
    pub overrides: BTreeMap<Id, (Id, DateOverride)>,
    /// Usage sessions with the fee charged at check-out.
    pub sessions: BTreeMap<Id, (StoredSession, Fen)>,
    /// Instrument → its rates.
    pub rates: BTreeMap<Id, Rates>,
    /// Instrument → its check-in and release rules.
    pub usage_rules: BTreeMap<Id, UsageRules>,
    /// Instrument → its register entry.
    pub registers: BTreeMap<Id, InstrumentRegister>,
    /// Person → the hash of their kiosk PIN.
    pub pins: BTreeMap<Id, Option<String>>,
    /// Events, and their registrations in the order made.
    pub events: BTreeMap<Id, StoredEvent>,
    pub registrations: BTreeMap<Id, Vec<Registration>>,
    /// Bookings whose booker was told their mentor's clock changes.
    pub zone_notices: std::collections::BTreeSet<Id>,
    /// Startups with their members and residencies, and each one's credit code.
    pub startups: BTreeMap<Id, (StoredStartup, Option<String>)>,
    /// Waitlist entries in the order they joined, for "first come, first told".
    joined: Vec<Id>,
}

impl MemoryLedger {
    /// Applies a command as one transaction: a refusal leaves the ledger as it was.
    pub fn apply(&mut self, person: &str, command: &Command, now: i64) -> Result<(), CoreError> {
        let before = self.clone();
        let result = crate::apply::apply(self, person, command, now).map_err(ApplyError::into_core);
        if result.is_err() {
            *self = before;
        }
        result
    }

    fn refresh_overrides(&mut self, resource_id: &str) {
        let mut list: Vec<DateOverride> =
            self.overrides.values().filter(|(r, _)| r == resource_id).map(|(_, o)| o.clone()).collect();
        list.sort_by_key(|o| o.date);
        if let Some(r) = self.resources.get_mut(resource_id) {
            r.overrides = list;
        }
    }

    /// Active bookings of a resource, by start.
    pub fn active_of(&self, resource_id: &str) -> Vec<&StoredBooking> {
        let mut out: Vec<&StoredBooking> = self
            .bookings
            .values()
            .map(|b| &b.booking)
            .filter(|b| b.resource_id == resource_id && b.status.holds_slot())
            .collect();
        out.sort_by_key(|b| (b.span.start, b.id.clone()));
        out
    }
}

impl Ledger for MemoryLedger {
    type Error = Infallible;

    fn actor(&mut self, person_id: &str) -> Result<Option<Actor>, Infallible> {
        Ok(self.people.get(person_id).map(|roles| Actor { id: person_id.to_string(), roles: roles.clone() }))
    }

    fn rules(&mut self, resource_id: &str, _lock: bool) -> Result<Option<ResourceRules>, Infallible> {
        Ok(self.resources.get(resource_id).cloned())
    }

    fn busy(&mut self, resource_id: &str, window: Span, except: Option<&str>) -> Result<Vec<Span>, Infallible> {
        Ok(self
            .bookings
            .values()
            .map(|b| &b.booking)
            .filter(|b| b.resource_id == resource_id && b.status.holds_slot() && Some(b.id.as_str()) != except)
            .filter(|b| b.span.start < window.end && b.span.end > window.start)
            .map(|b| b.span)
            .collect())
    }

    fn qualification(&mut self, person_id: &str, resource_id: &str) -> Result<Option<Option<i64>>, Infallible> {
        Ok(self.qualifications.get(&(person_id.to_string(), resource_id.to_string())).copied())
    }

    fn holding(&mut self, person_id: &str, resource_id: &str, after: i64, except: Option<&str>) -> Result<u32, Infallible> {
        let mine = self.active_of(resource_id).into_iter().filter(|b| b.booker_id == person_id && b.span.end > after);
        Ok(mine.filter(|b| Some(b.id.as_str()) != except).count() as u32)
    }

    fn mentor(&mut self, resource_id: &str) -> Result<Option<MentorFacts>, Infallible> {
        Ok(self.mentors.get(resource_id).cloned())
    }

    fn allocation(&mut self, id: &str) -> Result<Option<(Id, Id)>, Infallible> {
        Ok(self.allocations.get(id).map(|(m, s, _)| (m.clone(), s.clone())))
    }

    fn office_block(&mut self, id: &str, _lock: bool) -> Result<Option<crate::office::StoredBlock>, Infallible> {
        Ok(self.blocks.get(id).cloned())
    }

    fn seats(&mut self, block_id: &str) -> Result<Vec<crate::office::StoredSeat>, Infallible> {
        let mut seats: Vec<_> = self.seats.iter().filter(|((b, _), _)| b == block_id).map(|(_, s)| s.clone()).collect();
        seats.sort_by(|a, b| (a.at, &a.person_id).cmp(&(b.at, &b.person_id)));
        Ok(seats)
    }

    fn pair_sessions_before(&mut self, booker_id: &str, resource_id: &str, start: i64) -> Result<u32, Infallible> {
        let held = |b: &&MemoryBooking| {
            b.booking.booker_id == booker_id
                && b.booking.resource_id == resource_id
                && b.booking.span.start < start
                && matches!(b.booking.status, BookingStatus::Confirmed | BookingStatus::Completed)
        };
        Ok(self.bookings.values().filter(held).count() as u32)
    }

    fn mentor_places(&mut self, resource_id: &str) -> Result<Option<MentorPlaces>, Infallible> {
        let kept = self.mentor_places.get(resource_id).cloned();
        Ok(kept.or_else(|| self.mentors.contains_key(resource_id).then(MentorPlaces::default)))
    }

    fn booking(&mut self, id: &str) -> Result<Option<StoredBooking>, Infallible> {
        Ok(self.bookings.get(id).map(|b| b.booking.clone()))
    }

    fn exists(&mut self, entity: Entity, id: &str) -> Result<bool, Infallible> {
        Ok(match entity {
            Entity::Booking => self.bookings.contains_key(id),
            Entity::Person | Entity::LivePerson => self.people.contains_key(id),
            Entity::Waitlist => self.waitlist.contains_key(id),
            Entity::Feedback => self.feedback.contains_key(id),
            Entity::Allocation => self.allocations.contains_key(id),
            Entity::TopUp => self.top_ups.contains_key(id),
            Entity::MentorFeedback => self.mentor_feedback.contains_key(id),
            Entity::Resource => self.resources.contains_key(id),
            Entity::Lab => self.labs.contains_key(id),
            Entity::DateOverride => self.overrides.contains_key(id),
            Entity::Blackout => self.resources.values().any(|r| r.blackouts.iter().any(|b| b.id == id)),
            Entity::MentorPerson => self.mentors.values().any(|m| m.person_id == id),
            Entity::UsageSession => self.sessions.contains_key(id),
            Entity::Startup => self.startups.contains_key(id),
            Entity::ZoneChangeNotice => self.zone_notices.contains(id),
            Entity::Event => self.events.contains_key(id),
            Entity::Residency => self.startups.values().any(|(s, _)| s.residencies.iter().any(|r| r.id == id)),
        })
    }

    fn lab_managers(&mut self, makerspace_id: &str) -> Result<Vec<Id>, Infallible> {
        Ok(self
            .people
            .iter()
            .filter(|(_, roles)| roles.iter().any(|(m, r)| m == makerspace_id && *r == Role::LabManager))
            .map(|(id, _)| id.clone())
            .collect())
    }

    fn first_waiting(&mut self, resource_id: &str, freed: Span) -> Result<Option<(Id, Id)>, Infallible> {
        Ok(self.joined.iter().find_map(|id| {
            let (resource, person, window, told) = self.waitlist.get(id)?;
            let waits = resource == resource_id && told.is_none() && window.start < freed.end && window.end > freed.start;
            waits.then(|| (id.clone(), person.clone()))
        }))
    }

    fn makerspace(&mut self, key: MakerspaceKey<'_>) -> Result<Option<Makerspace>, Infallible> {
        Ok(match key {
            MakerspaceKey::Id(id) => self.makerspaces.get(id).cloned(),
            MakerspaceKey::Code(code) => self.makerspaces.values().find(|m| m.code == code).cloned(),
        })
    }

    fn lab_home(&mut self, lab_id: &str) -> Result<Option<(Id, String)>, Infallible> {
        Ok(self.labs.get(lab_id).cloned())
    }

    fn owner_of(&mut self, row: OwnedRow<'_>) -> Result<Option<Id>, Infallible> {
        Ok(match row {
            OwnedRow::DateOverride(id) => self.overrides.get(id).map(|(resource, _)| resource.clone()),
            OwnedRow::Blackout(id) => {
                self.resources.values().find(|r| r.blackouts.iter().any(|b| b.id == id)).map(|r| r.id.clone())
            }
        })
    }

    fn person_name(&mut self, person_id: &str) -> Result<Option<String>, Infallible> {
        Ok(self.people.contains_key(person_id).then(|| self.names.get(person_id).cloned().unwrap_or_default()))
    }

    fn active_bookings(&mut self, resource_id: &str, after: i64) -> Result<Vec<StoredBooking>, Infallible> {
        Ok(self.active_of(resource_id).into_iter().filter(|b| b.span.end > after).cloned().collect())
    }

    fn usage_session(&mut self, key: SessionKey<'_>) -> Result<Option<StoredSession>, Infallible> {
        Ok(match key {
            SessionKey::Id(id) => self.sessions.get(id).map(|(s, _)| s.clone()),
            SessionKey::Booking(id) => self.sessions.values().find(|(s, _)| s.booking_id == id).map(|(s, _)| s.clone()),
        })
    }

    fn rates(&mut self, resource_id: &str) -> Result<Option<Rates>, Infallible> {
        let equipment = self.resources.get(resource_id).is_some_and(|r| r.kind == crate::domain::ResourceKind::Equipment);
        Ok(equipment.then(|| self.rates.get(resource_id).cloned().unwrap_or_default()))
    }

    fn usage_rules(&mut self, resource_id: &str) -> Result<Option<UsageRules>, Infallible> {
        let equipment = self.resources.get(resource_id).is_some_and(|r| r.kind == crate::domain::ResourceKind::Equipment);
        Ok(equipment.then(|| self.usage_rules.get(resource_id).cloned().unwrap_or_default()))
    }

    /// The memory ledger keeps no zones of people: it names the resource's zone for both.
    fn mentor_sessions(&mut self, window: Span) -> Result<Vec<(StoredBooking, String, String)>, Infallible> {
        let mut out: Vec<(StoredBooking, String, String)> = self
            .bookings
            .values()
            .map(|b| &b.booking)
            .filter(|b| b.status.holds_slot() && b.span.start >= window.start && b.span.start < window.end)
            .filter_map(|b| {
                let r = self.resources.get(&b.resource_id).filter(|r| r.kind == crate::domain::ResourceKind::Mentor)?;
                Some((b.clone(), r.tz.name().to_string(), r.tz.name().to_string()))
            })
            .collect();
        out.sort_by(|a, b| (a.0.span.start, &a.0.id).cmp(&(b.0.span.start, &b.0.id)));
        Ok(out)
    }

    fn unanswered_requests(&mut self, before: i64) -> Result<Vec<StoredBooking>, Infallible> {
        let mentor = |id: &str| self.resources.get(id).is_some_and(|r| r.kind == crate::domain::ResourceKind::Mentor);
        let mut out: Vec<(i64, StoredBooking)> = self
            .bookings
            .values()
            .filter(|b| {
                b.booking.status == crate::domain::BookingStatus::Requested
                    && b.created_at <= before
                    && mentor(&b.booking.resource_id)
            })
            .map(|b| (b.created_at, b.booking.clone()))
            .collect();
        out.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
        Ok(out.into_iter().map(|(_, b)| b).collect())
    }

    fn unchecked_started(&mut self, now: i64) -> Result<Vec<StoredBooking>, Infallible> {
        let checked: std::collections::BTreeSet<&str> = self.sessions.values().map(|(s, _)| s.booking_id.as_str()).collect();
        let equipment = |id: &str| self.resources.get(id).is_some_and(|r| r.kind == crate::domain::ResourceKind::Equipment);
        Ok(self
            .bookings
            .values()
            .map(|b| &b.booking)
            .filter(|b| b.status == crate::domain::BookingStatus::Confirmed && b.span.start <= now && b.span.end > now)
            .filter(|b| equipment(&b.resource_id) && !checked.contains(b.id.as_str()))
            .cloned()
            .collect())
    }

    fn open_after_end(&mut self, now: i64) -> Result<Vec<StoredSession>, Infallible> {
        Ok(self
            .sessions
            .values()
            .map(|(s, _)| s)
            .filter(|s| s.ended_at.is_none() && self.bookings.get(&s.booking_id).is_some_and(|b| b.booking.span.end <= now))
            .cloned()
            .collect())
    }

    fn open_sessions(&mut self, resource_id: &str) -> Result<Vec<StoredSession>, Infallible> {
        let open = self.sessions.values().map(|(s, _)| s).filter(|s| s.resource_id == resource_id && s.ended_at.is_none());
        Ok(open.cloned().collect())
    }

    fn no_shows(&mut self, person_id: &str, since: i64) -> Result<u32, Infallible> {
        let missed =
            self.bookings.values().map(|b| &b.booking).filter(|b| {
                b.booker_id == person_id && b.status == crate::domain::BookingStatus::NoShow && b.span.start >= since
            });
        Ok(u32::try_from(missed.count()).unwrap_or(u32::MAX))
    }

    fn series_of(&mut self, booking_id: &str) -> Result<Vec<SeriesMember>, Infallible> {
        let Some((series, ..)) = self.bookings.get(booking_id).and_then(|b| b.series.clone()) else { return Ok(Vec::new()) };
        let mut members: Vec<SeriesMember> = self
            .bookings
            .values()
            .filter_map(|b| match &b.series {
                Some((s, at, _)) if *s == series => Some(SeriesMember { booking: b.booking.clone(), recurrence_at: *at }),
                _ => None,
            })
            .collect();
        members.sort_by_key(|m| m.recurrence_at);
        Ok(members)
    }

    fn event(&mut self, id: &str, _lock: bool) -> Result<Option<StoredEvent>, Infallible> {
        Ok(self.events.get(id).cloned())
    }

    fn registrations(&mut self, event_id: &str) -> Result<Vec<Registration>, Infallible> {
        Ok(self.registrations.get(event_id).cloned().unwrap_or_default())
    }

    fn startup(&mut self, id: &str) -> Result<Option<StoredStartup>, Infallible> {
        Ok(self.startups.get(id).map(|(s, _)| s.clone()))
    }

    fn startup_of(&mut self, person_id: &str) -> Result<Option<Id>, Infallible> {
        Ok(self.startups.values().find(|(s, _)| s.is_member(person_id)).map(|(s, _)| s.id.clone()))
    }

    fn startup_by_credit_code(&mut self, code: &str) -> Result<Option<(Id, String)>, Infallible> {
        let found = self.startups.values().find(|(_, c)| c.as_deref() == Some(code));
        Ok(found.map(|(s, _)| (s.id.clone(), s.name.clone())))
    }

    fn write(&mut self, effect: Effect<'_>) -> Result<(), Infallible> {
        match effect {
            Effect::InsertEvent { id, event, .. } => {
                let stored = StoredEvent {
                    id: id.into(),
                    makerspace_id: event.makerspace_id.clone(),
                    start: event.start.timestamp(),
                    end: event.end.timestamp(),
                    capacity: event.capacity,
                    cancelled: false,
                };
                self.events.insert(id.into(), stored);
            }
            Effect::CancelEvent { id } => {
                if let Some(e) = self.events.get_mut(id) {
                    e.cancelled = true;
                }
            }
            Effect::SetRegistration { event_id, person_id, active, .. } => {
                let list = self.registrations.entry(event_id.into()).or_default();
                match list.iter_mut().find(|r| r.person_id == person_id) {
                    Some(r) => r.active = active,
                    None => list.push(Registration { person_id: person_id.into(), active, attended: false }),
                }
            }
            Effect::SetAttendance { event_id, person_id, attended } => {
                if let Some(r) =
                    self.registrations.get_mut(event_id).and_then(|l| l.iter_mut().find(|r| r.person_id == person_id))
                {
                    r.attended = attended;
                }
            }
            Effect::InsertStartup { id, startup, .. } => {
                let stored = StoredStartup {
                    id: id.into(),
                    name: startup.name.clone(),
                    kind: startup.kind,
                    members: Vec::new(),
                    residencies: Vec::new(),
                };
                self.startups.insert(id.into(), (stored, startup.credit_code.clone()));
            }
            Effect::UpdateStartup { id, startup } => {
                if let Some((s, code)) = self.startups.get_mut(id) {
                    (s.name, s.kind, *code) = (startup.name.clone(), startup.kind, startup.credit_code.clone());
                }
            }
            Effect::SetStartupMember { startup_id, person_id, lead, .. } => {
                if let Some((s, _)) = self.startups.get_mut(startup_id) {
                    s.members.retain(|m| m.person_id != person_id);
                    s.members.push(Member { person_id: person_id.into(), lead });
                }
            }
            Effect::RemoveStartupMember { startup_id, person_id } => {
                if let Some((s, _)) = self.startups.get_mut(startup_id) {
                    s.members.retain(|m| m.person_id != person_id);
                }
            }
            Effect::InsertResidency { startup_id, residency } => {
                if let Some((s, _)) = self.startups.get_mut(startup_id) {
                    s.residencies.push(residency.clone());
                }
            }
            Effect::SetMoveOut { residency_id, date } => {
                for (s, _) in self.startups.values_mut() {
                    for r in s.residencies.iter_mut().filter(|r| r.id == residency_id) {
                        r.move_out = Some(date);
                    }
                }
            }
            Effect::SetKioskPin { person_id, pin_hash } => {
                self.pins.insert(person_id.into(), pin_hash.map(str::to_string));
            }
            Effect::JoinSeries { booking_id, series_id, recurrence, rejection, .. } => {
                if let Some(b) = self.bookings.get_mut(booking_id) {
                    b.series = Some((series_id.into(), recurrence.start, rejection.map(str::to_string)));
                }
            }
            Effect::InsertBooking { id, resource_id, booker_id, startup_id, span, status, topic, at } => {
                let booking =
                    StoredBooking { id: id.into(), resource_id: resource_id.into(), booker_id: booker_id.into(), span, status };
                let startup_id = startup_id.map(str::to_string);
                let stored =
                    MemoryBooking { booking, topic: topic.into(), reason: None, series: None, created_at: at, startup_id };
                self.bookings.insert(id.into(), stored);
            }
            Effect::SetStatus { id, status, reason, .. } => {
                if let Some(b) = self.bookings.get_mut(id) {
                    b.booking.status = status;
                    if let Some(reason) = reason {
                        b.reason = Some(reason.into());
                    }
                }
            }
            Effect::MoveBooking { id, span, status, .. } => {
                if let Some(b) = self.bookings.get_mut(id) {
                    b.booking.span = span;
                    b.booking.status = status;
                }
            }
            Effect::InsertWaitlist { id, resource_id, person_id, span, .. } => {
                self.waitlist.insert(id.into(), (resource_id.into(), person_id.into(), span, None));
                self.joined.push(id.into());
            }
            Effect::WaitlistNotified { id, at } => {
                if let Some(entry) = self.waitlist.get_mut(id) {
                    entry.3 = Some(at);
                }
            }
            Effect::SetSessionNote { booking_id, body, .. } => {
                self.notes.insert(booking_id.into(), body.into());
            }
            Effect::InsertFeedback { booking_id, side: crate::feedback::Side::Founder, rating, comment, .. } => {
                self.feedback.insert(booking_id.into(), (rating, comment.into()));
            }
            Effect::InsertFeedback { booking_id, rating, comment, .. } => {
                self.mentor_feedback.insert(booking_id.into(), (rating, comment.into()));
            }
            Effect::Notify { person_id, kind, booking_id, .. } => {
                if kind == "zone_change" {
                    self.zone_notices.extend(booking_id.map(str::to_string));
                }
                self.notifications.push((person_id.into(), kind.into()));
            }
            Effect::Audit { actor_id, action, entity_id, .. } => {
                self.audit.push((actor_id.into(), action.into(), entity_id.into()));
            }
            Effect::SetWeeklyHours { resource_id, hours } => {
                if let Some(r) = self.resources.get_mut(resource_id) {
                    r.weekly = hours.to_vec();
                }
            }
            Effect::SetPolicy { resource_id, policy } => {
                if let Some(r) = self.resources.get_mut(resource_id) {
                    r.policy = policy.clone();
                }
            }
            Effect::InsertDateOverride { id, resource_id, date_override, .. } => {
                self.overrides.insert(id.into(), (resource_id.into(), date_override.clone()));
                self.refresh_overrides(resource_id);
            }
            Effect::DeleteDateOverride { id } => {
                if let Some((resource_id, _)) = self.overrides.remove(id) {
                    self.refresh_overrides(&resource_id);
                }
            }
            Effect::InsertBlackout { blackout, .. } => {
                if let Some(r) = self.resources.get_mut(&blackout.resource_id) {
                    r.blackouts.push(blackout.clone());
                }
            }
            Effect::DeleteBlackout { id } => {
                for r in self.resources.values_mut() {
                    r.blackouts.retain(|b| b.id != id);
                }
            }
            Effect::SetQualification { person_id, resource_id, expires_at, .. } => {
                self.qualifications.insert((person_id.into(), resource_id.into()), expires_at);
            }
            Effect::DeleteQualification { person_id, resource_id } => {
                self.qualifications.remove(&(person_id.to_string(), resource_id.to_string()));
            }
            Effect::InsertPerson { id, name, .. } => {
                self.people.insert(id.into(), Vec::new());
                self.names.insert(id.into(), name.into());
            }
            Effect::GrantRole { person_id, makerspace_id, role } => {
                let roles = self.people.entry(person_id.into()).or_default();
                if !roles.iter().any(|(m, r)| m == makerspace_id && *r == role) {
                    roles.push((makerspace_id.into(), role));
                }
            }
            Effect::RevokeRole { person_id, makerspace_id, role } => {
                if let Some(roles) = self.people.get_mut(person_id) {
                    roles.retain(|(m, r)| !(m == makerspace_id && *r == role));
                }
            }
            Effect::InsertLab { id, makerspace_id, .. } => {
                let tz = self.makerspaces.get(makerspace_id).map(|m| m.timezone.clone()).unwrap_or_default();
                self.labs.insert(id.into(), (makerspace_id.into(), tz));
            }
            Effect::InsertUsageSession {
                id, resource_id, booking_id, person_id, class, purpose, samples, walk_up, at, ..
            } => {
                let session = StoredSession {
                    id: id.into(),
                    resource_id: resource_id.into(),
                    booking_id: booking_id.into(),
                    person_id: person_id.into(),
                    started_at: at,
                    ended_at: None,
                    class,
                    purpose,
                    samples,
                    fee_fen: 0,
                    waived_fen: 0,
                    walk_up,
                };
                self.sessions.insert(id.into(), (session, 0));
            }
            Effect::CloseUsageSession { id, ended_at, fee_fen, .. } => {
                if let Some((s, fee)) = self.sessions.get_mut(id) {
                    s.ended_at = Some(ended_at);
                    s.fee_fen = fee_fen;
                    *fee = fee_fen;
                }
            }
            Effect::CorrectUsageSession { id, ran, purpose, samples, fee_fen, waived_fen } => {
                if let Some((s, fee)) = self.sessions.get_mut(id) {
                    (s.started_at, s.ended_at, s.purpose, s.samples) = (ran.start, Some(ran.end), purpose, samples);
                    (s.fee_fen, s.waived_fen) = (fee_fen, waived_fen);
                    *fee = fee_fen - waived_fen;
                }
            }
            Effect::SetRates { resource_id, rates } => {
                self.rates.insert(resource_id.into(), rates.clone());
            }
            Effect::SetUsageRules { resource_id, rules } => {
                self.usage_rules.insert(resource_id.into(), rules.clone());
            }
            Effect::SetRegister { resource_id, register } => {
                self.registers.insert(resource_id.into(), register.clone());
            }
            Effect::InsertAllocation { id, allocation: a, .. } => {
                self.allocations.insert(id.into(), (a.makerspace_id.clone(), a.startup_id.clone(), a.hours * 60));
            }
            Effect::InsertTopUp { id, allocation_id, minutes, reason, .. } => {
                if let Some(a) = self.allocations.get_mut(allocation_id) {
                    a.2 += minutes;
                }
                self.top_ups.insert(id.into(), (allocation_id.into(), minutes, reason.into()));
            }
            Effect::InsertBlock { id, resource_id, kind, span, seat_minutes, capacity, .. } => {
                let block = crate::office::StoredBlock {
                    id: id.into(),
                    resource_id: resource_id.into(),
                    kind,
                    span,
                    seat_minutes,
                    capacity,
                    cancelled: false,
                    held: Vec::new(),
                };
                self.blocks.insert(id.into(), block);
            }
            Effect::CancelBlock { id } => {
                if let Some(b) = self.blocks.get_mut(id) {
                    b.cancelled = true;
                }
            }
            Effect::SetBlockHeld { id, held } => {
                if let Some(b) = self.blocks.get_mut(id) {
                    b.held = held.to_vec();
                }
            }
            Effect::PutSeat { block_id, person_id, seat, state, at } => {
                let kept = crate::office::StoredSeat { person_id: person_id.into(), seat, state, at };
                self.seats.insert((block_id.into(), person_id.into()), kept);
            }
            Effect::SetPlace { booking_id, format, place, .. } => {
                self.places.insert(booking_id.into(), (format, place.cloned()));
            }
            Effect::SetPlaceDefaults { mentor_id, defaults } => {
                self.mentor_places.entry(mentor_id.into()).or_default().defaults = defaults.clone();
            }
            // The memory ledger keeps what the booking rules read; catalogue fields it does not.
            Effect::InsertEquipment { .. }
            | Effect::UpdateEquipment { .. }
            | Effect::InsertMentor { .. }
            | Effect::UpdateMentorProfile { .. } => {}
        }
        Ok(())
    }
}
