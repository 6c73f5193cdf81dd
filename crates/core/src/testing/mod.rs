//! A ledger in memory, for tests (of this crate's users too): the same `apply` as every backend over plain maps, so the
//! model-based property test can run on memory, SQLite and PostgreSQL alike.

use std::collections::BTreeMap;
use std::convert::Infallible;

mod booking;
mod calendar;
mod call;
mod directory;
mod event;
mod lab;
mod mentor;
mod money;
mod office;
mod record;
mod startup;
mod usage;

pub mod contract;
pub mod district;

#[cfg(test)]
mod booking_rules;
#[cfg(test)]
mod call_rules;

use crate::command::Command;
use crate::decide::Actor;
use crate::domain::{BookingStatus, DateOverride, Id, Makerspace, Role};
use crate::error::CoreError;
use crate::events::{Registration, StoredEvent};
use crate::interval::Span;
use crate::ledger::*;
use crate::register::InstrumentRegister;
use crate::rules::ResourceRules;
use crate::startup::{Member, Residency, StoredStartup};
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
    /// The district's operators.
    pub operators: std::collections::BTreeSet<Id>,
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
    /// Startups with their members and residencies.
    pub startups: BTreeMap<Id, StoredStartup>,
    /// Blackouts deleted: their ids stay taken, as every backend keeps them.
    pub deleted_blackouts: std::collections::BTreeSet<Id>,
    /// Programmes by code, calls, applications and their event log.
    pub programmes: BTreeMap<String, crate::calls::NewProgramme>,
    pub calls: BTreeMap<Id, crate::calls::application::StoredCall>,
    pub applications: BTreeMap<Id, crate::calls::application::StoredApplication>,
    pub application_events: Vec<crate::calls::lifecycle::Event>,
    /// The last serial taken per (programme, year).
    pub serials: BTreeMap<(String, u16), u32>,
    /// Whether this ledger mints unified codes (a district's authority), or leaves them to a
    /// server it syncs with.
    pub replica_of_a_server: bool,
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

    /// A resource with the rules a new one starts with; the caller fills in its own.
    fn new_resource(
        &mut self,
        id: &str,
        kind: crate::domain::ResourceKind,
        makerspace_id: &str,
        timezone: &str,
    ) -> &mut ResourceRules {
        let rules = ResourceRules {
            id: id.into(),
            kind,
            makerspace_id: makerspace_id.into(),
            name: String::new(),
            tz: timezone.parse().unwrap_or(crate::clock::DISTRICT_ZONE),
            active: true,
            policy: crate::domain::Policy::default(),
            weekly: Vec::new(),
            overrides: Vec::new(),
            blackouts: Vec::new(),
        };
        self.resources.entry(id.into()).or_insert(rules)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The memory ledger with the seed's makerspace.
    fn memory(check: impl FnOnce(&mut MemoryLedger, &contract::Seed)) {
        let seed =
            contract::Seed { makerspace_id: "ms-1".into(), makerspace_code: "PD".into(), timezone: "Asia/Shanghai".into() };
        let mut ledger = MemoryLedger::default();
        let makerspace = Makerspace {
            id: seed.makerspace_id.clone(),
            code: seed.makerspace_code.clone(),
            name: "Pudong".into(),
            address: String::new(),
            timezone: seed.timezone.clone(),
        };
        ledger.makerspaces.insert(makerspace.id.clone(), makerspace);
        check(&mut ledger, &seed);
    }

    crate::ledger_contract!(memory);
}
