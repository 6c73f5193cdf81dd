//! Where a mentor session happens: in person (a room and address), online (a meeting on one
//! of the providers founders use, with its link, number and passcode) or by phone. A mentor
//! keeps one default per format; a booking made in a format takes that default, and the mentor
//! (or their space's admin) may give one booking a place of its own. Join details are for the
//! two sides and the space's admins, and for the founder only once the session is confirmed:
//! [`details_visible`] is that rule, for the views and for sync alike.

use serde::{Deserialize, Serialize};

use crate::domain::BookingStatus;
use crate::error::{CoreError, Result};
use crate::i18n::Lang;
use crate::validate::check_text;

/// How a session is held.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SessionFormat {
    InPerson,
    Online,
    Phone,
}

impl SessionFormat {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (SessionFormat::InPerson, Lang::Zh) => "线下",
            (SessionFormat::InPerson, Lang::En) => "In person",
            (SessionFormat::Online, Lang::Zh) => "线上",
            (SessionFormat::Online, Lang::En) => "Online",
            (SessionFormat::Phone, Lang::Zh) => "电话",
            (SessionFormat::Phone, Lang::En) => "Phone",
        }
    }
}

/// The meeting services founders and mentors use.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum MeetingProvider {
    /// 腾讯会议
    TencentMeeting,
    /// VooV Meeting, 腾讯会议's international edition
    Voov,
    /// 飞书
    Feishu,
    /// 钉钉
    Dingtalk,
    Zoom,
    Teams,
    Other,
}

impl MeetingProvider {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (MeetingProvider::TencentMeeting, Lang::Zh) => "腾讯会议",
            (MeetingProvider::TencentMeeting, Lang::En) => "Tencent Meeting",
            (MeetingProvider::Voov, _) => "VooV Meeting",
            (MeetingProvider::Feishu, Lang::Zh) => "飞书",
            (MeetingProvider::Feishu, Lang::En) => "Feishu",
            (MeetingProvider::Dingtalk, Lang::Zh) => "钉钉",
            (MeetingProvider::Dingtalk, Lang::En) => "DingTalk",
            (MeetingProvider::Zoom, _) => "Zoom",
            (MeetingProvider::Teams, _) => "Microsoft Teams",
            (MeetingProvider::Other, Lang::Zh) => "其他",
            (MeetingProvider::Other, Lang::En) => "Other",
        }
    }
}

/// A session's place, with its details.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "format", rename_all = "snake_case", deny_unknown_fields)]
pub enum SessionPlace {
    InPerson {
        #[serde(default)]
        room: String,
        #[serde(default)]
        address: String,
    },
    Online {
        provider: MeetingProvider,
        #[serde(default)]
        join_url: String,
        #[serde(default)]
        meeting_id: String,
        #[serde(default)]
        passcode: String,
    },
    Phone {
        number: String,
    },
}

impl SessionPlace {
    pub fn format(&self) -> SessionFormat {
        match self {
            SessionPlace::InPerson { .. } => SessionFormat::InPerson,
            SessionPlace::Online { .. } => SessionFormat::Online,
            SessionPlace::Phone { .. } => SessionFormat::Phone,
        }
    }

    /// The place checked, its fields trimmed.
    pub fn validate(&self) -> Result<SessionPlace> {
        let t = |s: &str| s.trim().to_string();
        Ok(match self {
            SessionPlace::InPerson { room, address } => {
                check_text("room", room, 100, false)?;
                check_text("address", address, 200, false)?;
                if room.trim().is_empty() && address.trim().is_empty() {
                    return Err(CoreError::invalid("room", "name the room or the address (请填写会议室或地址)"));
                }
                SessionPlace::InPerson { room: t(room), address: t(address) }
            }
            SessionPlace::Online { provider, join_url, meeting_id, passcode } => {
                check_text("join_url", join_url, 500, false)?;
                check_text("meeting_id", meeting_id, 40, false)?;
                check_text("passcode", passcode, 20, false)?;
                let url = join_url.trim();
                if url.is_empty() && meeting_id.trim().is_empty() {
                    return Err(CoreError::invalid(
                        "join_url",
                        "an online session needs its link or meeting number (请填写会议链接或会议号)",
                    ));
                }
                let web = url.starts_with("https://") || url.starts_with("http://");
                if !(url.is_empty() || web) || url.contains(char::is_whitespace) {
                    return Err(CoreError::invalid(
                        "join_url",
                        "must be a web link starting with https:// (须为 https:// 开头的链接)",
                    ));
                }
                SessionPlace::Online { provider: *provider, join_url: t(url), meeting_id: t(meeting_id), passcode: t(passcode) }
            }
            SessionPlace::Phone { number } => {
                let n = number.trim();
                let digits = n.chars().filter(char::is_ascii_digit).count();
                if !(5..=20).contains(&digits) || !n.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
                    return Err(CoreError::invalid("number", "a phone number of 5–20 digits (电话号码应为 5–20 位数字)"));
                }
                SessionPlace::Phone { number: n.to_string() }
            }
        })
    }

    /// One line naming the place: the room and address, the meeting service and number, or
    /// the phone number.
    pub fn summary(&self, lang: Lang) -> String {
        match self {
            SessionPlace::InPerson { room, address } => {
                [room.as_str(), address.as_str()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ")
            }
            SessionPlace::Online { provider, meeting_id, passcode, .. } => {
                let mut line = provider.label(lang).to_string();
                if !meeting_id.is_empty() {
                    line.push_str(&format!(" {meeting_id}"));
                }
                if !passcode.is_empty() {
                    line.push_str(&format!(" ({}: {passcode})", if lang == Lang::Zh { "密码" } else { "passcode" }));
                }
                line
            }
            SessionPlace::Phone { number } => format!("{}: {number}", if lang == Lang::Zh { "电话" } else { "Phone" }),
        }
    }
}

/// A mentor's default place for each format they offer, at most one each.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceDefaults {
    pub places: Vec<SessionPlace>,
}

impl PlaceDefaults {
    /// Every place checked; two of one format are refused.
    pub fn validate(&self) -> Result<PlaceDefaults> {
        let mut places: Vec<SessionPlace> = Vec::new();
        for place in &self.places {
            let place = place.validate()?;
            if places.iter().any(|p| p.format() == place.format()) {
                return Err(CoreError::invalid("places", "one default place per format (每种形式只能有一个默认地点)"));
            }
            places.push(place);
        }
        Ok(PlaceDefaults { places })
    }

    pub fn for_format(&self, format: SessionFormat) -> Option<&SessionPlace> {
        self.places.iter().find(|p| p.format() == format)
    }
}

/// Who is looking at a booking's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceViewer {
    /// The founder who booked.
    Booker,
    /// The mentor, or an admin of the mentor's makerspace.
    Host,
    Other,
}

/// Whether the viewer may see where and how to join: the host always, the booker once the
/// session is confirmed (and after it), nobody else.
pub fn details_visible(viewer: PlaceViewer, status: BookingStatus) -> bool {
    match viewer {
        PlaceViewer::Host => true,
        PlaceViewer::Booker => matches!(status, BookingStatus::Confirmed | BookingStatus::Completed),
        PlaceViewer::Other => false,
    }
}

/// The format a mentor's `formats` list names, as the booking screen offers it.
pub fn offered(formats: &[String], format: SessionFormat) -> bool {
    formats.is_empty() || formats.iter().any(|f| f == format.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_online_place_needs_a_web_link_or_a_number() {
        let online = |url: &str, id: &str| SessionPlace::Online {
            provider: MeetingProvider::TencentMeeting,
            join_url: url.into(),
            meeting_id: id.into(),
            passcode: String::new(),
        };
        assert!(online("", "").validate().is_err());
        assert!(online("javascript:alert(1)", "").validate().is_err());
        assert!(online("https://meeting.tencent.com/dm/a b", "").validate().is_err());
        assert!(online("", "123 456 789").validate().is_ok());
        let ok = online(" https://meeting.tencent.com/dm/abc ", "").validate();
        assert!(matches!(ok, Ok(SessionPlace::Online { join_url, .. }) if join_url == "https://meeting.tencent.com/dm/abc"));
    }

    #[test]
    fn the_founder_sees_join_details_only_once_confirmed() {
        assert!(!details_visible(PlaceViewer::Booker, BookingStatus::Requested));
        assert!(details_visible(PlaceViewer::Booker, BookingStatus::Confirmed));
        assert!(!details_visible(PlaceViewer::Booker, BookingStatus::Cancelled));
        assert!(details_visible(PlaceViewer::Host, BookingStatus::Requested));
        assert!(!details_visible(PlaceViewer::Other, BookingStatus::Confirmed));
    }

    #[test]
    fn one_default_per_format() {
        let phone = SessionPlace::Phone { number: "+86 21 5555 0101".into() };
        let twice = PlaceDefaults { places: vec![phone.clone(), phone] };
        assert!(twice.validate().is_err());
        assert!(SessionPlace::Phone { number: "call me".into() }.validate().is_err());
    }
}
