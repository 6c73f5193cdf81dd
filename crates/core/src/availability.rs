//! Wall-clock rules → instants → free spans → bookable slots.
//!
//! A rule "Monday 09:00–17:00" in a zone covers every instant whose local wall-clock time
//! lies in that range. On the night clocks skip forward, a local time inside the gap maps
//! to the instant of the jump; on the night they go back, a range start takes the first
//! pass of the repeated hour and a range end the second, so no open time is lost.

use chrono::{Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use chrono_tz::Tz;

use crate::domain::{Blackout, BlackoutWhen, DateOverride, OverrideKind, Policy, WeeklyHours};
use crate::interval::{self, Span};

/// The rules that say when a resource is open, borrowed from wherever they were loaded.
#[derive(Debug, Clone, Copy)]
pub struct Calendar<'a> {
    pub tz: Tz,
    pub weekly: &'a [WeeklyHours],
    /// Sorted by date.
    pub overrides: &'a [DateOverride],
    pub blackouts: &'a [Blackout],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    Start,
    End,
}

/// One local date of a zone, with its midnight as an instant.
#[derive(Debug, Clone, Copy)]
pub struct Day {
    pub date: NaiveDate,
    /// 0 = Monday.
    pub weekday: u8,
    pub midnight: i64,
    pub next_midnight: i64,
    /// Whether the whole day has one UTC offset, so minute m is `midnight + 60 m`.
    uniform: bool,
}

/// The local dates of one zone that cover a range of instants. Built once per zone and
/// range and shared by every resource in that zone, which keeps zone lookups off the
/// per-resource path.
#[derive(Debug, Clone)]
pub struct Days {
    pub tz: Tz,
    pub days: Vec<Day>,
}

impl Days {
    /// Whole Monday-to-Sunday weeks, so that weekly caps count every booking of a week.
    /// Inputs are bounded at the edge (`domain::check_instant`); a range at the ends of the
    /// calendar covers no days rather than overflowing.
    pub fn covering(tz: Tz, range: Span) -> Days {
        let first = local_date(tz, range.start).checked_sub_signed(Duration::days(1));
        let first = first.and_then(|d| d.checked_sub_signed(Duration::days(i64::from(d.weekday().num_days_from_monday()))));
        let last = local_date(tz, range.end.max(range.start)).checked_add_signed(Duration::days(1));
        let last = last.and_then(|d| d.checked_add_signed(Duration::days(6 - i64::from(d.weekday().num_days_from_monday()))));
        let (Some(first), Some(last), Some(_)) = (first, last, last.and_then(|d| d.succ_opt())) else {
            return Days { tz, days: Vec::new() };
        };
        let mut days = Vec::new();
        let mut date = first;
        let mut midnight = local_to_utc(tz, date.and_time(NaiveTime::MIN), Edge::Start);
        while date <= last {
            let Some(next) = date.succ_opt() else { break };
            let next_midnight = local_to_utc(tz, next.and_time(NaiveTime::MIN), Edge::Start);
            let uniform = next_midnight - midnight == 86_400 && offset_at(tz, midnight) == offset_at(tz, next_midnight - 1);
            days.push(Day { date, weekday: date.weekday().num_days_from_monday() as u8, midnight, next_midnight, uniform });
            date = next;
            midnight = next_midnight;
        }
        Days { tz, days }
    }

    /// Pushes the instants of `day` whose wall-clock time lies in `start_min..end_min`. On a
    /// day the clocks change that may be two pieces (an hour the clocks go back over is in
    /// the window twice, or not at all), and never a stretch the wall clock puts outside it.
    fn push_minutes(&self, day: &Day, (start_min, end_min): (u16, u16), out: &mut Vec<Span>) {
        let (start_min, end_min) = (i64::from(start_min.min(1440)), i64::from(end_min.min(1440)));
        if start_min >= end_min {
            return;
        }
        if day.uniform {
            out.push(Span::new(day.midnight + start_min * 60, day.midnight + end_min * 60));
            return;
        }
        // Wall-clock seconds of the local midnight, as if it were UTC.
        let naive_midnight = day.date.and_time(NaiveTime::MIN).and_utc().timestamp();
        let mut from = day.midnight;
        while from < day.next_midnight {
            let offset = offset_at(self.tz, from);
            let to = self.offset_change_after(from, day.next_midnight);
            let lo = (naive_midnight + start_min * 60 - offset).max(from);
            let hi = (naive_midnight + end_min * 60 - offset).min(to);
            if lo < hi {
                out.push(Span::new(lo, hi));
            }
            from = to;
        }
    }

    /// The first instant after `from` and before `until` at which the zone's offset differs
    /// from its offset at `from`; `until` when there is none. Binary search: zones change
    /// offset at most a few times a day.
    fn offset_change_after(&self, from: i64, until: i64) -> i64 {
        let offset = offset_at(self.tz, from);
        if offset_at(self.tz, until - 1) == offset {
            return until;
        }
        let (mut lo, mut hi) = (from + 1, until - 1);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if offset_at(self.tz, mid) == offset { lo = mid + 1 } else { hi = mid }
        }
        lo
    }

    /// The instants these days cover.
    pub fn span(&self) -> Span {
        match (self.days.first(), self.days.last()) {
            (Some(a), Some(b)) => Span::new(a.midnight, b.next_midnight),
            _ => Span::new(0, 0),
        }
    }

    /// The index of the local day that contains the instant.
    pub fn index_of(&self, t: i64) -> Option<usize> {
        let i = self.days.partition_point(|d| d.next_midnight <= t);
        (i < self.days.len() && self.days[i].midnight <= t).then_some(i)
    }
}

pub fn offset_at(tz: Tz, t: i64) -> i64 {
    let utc = chrono::DateTime::from_timestamp(t, 0).unwrap_or_default().naive_utc();
    i64::from(tz.offset_from_utc_datetime(&utc).fix().local_minus_utc())
}

/// The instant a local wall-clock time stands for as the start of something: the earlier of
/// an ambiguous hour, and the moment of the jump for a time inside a gap.
pub fn local_start(tz: Tz, local: NaiveDateTime) -> i64 {
    local_to_utc(tz, local, Edge::Start)
}

/// As [`local_start`], for the end of something: the later of an ambiguous hour.
pub fn local_end(tz: Tz, local: NaiveDateTime) -> i64 {
    local_to_utc(tz, local, Edge::End)
}

pub fn local_date(tz: Tz, t: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(t, 0).unwrap_or_default().with_timezone(&tz).date_naive()
}

fn local_to_utc(tz: Tz, local: NaiveDateTime, edge: Edge) -> i64 {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.timestamp(),
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.timestamp(), b.timestamp());
            if edge == Edge::Start { a.min(b) } else { a.max(b) }
        }
        LocalResult::None => first_instant_at_or_after(tz, local),
    }
}

/// For a local time that does not exist (inside a gap), the instant of the jump: the
/// first instant whose wall-clock time is not before `local`. Binary search over one day
/// of instants, so it costs ~17 zone lookups and happens only on transition days.
fn first_instant_at_or_after(tz: Tz, local: NaiveDateTime) -> i64 {
    let naive = local.and_utc().timestamp();
    let wall = |u: i64| u + offset_at(tz, u);
    let (mut lo, mut hi) = (naive - 86_400 - 14 * 3600, naive + 14 * 3600);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if wall(mid) >= naive { hi = mid } else { lo = mid + 1 }
    }
    lo
}

/// Weekly hours plus extra hours minus time off, within `range`.
pub fn open_spans(cal: &Calendar, days: &Days, range: Span) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut minutes: Vec<(u16, u16)> = Vec::new();
    for day in days.days.iter().filter(|d| d.next_midnight > range.start && d.midnight < range.end) {
        let overrides = overrides_on(cal.overrides, day.date);
        if overrides.is_empty() {
            for w in cal.weekly.iter().filter(|w| w.weekday == day.weekday) {
                days.push_minutes(day, (w.start_min, w.end_min), &mut spans);
            }
            continue;
        }
        minutes.clear();
        minutes.extend(cal.weekly.iter().filter(|w| w.weekday == day.weekday).map(|w| (w.start_min, w.end_min)));
        minutes.extend(overrides.iter().filter(|o| o.kind == OverrideKind::Extra).map(|o| (o.start_min, o.end_min)));
        let add: Vec<Span> = minutes.iter().map(|&(a, b)| Span::new(i64::from(a), i64::from(b))).collect();
        let off: Vec<Span> = overrides
            .iter()
            .filter(|o| o.kind == OverrideKind::Off)
            .map(|o| Span::new(i64::from(o.start_min), i64::from(o.end_min)))
            .collect();
        for m in interval::subtract(&interval::normalize(add), &interval::normalize(off)) {
            days.push_minutes(day, (m.start as u16, m.end as u16), &mut spans);
        }
    }
    interval::intersect(&interval::normalize(spans), &[range])
}

fn overrides_on(overrides: &[DateOverride], date: NaiveDate) -> &[DateOverride] {
    let from = overrides.partition_point(|o| o.date < date);
    let to = overrides.partition_point(|o| o.date <= date);
    &overrides[from..to]
}

/// Maintenance blackouts (one-off and weekly) within `range`.
pub fn blackout_spans(cal: &Calendar, days: &Days, range: Span) -> Vec<Span> {
    if cal.blackouts.is_empty() {
        return Vec::new();
    }
    let mut spans = Vec::new();
    for b in cal.blackouts {
        match b.when {
            BlackoutWhen::Once { start, end } => spans.push(Span::new(start, end)),
            BlackoutWhen::Weekly { weekday, start_min, end_min, from, until } => {
                for day in
                    days.days.iter().filter(|d| d.weekday == weekday && d.date >= from && until.is_none_or(|u| d.date <= u))
                {
                    days.push_minutes(day, (start_min, end_min), &mut spans);
                }
            }
        }
    }
    interval::intersect(&interval::normalize(spans), &[range])
}

/// Open time minus blackouts.
pub fn available_spans(cal: &Calendar, days: &Days, range: Span) -> Vec<Span> {
    interval::subtract(&open_spans(cal, days, range), &blackout_spans(cal, days, range))
}

/// The instants at which a booking may start and end, given the resource's policy, the
/// bookings that hold capacity (`busy`, raw times) and the current time.
pub fn free_spans(cal: &Calendar, days: &Days, policy: &Policy, busy: &[Span], range: Span, now: i64) -> Vec<Span> {
    let window = Span::new(
        range.start.max(now + i64::from(policy.min_notice_min) * 60),
        range.end.min(now + i64::from(policy.horizon_days) * 86_400),
    );
    if window.is_empty() {
        return Vec::new();
    }
    let available = available_spans(cal, days, window);
    interval::subtract(&available, &blocked_spans(days, policy, busy))
}

/// Time a new booking may not touch: where the bookings (widened by the buffers) fill
/// the capacity, widened again by the new booking's own buffers, plus whole days and
/// weeks whose caps are reached.
pub fn blocked_spans(days: &Days, policy: &Policy, busy: &[Span]) -> Vec<Span> {
    let mut blocked = full_spans(policy, busy);
    let capped = capped_spans(days, policy, busy);
    if !capped.is_empty() {
        blocked.extend(capped);
        blocked = interval::normalize(blocked);
    }
    blocked
}

/// Where a new booking cannot start: times already held `capacity` times over, widened by
/// the buffers around each booking.
pub fn full_spans(policy: &Policy, busy: &[Span]) -> Vec<Span> {
    let before = i64::from(policy.buffer_before_min) * 60;
    let after = i64::from(policy.buffer_after_min) * 60;
    let held: Vec<Span> = busy.iter().map(|b| Span::new(b.start - before, b.end + after)).collect();
    interval::widen(&interval::saturated(&held, policy.capacity), after, before)
}

/// Local days (and Monday-to-Sunday weeks) where the per-day (per-week) cap is reached.
pub fn capped_spans(days: &Days, policy: &Policy, busy: &[Span]) -> Vec<Span> {
    if (policy.max_per_day.is_none() && policy.max_per_week.is_none()) || busy.is_empty() {
        return Vec::new();
    }
    let mut per_day = vec![0u32; days.days.len()];
    for b in busy {
        if let Some(i) = days.index_of(b.start) {
            per_day[i] += 1;
        }
    }
    let mut out = Vec::new();
    if let Some(cap) = policy.max_per_day {
        for (i, n) in per_day.iter().enumerate() {
            if *n >= cap {
                out.push(Span::new(days.days[i].midnight, days.days[i].next_midnight));
            }
        }
    }
    if let Some(cap) = policy.max_per_week {
        let mut i = 0;
        while i < days.days.len() {
            // A week is the run of days up to the next Monday.
            let mut j = i + 1;
            while j < days.days.len() && days.days[j].weekday != 0 {
                j += 1;
            }
            if per_day[i..j].iter().sum::<u32>() >= cap {
                out.push(Span::new(days.days[i].midnight, days.days[j - 1].next_midnight));
            }
            i = j;
        }
    }
    interval::normalize(out)
}

/// Bookable slots of `duration` seconds inside the free spans, starting on the
/// resource's local grid (every `step` seconds from local midnight).
pub fn slots(free: &[Span], tz: Tz, duration: i64, step: i64) -> Vec<Span> {
    let mut out = Vec::new();
    if duration <= 0 || step <= 0 {
        return out;
    }
    for span in free {
        let offset = offset_at(tz, span.start);
        let local = span.start + offset;
        let mut s = local.div_euclid(step) * step - offset;
        if s < span.start {
            s += step;
        }
        while s + duration <= span.end {
            out.push(Span::new(s, s + duration));
            s += step;
        }
    }
    out
}

/// Whether an instant lies on the resource's local grid.
pub fn on_grid(tz: Tz, t: i64, step: i64) -> bool {
    step > 0 && (t + offset_at(tz, t)).rem_euclid(step) == 0
}

/// The start of the grid slot under way at `t`: what a walk-up books from.
pub fn slot_under_way(tz: Tz, t: i64, step: i64) -> i64 {
    if step <= 0 { t } else { t - (t + offset_at(tz, t)).rem_euclid(step) }
}
