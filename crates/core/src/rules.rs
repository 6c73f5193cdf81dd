//! The booking rules as one pure function, shared by the desktop store and the district
//! server: `(resource, rules, existing bookings, request, now) → Ok | Refusal`.

use chrono_tz::Tz;

use crate::availability::{self, Calendar, Days};
use crate::domain::{Blackout, DateOverride, Id, Policy, ResourceKind, WeeklyHours};
use crate::error::Refusal;
use crate::interval::{self, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualification {
    NotNeeded,
    Valid,
    Missing,
    Expired,
}

/// Everything the rules need to know about one resource and one booker.
#[derive(Debug, Clone)]
pub struct RuleContext<'a> {
    pub resource_name: &'a str,
    pub active: bool,
    pub policy: &'a Policy,
    pub calendar: Calendar<'a>,
    /// Bookings of the resource that hold capacity, other than the one being changed,
    /// covering at least the local weeks around the request.
    pub busy: &'a [Span],
    pub qualification: Qualification,
    pub booker_is_founder: bool,
    pub visible_to_booker: bool,
    /// The booker's upcoming bookings of this resource, other than the one being changed.
    pub booker_holding: u32,
}

/// Checks a new booking (or the new time of a rescheduled one).
pub fn check_booking(ctx: &RuleContext, request: Span, now: i64) -> Result<(), Refusal> {
    check_booker(ctx)?;
    if request.start < now {
        return Err(Refusal::InPast);
    }
    check_shape(ctx, request)?;
    if request.start < now + i64::from(ctx.policy.min_notice_min) * 60 {
        return Err(Refusal::TooSoon { min_notice_min: ctx.policy.min_notice_min });
    }
    check_the_rest(ctx, request, now)
}

/// Checks a walk-up at the instrument at `at`: a booking of the grid slot under way, needing
/// no notice, under every other rule.
pub fn check_walk_up(ctx: &RuleContext, request: Span, at: i64) -> Result<(), Refusal> {
    check_booker(ctx)?;
    check_shape(ctx, request)?;
    let step = i64::from(ctx.policy.granularity_min) * 60;
    if at < request.start || at >= request.start + step {
        return Err(Refusal::NotUnderWay);
    }
    check_the_rest(ctx, request, at)
}

fn check_booker(ctx: &RuleContext) -> Result<(), Refusal> {
    if !ctx.booker_is_founder {
        return Err(Refusal::NotAFounder);
    }
    if !ctx.visible_to_booker {
        return Err(Refusal::NotVisible);
    }
    if !ctx.active {
        return Err(Refusal::ResourceInactive);
    }
    Ok(())
}

/// The rules after the timing: horizon, personal limit, qualification, hours, caps, capacity.
fn check_the_rest(ctx: &RuleContext, request: Span, now: i64) -> Result<(), Refusal> {
    let policy = ctx.policy;
    if request.end > now + i64::from(policy.horizon_days) * 86_400 {
        return Err(Refusal::TooFarAhead { horizon_days: policy.horizon_days });
    }
    if let Some(max) = policy.max_per_person
        && ctx.booker_holding >= max
    {
        return Err(Refusal::PersonalLimitReached { max });
    }
    check_qualification(ctx.qualification, ctx.resource_name)?;
    let days = Days::covering(ctx.calendar.tz, request);
    check_open(ctx, &days, request)?;
    let capped = availability::capped_spans(&days, policy, ctx.busy);
    if interval::touches(&capped, request) {
        let day_full = policy.max_per_day.is_some_and(|cap| {
            let i = days.index_of(request.start);
            i.is_some_and(|i| ctx.busy.iter().filter(|b| days.index_of(b.start) == Some(i)).count() as u32 >= cap)
        });
        return Err(match (day_full, policy.max_per_day, policy.max_per_week) {
            (true, Some(cap), _) => Refusal::DailyCapReached { cap },
            (_, _, Some(cap)) => Refusal::WeeklyCapReached { cap },
            (_, Some(cap), None) => Refusal::DailyCapReached { cap },
            (_, None, None) => Refusal::SlotTaken,
        });
    }
    let blocked = availability::blocked_spans(&days, policy, ctx.busy);
    if interval::touches(&blocked, request) {
        return Err(Refusal::SlotTaken);
    }
    Ok(())
}

/// A length the resource offers, on its grid.
fn check_shape(ctx: &RuleContext, request: Span) -> Result<(), Refusal> {
    let policy = ctx.policy;
    let minutes = request.len() / 60;
    if !policy.durations_min.is_empty() {
        if request.len() % 60 != 0 || !policy.durations_min.iter().any(|d| i64::from(*d) == minutes) {
            return Err(Refusal::DurationNotOffered { offered: policy.durations_min.clone() });
        }
    } else {
        if minutes < i64::from(policy.min_duration_min) {
            return Err(Refusal::TooShort { min_duration_min: policy.min_duration_min });
        }
        if request.len() > i64::from(policy.max_duration_min) * 60 {
            return Err(Refusal::TooLong { max_duration_min: policy.max_duration_min });
        }
        if request.len() % (i64::from(policy.granularity_min) * 60) != 0 {
            return Err(Refusal::OffGrid { granularity_min: policy.granularity_min });
        }
    }
    let step = i64::from(policy.granularity_min) * 60;
    if !availability::on_grid(ctx.calendar.tz, request.start, step) {
        return Err(Refusal::OffGrid { granularity_min: policy.granularity_min });
    }
    Ok(())
}

/// Outside every blackout, inside the open hours.
fn check_open(ctx: &RuleContext, days: &Days, request: Span) -> Result<(), Refusal> {
    let around = days.span();
    let blackouts = availability::blackout_spans(&ctx.calendar, days, around);
    if interval::touches(&blackouts, request) {
        return Err(Refusal::Blackout { reason: blackout_reason(ctx, request) });
    }
    let open = availability::open_spans(&ctx.calendar, days, around);
    if !interval::covers(&open, request) {
        return Err(Refusal::OutsideHours);
    }
    Ok(())
}

/// A booking a makerspace's desktop held before it joined the district, as the server takes
/// it on upload from that makerspace's space admin. The booker must be a founder of the
/// resource's makerspace (`ctx.booker_is_founder` says so for uploads), and the booking must
/// keep the rules that do not depend on when it was made: a length the resource offers, on its
/// grid, inside open hours, outside blackouts, still ahead, and a time that is not full. Notice,
/// horizon and caps were checked when it was made; approval is kept by `uploaded_status`.
pub fn check_uploaded(ctx: &RuleContext, request: Span, now: i64) -> Result<(), Refusal> {
    if !ctx.booker_is_founder {
        return Err(Refusal::NotAFounder);
    }
    if !ctx.active {
        return Err(Refusal::ResourceInactive);
    }
    if request.end <= now {
        return Err(Refusal::InPast);
    }
    check_shape(ctx, request)?;
    check_open(ctx, &Days::covering(ctx.calendar.tz, request), request)?;
    if interval::touches(&availability::full_spans(ctx.policy, ctx.busy), request) {
        return Err(Refusal::SlotTaken);
    }
    Ok(())
}

fn blackout_reason(ctx: &RuleContext, request: Span) -> String {
    let days = Days::covering(ctx.calendar.tz, request);
    ctx.calendar
        .blackouts
        .iter()
        .find(|b| {
            let one = Calendar { blackouts: std::slice::from_ref(*b), ..ctx.calendar };
            interval::touches(&availability::blackout_spans(&one, &days, days.span()), request)
        })
        .map(|b| b.reason.clone())
        .unwrap_or_default()
}

/// The person may use the equipment: qualified, and not expired (at the booking's end, or
/// at a check-in).
pub fn check_qualification(qualification: Qualification, equipment: &str) -> Result<(), Refusal> {
    match qualification {
        Qualification::NotNeeded | Qualification::Valid => Ok(()),
        Qualification::Missing => Err(Refusal::NotQualified { equipment: equipment.to_string() }),
        Qualification::Expired => Err(Refusal::QualificationExpired { equipment: equipment.to_string() }),
    }
}

/// A resource with everything that decides when it can be booked.
#[derive(Debug, Clone)]
pub struct ResourceRules {
    pub id: Id,
    pub kind: ResourceKind,
    pub makerspace_id: Id,
    pub name: String,
    pub tz: Tz,
    pub active: bool,
    pub policy: Policy,
    pub weekly: Vec<WeeklyHours>,
    pub overrides: Vec<DateOverride>,
    pub blackouts: Vec<Blackout>,
}

impl ResourceRules {
    pub fn calendar(&self) -> Calendar<'_> {
        Calendar { tz: self.tz, weekly: &self.weekly, overrides: &self.overrides, blackouts: &self.blackouts }
    }
}
