//! A startup's mentor hours at the command line (`incubook hours …`): what is left of each
//! allocation, giving hours, topping them up with a reason.

use chrono::{DateTime, Utc};
use clap::Subcommand;
use incubook::Result;
use incubook::allocation::{HourBalance, NewAllocation};
use incubook::domain::parse_date;
use incubook::store::Store;

use crate::output::{Output, table};

#[derive(Subcommand, Debug)]
pub enum HoursCommand {
    /// A startup's allocations and what is left of them (or the startup of --member)
    List {
        /// The startup, by id
        #[arg(long, required_unless_present = "member")]
        startup: Option<String>,
        /// A member of the startup, by person id
        #[arg(long)]
        member: Option<String>,
    },
    /// Give a startup mentor hours (a space admin): for this quarter unless --from/--to say
    Allocate {
        /// The startup, by id
        startup_id: String,
        #[arg(long)]
        hours: u32,
        /// The makerspace giving them, by its code (like PD-0001)
        #[arg(long)]
        makerspace: String,
        /// The programme's name (default: the quarter, like 2026Q4)
        #[arg(long)]
        programme: Option<String>,
        /// First day, like 2026-10-01
        #[arg(long, requires = "to")]
        from: Option<String>,
        /// Last day, like 2026-12-31
        #[arg(long, requires = "from")]
        to: Option<String>,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Add hours to an allocation, with the reason (kept in the audit log)
    TopUp {
        /// The allocation, by id
        allocation_id: String,
        #[arg(long)]
        hours: u32,
        #[arg(long)]
        reason: String,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
}

fn show(out: &Output, balances: &[HourBalance]) -> Result<()> {
    out.show(&balances, || {
        if balances.is_empty() {
            return out.t("还没有导师时长额度。", "No mentor hours given yet.").into();
        }
        let hours = |m: i64| format!("{:.1}", m as f64 / 60.0);
        let rows: Vec<Vec<String>> = balances
            .iter()
            .map(|b| {
                vec![
                    b.allocation_id.clone(),
                    b.programme.clone(),
                    format!("{} – {}", b.starts_on, b.ends_on),
                    hours(i64::from(b.budget_min)),
                    hours(i64::from(b.used_min)),
                    hours(b.remaining_min),
                ]
            })
            .collect();
        table(
            &[
                out.t("编号", "id"),
                out.t("项目", "programme"),
                out.t("日期", "dates"),
                out.t("额度（小时）", "given (h)"),
                out.t("已用", "used"),
                out.t("剩余", "left"),
            ],
            &rows,
        )
    })
}

pub fn run(store: &mut Store, command: &HoursCommand, out: &Output, now: DateTime<Utc>) -> Result<()> {
    match command {
        HoursCommand::List { startup, member } => {
            let balances = match (startup, member) {
                (Some(s), _) => store.hour_balances(s)?,
                (None, Some(p)) => store.my_hour_balances(p)?,
                (None, None) => Vec::new(),
            };
            show(out, &balances)
        }
        HoursCommand::Allocate { startup_id, hours, makerspace, programme, from, to, actor } => {
            let ms = store.makerspace_by_code(makerspace)?;
            let (quarter, first, last) = store.quarter_at(&ms.id, now)?;
            let (starts_on, ends_on) = match (from, to) {
                (Some(f), Some(t)) => (parse_date("from", f)?, parse_date("to", t)?),
                _ => (first, last),
            };
            let new = NewAllocation {
                startup_id: startup_id.clone(),
                makerspace_id: ms.id,
                programme: programme.clone().unwrap_or(quarter),
                starts_on,
                ends_on,
                hours: *hours,
            };
            store.allocate_hours(actor, &new, now)?;
            show(out, &store.hour_balances(startup_id)?)
        }
        HoursCommand::TopUp { allocation_id, hours, reason, actor } => {
            store.top_up_hours(actor, allocation_id, (*hours, reason), now)?;
            show(out, &store.hour_balances(&store.allocation_startup(allocation_id)?)?)
        }
    }
}
