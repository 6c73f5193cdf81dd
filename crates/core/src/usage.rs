//! Machine hours: what a usage session of an instrument costs, in integer fen, and the sharing
//! figures a district is judged on — 有效工作机时 (effective hours), 对外服务机时 (hours serving
//! users from outside the instrument's makerspace) and 共享率 (the second over the first).
//! Figures are sums of sessions, never of bookings, and each keeps the sessions behind it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::Id;
use crate::error::{CoreError, Result};
use crate::interval::Span;
use crate::startup::{StartupKind, StoredStartup};

// An instrument's rates are data of the domain (an instrument lists them); what they charge
// is decided here.
pub use crate::domain::{ChargeBasis, Fen, Rates};

/// Who a session serves, as rates and figures class them.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum UserClass {
    /// A member of the instrument's own makerspace.
    Internal,
    /// A member of another makerspace of the district.
    External,
    /// A company from outside the district's makerspaces.
    Enterprise,
}

impl UserClass {
    /// The class of a person at an instrument of `makerspace_id` on the local date `date`.
    /// Their startup decides when it has one: resident there that day is internal, resident
    /// in another makerspace of the district external, and a registered company resident in
    /// none is an enterprise user. Otherwise their roles do: a member there is internal,
    /// anyone else external.
    pub fn of<R>(roles: &[(Id, R)], startup: Option<&StoredStartup>, makerspace_id: &str, date: NaiveDate) -> UserClass {
        if let Some(startup) = startup {
            let mut resident = startup.resident_at(date).peekable();
            if resident.peek().is_some() {
                return if resident.any(|m| m == makerspace_id) { UserClass::Internal } else { UserClass::External };
            }
            if startup.kind == StartupKind::Enterprise {
                return UserClass::Enterprise;
            }
        }
        if roles.iter().any(|(m, _)| m == makerspace_id) { UserClass::Internal } else { UserClass::External }
    }
}

/// What a session was for. The sharing definition leaves out certification, commercial
/// inspection and bulk acceptance testing: they count as work, not as sharing.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Purpose {
    /// 科研/技术开发
    Research,
    /// 测试
    Testing,
    /// 教学
    Teaching,
    /// 法定认证
    Certification,
    /// 商业检验
    CommercialInspection,
    /// 大批量验货
    BulkInspection,
}

impl Purpose {
    /// Whether hours for an outside user with this purpose count as 对外服务机时.
    pub fn counts_as_sharing(self) -> bool {
        matches!(self, Purpose::Research | Purpose::Testing | Purpose::Teaching)
    }
}

/// ¥1,000,000 an hour: more is a typing mistake, and it keeps every product in range.
const MAX_FEN_PER_HOUR: Fen = 100_000_000;

impl Rates {
    pub fn validate(&self) -> Result<()> {
        let prices = [
            ("internal_rate", self.internal_fen_per_hour),
            ("external_rate", self.external_fen_per_hour),
            ("enterprise_rate", self.enterprise_fen_per_hour),
            ("minimum_charge", self.minimum_fen),
        ];
        for (field, fen) in prices {
            if !(0..=MAX_FEN_PER_HOUR).contains(&fen) {
                return Err(CoreError::invalid(field, "must be between 0 and 1,000,000 yuan"));
            }
        }
        if !(1..=240).contains(&self.rounding_min) {
            return Err(CoreError::invalid("rounding_min", "must be between 1 and 240 minutes"));
        }
        Ok(())
    }

    pub fn per_hour(&self, class: UserClass) -> Fen {
        match class {
            UserClass::Internal => self.internal_fen_per_hour,
            UserClass::External => self.external_fen_per_hour,
            UserClass::Enterprise => self.enterprise_fen_per_hour,
        }
    }

    /// The fee for `seconds` of charged time: rounded up to the rounding step, priced to the
    /// nearest fen (half up), and never under the minimum charge once anything ran.
    pub fn fee(&self, class: UserClass, seconds: i64) -> Fen {
        if seconds <= 0 {
            return 0;
        }
        let step = i64::from(self.rounding_min.max(1)) * 60;
        let charged_minutes = (seconds + step - 1) / step * i64::from(self.rounding_min.max(1));
        let fee = (self.per_hour(class) * charged_minutes + 30) / 60;
        fee.max(self.minimum_fen)
    }

    /// The charged seconds of a session under this basis: what ran, or what was booked
    /// (a walk-up session without a booking is charged for what ran).
    pub fn charged_seconds(&self, ran: Span, booked: Option<Span>) -> i64 {
        match (self.basis, booked) {
            (ChargeBasis::Booked, Some(booked)) => booked.len(),
            _ => ran.len(),
        }
    }
}

/// When an instrument's bookings may be checked in, and when one nobody checked in to is
/// released as a no-show.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageRules {
    /// Check-in opens this many minutes before the start.
    pub check_in_opens_min: u32,
    /// A booking nobody checked in to this many minutes after its start is a no-show, and
    /// the rest of its time is free again. 0: never released.
    pub no_show_after_min: u32,
    /// A session still open this many minutes after its booking ended is closed at the end
    /// of the booking and flagged for the lab manager.
    pub close_grace_min: u32,
    /// A person with this many no-shows anywhere in the district over the last 90 days
    /// (`NO_SHOW_WINDOW_DAYS`) books this instrument only with the lab's approval. 0: never.
    #[serde(default)]
    pub approval_after_no_shows: u32,
}

/// How far back a person's no-shows count towards `UsageRules::approval_after_no_shows`.
pub const NO_SHOW_WINDOW_DAYS: i64 = 90;

impl Default for UsageRules {
    fn default() -> UsageRules {
        UsageRules { check_in_opens_min: 10, no_show_after_min: 15, close_grace_min: 30, approval_after_no_shows: 0 }
    }
}

impl UsageRules {
    pub fn validate(&self) -> Result<()> {
        if self.check_in_opens_min > 120 {
            return Err(CoreError::invalid("check_in_opens_min", "at most 120 minutes"));
        }
        if self.no_show_after_min > 240 {
            return Err(CoreError::invalid("no_show_after_min", "at most 240 minutes"));
        }
        if self.close_grace_min > 1440 {
            return Err(CoreError::invalid("close_grace_min", "at most a day"));
        }
        if self.approval_after_no_shows > 50 {
            return Err(CoreError::invalid("approval_after_no_shows", "at most 50 no-shows"));
        }
        Ok(())
    }

    /// The first instant whose no-shows still count at `now`.
    pub fn no_show_window_start(now: i64) -> i64 {
        now - NO_SHOW_WINDOW_DAYS * 86_400
    }

    /// Whether a person with `recent_no_shows` in the window books only with approval.
    pub fn needs_approval(&self, recent_no_shows: u32) -> bool {
        self.approval_after_no_shows > 0 && recent_no_shows >= self.approval_after_no_shows
    }

    /// When check-in opens for a booking starting at `start`.
    pub fn opens_at(&self, start: i64) -> i64 {
        start - i64::from(self.check_in_opens_min) * 60
    }

    /// When a booking may be checked in: from check-in's opening until the booking ends
    /// (a booking released meanwhile takes only a check-in made before its release).
    pub fn check_in_window(&self, booked: Span) -> Span {
        Span::new(self.opens_at(booked.start), booked.end)
    }

    /// When a booking starting at `start` that nobody checked in to is released; never for 0.
    pub fn released_at(&self, start: i64) -> Option<i64> {
        (self.no_show_after_min > 0).then(|| start + i64::from(self.no_show_after_min) * 60)
    }
}

/// The six digits printed on an instrument booking (and in its QR code and its ICS) that
/// check it in at the lab's kiosk: a MAC of the booking's id under its booker's check-in key.
/// Every replica receives booking ids, but the key only reaches the booker and the replicas
/// that run a lab's kiosk, so the digits cannot be worked out by anyone else, and a kiosk
/// offline still knows them. None without a key of at least [`CHECK_IN_KEY_MIN`] characters
/// (another person's, on a replica that may not see it).
pub fn check_in_code(check_in_key: &str, booking_id: &str) -> Option<String> {
    use hmac::{KeyInit, Mac};
    if check_in_key.len() < CHECK_IN_KEY_MIN {
        return None;
    }
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(check_in_key.as_bytes()).ok()?;
    mac.update(booking_id.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut first = [0u8; 8];
    first.copy_from_slice(digest.get(..8)?);
    Some(format!("{:06}", u64::from_be_bytes(first) % 1_000_000))
}

/// A check-in key is 128 random bits in hex (32 characters): shorter is no key.
pub const CHECK_IN_KEY_MIN: usize = 32;

/// What the QR code of a booking holds; a scanner types it into the kiosk like a keyboard.
pub const CHECK_IN_QR_PREFIX: &str = "INCUBOOK-CHECKIN:";

/// A code as typed or scanned at the kiosk: six digits, or the QR code's text.
pub fn parse_check_in_code(text: &str) -> Result<String> {
    let text = text.trim();
    let code = text.strip_prefix(CHECK_IN_QR_PREFIX).unwrap_or(text).trim();
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code.to_string())
    } else {
        Err(CoreError::invalid("code", "the six digits on the booking, or its QR code"))
    }
}

/// A closed session as the figures see it. Sessions, people and organisations are numbers the
/// reader gives them (row numbers, say): a district year is 10⁶ sessions, and the figures
/// only count and compare them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFacts {
    pub key: i64,
    pub person: i64,
    /// The user's organisation: their makerspace, or their company.
    pub organisation: i64,
    pub ran: Span,
    pub class: UserClass,
    pub purpose: Purpose,
    /// What was charged after waivers.
    pub charged_fen: Fen,
}

/// The sharing figures of one group of sessions (an instrument, a lab, a makerspace, the
/// district) over one period.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Indicators {
    /// 有效工作机时, in seconds: every session's time inside the period.
    pub effective_seconds: i64,
    /// 对外服务机时, in seconds: outside users' time, for purposes that count as sharing.
    pub outside_seconds: i64,
    /// Enterprise users' time, in seconds.
    pub enterprise_seconds: i64,
    /// Income from the instrument's own makerspace, in fen.
    pub internal_income_fen: Fen,
    /// Income from everyone else, in fen.
    pub external_income_fen: Fen,
    pub distinct_users: u32,
    /// Organisations other than the instrument's makerspace that used it.
    pub outside_organisations: u32,
    /// The sessions (their keys) behind `effective_seconds` (every one counted) and behind
    /// `outside_seconds`; the reader turns them into ids when they are asked for.
    #[serde(skip)]
    pub sessions: Vec<i64>,
    #[serde(skip)]
    pub outside_sessions: Vec<i64>,
}

impl Indicators {
    /// Sums the sessions' time inside `period`; a session across the period's edge counts
    /// only its part inside, and is charged in the period it started in.
    pub fn of<'a>(sessions: impl IntoIterator<Item = &'a SessionFacts>, period: Span) -> Indicators {
        let mut out = Indicators::default();
        // Sorted and deduplicated at the end: cheaper than a hash set for 10⁶ sessions.
        let (mut users, mut organisations) = (Vec::new(), Vec::new());
        for s in sessions {
            let inside = s.ran.intersection(&period);
            let seconds = if inside.is_empty() { 0 } else { inside.len() };
            let starts_inside = s.ran.start >= period.start && s.ran.start < period.end;
            if seconds == 0 && !starts_inside {
                continue;
            }
            out.effective_seconds += seconds;
            out.sessions.push(s.key);
            users.push(s.person);
            if s.class != UserClass::Internal {
                organisations.push(s.organisation);
                if s.purpose.counts_as_sharing() {
                    out.outside_seconds += seconds;
                    out.outside_sessions.push(s.key);
                }
            }
            if s.class == UserClass::Enterprise {
                out.enterprise_seconds += seconds;
            }
            if starts_inside {
                match s.class {
                    UserClass::Internal => out.internal_income_fen += s.charged_fen,
                    _ => out.external_income_fen += s.charged_fen,
                }
            }
        }
        let distinct = |mut keys: Vec<i64>| {
            keys.sort_unstable();
            keys.dedup();
            u32::try_from(keys.len()).unwrap_or(u32::MAX)
        };
        out.distinct_users = distinct(users);
        out.outside_organisations = distinct(organisations);
        out
    }

    /// 共享率 in per mille (outside ÷ effective, rounded half up); none without any hours.
    pub fn share_permille(&self) -> Option<i64> {
        (self.effective_seconds > 0).then(|| (self.outside_seconds * 1000 + self.effective_seconds / 2) / self.effective_seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;

    fn rates() -> Rates {
        Rates {
            internal_fen_per_hour: 10_000,
            external_fen_per_hour: 20_000,
            enterprise_fen_per_hour: 33_333,
            basis: ChargeBasis::Actual,
            minimum_fen: 5_000,
            rounding_min: 15,
        }
    }

    #[test]
    fn a_fee_rounds_time_up_to_the_step_and_money_to_the_nearest_fen() {
        let r = rates();
        // 61 minutes → 75 charged minutes at ¥200/h = ¥250.
        assert_eq!(r.fee(UserClass::External, 61 * 60), 25_000);
        // 1 second is a whole step, then the minimum charge applies: 15 min at ¥100/h is ¥25 < ¥50.
        assert_eq!(r.fee(UserClass::Internal, 1), 5_000);
        // 45 minutes at 33,333 fen/h = 24,999.75 fen → 25,000.
        assert_eq!(r.fee(UserClass::Enterprise, 45 * 60), 25_000);
        // Nothing ran: nothing is charged, not even the minimum.
        assert_eq!(r.fee(UserClass::Enterprise, 0), 0);
    }

    #[test]
    fn the_booked_basis_charges_the_booking_and_a_walk_up_what_ran() {
        let r = Rates { basis: ChargeBasis::Booked, ..rates() };
        let ran = Span::new(0, 30 * 60);
        assert_eq!(r.charged_seconds(ran, Some(Span::new(0, 2 * H))), 2 * H);
        assert_eq!(r.charged_seconds(ran, None), 30 * 60);
        assert_eq!(rates().charged_seconds(ran, Some(Span::new(0, 2 * H))), 30 * 60);
    }

    #[test]
    fn a_check_in_code_is_six_stable_digits_and_the_qr_text_reads_as_the_code() {
        let key = "8f14e45fceea167a5a36dedd4bea2543";
        let code = check_in_code(key, "01a23b40-e274-763a-9f3c-856759759599").unwrap_or_default();
        assert_eq!(code.len(), 6);
        assert_eq!(Some(&code), check_in_code(key, "01a23b40-e274-763a-9f3c-856759759599").as_ref());
        assert_ne!(Some(&code), check_in_code(key, "01a23b40-e274-763a-9f3c-85675975959a").as_ref());
        // Another key, other digits; no key (or a short one), none.
        assert_ne!(
            Some(&code),
            check_in_code("c9f0f895fb98ab9159f51fd0297e236d", "01a23b40-e274-763a-9f3c-856759759599").as_ref()
        );
        assert_eq!(check_in_code("", "01a23b40-e274-763a-9f3c-856759759599"), None);
        assert_eq!(check_in_code("8f14e45f", "01a23b40-e274-763a-9f3c-856759759599"), None);
        assert_eq!(parse_check_in_code(&format!(" {CHECK_IN_QR_PREFIX}{code}\n")).ok(), Some(code.clone()));
        assert_eq!(parse_check_in_code(&code).ok(), Some(code));
        for bad in ["12345", "1234567", "12a456", ""] {
            assert!(parse_check_in_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rates_out_of_range_are_refused_with_the_field() {
        let bad = Rates { external_fen_per_hour: -1, ..rates() };
        assert_eq!(bad.validate().err().map(|e| e.to_string().contains("external_rate")), Some(true));
        assert!(Rates { rounding_min: 0, ..rates() }.validate().is_err());
        assert!(rates().validate().is_ok());
    }

    /// Session `key`, used by person `key`, of organisation `org`.
    fn session(key: i64, org: i64, ran: (i64, i64), class: UserClass, purpose: Purpose, fen: Fen) -> SessionFacts {
        SessionFacts { key, person: key, organisation: org, ran: Span::new(ran.0, ran.1), class, purpose, charged_fen: fen }
    }

    #[test]
    fn figures_of_a_month_by_hand() {
        use Purpose::*;
        use UserClass::*;
        let month = Span::new(0, 30 * 24 * H);
        // Organisations: 0 the instrument's makerspace, 2 and 3 other makerspaces, 9 a company.
        let sessions = [
            session(1, 0, (H, 4 * H), Internal, Research, 30_000),
            session(2, 2, (10 * H, 12 * H), External, Testing, 40_000),
            session(3, 9, (20 * H, 21 * H), Enterprise, CommercialInspection, 33_333),
            session(4, 9, (30 * H, 32 * H), Enterprise, Teaching, 66_666),
            // Starts an hour before the month: one hour inside, charged last month.
            session(5, 3, (-H, H), External, Research, 20_000),
            // Entirely in the next month.
            session(6, 3, (month.end, month.end + H), External, Research, 20_000),
        ];
        let f = Indicators::of(&sessions, month);
        assert_eq!(f.effective_seconds, (3 + 2 + 1 + 2 + 1) * H);
        // b, d and e: c's commercial inspection is work, not sharing.
        assert_eq!(f.outside_seconds, (2 + 2 + 1) * H);
        assert_eq!(f.outside_sessions, [2, 4, 5]);
        assert_eq!(f.enterprise_seconds, 3 * H);
        assert_eq!(f.internal_income_fen, 30_000);
        assert_eq!(f.external_income_fen, 40_000 + 33_333 + 66_666);
        assert_eq!(f.distinct_users, 5);
        assert_eq!((f.outside_organisations, f.sessions.len()), (3, 5));
        // 5 h ÷ 9 h = 0.5556.
        assert_eq!(f.share_permille(), Some(556));
        assert_eq!(Indicators::of(&[], month).share_permille(), None);
    }
}
