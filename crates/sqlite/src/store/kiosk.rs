//! The lab's kiosk: today's bookings of the lab's instruments with their sessions, and
//! checking in by the code printed on a booking. The decisions stay in `apply`; this finds
//! the booking a code stands for.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::Store;
use super::usage::UsageSession;
use crate::domain::{BookingStatus, Id, to_utc};
use crate::error::{CoreError, Result};
use crate::interval::Span;
use crate::usage::{Purpose, check_in_code, parse_check_in_code};

/// One booking on the kiosk's screen (without its code: the screen is public).
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KioskBooking {
    pub booking_id: Id,
    pub resource_id: Id,
    pub instrument: String,
    pub booker_id: Id,
    pub booker_name: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub status: BookingStatus,
    /// Its usage session, running or closed.
    pub session: Option<UsageSession>,
}

/// An instrument of the lab, and whether someone is on it now.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KioskInstrument {
    pub resource_id: Id,
    pub name: String,
    pub in_use: bool,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KioskDay {
    pub lab_id: Id,
    pub lab: String,
    /// The app's clock when the day was read (`INCUBOOK_NOW` in scripts): what the kiosk's
    /// clock shows and what check-ins are decided against.
    pub now: DateTime<Utc>,
    pub bookings: Vec<KioskBooking>,
    pub instruments: Vec<KioskInstrument>,
}

/// Wrong PINs a phone number may have within `PIN_WINDOW` seconds.
pub const PIN_TRIES: usize = 5;
pub const PIN_WINDOW: i64 = 15 * 60;
/// Wrong check-in codes a lab's kiosk takes within `CODE_WINDOW` seconds. A code matches only
/// a booking whose check-in is open now (a handful at a time), so at most 240 guesses a day
/// reach one of them with odds of one in 10⁶ each.
pub const CODE_TRIES: usize = 10;
pub const CODE_WINDOW: i64 = 60 * 60;

/// Person `$2`'s kiosk PIN hash becomes `$1` (or none).
pub const SET_KIOSK_PIN_SQL: &str = "UPDATE person SET kiosk_pin = $1 WHERE id = $2";

/// The lab's instrument bookings that overlap `from..to` and were not cancelled or declined.
const DAY_SQL: &str = "SELECT b.id, b.resource_id, r.name, b.booker_id, p.name, b.start_at, b.end_at, b.status
     FROM booking b JOIN equipment e ON e.resource_id = b.resource_id JOIN resource r ON r.id = b.resource_id
     JOIN person p ON p.id = b.booker_id
     WHERE e.lab_id = ?1 AND b.deleted = 0 AND b.start_at < ?3 AND b.end_at > ?2
       AND b.status IN ('requested', 'confirmed', 'completed', 'no_show')
     ORDER BY b.start_at, r.name, b.id";

/// Of today's bookings that `pick` chooses and that may still be checked in, the one under
/// way (or about to be) before any later one of the day.
fn first_to_check_in(today: &KioskDay, pick: impl Fn(&KioskBooking) -> bool, now: DateTime<Utc>) -> Option<Id> {
    let mut candidates: Vec<&KioskBooking> = today.bookings.iter().filter(|b| pick(b)).collect();
    candidates.sort_by_key(|b| (b.end <= now || b.session.is_some(), b.start));
    candidates.first().map(|b| b.booking_id.clone())
}

fn hash_pin(pin: &str) -> Result<String> {
    let pin = crate::validate::check_kiosk_pin(pin)?;
    crate::secret::hash_secret(pin).ok_or_else(|| CoreError::invalid("pin", "cannot be hashed"))
}

impl Store {
    /// Today's bookings (the district's local day around `now`) of the lab's instruments,
    /// and its instruments with whether each is in use.
    pub fn kiosk_day(&self, lab_id: &str, now: DateTime<Utc>) -> Result<KioskDay> {
        let lab: String = self
            .conn
            .query_row("SELECT name FROM lab WHERE id = ?1 AND deleted = 0", [lab_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| CoreError::not_found("lab", lab_id))?;
        let today = crate::report::today(now);
        let day = crate::report::range_of(today, today)?;
        let mut stmt = self.conn.prepare_cached(DAY_SQL)?;
        let rows = stmt.query_map(params![lab_id, day.start, day.end], |r| {
            Ok((
                (r.get::<_, Id>(0)?, r.get::<_, Id>(1)?, r.get::<_, String>(2)?),
                (r.get::<_, Id>(3)?, r.get::<_, String>(4)?),
                (r.get::<_, i64>(5)?, r.get::<_, i64>(6)?, r.get::<_, String>(7)?),
            ))
        })?;
        let mut bookings = Vec::new();
        for row in rows {
            let ((booking_id, resource_id, instrument), (booker_id, booker_name), (start, end, status)) = row?;
            let session = self.session_of_booking(&booking_id)?;
            bookings.push(KioskBooking {
                booking_id,
                resource_id,
                instrument,
                booker_id,
                booker_name,
                start: to_utc(start),
                end: to_utc(end),
                status: BookingStatus::parse(&status)?,
                session,
            });
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.name, EXISTS(SELECT 1 FROM usage_session s WHERE s.resource_id = r.id AND s.ended_at IS NULL)
             FROM resource r JOIN equipment e ON e.resource_id = r.id
             WHERE e.lab_id = ?1 AND r.deleted = 0 AND r.active = 1 ORDER BY r.name, r.id",
        )?;
        let instruments = stmt
            .query_map([lab_id], |r| Ok(KioskInstrument { resource_id: r.get(0)?, name: r.get(1)?, in_use: r.get(2)? }))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(KioskDay { lab_id: lab_id.to_string(), lab, now, bookings, instruments })
    }

    /// Checks in the booking of this lab whose code was typed or scanned at the kiosk, for its
    /// booker, as `actor` (the lab manager the kiosk runs as): of today's bookings whose
    /// check-in is open now, the one with the code. Wrong codes are counted per kiosk (the lab)
    /// and kept across restarts; after `CODE_TRIES` in `CODE_WINDOW` the kiosk takes no code
    /// until the oldest of them is that old.
    pub fn check_in_by_code(
        &mut self,
        actor: &str,
        lab_id: &str,
        code: &str,
        purpose: Purpose,
        now: DateTime<Utc>,
    ) -> Result<UsageSession> {
        let code = parse_check_in_code(code)?;
        let subject = format!("code:{lab_id}");
        self.refuse_after_failures(&subject, (CODE_TRIES, CODE_WINDOW), now, |retry_after_min| {
            crate::error::Refusal::TooManyCodeAttempts { retry_after_min }
        })?;
        let today = self.kiosk_day(lab_id, now)?;
        let keys = self.check_in_keys(&today)?;
        let open = |b: &KioskBooking| self.check_in_open(&b.resource_id, (b.start, b.end), now).unwrap_or(false);
        let matches = |b: &KioskBooking| {
            open(b) && keys.get(&b.booker_id).and_then(|key| check_in_code(key, &b.booking_id)).as_deref() == Some(&code)
        };
        let Some(booking) = first_to_check_in(&today, matches, now) else {
            self.note_failure(&subject, now)?;
            return Err(CoreError::invalid("code", "no booking of this lab whose check-in is open now has this code"));
        };
        self.clear_failures(&subject)?;
        self.check_in(actor, &booking, purpose, 0, now)
    }

    /// The check-in keys of the people who booked today's bookings, as this replica has them.
    fn check_in_keys(&self, today: &KioskDay) -> Result<std::collections::HashMap<Id, String>> {
        let mut stmt = self.conn.prepare_cached("SELECT check_in_key FROM person WHERE id = ?1")?;
        let mut keys = std::collections::HashMap::new();
        for b in &today.bookings {
            if !keys.contains_key(&b.booker_id)
                && let Some(key) = stmt.query_row([&b.booker_id], |r| r.get::<_, Option<String>>(0)).optional()?.flatten()
            {
                keys.insert(b.booker_id.clone(), key);
            }
        }
        Ok(keys)
    }

    /// Whether a booking of the resource is within its check-in window now (the core's
    /// window; what else a check-in needs, `check_in` decides).
    fn check_in_open(&self, resource_id: &str, booked: (DateTime<Utc>, DateTime<Utc>), now: DateTime<Utc>) -> Result<bool> {
        let window = self.usage_rules(resource_id)?.check_in_window(Span::new(booked.0.timestamp(), booked.1.timestamp()));
        Ok(window.start <= now.timestamp() && now.timestamp() < window.end)
    }

    /// Refuses while `subject` has `tries` failures within `window` seconds before `now`.
    fn refuse_after_failures(
        &self,
        subject: &str,
        (tries, window): (usize, i64),
        now: DateTime<Utc>,
        refusal: impl Fn(u32) -> crate::error::Refusal,
    ) -> Result<()> {
        let now = now.timestamp();
        let (count, oldest): (i64, Option<i64>) = self
            .conn
            .prepare_cached("SELECT count(*), min(at) FROM kiosk_failure WHERE subject = ?1 AND at > ?2")?
            .query_row(params![subject, now - window], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if usize::try_from(count).unwrap_or(usize::MAX) >= tries {
            let wait = oldest.map_or(window, |oldest| oldest + window - now);
            let retry_after_min = u32::try_from((wait + 59) / 60).unwrap_or(1).max(1);
            return Err(CoreError::Refused(refusal(retry_after_min)));
        }
        Ok(())
    }

    fn note_failure(&self, subject: &str, now: DateTime<Utc>) -> Result<()> {
        // Failures older than a day count for nothing: they go as new ones come.
        self.conn.prepare_cached("DELETE FROM kiosk_failure WHERE at < ?1")?.execute([now.timestamp() - 86_400])?;
        self.conn
            .prepare_cached("INSERT INTO kiosk_failure(subject, at) VALUES (?1, ?2)")?
            .execute(params![subject, now.timestamp()])?;
        Ok(())
    }

    fn clear_failures(&self, subject: &str) -> Result<()> {
        self.conn.prepare_cached("DELETE FROM kiosk_failure WHERE subject = ?1")?.execute([subject])?;
        Ok(())
    }

    /// Checks in, at the lab's kiosk, the person with this phone number and kiosk PIN: their
    /// booking of this lab today whose check-in is open now (or the next one).
    pub fn check_in_by_pin(
        &mut self,
        actor: &str,
        lab_id: &str,
        (phone, pin): (&str, &str),
        purpose: Purpose,
        now: DateTime<Utc>,
    ) -> Result<UsageSession> {
        let person = self.person_with_pin(phone, pin, now)?;
        let today = self.kiosk_day(lab_id, now)?;
        let booking = first_to_check_in(&today, |b| b.booker_id == person, now).ok_or_else(|| {
            CoreError::invalid(
                "booking",
                "you have no booking of this lab to check in today: walk up to a free instrument instead",
            )
        })?;
        self.check_in(actor, &booking, purpose, 0, now)
    }

    /// The person a phone number and kiosk PIN stand for; one answer for an unknown number
    /// and a wrong PIN, so that the kiosk does not tell which numbers it knows. After
    /// `PIN_TRIES` wrong ones for a number within `PIN_WINDOW`, the number is refused until
    /// the oldest of them is that old: four-digit PINs are not to be guessed at the kiosk. The
    /// failures are kept in the kiosk's database, so a restart does not reset them.
    pub fn person_with_pin(&mut self, phone: &str, pin: &str, now: DateTime<Utc>) -> Result<Id> {
        let subject = format!("pin:{}", phone.trim());
        self.refuse_after_failures(&subject, (PIN_TRIES, PIN_WINDOW), now, |retry_after_min| {
            crate::error::Refusal::TooManyPinAttempts { retry_after_min }
        })?;
        let found = self.verified_pin(phone, pin);
        match &found {
            Err(CoreError::Invalid { field, .. }) if *field == "pin" => self.note_failure(&subject, now)?,
            Ok(_) => self.clear_failures(&subject)?,
            Err(_) => {}
        }
        found
    }

    /// The person, when the number is known and the PIN theirs. An unknown number, a person
    /// without a PIN and a wrong PIN get one answer after the same work (review N13).
    fn verified_pin(&self, phone: &str, pin: &str) -> Result<Id> {
        let wrong = || {
            CoreError::invalid(
                "pin",
                "the phone number or the PIN is wrong (no PIN yet? set one in the app, or ask the lab manager)",
            )
        };
        let person = match self.person_by_phone(phone) {
            Ok(person) => Some(person),
            Err(CoreError::NotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        let hash: Option<String> = match &person {
            Some(id) => {
                self.conn.query_row("SELECT kiosk_pin FROM person WHERE id = ?1", [id], |r| r.get(0)).optional()?.flatten()
            }
            None => None,
        };
        match (person, hash) {
            (Some(person), Some(hash)) if crate::secret::verify_secret(pin.trim(), &hash) => Ok(person),
            (_, Some(_)) => Err(wrong()),
            (_, None) => {
                crate::secret::verify_nothing(pin.trim());
                Err(wrong())
            }
        }
    }

    /// Sets (or, with `None`, clears) a person's kiosk PIN: four to six digits, kept as an
    /// argon2 hash.
    pub fn set_kiosk_pin(&mut self, actor: &str, person_id: &str, pin: Option<&str>, now: DateTime<Utc>) -> Result<()> {
        let pin_hash = pin.map(hash_pin).transpose()?;
        self.apply(actor, &crate::command::Command::SetKioskPin { person_id: person_id.to_string(), pin_hash }, now)
    }

    /// The check-in code of an instrument booking, for its booker or a manager of its lab
    /// (who may print it for them); nobody else. None on a replica that has not yet received
    /// the booker's key (a desktop that never synced since it signed in).
    pub fn check_in_code_for(&self, viewer: &str, booking_id: &str) -> Result<String> {
        let view = super::bookings::booking_view(&self.conn, booking_id)?;
        if view.booking.booker_id != viewer {
            let rules = self.resource_rules(&view.booking.resource_id)?;
            let actor = super::load_actor(&self.conn, viewer)?;
            crate::decide::require_owner(&actor, rules.kind, &rules.makerspace_id, None)
                .map_err(|_| CoreError::Forbidden("a check-in code is for the booker and the lab's managers".into()))?;
        }
        view.check_in_code.ok_or_else(|| {
            CoreError::invalid("booking_id", "no check-in code: only an instrument booking has one, once this desktop has synced")
        })
    }

    /// The live person with this phone number: who walks up at a kiosk.
    pub fn person_by_phone(&self, phone: &str) -> Result<Id> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM person WHERE phone = ?1 AND deleted = 0 LIMIT 2")?;
        let ids: Vec<Id> = stmt.query_map([phone.trim()], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        match ids.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(CoreError::not_found("person", phone.trim())),
            _ => Err(CoreError::invalid("phone", "more than one person has this number: ask the lab manager")),
        }
    }
}
