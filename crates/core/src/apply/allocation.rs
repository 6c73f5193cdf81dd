//! Hour allocations: a space admin gives a startup mentor hours and tops them up, with a
//! reason the audit log keeps.

use super::{Outcome, actor, audit};
use crate::allocation::{NewAllocation, check_hours, check_reason};
use crate::domain::Role;
use crate::error::CoreError;
use crate::ledger::{Entity, Ledger, MoneyEffect, Stored};
use crate::validate::check_text;

pub(super) fn allocate<L: Ledger>(l: &mut L, person: &str, id: &str, new: &NewAllocation, now: i64) -> Outcome<(), L::Error> {
    let new = new.validate(now)?;
    check_text("allocation_id", id, 64, true)?;
    actor(l, person)?.require(Role::SpaceAdmin, &new.makerspace_id, "allocating mentor hours")?;
    if l.startup(&new.startup_id).stored()?.is_none() {
        return Err(CoreError::not_found("startup", &new.startup_id).into());
    }
    if l.exists(Entity::Allocation, id).stored()? {
        return Err(CoreError::Conflict(format!("allocation {id}")).into());
    }
    l.write(MoneyEffect::InsertAllocation { id, allocation: &new, created_by: person, at: now }).stored()?;
    let detail = serde_json::json!({"allocation_id": id, "programme": new.programme, "hours": new.hours});
    audit(l, person, ("allocate_hours", "startup", &new.startup_id), detail, now)
}

pub(super) fn top_up<L: Ledger>(
    l: &mut L,
    person: &str,
    (id, allocation_id): (&str, &str),
    (hours, reason): (u32, &str),
    now: i64,
) -> Outcome<(), L::Error> {
    check_hours("hours", hours)?;
    let reason = check_reason(reason)?;
    check_text("topup_id", id, 64, true)?;
    let Some((makerspace_id, startup_id)) = l.allocation(allocation_id).stored()? else {
        return Err(CoreError::not_found("allocation", allocation_id).into());
    };
    actor(l, person)?.require(Role::SpaceAdmin, &makerspace_id, "topping up mentor hours")?;
    if l.exists(Entity::TopUp, id).stored()? {
        return Err(CoreError::Conflict(format!("top-up {id}")).into());
    }
    let minutes = hours * 60;
    l.write(MoneyEffect::InsertTopUp {
        id,
        allocation_id,
        startup_id: &startup_id,
        minutes,
        reason,
        created_by: person,
        at: now,
    })
    .stored()?;
    let detail = serde_json::json!({"topup_id": id, "hours": hours, "reason": reason});
    audit(l, person, ("top_up_hours", "hour_allocation", allocation_id), detail, now)
}
