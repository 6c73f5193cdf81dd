//! Repeating bookings at the command line: `book --repeat`, and `cancel`/`reschedule` with
//! `--series following|all`.

use chrono::{DateTime, Utc};
use incubook::command::SeriesScope;
use incubook::domain::parse_date;
use incubook::i18n::status_label;
use incubook::recurrence::Repeat;
use incubook::store::{NewSeries, SeriesPlan, Store};
use incubook::{CoreError, Result};

use crate::RepeatArgs;
use crate::output::Output;

/// The rule the arguments give; `None` without `--repeat`.
pub fn repeat_of(args: &RepeatArgs) -> Result<Option<Repeat>> {
    let Some(every) = args.repeat else { return Ok(None) };
    let until = args.until.as_deref().map(|u| parse_date("until", u)).transpose()?;
    Ok(Some(Repeat { every, days: args.days.clone(), count: args.count, until }))
}

/// Books the series (or, with `--dry-run`, shows what each time would become). Refused whole,
/// the times in conflict are listed before the refusal.
pub fn book(store: &mut Store, out: &Output, (actor, new): (&str, &NewSeries), dry_run: bool, now: DateTime<Utc>) -> Result<()> {
    if dry_run {
        let plan = store.preview_series(actor, new, now)?;
        return show_plan(out, &plan, out.t("试排（未预约）", "Dry run (nothing booked)"));
    }
    match store.book_series(actor, new, now) {
        Ok(plan) => show_plan(out, &plan, out.t("已预约重复预约", "Booked a repeating booking")),
        Err(e @ CoreError::Refused(_)) if !out.json => {
            if let Ok(plan) = store.preview_series(actor, new, now) {
                let heading = if new.skip_conflicts {
                    out.t("每个时段都有冲突，未预约", "Every time in conflict; nothing booked")
                } else {
                    out.t(
                        "有时段冲突，全部未预约（可加 --skip-conflicts 跳过冲突）",
                        "Times in conflict; nothing booked (add --skip-conflicts to skip them)",
                    )
                };
                let _ = show_plan(out, &plan, heading);
            }
            Err(e)
        }
        Err(e) => Err(e),
    }
}

fn show_plan(out: &Output, plan: &SeriesPlan, heading: &str) -> Result<()> {
    out.show(plan, || {
        let mut lines = vec![format!("{heading} · {} {}", out.t("规则", "rule"), plan.rule)];
        for o in &plan.occurrences {
            let why = o.rejection.as_ref().map(|r| format!(" — {}", r.message(out.lang))).unwrap_or_default();
            let status =
                if o.rejection.is_some() { out.t("冲突", "conflict") } else { status_label(o.status.as_str(), out.lang) };
            let id = if o.rejection.is_none() { format!("  {}", o.booking_id) } else { String::new() };
            lines.push(format!("  {} [{status}]{why}{id}", out.span(o.start, o.end)));
        }
        let booked = plan.occurrences.len() - plan.conflicts();
        lines.push(format!(
            "{} {booked} / {}{}",
            out.t("可预约", "bookable"),
            plan.occurrences.len(),
            if plan.conflicts() > 0 {
                format!(", {} {}", plan.conflicts(), out.t("个冲突", "in conflict"))
            } else {
                String::new()
            }
        ));
        lines.push(format!("{}: {}", out.t("系列编号", "series id"), plan.series_id));
        lines.join("\n")
    })
}

/// `cancel --series` and `reschedule --series`: the series as it stands afterwards.
pub fn changed(store: &Store, out: &Output, booking_id: &str, scope: SeriesScope) -> Result<()> {
    let plan = store.series_of_booking(booking_id)?.ok_or_else(|| CoreError::not_found("booking", booking_id))?;
    let heading = match scope {
        SeriesScope::Following => out.t("已更改此次及以后", "Changed this and the following"),
        SeriesScope::All => out.t("已更改全部未开始的", "Changed all not yet begun"),
    };
    show_plan(out, &plan, heading)
}
