//! Session places at the command line: a mentor's default place per format (`incubook places`)
//! and one session's own place (`incubook place`).

use clap::Args;
use incubook::Result;
use incubook::place::{MeetingProvider, PlaceDefaults, SessionPlace};
use incubook::store::Store;

use crate::output::Output;

/// A place, given as the flags of one format.
#[derive(Args, Debug)]
pub struct PlaceArgs {
    /// In person: the room
    #[arg(long, conflicts_with_all = ["provider", "url", "phone"])]
    room: Option<String>,
    /// In person: the address
    #[arg(long, conflicts_with_all = ["provider", "url", "phone"])]
    address: Option<String>,
    /// Online: tencent_meeting (腾讯会议), voov, feishu (飞书), dingtalk (钉钉), zoom, teams or other
    #[arg(long, conflicts_with = "phone")]
    provider: Option<MeetingProvider>,
    /// Online: the join link (https://…)
    #[arg(long, conflicts_with = "phone")]
    url: Option<String>,
    /// Online: the meeting number
    #[arg(long, default_value = "")]
    meeting_id: String,
    /// Online: the passcode
    #[arg(long, default_value = "")]
    passcode: String,
    /// By phone: the number to call
    #[arg(long)]
    phone: Option<String>,
}

impl PlaceArgs {
    fn place(&self) -> Result<SessionPlace> {
        if let Some(number) = &self.phone {
            return Ok(SessionPlace::Phone { number: number.clone() });
        }
        if self.provider.is_some() || self.url.is_some() {
            return Ok(SessionPlace::Online {
                provider: self.provider.unwrap_or(MeetingProvider::Other),
                join_url: self.url.clone().unwrap_or_default(),
                meeting_id: self.meeting_id.clone(),
                passcode: self.passcode.clone(),
            });
        }
        if self.room.is_some() || self.address.is_some() {
            let (room, address) = (self.room.clone().unwrap_or_default(), self.address.clone().unwrap_or_default());
            return Ok(SessionPlace::InPerson { room, address });
        }
        Err(incubook::CoreError::invalid("place", "give --room/--address, --provider/--url, or --phone"))
    }
}

/// `incubook place BOOKING`: one session's own place.
pub fn set_session_place(
    store: &mut Store,
    out: &Output,
    (booking_id, actor): (&str, &str),
    args: &PlaceArgs,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let place = args.place()?;
    store.set_session_place(actor, booking_id, &place, now)?;
    out.show(&place, || format!("{} {}", out.t("辅导地点已更新：", "The session's place is now"), place.summary(out.lang)))
}

/// `incubook places MENTOR`: the mentor's default for the place's format, the others kept;
/// with no place flags, the defaults as they are.
pub fn set_default_place(
    store: &mut Store,
    out: &Output,
    (mentor_id, actor): (&str, &str),
    args: &PlaceArgs,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let mut defaults = store.place_defaults(mentor_id)?;
    if let Ok(place) = args.place() {
        defaults.places.retain(|p| p.format() != place.format());
        defaults.places.push(place);
        store.set_place_defaults(actor, mentor_id, &defaults, now)?;
        defaults = store.place_defaults(mentor_id)?;
    }
    show_defaults(out, &defaults)
}

fn show_defaults(out: &Output, defaults: &PlaceDefaults) -> Result<()> {
    out.show(defaults, || {
        if defaults.places.is_empty() {
            return out.t("还没有默认地点。", "No default places yet.").into();
        }
        let lines: Vec<String> = defaults
            .places
            .iter()
            .map(|p| {
                let link = match p {
                    SessionPlace::Online { join_url, .. } if !join_url.is_empty() => format!(" {join_url}"),
                    _ => String::new(),
                };
                format!("{}: {}{link}", p.format().label(out.lang), p.summary(out.lang))
            })
            .collect();
        lines.join("\n")
    })
}
