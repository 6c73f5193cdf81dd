//! An instrument's entry in the asset register, as the sharing evaluations ask for it: what
//! it cost (原值), when it was bought and accepted, who paid, its asset number, whether it is
//! open for sharing and who runs it. The Shanghai evaluation covers instruments of ¥300,000
//! and more, the national one those of ¥500,000 and more.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::Id;
use crate::error::{CoreError, Result};
use crate::usage::Fen;
use crate::validate::check_text;

/// ¥300,000: the Shanghai platform's threshold for a large instrument.
pub const SHANGHAI_THRESHOLD_FEN: Fen = 30_000_000;
/// ¥500,000: the national evaluation's threshold.
pub const NATIONAL_THRESHOLD_FEN: Fen = 50_000_000;
/// ¥10 billion: more is a typing mistake.
const MAX_VALUE_FEN: Fen = 1_000_000_000_000;

/// Who paid for an instrument.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Funding {
    /// 财政资金: bought with public money, which obliges it to be shared.
    Fiscal,
    /// 其他
    Other,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstrumentRegister {
    /// 原值, in fen.
    pub original_value_fen: Option<Fen>,
    pub purchased_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
    pub funding: Option<Funding>,
    /// 资产编号; empty when the instrument has none.
    #[serde(default)]
    pub asset_number: String,
    /// Whether the instrument is declared open for sharing (对外开放).
    pub open_for_sharing: bool,
    /// The person responsible for running it (机组负责人).
    pub operator_id: Option<Id>,
}

impl InstrumentRegister {
    pub fn validate(&self) -> Result<()> {
        if self.original_value_fen.is_some_and(|v| !(0..=MAX_VALUE_FEN).contains(&v)) {
            return Err(CoreError::invalid("original_value", "must be between 0 and 10 billion yuan"));
        }
        if let (Some(bought), Some(accepted)) = (self.purchased_on, self.accepted_on)
            && accepted < bought
        {
            return Err(CoreError::invalid("accepted_on", "cannot come before the purchase"));
        }
        check_text("asset_number", &self.asset_number, 64, false)?;
        if let Some(operator) = &self.operator_id {
            check_text("operator_id", operator, 64, true)?;
        }
        Ok(())
    }

    /// Whether the Shanghai evaluation (≥ ¥300,000) covers the instrument.
    pub fn large(&self) -> bool {
        self.original_value_fen.is_some_and(|v| v >= SHANGHAI_THRESHOLD_FEN)
    }

    /// Whether the national evaluation (≥ ¥500,000) covers the instrument.
    pub fn national(&self) -> bool {
        self.original_value_fen.is_some_and(|v| v >= NATIONAL_THRESHOLD_FEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thresholds_are_inclusive_and_an_unknown_value_is_neither() {
        let at = |fen| InstrumentRegister { original_value_fen: Some(fen), ..Default::default() };
        assert_eq!((at(29_999_999).large(), at(30_000_000).large()), (false, true));
        assert_eq!((at(49_999_999).national(), at(50_000_000).national()), (false, true));
        assert!(!InstrumentRegister::default().large());
    }

    #[test]
    fn acceptance_before_purchase_is_refused_with_its_field() {
        let r = InstrumentRegister {
            purchased_on: NaiveDate::from_ymd_opt(2024, 5, 1),
            accepted_on: NaiveDate::from_ymd_opt(2024, 4, 30),
            ..Default::default()
        };
        assert!(r.validate().err().is_some_and(|e| e.to_string().contains("accepted_on")));
        let negative = InstrumentRegister { original_value_fen: Some(-1), ..Default::default() };
        assert!(negative.validate().is_err());
    }
}
