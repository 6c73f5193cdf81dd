//! Who may change a booking, and from which status: pure checks shared by the desktop store
//! and the server's PostgreSQL backend, so every backend refuses the same changes for the
//! same reasons. (Whether a time can be booked at all is `rules::check_booking`.)

use chrono::{DateTime, Utc};

use chrono_tz::Tz;

use crate::availability::{self, Calendar, Days};
use crate::domain::{self, Blackout, BlackoutWhen, BookingStatus, DateOverride, ResourceKind, Role, WeeklyHours};
use crate::error::{CoreError, Refusal, Result};
use crate::interval::{self, Span};
use crate::rules::{Qualification, RuleContext};
use crate::store::{NewEquipment, ResourceRules};

/// A person and the roles they hold, per makerspace id.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub roles: Vec<(String, Role)>,
}

impl Actor {
    pub fn has(&self, role: Role, makerspace_id: &str) -> bool {
        self.roles.iter().any(|(m, r)| *r == role && m == makerspace_id)
    }

    pub fn has_anywhere(&self, role: Role) -> bool {
        self.roles.iter().any(|(_, r)| *r == role)
    }

    pub fn member_of(&self, makerspace_id: &str) -> bool {
        self.roles.iter().any(|(m, _)| m == makerspace_id)
    }

    /// Lab managers run a makerspace's labs; its space admins may do all they may.
    pub fn require_lab_authority(&self, makerspace_id: &str, what: &str) -> Result<()> {
        if self.has(Role::SpaceAdmin, makerspace_id) {
            return Ok(());
        }
        self.require(Role::LabManager, makerspace_id, what)
    }

    pub fn require(&self, role: Role, makerspace_id: &str, what: &str) -> Result<()> {
        if self.has(role, makerspace_id) {
            Ok(())
        } else {
            Err(CoreError::Forbidden(format!("{what} needs the {} role in that makerspace", role.as_str())))
        }
    }
}

/// Who owns a resource's calendar: the mentor themself, or the lab managers (and space
/// admins) of its makerspace.
pub fn require_owner(actor: &Actor, kind: ResourceKind, makerspace_id: &str, mentor_person: Option<&str>) -> Result<()> {
    match kind {
        ResourceKind::Mentor if mentor_person == Some(actor.id.as_str()) => Ok(()),
        ResourceKind::Mentor => Err(CoreError::Forbidden("only the mentor changes their own availability".into())),
        ResourceKind::Equipment => actor.require_lab_authority(makerspace_id, "changing equipment"),
    }
}

/// A new booking's times and topic, before any rule is looked at: the span is bounded here,
/// before anything walks the calendar for it, so no request costs more than a week's rules.
pub fn validate_request(start: DateTime<Utc>, end: DateTime<Utc>, topic: &str, now: i64) -> Result<Span> {
    check_text("topic", topic, 500, false)?;
    let (start, end) = (start.timestamp(), end.timestamp());
    domain::check_instant("start", start, now)?;
    domain::check_instant("end", end, now)?;
    if end <= start {
        return Err(CoreError::invalid("end", "the booking ends before it starts"));
    }
    if end - start > i64::from(domain::MAX_DURATION_MIN) * 60 {
        return Err(CoreError::invalid("end", "a booking lasts at most 7 days"));
    }
    Ok(Span::new(start, end))
}

pub fn check_text(field: &'static str, text: &str, max_chars: usize, required: bool) -> Result<()> {
    if required && text.trim().is_empty() {
        return Err(CoreError::invalid(field, "must not be empty"));
    }
    if text.chars().count() > max_chars {
        return Err(CoreError::invalid(field, format!("must be at most {max_chars} characters")));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(CoreError::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// A booking as the checks of a status change see it.
#[derive(Debug, Clone, Copy)]
pub struct BookingFacts {
    pub status: BookingStatus,
    pub start: i64,
    pub end: i64,
    pub cancel_cutoff_min: u32,
    /// The actor is the mentor, or a lab manager of the equipment's makerspace.
    pub actor_is_owner: bool,
    pub actor_is_booker: bool,
}

/// Checks a change of status (approve, decline, cancel, complete, no-show). `reason` is
/// already trimmed, and `None` when empty.
pub fn check_transition(b: &BookingFacts, to: BookingStatus, reason: Option<&str>, now: i64) -> Result<()> {
    let wrong_status = || CoreError::from(Refusal::WrongStatus { status: b.status.as_str().to_string() });
    match to {
        BookingStatus::Confirmed | BookingStatus::Declined => {
            if !b.actor_is_owner {
                return Err(CoreError::Forbidden("only the mentor or the lab's managers decide on requests".into()));
            }
            if b.status != BookingStatus::Requested {
                return Err(wrong_status());
            }
            if to == BookingStatus::Declined && reason.is_none() {
                return Err(CoreError::invalid("reason", "say why the request is declined"));
            }
        }
        BookingStatus::Cancelled => {
            if !b.actor_is_owner && !b.actor_is_booker {
                return Err(CoreError::Forbidden("only the booker or the resource's owner cancels a booking".into()));
            }
            if !b.status.holds_slot() || b.end <= now {
                return Err(wrong_status());
            }
            let cutoff = i64::from(b.cancel_cutoff_min) * 60;
            if !b.actor_is_owner && b.status == BookingStatus::Confirmed && b.start - now < cutoff {
                return Err(Refusal::PastCancellationCutoff { cutoff_min: b.cancel_cutoff_min }.into());
            }
            if b.actor_is_owner && !b.actor_is_booker && reason.is_none() {
                return Err(CoreError::invalid("reason", "say why the booking is cancelled"));
            }
        }
        BookingStatus::Completed | BookingStatus::NoShow => {
            if !b.actor_is_owner {
                return Err(CoreError::Forbidden("only the mentor or the lab's managers close a session".into()));
            }
            if b.status != BookingStatus::Confirmed {
                return Err(wrong_status());
            }
            if b.start > now {
                return Err(Refusal::SessionNotStarted.into());
            }
        }
        BookingStatus::Requested => return Err(wrong_status()),
    }
    Ok(())
}

/// Checks that a booking may move at all; the new time is then checked like a new booking.
pub fn check_reschedule(b: &BookingFacts, now: i64) -> Result<()> {
    if !b.actor_is_booker {
        return Err(CoreError::Forbidden("only the booker reschedules a booking".into()));
    }
    if !b.status.holds_slot() {
        return Err(Refusal::WrongStatus { status: b.status.as_str().to_string() }.into());
    }
    let cutoff = i64::from(b.cancel_cutoff_min) * 60;
    if b.start - now < cutoff || b.start <= now {
        return Err(Refusal::PastCancellationCutoff { cutoff_min: b.cancel_cutoff_min }.into());
    }
    Ok(())
}

/// The status a new (or moved) booking takes.
pub fn initial_status(approval_required: bool) -> BookingStatus {
    if approval_required { BookingStatus::Requested } else { BookingStatus::Confirmed }
}

/// A person's standing for equipment that may need a qualification, for a booking ending at
/// `until`. `expires` is the qualification row's expiry: `None` without a row, `Some(None)`
/// when it never expires.
pub fn qualification_state(required: bool, expires: Option<Option<i64>>, until: i64) -> Qualification {
    match (required, expires) {
        (false, _) => Qualification::NotNeeded,
        (true, None) => Qualification::Missing,
        (true, Some(Some(at))) if at < until => Qualification::Expired,
        (true, Some(_)) => Qualification::Valid,
    }
}

/// What the booking rules see of one request, from what a backend read for it.
pub fn rule_context<'a>(
    rules: &'a ResourceRules,
    busy: &'a [Span],
    booker: &Actor,
    qualification: Qualification,
    visible_to_booker: bool,
) -> RuleContext<'a> {
    RuleContext {
        resource_name: &rules.name,
        active: rules.active,
        policy: &rules.policy,
        calendar: rules.calendar(),
        busy,
        qualification,
        booker_is_founder: booker.has_anywhere(Role::Founder),
        visible_to_booker,
    }
}

/// What the rules see of a booking in a makerspace's catalogue upload: its booker counts as a
/// founder only in the resource's own makerspace, since a space admin uploads only the
/// bookings of their own people (`rules::check_uploaded`).
pub fn upload_rule_context<'a>(rules: &'a ResourceRules, busy: &'a [Span], booker: &Actor) -> RuleContext<'a> {
    RuleContext {
        booker_is_founder: booker.has(Role::Founder, &rules.makerspace_id),
        ..rule_context(rules, busy, booker, Qualification::NotNeeded, true)
    }
}

/// The status an uploaded booking keeps: one the desktop had confirmed still waits for the
/// owner when the resource asks for approval.
pub fn uploaded_status(status: BookingStatus, approval_required: bool) -> BookingStatus {
    if approval_required { BookingStatus::Requested } else { status }
}

/// A piece of equipment's fields and rules, before anything is written.
pub fn validate_equipment(new: &NewEquipment) -> Result<()> {
    check_text("name", &new.name, 100, true)?;
    check_text("category", &new.category, 40, true)?;
    check_text("model", &new.model, 100, false)?;
    if new.hourly_fee_cents < 0 || new.hourly_fee_cents > 100_000_000 {
        return Err(CoreError::invalid("hourly_fee", "must be between 0 and 1,000,000 yuan"));
    }
    if new.subsidy_pct > 100 {
        return Err(CoreError::invalid("subsidy_pct", "must be between 0 and 100"));
    }
    new.policy.validate()?;
    new.weekly_hours.iter().try_for_each(WeeklyHours::validate)
}

/// A blackout's times and reason, before anything is written.
pub fn validate_blackout(when: &BlackoutWhen, reason: &str, now: i64) -> Result<()> {
    check_text("reason", reason, 200, false)?;
    match *when {
        BlackoutWhen::Once { start, end } => {
            domain::check_instant("start", start, now)?;
            domain::check_instant("end", end, now)?;
            if end <= start {
                return Err(CoreError::invalid("end", "the blackout ends before it starts"));
            }
            if end - start > 366 * 86_400 {
                return Err(CoreError::invalid("end", "a one-off blackout lasts at most a year"));
            }
            Ok(())
        }
        BlackoutWhen::Weekly { weekday, start_min, end_min, from, until } => {
            WeeklyHours { weekday, start_min, end_min }.validate()?;
            domain::check_date("from", from, now)?;
            if let Some(until) = until {
                domain::check_date("until", until, now)?;
                if until < from {
                    return Err(CoreError::invalid("until", "the last date is before the first"));
                }
            }
            Ok(())
        }
    }
}

/// A date override's fields, before anything is read.
pub fn validate_date_override(id: &str, o: &DateOverride, note: &str, now: i64) -> Result<()> {
    domain::validate_day_minutes(o.start_min, o.end_min)?;
    domain::check_date("date", o.date, now)?;
    check_text("note", note, 200, false)?;
    check_text("override_id", id, 64, true)
}

/// A qualification's expiry: ahead of now, and within the window any change may name.
pub fn validate_expiry(expires_at: Option<DateTime<Utc>>, now: i64) -> Result<()> {
    let Some(at) = expires_at.map(|e| e.timestamp()) else { return Ok(()) };
    if at <= now {
        return Err(CoreError::invalid("expires_at", "the expiry is already past"));
    }
    domain::check_instant("expires_at", at, now)
}

/// The bookings (by their spans) that a blackout falls on, in the resource's timezone.
pub fn hit_by_blackout<T>(tz: Tz, blackout: &Blackout, bookings: Vec<T>, span_of: impl Fn(&T) -> Span) -> Vec<T> {
    let (Some(first), Some(last)) =
        (bookings.iter().map(|b| span_of(b).start).min(), bookings.iter().map(|b| span_of(b).end).max())
    else {
        return Vec::new();
    };
    let days = Days::covering(tz, Span::new(first, last));
    let calendar = Calendar { tz, weekly: &[], overrides: &[], blackouts: std::slice::from_ref(blackout) };
    let spans = availability::blackout_spans(&calendar, &days, days.span());
    bookings.into_iter().filter(|b| interval::touches(&spans, span_of(b))).collect()
}
