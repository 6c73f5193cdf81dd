//! Events at the command line (`incubook events …`): publish, list, register, attendance.

use chrono::{DateTime, Duration, Utc};
use clap::Subcommand;
use incubook::Result;
use incubook::events::{EventKind, NewEvent};
use incubook::store::Store;

use crate::output::{Output, table};

#[derive(Subcommand, Debug)]
pub enum EventCommand {
    /// Publish an event of your makerspace (a space admin)
    Publish {
        /// Its title
        title: String,
        /// roadshow (路演), salon (沙龙), training (培训), bootcamp (训练营) or other
        #[arg(long, default_value = "salon")]
        kind: EventKind,
        /// The makerspace, by its code (like PD-0001)
        #[arg(long)]
        makerspace: String,
        /// When it starts: RFC 3339, or a local time like 2026-12-18T14:00
        #[arg(long)]
        start: String,
        /// How long, in minutes
        #[arg(long, default_value_t = 120)]
        minutes: i64,
        /// Where
        #[arg(long, default_value = "")]
        place: String,
        /// How many may register
        #[arg(long)]
        capacity: u32,
        /// Who is acting, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// The district's events from now on, with places taken and your registration
    List {
        /// Who is looking, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Register for an event, or withdraw (--withdraw)
    Register {
        /// The event, by id
        event_id: String,
        /// Withdraw instead
        #[arg(long)]
        withdraw: bool,
        /// Who is registering, by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
    /// Take attendance: the person came (or, with --absent, did not)
    Attend {
        /// The event, by id
        event_id: String,
        /// The person, by id
        person_id: String,
        /// Mark them absent instead
        #[arg(long)]
        absent: bool,
        /// Who is acting (a space admin), by person id
        #[arg(long = "as", value_name = "PERSON_ID")]
        actor: String,
    },
}

pub fn run(store: &mut Store, command: &EventCommand, out: &Output, now: DateTime<Utc>) -> Result<()> {
    match command {
        EventCommand::Publish { title, kind, makerspace, start, minutes, place, capacity, actor } => {
            let ms = store.makerspace_by_code(makerspace)?;
            let tz = ms.timezone.parse().unwrap_or(crate::output::DISTRICT_TZ);
            let start = incubook::domain::to_utc(incubook::domain::parse_local_instant("start", start, tz)?);
            let event = NewEvent {
                makerspace_id: ms.id,
                kind: *kind,
                title: title.clone(),
                start,
                end: start + Duration::minutes(*minutes),
                place: place.clone(),
                capacity: *capacity,
            };
            let id = store.publish_event(actor, &event, now)?;
            let published = store.event(actor, &id, now)?;
            out.show(&published, || format!("{} {id}", out.t("已发布活动", "Event published:")))
        }
        EventCommand::List { actor } => {
            let list = store.events(actor, now)?;
            out.show(&list, || {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|e| {
                        vec![
                            e.id.clone(),
                            e.title.clone(),
                            e.makerspace_name.clone(),
                            out.span(e.start, e.end),
                            format!("{}/{}", e.registered, e.capacity),
                            if e.cancelled {
                                out.t("已取消", "cancelled").to_string()
                            } else if e.mine {
                                out.t("已报名", "registered").to_string()
                            } else {
                                String::new()
                            },
                        ]
                    })
                    .collect();
                table(
                    &[
                        out.t("编号", "id"),
                        out.t("活动", "event"),
                        out.t("空间", "makerspace"),
                        out.t("时间", "time"),
                        out.t("已报名/名额", "taken/places"),
                        out.t("状态", "status"),
                    ],
                    &rows,
                )
            })
        }
        EventCommand::Register { event_id, withdraw, actor } => {
            store.register_for_event(actor, event_id, !withdraw, now)?;
            out.show(&serde_json::json!({"event_id": event_id, "registered": !withdraw}), || {
                if *withdraw { out.t("已取消报名", "Withdrawn") } else { out.t("报名成功", "Registered") }.to_string()
            })
        }
        EventCommand::Attend { event_id, person_id, absent, actor } => {
            store.mark_attendance(actor, (event_id, person_id), !absent, now)?;
            out.show(&serde_json::json!({"event_id": event_id, "person_id": person_id, "attended": !absent}), || {
                out.t("已记录签到", "Attendance recorded").to_string()
            })
        }
    }
}
