//! `apply(ledger, person, command, now)`: every command decided once, for every backend. It
//! reads the facts it needs through the [`Ledger`] and writes what it decided through it,
//! inside the caller's transaction; the desktop, the SQLite server and PostgreSQL differ only
//! in how they read and write rows.

mod allocation;
mod booking;
mod calendar;
mod calls;
mod directory;
mod events;
mod labs;
mod office;
mod place;
mod series;
mod session;
mod startups;
mod usage;

pub use usage::{SYSTEM_ACTOR, Swept, release_no_shows, sweep};

pub use booking::{
    Asked, REQUEST_ANSWER_HOURS, REQUEST_EXPIRED, RequestFacts, ZONE_NOTICE_DAYS, decide_new_booking, expire_requests,
    kept_reason, tell_zone_changes, write_status,
};

use crate::calls::lifecycle::Action;
use crate::command::Command;
use crate::decide::{self, Actor};
use crate::domain::{BookingStatus, Id, ResourceKind};
use crate::error::CoreError;
use crate::ledger::{ApplyError, Entity, Ledger, RecordEffect, Stored, StoredBooking};
use crate::rules::ResourceRules;

/// What `apply` answers: done, or why not.
pub type Outcome<T, E> = Result<T, ApplyError<E>>;

/// Applies `command` as `person` at `now` (Unix seconds).
pub fn apply<L: Ledger>(l: &mut L, person: &str, command: &Command, now: i64) -> Outcome<(), L::Error> {
    use BookingStatus as S;
    match command {
        Command::Uploaded { change } => {
            let change = Command::uploaded_change(change)?;
            // Someone the district has already (another makerspace's upload) is not added
            // again; their roles here come with the upload's `SetRole`s.
            if let Some(id) = Command::uploaded_person(change)
                && l.exists(Entity::Person, id).stored()?
            {
                return Ok(());
            }
            // A makerspace's own events from before it connected come with its catalogue.
            if let Command::PublishEvent { event_id, event } = change {
                return events::publish(l, person, event_id, event, (now, events::Dated::AsRecorded));
            }
            apply(l, person, change, now)
        }
        Command::Book { booking_id, resource_id, start, end, topic, format } => {
            let new = booking::Book { id: booking_id, resource_id, start: *start, end: *end, topic, format: *format };
            booking::book(l, person, new, now)
        }
        Command::AllocateHours { allocation_id, allocation: new } => allocation::allocate(l, person, allocation_id, new, now),
        Command::TopUpHours { topup_id, allocation_id, hours, reason } => {
            allocation::top_up(l, person, (topup_id, allocation_id), (*hours, reason), now)
        }
        Command::PublishOfficeHours { blocks } => office::publish(l, person, blocks, now),
        Command::TakeSeat { block_id, person_id, seat, wait } => {
            if person_id != person {
                return Err(CoreError::Forbidden("founders take seats themselves".into()).into());
            }
            office::take_seat(l, person, block_id, (*seat, *wait), now)
        }
        Command::LeaveSeat { block_id, person_id } => {
            if person_id != person {
                return Err(CoreError::Forbidden("founders give up their own seats".into()).into());
            }
            office::leave_seat(l, person, block_id, now)
        }
        Command::CancelOfficeHours { block_id } => office::cancel_block(l, person, block_id, now),
        Command::SetSessionPlace { booking_id, place: p } => place::set_session_place(l, person, booking_id, p, now),
        Command::SetPlaceDefaults { mentor_id, defaults } => place::set_place_defaults(l, person, mentor_id, defaults, now),
        Command::UploadBooking { booking } => booking::upload(l, person, booking, now),
        Command::Cancel { booking_id, reason } => {
            booking::change_status(l, person, booking_id, S::Cancelled, reason.as_deref(), now)
        }
        Command::Approve { booking_id } => booking::change_status(l, person, booking_id, S::Confirmed, None, now),
        Command::Decline { booking_id, reason } => booking::change_status(l, person, booking_id, S::Declined, Some(reason), now),
        Command::Complete { booking_id } => booking::change_status(l, person, booking_id, S::Completed, None, now),
        Command::NoShow { booking_id } => booking::change_status(l, person, booking_id, S::NoShow, None, now),
        Command::Reschedule { booking_id, start, end } => booking::reschedule(l, person, booking_id, (*start, *end), now),
        Command::BookSeries { series_id, resource_id, occurrences, topic, repeat, skip_conflicts } => {
            let s = series::Series { id: series_id, resource_id, occurrences, topic, repeat, skip_conflicts: *skip_conflicts };
            series::book_series(l, person, &s, now)
        }
        Command::CancelSeries { booking_id, scope, reason } => {
            series::cancel_series(l, person, (booking_id, *scope), reason.as_deref(), now)
        }
        Command::MoveSeries { booking_id, start, end, scope } => {
            series::move_series(l, person, (booking_id, *scope), (*start, *end), now)
        }
        Command::SetWeeklyHours { resource_id, hours } => calendar::set_weekly_hours(l, person, resource_id, hours, now),
        Command::SetPolicy { resource_id, policy } => calendar::set_policy(l, person, resource_id, policy, now),
        Command::AddDateOverride { override_id, resource_id, date_override, note } => {
            calendar::add_date_override(l, person, (override_id, resource_id), date_override, note, now)
        }
        Command::RemoveDateOverride { override_id } => calendar::remove_date_override(l, person, override_id, now),
        Command::CreateEquipment { equipment_id, equipment } => labs::create_equipment(l, person, equipment_id, equipment, now),
        Command::UpdateEquipment { equipment_id, equipment } => labs::update_equipment(l, person, equipment_id, equipment, now),
        Command::AddBlackout { blackout, cancel_hits } => labs::add_blackout(l, person, blackout, *cancel_hits, now),
        Command::RemoveBlackout { blackout_id } => labs::remove_blackout(l, person, blackout_id, now),
        Command::GrantQualification { person_id, resource_id, expires_at } => {
            labs::grant_qualification(l, person, (person_id, resource_id), *expires_at, now)
        }
        Command::RevokeQualification { person_id, resource_id } => {
            labs::revoke_qualification(l, person, (person_id, resource_id), now)
        }
        Command::JoinWaitlist { waitlist_id, resource_id, start, end } => {
            session::join_waitlist(l, person, (waitlist_id, resource_id), (*start, *end), now)
        }
        Command::SetSessionNote { booking_id, body } => session::set_session_note(l, person, booking_id, body, now),
        Command::GiveFeedback { booking_id, rating, comment, pairing_fits } => {
            session::give_feedback(l, person, booking_id, (*rating, comment, *pairing_fits), now)
        }
        Command::CreatePerson { person_id, person: new } => directory::create_person(l, person, person_id, new, now),
        Command::CreateLab { lab_id, lab } => directory::create_lab(l, person, lab_id, lab, now),
        Command::CreateMentor { mentor_id, mentor } => directory::create_mentor(l, person, mentor_id, mentor, now),
        Command::UpdateMentorProfile { mentor_id, profile } => {
            directory::update_mentor_profile(l, person, mentor_id, profile, now)
        }
        Command::SetRole { person_id, makerspace_id, role, granted } => {
            directory::set_role(l, person, (person_id, makerspace_id), *role, *granted, now)
        }
        Command::SetKioskPin { person_id, pin_hash } => directory::set_kiosk_pin(l, person, person_id, pin_hash.as_deref(), now),
        Command::PublishEvent { event_id, event } => events::publish(l, person, event_id, event, (now, events::Dated::Ahead)),
        Command::CancelEvent { event_id } => events::cancel(l, person, event_id, now),
        Command::RegisterForEvent { event_id, person_id, registered } => {
            if person_id != person {
                return Err(CoreError::Forbidden("people register for events themselves".into()).into());
            }
            events::register(l, person, event_id, *registered, now)
        }
        Command::MarkAttendance { event_id, person_id, attended } => {
            events::mark_attendance(l, person, (event_id, person_id), *attended, now)
        }
        Command::CreateStartup { startup_id, startup, lead_id } => {
            startups::create_startup(l, person, (startup_id, lead_id), startup, now)
        }
        Command::UpdateStartup { startup_id, startup } => startups::update_startup(l, person, startup_id, startup, now),
        Command::SetStartupMember { startup_id, person_id, member, lead } => {
            startups::set_member(l, person, (startup_id, person_id), (*member, *lead), now)
        }
        Command::MoveIn { residency_id, startup_id, makerspace_id, date } => {
            startups::move_in(l, person, (residency_id, startup_id, makerspace_id), *date, now)
        }
        Command::MoveOut { startup_id, residency_id, date } => {
            startups::move_out(l, person, (startup_id, residency_id), *date, now)
        }
        Command::AnswerMoveIn { startup_id, residency_id, accept } => {
            startups::answer_move_in(l, person, (startup_id, residency_id), *accept, now)
        }
        Command::ConfirmCreditCode { startup_id } => startups::confirm_credit_code(l, person, startup_id, now),
        Command::CreateProgramme { programme } => calls::create_programme(l, person, programme, now),
        Command::PublishCall { call_id, call } => calls::publish_call(l, person, call_id, call, now),
        Command::CorrectCall { call_id, call } => calls::correct_call(l, person, call_id, call, now),
        Command::CancelCall { call_id, reason } => calls::cancel_call(l, person, call_id, reason, now),
        Command::DraftApplication { application_id, call_id, startup_id, draft } => {
            calls::draft(l, person, (application_id, call_id, startup_id), draft, now)
        }
        Command::SubmitApplication { application_id, event_id } => calls::submit(l, person, (application_id, event_id), now),
        Command::DecideApplication { application_id, event_id, intake } => {
            calls::decide(l, person, (application_id, event_id), intake, now)
        }
        Command::RequestRecheck { application_id, event_id, reason } => {
            calls::by_applicant(l, person, (application_id, event_id), (Action::RequestRecheck, reason), now)
        }
        Command::WithdrawApplication { application_id, event_id, reason } => {
            calls::by_applicant(l, person, (application_id, event_id), (Action::Withdraw, reason), now)
        }
        Command::CheckIn { session_id, booking_id, purpose, samples, at } => {
            usage::check_in(l, person, (session_id, booking_id), (*purpose, *samples), (*at, now))
        }
        Command::WalkUp { session_id, booking_id, resource_id, person_id, start, end, purpose, samples, at } => {
            let walk_up = usage::WalkUp {
                ids: (session_id, booking_id),
                resource_id,
                person_id,
                ran: (*start, *end),
                purpose: *purpose,
                samples: *samples,
            };
            usage::walk_up(l, person, &walk_up, (*at, now))
        }
        Command::CheckOut { session_id, at } => usage::check_out(l, person, session_id, (*at, now)),
        Command::SetRegister { resource_id, register } => usage::set_register(l, person, resource_id, register, now),
        Command::SetRates { resource_id, rates } => usage::set_rates(l, person, resource_id, rates, now),
        Command::SetUsageRules { resource_id, rules } => usage::set_usage_rules(l, person, resource_id, rules, now),
        Command::CorrectSession { session_id, started_at, ended_at, purpose, samples, waived_fen, reason } => {
            let correction = usage::Correction {
                ran: (*started_at, *ended_at),
                purpose: *purpose,
                samples: *samples,
                waived_fen: *waived_fen,
                reason,
            };
            usage::correct_session(l, person, session_id, &correction, now)
        }
    }
}

fn actor<L: Ledger>(l: &mut L, id: &str) -> Outcome<Actor, L::Error> {
    l.actor(id).stored()?.ok_or_else(|| CoreError::not_found("person", id).into())
}

fn resource<L: Ledger>(l: &mut L, id: &str, lock: bool) -> Outcome<ResourceRules, L::Error> {
    l.rules(id, lock).stored()?.ok_or_else(|| CoreError::not_found("resource", id).into())
}

fn booking<L: Ledger>(l: &mut L, id: &str) -> Outcome<StoredBooking, L::Error> {
    l.booking(id).stored()?.ok_or_else(|| CoreError::not_found("booking", id).into())
}

/// Whether the actor owns the resource's calendar: the mentor, or the lab managers (and
/// space admins) of the equipment's makerspace.
fn is_owner<L: Ledger>(l: &mut L, actor: &Actor, rules: &ResourceRules) -> Outcome<bool, L::Error> {
    match require_owner(l, actor, rules) {
        Ok(()) => Ok(true),
        Err(ApplyError::Decided(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The actor owns the resource's calendar, or is told why not.
fn require_owner<L: Ledger>(l: &mut L, actor: &Actor, rules: &ResourceRules) -> Outcome<(), L::Error> {
    let mentor = match rules.kind {
        ResourceKind::Mentor => l.mentor(&rules.id).stored()?.map(|m| m.person_id),
        ResourceKind::Equipment => None,
    };
    Ok(decide::require_owner(actor, rules.kind, &rules.makerspace_id, mentor.as_deref())?)
}

/// The audit entry of a change: (action, entity, entity id).
fn audit<L: Ledger>(
    l: &mut L,
    person: &str,
    (action, entity, entity_id): (&str, &str, &str),
    detail: serde_json::Value,
    now: i64,
) -> Outcome<(), L::Error> {
    l.write(RecordEffect::Audit { actor_id: person, action, entity, entity_id, detail, at: now }).stored()
}

/// Whether the actor may see (and so book or wait for) the resource.
fn visible<L: Ledger>(l: &mut L, actor: &Actor, rules: &ResourceRules) -> Outcome<bool, L::Error> {
    let visibility = match rules.kind {
        ResourceKind::Mentor => l.mentor(&rules.id).stored()?.map(|m| m.visibility),
        ResourceKind::Equipment => None,
    };
    Ok(decide::visible_to(actor, rules, visibility))
}

/// Who decides on a resource's requests: the mentor, or the lab managers of its makerspace.
fn owners<L: Ledger>(l: &mut L, rules: &ResourceRules) -> Outcome<Vec<Id>, L::Error> {
    match rules.kind {
        ResourceKind::Mentor => Ok(l.mentor(&rules.id).stored()?.map(|m| m.person_id).into_iter().collect()),
        ResourceKind::Equipment => l.lab_managers(&rules.makerspace_id).stored(),
    }
}
