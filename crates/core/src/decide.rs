//! Who may change a booking, and from which status: pure checks shared by the desktop store
//! and the server's PostgreSQL backend, so every backend refuses the same changes for the
//! same reasons. (Whether a time can be booked at all is `rules::check_booking`.)

use chrono_tz::Tz;

use crate::availability::{self, Calendar, Days};
use crate::domain::{Blackout, BookingStatus, ResourceKind, Role, Visibility};
use crate::error::{CoreError, Refusal, Result};
use crate::interval::{self, Span};
use crate::rules::{Qualification, ResourceRules, RuleContext};

// Moved to `validate` and `command`; kept here for callers of the old paths.
pub use crate::command::validate_equipment;
pub use crate::validate::{check_text, validate_blackout, validate_date_override, validate_expiry, validate_request};

/// A person and the roles they hold, per makerspace id.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub id: String,
    pub roles: Vec<(String, Role)>,
    /// Works for the district (区科委): publishes programmes and calls, takes in applications.
    pub district_operator: bool,
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
    booker_holding: u32,
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
        booker_holding,
    }
}

/// What the rules see of a booking in a makerspace's catalogue upload: its booker counts as a
/// founder only in the resource's own makerspace, since a space admin uploads only the
/// bookings of their own people (`rules::check_uploaded`).
pub fn upload_rule_context<'a>(rules: &'a ResourceRules, busy: &'a [Span], booker: &Actor) -> RuleContext<'a> {
    RuleContext {
        booker_is_founder: booker.has(Role::Founder, &rules.makerspace_id),
        // An upload brings bookings the desktop already held; the per-person limit is for new ones.
        ..rule_context(rules, busy, booker, Qualification::NotNeeded, true, 0)
    }
}

/// The status an uploaded booking keeps: one the desktop had confirmed still waits for the
/// owner when the resource asks for approval.
pub fn uploaded_status(status: BookingStatus, approval_required: bool) -> BookingStatus {
    if approval_required { BookingStatus::Requested } else { status }
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

/// What a booking cancelled by a blackout says to its booker.
pub fn blackout_cancel_reason(blackout: &Blackout) -> String {
    if blackout.reason.is_empty() { "设备维护 / maintenance".to_string() } else { blackout.reason.clone() }
}

/// Whether a person may see (and so book or wait for) a resource: a mentor may keep to their
/// own makerspace (`mentor_visibility` is the mentor's setting; `None` for equipment).
pub fn visible_to(person: &Actor, rules: &ResourceRules, mentor_visibility: Option<Visibility>) -> bool {
    rules.kind != ResourceKind::Mentor
        || mentor_visible_to(person, &rules.makerspace_id, mentor_visibility.unwrap_or(Visibility::District))
}

/// Whether a mentor of `makerspace_id` with this visibility is the person's to see and book.
pub fn mentor_visible_to(person: &Actor, makerspace_id: &str, visibility: Visibility) -> bool {
    visibility == Visibility::District || person.member_of(makerspace_id)
}

/// Who runs a startup — changes it, its members and its lead, answers for a move-in: its
/// lead, or a space admin of a makerspace that answers for it (`answers_as_space_admin`).
pub fn may_run_startup<'a>(who: &Actor, lead: Option<&Actor>, current_stays: impl Iterator<Item = &'a str>) -> bool {
    lead.is_some_and(|l| l.id == who.id) || answers_as_space_admin(who, lead, current_stays)
}

/// Whether the person is a space admin of a makerspace that answers for a startup: one where
/// it stays now (or is to stay), or — while it stays nowhere — one its lead belongs to. A
/// stay that has ended gives no say (review N7: once resident was once in control).
pub fn answers_as_space_admin<'a>(who: &Actor, lead: Option<&Actor>, current_stays: impl Iterator<Item = &'a str>) -> bool {
    let mut stays = current_stays.peekable();
    if stays.peek().is_none() {
        return lead.is_some_and(|l| l.roles.iter().any(|(m, _)| who.has(Role::SpaceAdmin, m)));
    }
    stays.any(|m| who.has(Role::SpaceAdmin, m))
}

/// Whether `person` may be made a member (or the lead) of a startup: a founder of a makerspace
/// that answers for it — where it stays, or while it stays nowhere, one its lead belongs to
/// (review N11: membership sets a person's user class and fees, so it is not given to
/// anyone from anywhere). The lead of a new startup is a founder of the creator's makerspace.
pub fn may_join_startup<'a>(person: &Actor, lead: Option<&Actor>, current_stays: impl Iterator<Item = &'a str>) -> bool {
    let mut stays = current_stays.peekable();
    if stays.peek().is_none() {
        return match lead {
            Some(l) => l.roles.iter().any(|(m, _)| person.has(Role::Founder, m)),
            None => person.has_anywhere(Role::Founder),
        };
    }
    stays.any(|m| person.has(Role::Founder, m))
}
