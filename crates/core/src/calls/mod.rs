//! District programmes (专项) and their calls (指南/批次): what a district operator publishes,
//! checked here once for the desktop that drafts offline and the server that receives.
//! Applications to a call follow [`lifecycle`]; who may apply, [`eligibility`]; what an
//! application must answer, [`form`].

pub mod application;
pub mod eligibility;
pub mod form;
pub mod lifecycle;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::Fen;
use crate::error::{CoreError, Result};
use crate::unified_code::check_programme_code;
use crate::validate::check_text;

/// What a programme pays for. Grants and recommendations are decided by review; vouchers and
/// purchased services pay for measured service (the work that comes after calls).
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ProgrammeKind {
    /// 资助
    Grant,
    /// 创新券
    Voucher,
    /// 服务购买
    ServicePurchase,
    /// 推荐
    Recommendation,
}

/// The most a programme's yearly budget or a call's may name: 10 billion yuan, in fen.
pub const MAX_BUDGET_FEN: Fen = 1_000_000_000_000;

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProgramme {
    /// 2–4 capitals, part of every unified code of its applications.
    pub code: String,
    pub kind: ProgrammeKind,
    pub name_zh: String,
    pub name_en: String,
    pub funder: String,
    pub yearly_budget_fen: Fen,
}

impl NewProgramme {
    /// The programme with its texts trimmed, or the first field that is wrong.
    pub fn validate(&self) -> Result<NewProgramme> {
        check_programme_code(&self.code)?;
        check_text("name_zh", &self.name_zh, 100, true)?;
        check_text("name_en", &self.name_en, 200, true)?;
        check_text("funder", &self.funder, 100, true)?;
        check_fen("yearly_budget_fen", self.yearly_budget_fen, MAX_BUDGET_FEN)?;
        Ok(NewProgramme {
            name_zh: self.name_zh.trim().into(),
            name_en: self.name_en.trim().into(),
            funder: self.funder.trim().into(),
            ..self.clone()
        })
    }
}

/// An attachment a call requires.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRule {
    /// e.g. `business_plan`, `financial_statement`.
    pub kind: String,
    pub label_zh: String,
    pub label_en: String,
    pub types: Vec<FileType>,
    pub max_bytes: u64,
    pub required: bool,
}

/// The file types an attachment may have, checked by content, not by name.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum FileType {
    Pdf,
    Png,
    Jpeg,
    Docx,
    Xlsx,
}

/// One attachment's cap unless the call names a smaller one: 20 MB.
pub const MAX_ATTACHMENT_BYTES: u64 = 20 * 1024 * 1024;
/// All attachments of one application: 100 MB.
pub const MAX_APPLICATION_BYTES: u64 = 100 * 1024 * 1024;

/// A call's makerspace recommendation (项目推荐), when it requires one.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecommendationRule {
    /// How many applications one makerspace may recommend to the call.
    pub quota_per_makerspace: u32,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCall {
    pub programme_code: String,
    pub year: u16,
    /// 批次, 1–99.
    pub batch: u8,
    pub title_zh: String,
    pub title_en: String,
    /// 申报指南 (Markdown).
    pub guide: String,
    pub opens_at: DateTime<Utc>,
    /// The server's clock decides it; a typical close is 16:30 in Shanghai.
    pub closes_at: DateTime<Utc>,
    pub ceiling_fen: Fen,
    pub budget_fen: Fen,
    /// The share of a project's cost public money may pay, 1–100.
    pub public_share_pct: u8,
    /// Applications one organisation may make to the call.
    pub max_per_organisation: u32,
    /// No lead who already leads this many ongoing projects of the programme.
    pub max_ongoing_led: Option<u32>,
    pub attachments: Vec<AttachmentRule>,
    pub form: Vec<form::FormField>,
    pub eligibility: Vec<eligibility::Rule>,
    pub recommendation: Option<RecommendationRule>,
}

/// Bounds on what one call may list, so that a call is a small thing to sync and check.
pub const MAX_ATTACHMENT_RULES: usize = 20;
pub const MAX_FORM_FIELDS: usize = 60;
pub const MAX_ELIGIBILITY_RULES: usize = 20;

impl NewCall {
    /// The call with its texts trimmed, or the first field that is wrong. `now` bounds the
    /// instants as every other time a command names.
    pub fn validate(&self, now: i64) -> Result<NewCall> {
        check_programme_code(&self.programme_code)?;
        if !(2000..=9999).contains(&self.year) {
            return Err(CoreError::invalid("year", "must be a year of four digits"));
        }
        if !(1..=99).contains(&self.batch) {
            return Err(CoreError::invalid("batch", "must be between 1 and 99 (批次为 1–99)"));
        }
        check_text("title_zh", &self.title_zh, 200, true)?;
        check_text("title_en", &self.title_en, 300, false)?;
        check_text("guide", &self.guide, 50_000, true)?;
        crate::domain::check_instant("opens_at", self.opens_at.timestamp(), now)?;
        crate::domain::check_instant("closes_at", self.closes_at.timestamp(), now)?;
        if self.closes_at <= self.opens_at {
            return Err(CoreError::invalid("closes_at", "the call closes before it opens (截止时间早于开始时间)"));
        }
        check_fen("budget_fen", self.budget_fen, MAX_BUDGET_FEN)?;
        check_fen("ceiling_fen", self.ceiling_fen, self.budget_fen)?;
        if self.ceiling_fen == 0 {
            return Err(CoreError::invalid("ceiling_fen", "an award's ceiling must be more than nothing"));
        }
        if !(1..=100).contains(&self.public_share_pct) {
            return Err(CoreError::invalid("public_share_pct", "must be between 1 and 100"));
        }
        if !(1..=20).contains(&self.max_per_organisation) {
            return Err(CoreError::invalid("max_per_organisation", "must be between 1 and 20"));
        }
        if self.max_ongoing_led.is_some_and(|n| n > 50) {
            return Err(CoreError::invalid("max_ongoing_led", "must be at most 50"));
        }
        if let Some(r) = self.recommendation
            && !(1..=1000).contains(&r.quota_per_makerspace)
        {
            return Err(CoreError::invalid("recommendation", "a makerspace's quota must be between 1 and 1000"));
        }
        let attachments = check_attachments(&self.attachments)?;
        let form = form::check_form(&self.form)?;
        if self.eligibility.len() > MAX_ELIGIBILITY_RULES {
            return Err(CoreError::invalid("eligibility", format!("at most {MAX_ELIGIBILITY_RULES} rules")));
        }
        for rule in &self.eligibility {
            rule.validate()?;
        }
        Ok(NewCall {
            title_zh: self.title_zh.trim().into(),
            title_en: self.title_en.trim().into(),
            attachments,
            form,
            ..self.clone()
        })
    }
}

fn check_fen(field: &'static str, fen: Fen, max: Fen) -> Result<()> {
    if fen < 0 || fen > max {
        return Err(CoreError::invalid(field, format!("must be between 0 and {max} fen")));
    }
    Ok(())
}

fn check_attachments(rules: &[AttachmentRule]) -> Result<Vec<AttachmentRule>> {
    if rules.len() > MAX_ATTACHMENT_RULES {
        return Err(CoreError::invalid("attachments", format!("at most {MAX_ATTACHMENT_RULES} kinds")));
    }
    let mut kept: Vec<AttachmentRule> = Vec::with_capacity(rules.len());
    for rule in rules {
        form::check_key("attachments", &rule.kind)?;
        if kept.iter().any(|k| k.kind == rule.kind) {
            return Err(CoreError::invalid("attachments", format!("'{}' is listed twice", rule.kind)));
        }
        check_text("attachments", &rule.label_zh, 100, true)?;
        check_text("attachments", &rule.label_en, 200, false)?;
        if rule.types.is_empty() {
            return Err(CoreError::invalid("attachments", format!("'{}' allows no file type", rule.kind)));
        }
        if rule.max_bytes == 0 || rule.max_bytes > MAX_ATTACHMENT_BYTES {
            return Err(CoreError::invalid("attachments", format!("'{}' must allow 1 byte to 20 MB", rule.kind)));
        }
        kept.push(AttachmentRule {
            label_zh: rule.label_zh.trim().into(),
            label_en: rule.label_en.trim().into(),
            ..rule.clone()
        });
    }
    Ok(kept)
}

/// A programme and a call as the tests (of this crate and of every backend) publish them:
/// the district fund's 2026 batch 1, open 8 December 09:00 to 28 December 16:30 Shanghai.
#[cfg(any(test, feature = "testing"))]
pub mod sample {
    use chrono::TimeZone;

    use super::form::{FieldKind, FormField};
    use super::*;

    pub fn programme() -> NewProgramme {
        NewProgramme {
            code: "KJ".into(),
            kind: ProgrammeKind::Grant,
            name_zh: "区科技发展基金".into(),
            name_en: "District S&T development fund".into(),
            funder: "区科经委".into(),
            yearly_budget_fen: 10_000_000_000,
        }
    }

    pub fn grant_call() -> NewCall {
        let at = |d, h, m| crate::clock::DISTRICT_ZONE.with_ymd_and_hms(2026, 12, d, h, m, 0).single().map(|t| t.to_utc());
        NewCall {
            programme_code: "KJ".into(),
            year: 2026,
            batch: 1,
            title_zh: " 2026 年度区科技发展基金 ".into(),
            title_en: "District S&T development fund 2026".into(),
            guide: "申报指南".into(),
            opens_at: at(8, 9, 0).unwrap_or_default(),
            closes_at: at(28, 16, 30).unwrap_or_default(),
            ceiling_fen: 50_000_000,
            budget_fen: 2_000_000_000,
            public_share_pct: 50,
            max_per_organisation: 1,
            max_ongoing_led: Some(2),
            attachments: vec![AttachmentRule {
                kind: "business_plan".into(),
                label_zh: "商业计划书".into(),
                label_en: "Business plan".into(),
                types: vec![FileType::Pdf, FileType::Docx],
                max_bytes: MAX_ATTACHMENT_BYTES,
                required: true,
            }],
            form: vec![FormField {
                key: "summary".into(),
                label_zh: "项目简介".into(),
                label_en: "Summary".into(),
                kind: FieldKind::Text { max_chars: 2000 },
                required: true,
            }],
            eligibility: Vec::new(),
            recommendation: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_796_601_600; // 2026-12-07 00:00 UTC

    fn call() -> NewCall {
        super::sample::grant_call()
    }

    fn field(r: Result<NewCall>) -> String {
        match r {
            Err(CoreError::Invalid { field, .. }) => field.to_string(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn a_call_is_checked_before_it_is_published() {
        let kept = call().validate(NOW).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept.title_zh, "2026 年度区科技发展基金", "texts are trimmed");
        let closes_first = NewCall { closes_at: call().opens_at, ..call() };
        assert_eq!(field(closes_first.validate(NOW)), "closes_at");
        assert_eq!(field(NewCall { ceiling_fen: call().budget_fen + 1, ..call() }.validate(NOW)), "ceiling_fen");
        assert_eq!(field(NewCall { public_share_pct: 0, ..call() }.validate(NOW)), "public_share_pct");
        assert_eq!(field(NewCall { programme_code: "K".into(), ..call() }.validate(NOW)), "programme_code");
        let mut twice = call();
        twice.attachments.push(twice.attachments[0].clone());
        assert_eq!(field(twice.validate(NOW)), "attachments");
        let mut huge = call();
        huge.attachments[0].max_bytes = MAX_ATTACHMENT_BYTES + 1;
        assert_eq!(field(huge.validate(NOW)), "attachments");
    }

    #[test]
    fn a_programme_has_a_code_of_two_to_four_capitals_and_a_budget() {
        let programme = NewProgramme {
            code: "KJ".into(),
            kind: ProgrammeKind::Grant,
            name_zh: "区科技发展基金".into(),
            name_en: "District S&T development fund".into(),
            funder: "区科经委".into(),
            yearly_budget_fen: 10_000_000_000,
        };
        assert!(programme.validate().is_ok());
        assert!(NewProgramme { code: "KJFUND".into(), ..programme.clone() }.validate().is_err());
        assert!(NewProgramme { yearly_budget_fen: -1, ..programme }.validate().is_err());
    }
}
