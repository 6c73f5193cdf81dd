//! Office hours and group sessions at the command line (`incubook office-hours …`).

use chrono::{DateTime, Utc};
use clap::Subcommand;
use incubook::Result;
use incubook::office::BlockKind;
use incubook::store::{OfficeHoursPlan, Store};

use crate::output::{Output, table};

#[derive(Subcommand, Debug)]
pub enum OfficeCommand {
    /// Publish office hours or a group session, weekly (the mentor or their space admin)
    Publish {
        /// The mentor, by resource id
        mentor_id: String,
        /// office_hours (答疑时间, seats one after another) or group (小组辅导)
        #[arg(long, default_value = "office_hours")]
        kind: BlockKind,
        /// Its title
        #[arg(long, default_value = "")]
        title: String,
        /// When the first block starts: RFC 3339, or a local time in the mentor's zone like 2026-12-18T14:00
        #[arg(long)]
        start: String,
        /// How long each block lasts, in minutes
        #[arg(long, default_value_t = 120)]
        minutes: u32,
        /// Office hours: each seat's length (20–30 minutes)
        #[arg(long)]
        seat_minutes: Option<u32>,
        /// Group: how many seats (2–50)
        #[arg(long)]
        seats: Option<u32>,
        /// How many weeks, the same local time each week
        #[arg(long, default_value_t = 1)]
        weeks: u32,
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Office hours from now on, with the seats taken and yours
    List {
        /// Only this mentor's, by resource id
        #[arg(long)]
        mentor: Option<String>,
        /// Who is looking, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Take a seat (the first free, or --seat N), or with --wait join the line when it is full
    Take {
        block_id: String,
        /// Office hours: which seat, 1 for the first
        #[arg(long)]
        seat: Option<u32>,
        /// Join the line if every seat is taken
        #[arg(long)]
        wait: bool,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Give up your seat or your place in line
    Leave {
        block_id: String,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Who sits where and who waits (the mentor's and space admins' view)
    Seats { block_id: String },
    /// Cancel a block: the calendar is free again and its founders are told
    Cancel {
        block_id: String,
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
}

pub fn run(store: &mut Store, command: &OfficeCommand, out: &Output, now: DateTime<Utc>) -> Result<()> {
    match command {
        OfficeCommand::Publish { mentor_id, kind, title, start, minutes, seat_minutes, seats, weeks, actor } => {
            let tz = store.mentor(mentor_id)?.timezone.parse().unwrap_or(crate::output::DISTRICT_TZ);
            let start = incubook::domain::to_utc(incubook::domain::parse_local_instant("start", start, tz)?);
            let plan = OfficeHoursPlan {
                resource_id: mentor_id.clone(),
                kind: *kind,
                title: title.clone(),
                start,
                minutes: *minutes,
                seat_minutes: *seat_minutes,
                seats: *seats,
                weeks: *weeks,
            };
            let ids = store.publish_office_hours(actor, &plan, now)?;
            out.show(&serde_json::json!({"ids": ids}), || format!("{} {}", out.t("已发布时段：", "Published:"), ids.join(", ")))
        }
        OfficeCommand::List { mentor, actor } => {
            let list = store.office_hours(actor, mentor.as_deref(), now)?;
            out.show(&list, || {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|b| {
                        let mine = match (b.my_seat, b.waiting, b.cancelled) {
                            (_, _, true) => out.t("已取消", "cancelled").to_string(),
                            (Some(n), _, _) => format!("{} {}", out.t("我的席位", "my seat"), n + 1),
                            (None, true, _) => out.t("候补中", "waiting").to_string(),
                            _ => String::new(),
                        };
                        vec![
                            b.id.clone(),
                            b.mentor_name.clone(),
                            b.title.clone(),
                            out.span(b.start, b.end),
                            format!("{}/{}", b.held.len(), b.capacity),
                            mine,
                        ]
                    })
                    .collect();
                table(
                    &[
                        out.t("编号", "id"),
                        out.t("导师", "mentor"),
                        out.t("主题", "title"),
                        out.t("时间", "time"),
                        out.t("已占/席位", "taken/seats"),
                        out.t("状态", "status"),
                    ],
                    &rows,
                )
            })
        }
        OfficeCommand::Take { block_id, seat, wait, actor } => {
            store.take_seat(actor, block_id, (seat.map(|n| n.saturating_sub(1)), *wait), now)?;
            let seen = store.office_hours(actor, None, now)?.into_iter().find(|b| &b.id == block_id);
            out.show(&seen, || match seen.as_ref().and_then(|b| b.my_seat) {
                Some(n) => format!("{} {}", out.t("已占席位", "Seat taken:"), n + 1),
                None => out.t("已加入候补", "You are in line").to_string(),
            })
        }
        OfficeCommand::Leave { block_id, actor } => {
            store.leave_seat(actor, block_id, now)?;
            out.show(&serde_json::json!({"block_id": block_id}), || out.t("已让出席位", "Seat given up").to_string())
        }
        OfficeCommand::Seats { block_id } => {
            let seats = store.block_seats(block_id)?;
            out.show(&seats, || {
                let rows: Vec<Vec<String>> = seats
                    .iter()
                    .map(|s| {
                        vec![
                            s.name.clone(),
                            s.seat.map(|n| (n + 1).to_string()).unwrap_or_default(),
                            s.state.as_str().to_string(),
                        ]
                    })
                    .collect();
                table(&[out.t("创业者", "founder"), out.t("席位", "seat"), out.t("状态", "state")], &rows)
            })
        }
        OfficeCommand::Cancel { block_id, actor } => {
            store.cancel_office_hours(actor, block_id, now)?;
            out.show(&serde_json::json!({"block_id": block_id, "cancelled": true}), || out.t("已取消", "Cancelled").to_string())
        }
    }
}
