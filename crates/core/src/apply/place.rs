//! A session's place: the mentor's default for the format a founder books in, a place of
//! its own for one booking, and the mentor's defaults.

use super::{Outcome, actor, audit, booking, is_owner, resource};
use crate::domain::{BookingStatus, ResourceKind, Role};
use crate::error::CoreError;
use crate::ledger::{Ledger, MentorEffect, RecordEffect, Stored};
use crate::place::{PlaceDefaults, SessionFormat, SessionPlace, offered};
use crate::rules::ResourceRules;

/// The place a new booking in `format` takes: the mentor's default for it (none when they
/// keep no default, or when this replica is not shown their defaults — the server, which
/// is, decides again). A format the mentor does not offer, or any format for equipment, is
/// refused.
pub(super) fn default_place<L: Ledger>(
    l: &mut L,
    rules: &ResourceRules,
    format: SessionFormat,
) -> Outcome<Option<SessionPlace>, L::Error> {
    if rules.kind != ResourceKind::Mentor {
        return Err(CoreError::invalid("format", "only a mentor session has a format (仅导师辅导可选形式)").into());
    }
    let Some(places) = l.mentor_places(&rules.id).stored()? else { return Ok(None) };
    if !offered(&places.formats, format) {
        let reason =
            format!("this mentor does not meet {} (该导师不提供{}辅导)", format.as_str(), format.label(crate::i18n::Lang::Zh));
        return Err(CoreError::invalid("format", reason).into());
    }
    Ok(places.defaults.for_format(format).cloned())
}

/// The mentor, or an admin of the mentor's makerspace, gives one booking a place of its
/// own; the founder of a confirmed session is told where it now is.
pub(super) fn set_session_place<L: Ledger>(
    l: &mut L,
    person: &str,
    booking_id: &str,
    place: &SessionPlace,
    now: i64,
) -> Outcome<(), L::Error> {
    let place = place.validate()?;
    let editor = actor(l, person)?;
    let b = booking(l, booking_id)?;
    let rules = resource(l, &b.resource_id, true)?;
    if rules.kind != ResourceKind::Mentor {
        return Err(CoreError::invalid("booking_id", "only a mentor session has a place (仅导师辅导可设地点)").into());
    }
    if !is_owner(l, &editor, &rules)? && !editor.has(Role::SpaceAdmin, &rules.makerspace_id) {
        return Err(CoreError::Forbidden("only the mentor or their space admin sets a session's place".into()).into());
    }
    if !b.status.holds_slot() {
        return Err(crate::Refusal::WrongStatus { status: b.status.as_str().to_string() }.into());
    }
    l.write(MentorEffect::SetPlace { booking_id, format: place.format(), place: Some(&place), at: now }).stored()?;
    audit(l, person, ("set_place", "booking", booking_id), serde_json::json!({"place": place}), now)?;
    if b.status == BookingStatus::Confirmed && person != b.booker_id {
        let told = RecordEffect::Notify {
            person_id: &b.booker_id,
            kind: "place_changed",
            booking_id: Some(booking_id),
            resource_id: Some(&b.resource_id),
            detail: serde_json::json!({"format": place.format()}),
            at: now,
        };
        l.write(told).stored()?;
    }
    Ok(())
}

/// A mentor's defaults, replaced whole, by the mentor or their space's admin.
pub(super) fn set_place_defaults<L: Ledger>(
    l: &mut L,
    person: &str,
    mentor_id: &str,
    defaults: &PlaceDefaults,
    now: i64,
) -> Outcome<(), L::Error> {
    let defaults = defaults.validate()?;
    let editor = actor(l, person)?;
    let rules = resource(l, mentor_id, true)?;
    if rules.kind != ResourceKind::Mentor {
        return Err(CoreError::not_found("mentor", mentor_id).into());
    }
    if !is_owner(l, &editor, &rules)? && !editor.has(Role::SpaceAdmin, &rules.makerspace_id) {
        return Err(CoreError::Forbidden("only the mentor or their space admin sets the mentor's places".into()).into());
    }
    l.write(MentorEffect::SetPlaceDefaults { mentor_id, defaults: &defaults }).stored()?;
    // The passcodes stay out of the audit log: the formats say what changed.
    let formats: Vec<_> = defaults.places.iter().map(SessionPlace::format).collect();
    audit(l, person, ("set_places", "mentor", mentor_id), serde_json::json!({"formats": formats}), now)
}
