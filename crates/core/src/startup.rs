//! Startups as records (创业团队 and 企业): their fields and checks, the 统一社会信用代码 with
//! its GB 32100-2015 check character, members with one lead, and residency at a makerspace
//! (入驻 / 迁出). A startup resident in two makerspaces is one record: the credit code names it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::Id;
use crate::error::{CoreError, Result};
use crate::validate::check_text;

/// A team not yet registered, or a registered company.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString, strum::AsRefStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum StartupKind {
    /// 团队: no credit code needed.
    Team,
    /// 企业: registered, so it has a credit code.
    Enterprise,
}

impl StartupKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A startup's own fields, as a space admin or its lead types them.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewStartup {
    pub name: String,
    pub kind: StartupKind,
    /// 统一社会信用代码; required for an enterprise, optional for a team.
    #[serde(default)]
    pub credit_code: Option<String>,
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub headcount: u32,
    #[serde(default)]
    pub description: String,
}

impl NewStartup {
    /// The fields checked, trimmed, and the credit code in its stored form (upper case).
    pub fn validate(&self) -> Result<NewStartup> {
        check_text("name", &self.name, 100, true)?;
        check_text("stage", &self.stage, 40, false)?;
        check_text("industry", &self.industry, 40, false)?;
        check_text("description", &self.description, 2000, false)?;
        if self.headcount > 100_000 {
            return Err(CoreError::invalid("headcount", "must be at most 100,000"));
        }
        let credit_code = match self.credit_code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(code) => Some(check_credit_code(code)?),
            None if self.kind == StartupKind::Enterprise => {
                return Err(CoreError::invalid("credit_code", "an enterprise needs its credit code (统一社会信用代码)"));
            }
            None => None,
        };
        Ok(NewStartup {
            name: self.name.trim().to_string(),
            kind: self.kind,
            credit_code,
            stage: self.stage.trim().to_string(),
            industry: self.industry.trim().to_string(),
            headcount: self.headcount,
            description: self.description.trim().to_string(),
        })
    }
}

/// The 31 characters of a credit code: digits and capitals without I, O, S, V, Z.
const CODE_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// 3^i mod 31 for the first 17 positions (GB 32100-2015, 5.2).
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn code_value(c: char) -> Option<u32> {
    CODE_CHARS.find(c).map(|i| i as u32)
}

/// The check character the first 17 characters of a credit code call for; `None` when one
/// of them is not a code character.
pub fn check_character(first17: &str) -> Option<char> {
    let mut sum = 0;
    for (c, weight) in first17.chars().zip(WEIGHTS) {
        sum += code_value(c)? * weight;
    }
    CODE_CHARS.chars().nth(((31 - sum % 31) % 31) as usize)
}

/// A 统一社会信用代码 checked against GB 32100-2015: 18 characters of the code's set, the last
/// the check character of the other 17. Lower case is read as upper case; the code comes
/// back upper case. The error names the bad character and where it is.
pub fn check_credit_code(code: &str) -> Result<String> {
    let code = code.trim().to_uppercase();
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return Err(CoreError::invalid(
            "credit_code",
            format!(
                "has {} characters, a credit code has 18 (统一社会信用代码应为 18 位，此处为 {} 位)",
                chars.len(),
                chars.len()
            ),
        ));
    }
    for (i, &c) in chars.iter().enumerate() {
        if code_value(c).is_none() {
            return Err(CoreError::invalid(
                "credit_code",
                format!(
                    "character {} '{c}' is not used in credit codes (digits and capitals except I, O, S, V, Z) (第 {} 位 '{c}' 不是统一社会信用代码的字符)",
                    i + 1,
                    i + 1
                ),
            ));
        }
    }
    let first17: String = chars[..17].iter().collect();
    let expected = check_character(&first17).unwrap_or('0');
    if chars[17] != expected {
        return Err(CoreError::invalid(
            "credit_code",
            format!(
                "the check character (18th) is '{}' but the other 17 call for '{expected}' (第 18 位校验码应为 '{expected}'，此处为 '{}'，请核对)",
                chars[17], chars[17]
            ),
        ));
    }
    Ok(code)
}

/// Whether a stay stands. A space admin who does not run a startup's record may only ask to
/// move it in; the stay stands once its lead (or a space admin where it lives) agrees (review
/// N7: a stay gives a makerspace's admins control of the record, so it is never imposed).
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::AsRefStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ResidencyStatus {
    /// Asked for, not yet agreed: no residency yet.
    Requested,
    #[default]
    Active,
    /// The lead (or the makerspace where it lives) said no.
    Declined,
}

impl ResidencyStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A stay of a startup at a makerspace: from its move-in date, until its move-out date if
/// it has left (the day of moving out is no longer a day of residency).
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Residency {
    pub id: Id,
    pub makerspace_id: Id,
    pub move_in: NaiveDate,
    pub move_out: Option<NaiveDate>,
    #[serde(default)]
    pub status: ResidencyStatus,
    /// The space admin who asked, while a move-in waits for consent (and after, for the record).
    #[serde(default)]
    pub requested_by: Option<Id>,
}

impl Residency {
    /// Resident that day: the stay stands and the day lies in it.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.status == ResidencyStatus::Active && self.move_in <= date && self.move_out.is_none_or(|out| date < out)
    }

    /// A standing stay that has not ended by `date` (it may begin later).
    pub fn current_on(&self, date: NaiveDate) -> bool {
        self.status == ResidencyStatus::Active && self.move_out.is_none_or(|out| date < out)
    }
}

/// A member of a startup; one member is its lead.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub person_id: Id,
    pub lead: bool,
}

/// A startup as the decisions about it see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredStartup {
    pub id: Id,
    pub name: String,
    pub kind: StartupKind,
    pub credit_code: Option<String>,
    /// A space admin has confirmed the credit code is this startup's (see `code_verified`
    /// on `StartupRecord`).
    pub code_verified: bool,
    pub industry: String,
    pub headcount: u32,
    pub members: Vec<Member>,
    pub residencies: Vec<Residency>,
}

impl StoredStartup {
    pub fn lead(&self) -> Option<&str> {
        self.members.iter().find(|m| m.lead).map(|m| m.person_id.as_str())
    }

    pub fn is_member(&self, person_id: &str) -> bool {
        self.members.iter().any(|m| m.person_id == person_id)
    }

    /// The makerspaces it is resident in on `date`.
    pub fn resident_at(&self, date: NaiveDate) -> impl Iterator<Item = &str> {
        self.residencies.iter().filter(move |r| r.covers(date)).map(|r| r.makerspace_id.as_str())
    }

    /// The makerspaces of its standing stays that have not ended by `date`: they answer for it.
    pub fn current_stays(&self, date: NaiveDate) -> impl Iterator<Item = &str> {
        self.residencies.iter().filter(move |r| r.current_on(date)).map(|r| r.makerspace_id.as_str())
    }
}

/// A startup's record as lists and the district's startup database show it. On a desktop
/// its private fields (credit code, headcount, description, members) are there only for its
/// members and the district's space admins: sync leaves them out for anyone else.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartupRecord {
    pub id: Id,
    pub name: String,
    pub kind: StartupKind,
    pub credit_code: Option<String>,
    /// Its credit code was entered or confirmed by a space admin. A code a founder typed
    /// stays unverified until then (review N7: anyone can type a real company's code), and
    /// an unverified code makes no enterprise eligible for a call.
    #[serde(default)]
    pub code_verified: bool,
    pub stage: String,
    pub industry: String,
    pub headcount: u32,
    pub description: String,
    pub members: Vec<MemberName>,
    pub residencies: Vec<ResidencyAt>,
    /// Its mentors' last two ratings were low (`feedback::at_risk`).
    pub at_risk: bool,
    /// Whether the person it was read for may change it and its members (`decide::may_run_startup`); false
    /// where nobody in particular read it.
    #[serde(default)]
    pub manageable: bool,
}

impl StartupRecord {
    pub fn lead(&self) -> Option<&str> {
        self.members.iter().find(|m| m.lead).map(|m| m.person_id.as_str())
    }
}

/// A member with their name.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberName {
    pub person_id: Id,
    pub name: String,
    pub lead: bool,
}

/// A residency with its makerspace's name.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResidencyAt {
    #[serde(flatten)]
    pub residency: Residency,
    pub makerspace_name: String,
}

/// What the district operator (or a space admin) looks for in the startup database; every
/// field given must match.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StartupFilter {
    /// Part of the name, any case.
    pub text: Option<String>,
    pub kind: Option<StartupKind>,
    pub industry: Option<String>,
    pub stage: Option<String>,
    /// Resident there on `on` (today when not given).
    pub makerspace_id: Option<Id>,
    /// The whole code, any case.
    pub credit_code: Option<String>,
    pub on: Option<NaiveDate>,
}

impl StartupFilter {
    pub fn matches(&self, s: &StartupRecord, today: NaiveDate) -> bool {
        let same = |want: &Option<String>, have: &str| want.as_deref().map(str::trim).is_none_or(|w| w.is_empty() || w == have);
        let text_ok =
            self.text.as_deref().map(str::trim).is_none_or(|t| t.is_empty() || s.name.to_lowercase().contains(&t.to_lowercase()));
        let code_ok = self
            .credit_code
            .as_deref()
            .map(str::trim)
            .is_none_or(|c| c.is_empty() || s.credit_code.as_deref().is_some_and(|have| have.eq_ignore_ascii_case(c)));
        let on = self.on.unwrap_or(today);
        let resident_ok = self.makerspace_id.as_deref().is_none_or(|m| {
            m.is_empty() || s.residencies.iter().any(|r| r.residency.makerspace_id == m && r.residency.covers(on))
        });
        text_ok
            && code_ok
            && resident_ok
            && self.kind.is_none_or(|k| k == s.kind)
            && same(&self.industry, &s.industry)
            && same(&self.stage, &s.stage)
    }
}

/// Move-in and move-out dates lie after 2000 and at most a year ahead: a residency's history
/// is entered long after it began, so the usual window of a change is too narrow here.
pub fn check_residency_date(field: &'static str, date: NaiveDate, now: i64) -> Result<()> {
    let earliest = NaiveDate::from_ymd_opt(2000, 1, 1);
    let latest = chrono::DateTime::from_timestamp(now + 366 * 86_400, 0).map(|t| t.date_naive());
    match (earliest, latest) {
        (Some(earliest), Some(latest)) if date >= earliest && date <= latest => Ok(()),
        _ => Err(CoreError::invalid(field, "must lie between 2000-01-01 and a year from today")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(e: CoreError) -> String {
        match e {
            CoreError::Invalid { field: "credit_code", reason } => reason,
            other => panic!("not a credit code error: {other}"),
        }
    }

    #[test]
    fn credit_codes_are_checked_by_their_check_character() {
        // The standard's own example, and codes whose check character was worked out by hand.
        for good in ["91350100M000100Y43", "91110000600037341L", "91310115MA1K4PXX0T", "52310000MA1FL1234R"] {
            assert_eq!(check_credit_code(good).ok().as_deref(), Some(good));
        }
        assert_eq!(check_credit_code(" 91310115ma1k4pxx0t ").ok().as_deref(), Some("91310115MA1K4PXX0T"));
        // One character changed: the check character no longer matches, and says which it wants.
        let wrong = reason(check_credit_code("91310115MA1K4PXX1T").err().unwrap_or(CoreError::Conflict(String::new())));
        assert!(wrong.contains("'T'") && wrong.contains("18"), "{wrong}");
        let letter_o = reason(check_credit_code("9131011OMA1K4PXX0T").err().unwrap_or(CoreError::Conflict(String::new())));
        assert!(letter_o.contains("character 8 'O'") && letter_o.contains("第 8 位"), "{letter_o}");
        let short = reason(check_credit_code("91310115MA1K4PX").err().unwrap_or(CoreError::Conflict(String::new())));
        assert!(short.contains("15"), "{short}");
    }

    #[test]
    fn an_enterprise_needs_a_code_and_a_team_may_go_without() {
        let team = NewStartup {
            name: " 星火团队 ".into(),
            kind: StartupKind::Team,
            credit_code: Some(String::new()),
            stage: "种子期".into(),
            industry: "硬件".into(),
            headcount: 4,
            description: String::new(),
        };
        let clean = team.validate().ok();
        assert_eq!(clean.as_ref().map(|s| s.name.as_str()), Some("星火团队"));
        assert_eq!(clean.and_then(|s| s.credit_code), None);
        let enterprise = NewStartup { kind: StartupKind::Enterprise, credit_code: None, ..team };
        assert!(matches!(enterprise.validate(), Err(CoreError::Invalid { field: "credit_code", .. })));
    }

    #[test]
    fn a_residency_ends_on_its_move_out_day() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        let r = Residency {
            id: "r".into(),
            makerspace_id: "m".into(),
            move_in: d("2026-03-01"),
            move_out: Some(d("2026-09-01")),
            status: ResidencyStatus::Active,
            requested_by: None,
        };
        assert!(!r.covers(d("2026-02-28")));
        assert!(r.covers(d("2026-03-01")));
        assert!(r.covers(d("2026-08-31")));
        assert!(!r.covers(d("2026-09-01")));
        let asked = Residency { status: ResidencyStatus::Requested, ..r };
        assert!(!asked.covers(d("2026-03-01")) && !asked.current_on(d("2026-03-01")), "a stay asked for is no stay yet");
    }
}
