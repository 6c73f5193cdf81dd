//! An application (申报书) as its applicant drafts it, and as the ledger keeps it: the draft's
//! own bounds are checked when it is saved (offline too), completeness and eligibility when
//! it is submitted ([`super::form`], [`super::eligibility`]), and its state only ever by the
//! event log's [`super::lifecycle::next`].

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::form::{Answer, MAX_TEXT_ANSWER, check_key};
use super::lifecycle::{Facts, State};
use super::{MAX_FORM_FIELDS, NewCall};
use crate::domain::{Fen, Id};
use crate::error::{CoreError, Result};
use crate::validate::check_text;

/// At most this many experts an applicant asks to avoid (回避专家).
pub const MAX_AVOIDED_EXPERTS: usize = 3;
/// Days an applicant has to correct a returned application, or to ask for a re-check, unless
/// the operator says otherwise.
pub const DEFAULT_DEADLINE_DAYS: u32 = 10;

/// An expert the applicant asks not to review their application, and why (kept for the
/// expert review that comes after intake).
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AvoidedExpert {
    pub name: String,
    /// The organisation they work for, to tell two of one name apart.
    #[serde(default)]
    pub organisation: String,
    pub reason: String,
}

/// What the applicant fills in.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationDraft {
    /// The project's name (项目名称).
    pub title: String,
    /// The call's form, by field key.
    #[serde(default)]
    pub answers: BTreeMap<String, Answer>,
    /// Public money asked for, in fen.
    #[serde(default)]
    pub requested_fen: Fen,
    #[serde(default)]
    pub avoid_experts: Vec<AvoidedExpert>,
    /// The integrity pledge (诚信承诺), given.
    #[serde(default)]
    pub pledged: bool,
    /// When the organisation was founded (成立日期), for the calls that ask.
    #[serde(default)]
    pub founded_on: Option<NaiveDate>,
    /// A registered address in the district an enterprise declares (注册地址).
    #[serde(default)]
    pub declared_address: Option<String>,
}

impl ApplicationDraft {
    /// The draft trimmed, or the first thing in it that is out of bounds. Whether it is
    /// complete is asked only at submission ([`ApplicationDraft::problems`]).
    pub fn validate(&self) -> Result<ApplicationDraft> {
        check_text("title", &self.title, 200, true)?;
        if self.answers.len() > MAX_FORM_FIELDS {
            return Err(CoreError::invalid("answers", format!("at most {MAX_FORM_FIELDS} answers")));
        }
        for (key, answer) in &self.answers {
            check_key("answers", key)?;
            if let Answer::Text(text) = answer
                && text.chars().count() > MAX_TEXT_ANSWER as usize
            {
                return Err(CoreError::invalid("answers", format!("'{key}' is longer than {MAX_TEXT_ANSWER} characters")));
            }
        }
        if !(0..=super::MAX_BUDGET_FEN).contains(&self.requested_fen) {
            return Err(CoreError::invalid("requested_fen", "must be between 0 and the largest budget"));
        }
        if self.avoid_experts.len() > MAX_AVOIDED_EXPERTS {
            return Err(CoreError::invalid(
                "avoid_experts",
                format!("at most {MAX_AVOIDED_EXPERTS} experts (最多申请回避 {MAX_AVOIDED_EXPERTS} 名专家)"),
            ));
        }
        let mut avoid = Vec::with_capacity(self.avoid_experts.len());
        for expert in &self.avoid_experts {
            check_text("avoid_experts", &expert.name, 50, true)?;
            check_text("avoid_experts", &expert.organisation, 100, false)?;
            check_text("avoid_experts", &expert.reason, 500, true)?;
            avoid.push(AvoidedExpert {
                name: expert.name.trim().into(),
                organisation: expert.organisation.trim().into(),
                reason: expert.reason.trim().into(),
            });
        }
        let declared_address = match self.declared_address.as_deref().map(str::trim) {
            Some(a) if !a.is_empty() => {
                check_text("declared_address", a, 200, true)?;
                Some(a.to_string())
            }
            _ => None,
        };
        Ok(ApplicationDraft {
            title: self.title.trim().into(),
            answers: self.answers.clone(),
            avoid_experts: avoid,
            declared_address,
            ..self.clone()
        })
    }

    /// What keeps the draft from being submitted to `call`: every unanswered or wrong field,
    /// the amount, the pledge — each in both languages; empty when it may go.
    pub fn problems(&self, call: &NewCall) -> Vec<super::form::AnswerProblem> {
        let mut problems = super::form::check_answers(&call.form, &self.answers);
        let mut add = |key: &str, zh: String, en: String| problems.push(super::form::AnswerProblem { key: key.into(), zh, en });
        if self.requested_fen <= 0 || self.requested_fen > call.ceiling_fen {
            add(
                "requested_fen",
                format!("申请金额须大于 0 且不超过 {} 元", call.ceiling_fen / 100),
                format!("the amount asked for must be more than nothing and at most ¥{}", call.ceiling_fen / 100),
            );
        }
        if !self.pledged {
            add("pledged", "须签署诚信承诺".into(), "the integrity pledge must be given".into());
        }
        problems
    }
}

/// A call as the ledger keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCall {
    pub id: Id,
    pub call: NewCall,
    pub cancelled: bool,
}

/// An application as the ledger keeps it: its state is the event log's, cached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredApplication {
    pub id: Id,
    pub call_id: Id,
    pub startup_id: Id,
    pub applicant_id: Id,
    pub state: State,
    pub draft: ApplicationDraft,
    pub code: Option<String>,
    /// Returned before, and the deadline of the present return or refusal (with the call's
    /// close, what [`super::lifecycle::next`] needs besides the state).
    pub returned_before: bool,
    pub until: Option<i64>,
}

impl StoredApplication {
    pub fn facts(&self, closes_at: i64) -> Facts {
        Facts { closes_at, returned_before: self.returned_before, until: self.until }
    }
}

/// One application of a call, as a call's limits count them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationBrief {
    pub id: Id,
    pub startup_id: Id,
    pub applicant_id: Id,
    pub state: State,
}

impl State {
    /// Counts against the organisation's limit: received and not withdrawn or finally refused.
    pub fn counts_against_limit(self) -> bool {
        matches!(self, State::Submitted | State::Accepted | State::Returned | State::Refused | State::RecheckRequested)
    }

    /// The district has decided on it (a call with any is not cancelled).
    pub fn decided(self) -> bool {
        matches!(self, State::Accepted | State::Returned | State::Refused | State::RecheckRequested | State::RefusalUpheld)
    }
}

/// What the district operator decides at intake (形式审查).
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Intake {
    /// 受理: the unified code is minted in the same transaction.
    Accept,
    /// 退回补正, once, with the reasons, for `days` (default 10).
    Return { reason: String, days: Option<u32> },
    /// 不予受理, with the reason; a re-check may be asked within `days` (default 10).
    Refuse { reason: String, days: Option<u32> },
    /// 复审维持不予受理
    Uphold { reason: String },
}

impl Intake {
    /// The reason checked (required but for an acceptance), and the deadline it sets.
    pub fn checked(&self, now: i64) -> Result<(String, Option<i64>)> {
        let deadline = |days: Option<u32>| -> Result<i64> {
            let days = days.unwrap_or(DEFAULT_DEADLINE_DAYS);
            if !(1..=90).contains(&days) {
                return Err(CoreError::invalid("days", "must be between 1 and 90"));
            }
            Ok(now + i64::from(days) * 86_400)
        };
        match self {
            Intake::Accept => Ok((String::new(), None)),
            Intake::Return { reason, days } | Intake::Refuse { reason, days } => {
                check_text("reason", reason, 2000, true)?;
                Ok((reason.trim().into(), Some(deadline(*days)?)))
            }
            Intake::Uphold { reason } => {
                check_text("reason", reason, 2000, true)?;
                Ok((reason.trim().into(), None))
            }
        }
    }
}
