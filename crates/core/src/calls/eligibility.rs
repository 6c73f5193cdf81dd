//! Who may apply to a call: rules a district operator sets as data, evaluated here for the
//! desktop's check before submission and the server's at receipt. Each refusal names its rule
//! in zh-CN and en.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::startup::StartupKind;
use crate::unified_code::DISTRICT_DIVISION;

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[cfg_attr(feature = "ts-rs", ts(rename = "EligibilityRule"))]
pub enum Rule {
    /// An enterprise registered in the district (its credit code's division part, or an address
    /// it declared), or a team with at least this many members resident in one of the
    /// district's makerspaces on the closing date.
    InDistrict {
        min_team_members: u32,
    },
    /// Founded at most this many years before the close.
    FoundedWithin {
        years: u32,
    },
    Headcount {
        min: u32,
        max: u32,
    },
    /// One of these industries.
    Industries {
        any_of: Vec<String>,
    },
    /// Not awarded by the same programme in the last this many years (Incubook sees its own
    /// past awards).
    NotFundedRecently {
        years: u32,
    },
}

impl Rule {
    pub fn validate(&self) -> Result<()> {
        let fine = match self {
            Rule::InDistrict { min_team_members } => (1..=100).contains(min_team_members),
            Rule::FoundedWithin { years } | Rule::NotFundedRecently { years } => (1..=50).contains(years),
            Rule::Headcount { min, max } => min <= max && *max <= 1_000_000,
            Rule::Industries { any_of } => (1..=30).contains(&any_of.len()) && any_of.iter().all(|i| !i.trim().is_empty()),
        };
        if fine { Ok(()) } else { Err(CoreError::invalid("eligibility", format!("the rule {self:?} has no sensible bounds"))) }
    }
}

/// What the rules are evaluated on, as the applicant's startup stands at the close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicant {
    pub kind: StartupKind,
    /// The checked 统一社会信用代码, if any.
    pub credit_code: Option<String>,
    /// A space admin confirmed the code is the applicant's (a code only typed by a founder
    /// could be another company's).
    pub code_verified: bool,
    /// The enterprise declared a registered address in the district.
    pub declared_in_district: bool,
    pub founded_on: Option<NaiveDate>,
    pub headcount: u32,
    pub industry: String,
    /// Members resident in one of the district's makerspaces on the closing date.
    pub resident_members: u32,
    /// Years in which the same programme awarded it.
    pub awarded_years: Vec<i32>,
}

/// A rule the applicant does not meet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ineligible {
    pub rule: Rule,
    pub zh: String,
    pub en: String,
}

/// Whether a credit code was issued in the district: characters 3–8 are the division code of
/// the registering authority (GB 32100).
pub fn registered_in_district(credit_code: &str) -> bool {
    credit_code.get(2..8) == Some(DISTRICT_DIVISION)
}

/// Every rule of `rules` the applicant does not meet on `closing_date`; empty when eligible.
pub fn check(rules: &[Rule], applicant: &Applicant, closing_date: NaiveDate) -> Vec<Ineligible> {
    rules.iter().filter_map(|rule| refusal(rule, applicant, closing_date)).collect()
}

fn refusal(rule: &Rule, a: &Applicant, close: NaiveDate) -> Option<Ineligible> {
    let no = |zh: String, en: String| Some(Ineligible { rule: rule.clone(), zh, en });
    match rule {
        Rule::InDistrict { min_team_members } => {
            let by_code = a.credit_code.as_deref().is_some_and(registered_in_district);
            let fits = match a.kind {
                StartupKind::Enterprise => a.declared_in_district || (by_code && a.code_verified),
                StartupKind::Team => a.resident_members >= *min_team_members,
            };
            if fits {
                return None;
            }
            match a.kind {
                StartupKind::Enterprise if by_code => no(
                    "统一社会信用代码尚未经入驻空间管理员核验，暂不能据此认定为本区企业".to_string(),
                    "the credit code is not yet confirmed by a space admin where the enterprise is resident, so it does not yet show the enterprise is registered in the district".to_string(),
                ),
                StartupKind::Enterprise => no(
                    format!("企业须在本区注册（统一社会信用代码第 3–8 位为 {DISTRICT_DIVISION}，或申报本区注册地址）"),
                    format!(
                        "the enterprise must be registered in the district (credit code characters 3–8 {DISTRICT_DIVISION}, or a declared address)"
                    ),
                ),
                StartupKind::Team => no(
                    format!(
                        "团队须至少 {min_team_members} 人在本区众创空间入驻（截止日 {close}），现有 {} 人",
                        a.resident_members
                    ),
                    format!(
                        "a team needs at least {min_team_members} members resident in the district's makerspaces on {close}; it has {}",
                        a.resident_members
                    ),
                ),
            }
        }
        Rule::FoundedWithin { years } => {
            let earliest = close.with_year(close.year() - *years as i32).unwrap_or(close);
            match a.founded_on {
                Some(founded) if founded >= earliest => None,
                Some(founded) => no(
                    format!("须成立不满 {years} 年（成立于 {founded}）"),
                    format!("must have been founded within {years} years (founded {founded})"),
                ),
                None => no(
                    format!("须填写成立日期（成立不满 {years} 年）"),
                    format!("the founding date is needed (founded within {years} years)"),
                ),
            }
        }
        Rule::Headcount { min, max } => {
            if (*min..=*max).contains(&a.headcount) {
                None
            } else {
                no(
                    format!("人数须在 {min}–{max} 人之间，现为 {} 人", a.headcount),
                    format!("headcount must be {min}–{max}; it is {}", a.headcount),
                )
            }
        }
        Rule::Industries { any_of } => {
            if any_of.iter().any(|i| i == &a.industry) {
                None
            } else {
                no(
                    format!("行业须为：{}（现为“{}”）", any_of.join("、"), a.industry),
                    format!("the industry must be one of {} (it is '{}')", any_of.join(", "), a.industry),
                )
            }
        }
        Rule::NotFundedRecently { years } => {
            let since = close.year() - *years as i32;
            match a.awarded_years.iter().filter(|y| **y > since).max() {
                None => None,
                Some(year) => no(
                    format!("近 {years} 年内已获本专项资助（{year} 年）"),
                    format!("awarded by this programme within the last {years} years ({year})"),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 28).unwrap_or_default()
    }

    fn enterprise() -> Applicant {
        Applicant {
            kind: StartupKind::Enterprise,
            credit_code: Some("91310115MA1K4PXX0T".into()),
            code_verified: true,
            declared_in_district: false,
            founded_on: NaiveDate::from_ymd_opt(2023, 3, 1),
            headcount: 12,
            industry: "硬科技".into(),
            resident_members: 0,
            awarded_years: Vec::new(),
        }
    }

    fn rules() -> Vec<Rule> {
        vec![
            Rule::InDistrict { min_team_members: 3 },
            Rule::FoundedWithin { years: 5 },
            Rule::Headcount { min: 3, max: 200 },
            Rule::Industries { any_of: vec!["硬科技".into(), "生物医药".into()] },
            Rule::NotFundedRecently { years: 2 },
        ]
    }

    #[test]
    fn an_enterprise_of_the_district_meets_every_rule() {
        assert!(check(&rules(), &enterprise(), close()).is_empty());
        assert!(rules().iter().all(|r| r.validate().is_ok()));
    }

    #[test]
    fn each_unmet_rule_is_named() {
        let elsewhere = Applicant {
            credit_code: Some("91310104MA1K4PXX0T".into()),
            founded_on: NaiveDate::from_ymd_opt(2019, 1, 1),
            headcount: 1,
            industry: "餐饮".into(),
            awarded_years: vec![2025],
            ..enterprise()
        };
        let refused = check(&rules(), &elsewhere, close());
        assert_eq!(refused.len(), 5);
        assert!(refused[0].zh.contains("310115") && refused[4].en.contains("2025"));
        let declared = Applicant { declared_in_district: true, ..elsewhere };
        assert_eq!(check(&rules()[..1], &declared, close()), Vec::new(), "a declared address counts");
        let funded_long_ago = Applicant { awarded_years: vec![2023], ..enterprise() };
        assert!(check(&rules(), &funded_long_ago, close()).is_empty());
    }

    #[test]
    fn a_team_counts_its_resident_members_on_the_closing_date() {
        let unconfirmed = check(&rules(), &Applicant { code_verified: false, ..enterprise() }, close());
        assert!(
            unconfirmed.len() == 1 && unconfirmed[0].zh.contains("核验"),
            "a code a founder only typed proves nothing: {unconfirmed:?}"
        );
        let team = Applicant { kind: StartupKind::Team, credit_code: None, resident_members: 2, ..enterprise() };
        let refused = check(&rules()[..1], &team, close());
        assert_eq!(refused.len(), 1);
        assert!(refused[0].en.contains("at least 3") && refused[0].en.contains("2026-12-28"));
        let enough = Applicant { resident_members: 3, ..team };
        assert!(check(&rules()[..1], &enough, close()).is_empty());
    }
}
