//! Office hours and group sessions: a mentor publishes blocks of their time, founders take
//! seats (one each per block) or wait in line, a seat given up goes to the first in line.

use super::{Outcome, actor, audit, is_owner, resource, visible, write_status};
use crate::domain::{BookingStatus, ResourceKind, Role};
use crate::error::{CoreError, Refusal};
use crate::interval::Span;
use crate::ledger::{BookingEffect, Entity, Ledger, OfficeEffect, RecordEffect, Stored};
use crate::office::{NewBlocks, SeatState, StoredBlock, first_waiting, free_seat};

fn block<L: Ledger>(l: &mut L, id: &str, lock: bool) -> Outcome<StoredBlock, L::Error> {
    l.office_block(id, lock).stored()?.ok_or_else(|| CoreError::not_found("office_block", id).into())
}

/// The mentor, or an admin of their makerspace, may publish and cancel their blocks.
fn require_host<L: Ledger>(l: &mut L, person: &str, resource_id: &str) -> Outcome<crate::rules::ResourceRules, L::Error> {
    let who = actor(l, person)?;
    let rules = resource(l, resource_id, true)?;
    if rules.kind != ResourceKind::Mentor {
        return Err(CoreError::not_found("mentor", resource_id).into());
    }
    if !is_owner(l, &who, &rules)? && !who.has(Role::SpaceAdmin, &rules.makerspace_id) {
        return Err(CoreError::Forbidden("only the mentor or their space admin publishes office hours".into()).into());
    }
    Ok(rules)
}

pub(super) fn publish<L: Ledger>(l: &mut L, person: &str, new: &NewBlocks, now: i64) -> Outcome<(), L::Error> {
    let shape = new.validate(now)?;
    let rules = require_host(l, person, &new.resource_id)?;
    let Some(mentor) = l.mentor(&rules.id).stored()?.map(|m| m.person_id) else {
        return Err(CoreError::not_found("mentor", &new.resource_id).into());
    };
    let title = new.title.trim();
    for at in &new.blocks {
        if l.exists(Entity::Booking, &at.block_id).stored()? {
            return Err(CoreError::Conflict(format!("block {}", at.block_id)).into());
        }
        let span = Span::new(at.start.timestamp(), at.start.timestamp() + i64::from(new.minutes) * 60);
        // The block holds the mentor's calendar: nothing else may be there.
        if l.busy(&rules.id, span, None).stored()?.iter().any(|b| b.start < span.end && span.start < b.end) {
            return Err(Refusal::SlotTaken.into());
        }
        let hold = BookingEffect::InsertBooking {
            id: &at.block_id,
            resource_id: &rules.id,
            booker_id: &mentor,
            // The mentor's own hold of their calendar: no startup's session.
            startup_id: None,
            span,
            status: BookingStatus::Confirmed,
            topic: title,
            at: now,
        };
        l.write(hold).stored()?;
        let insert = OfficeEffect::InsertBlock {
            id: &at.block_id,
            resource_id: &rules.id,
            kind: new.kind,
            title,
            span,
            seat_minutes: shape.seat_minutes,
            capacity: shape.capacity,
            at: now,
        };
        l.write(insert).stored()?;
    }
    let ids: Vec<&str> = new.blocks.iter().map(|b| b.block_id.as_str()).collect();
    let detail = serde_json::json!({"kind": new.kind, "blocks": ids, "capacity": shape.capacity});
    audit(l, person, ("publish_office_hours", "mentor", &rules.id), detail, now)
}

/// A founder takes a seat (the one asked for, or the first free), or with `wait` joins the
/// line when the block is full.
pub(super) fn take_seat<L: Ledger>(
    l: &mut L,
    person: &str,
    block_id: &str,
    (asked, wait): (Option<u32>, bool),
    now: i64,
) -> Outcome<(), L::Error> {
    let who = actor(l, person)?;
    let b = block(l, block_id, true)?;
    if b.cancelled || now >= b.span.start {
        return Err(Refusal::RegistrationClosed.into());
    }
    let rules = resource(l, &b.resource_id, false)?;
    if !visible(l, &who, &rules)? {
        return Err(Refusal::NotVisible.into());
    }
    if !who.has_anywhere(Role::Founder) {
        return Err(Refusal::NotAFounder.into());
    }
    let seats = l.seats(block_id).stored()?;
    if seats.iter().any(|s| s.person_id == person && s.state != SeatState::Left) {
        return Err(CoreError::Conflict("you have a seat of this block already (每个时段只能占一个席位)".into()).into());
    }
    match free_seat(&b, asked)? {
        Some(n) => {
            l.write(OfficeEffect::PutSeat { block_id, person_id: person, seat: Some(n), state: SeatState::Held, at: now })
                .stored()?;
            let mut held = b.held.clone();
            held.push(n);
            held.sort_unstable();
            l.write(OfficeEffect::SetBlockHeld { id: block_id, held: &held }).stored()?;
        }
        None if wait => {
            l.write(OfficeEffect::PutSeat { block_id, person_id: person, seat: None, state: SeatState::Waiting, at: now })
                .stored()?;
        }
        // The seat asked for is taken, another is free.
        None if asked.is_some() && (b.held.len() as u32) < b.capacity => return Err(Refusal::SlotTaken.into()),
        None => return Err(Refusal::SeatsFull { capacity: b.capacity }.into()),
    }
    audit(l, person, ("take_seat", "office_block", block_id), serde_json::json!({"seat": asked, "wait": wait}), now)
}

/// A founder gives up their seat or their place in line; a seat goes to the first in line.
pub(super) fn leave_seat<L: Ledger>(l: &mut L, person: &str, block_id: &str, now: i64) -> Outcome<(), L::Error> {
    let b = block(l, block_id, true)?;
    let seats = l.seats(block_id).stored()?;
    let Some(mine) = seats.iter().find(|s| s.person_id == person && s.state != SeatState::Left).cloned() else {
        return Err(CoreError::not_found("seat", person).into());
    };
    if now >= b.span.end {
        return Err(Refusal::RegistrationClosed.into());
    }
    l.write(OfficeEffect::PutSeat { block_id, person_id: person, seat: None, state: SeatState::Left, at: now }).stored()?;
    if let (SeatState::Held, Some(seat)) = (mine.state, mine.seat) {
        match first_waiting(&seats).filter(|_| now < b.span.start) {
            Some(next) => {
                let next = next.person_id.clone();
                let seat = Some(seat);
                l.write(OfficeEffect::PutSeat { block_id, person_id: &next, seat, state: SeatState::Held, at: now }).stored()?;
                let detail = serde_json::json!({"block_id": block_id, "seat": seat});
                let told = RecordEffect::Notify {
                    person_id: &next,
                    kind: "seat_granted",
                    booking_id: Some(block_id),
                    resource_id: Some(&b.resource_id),
                    detail,
                    at: now,
                };
                l.write(told).stored()?;
            }
            None => {
                let held: Vec<u32> = b.held.iter().copied().filter(|n| *n != seat).collect();
                l.write(OfficeEffect::SetBlockHeld { id: block_id, held: &held }).stored()?;
            }
        }
    }
    audit(l, person, ("leave_seat", "office_block", block_id), serde_json::json!({}), now)
}

/// The mentor (or their space admin) cancels a block: the calendar is free again, and
/// everyone with a seat or in line is told.
pub(super) fn cancel_block<L: Ledger>(l: &mut L, person: &str, block_id: &str, now: i64) -> Outcome<(), L::Error> {
    let b = block(l, block_id, true)?;
    require_host(l, person, &b.resource_id)?;
    if b.cancelled {
        return Ok(());
    }
    l.write(OfficeEffect::CancelBlock { id: block_id }).stored()?;
    if let Some(hold) = l.booking(block_id).stored()?
        && hold.status.holds_slot()
    {
        write_status(l, person, &hold, BookingStatus::Cancelled, Some("office hours cancelled"), now)?;
    }
    for s in l.seats(block_id).stored()?.into_iter().filter(|s| s.state != SeatState::Left) {
        let told = RecordEffect::Notify {
            person_id: &s.person_id,
            kind: "office_hours_cancelled",
            booking_id: Some(block_id),
            resource_id: Some(&b.resource_id),
            detail: serde_json::json!({"start": crate::domain::to_utc(b.span.start)}),
            at: now,
        };
        l.write(told).stored()?;
    }
    audit(l, person, ("cancel_office_hours", "office_block", block_id), serde_json::json!({}), now)
}
