//! An instrument's terms for its lab manager: rates per user class, check-in and release
//! rules, and its asset register entry.

use incubook::register::InstrumentRegister;
use incubook::usage::{Rates, UsageRules};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::error::IpcResult;
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EquipmentTerms {
    pub rates: Rates,
    pub usage_rules: UsageRules,
    pub register: InstrumentRegister,
}

/// The terms with the register's evaluation flags, as the form shows them.
#[derive(Debug, Clone, Serialize, TS)]
pub struct EquipmentTermsView {
    #[serde(flatten)]
    pub terms: EquipmentTerms,
    /// ≥ ¥300,000: the Shanghai evaluation counts it.
    pub large: bool,
    /// ≥ ¥500,000: the national evaluation counts it.
    pub national: bool,
}

fn view(terms: EquipmentTerms) -> EquipmentTermsView {
    EquipmentTermsView { large: terms.register.large(), national: terms.register.national(), terms }
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn equipment_terms(state: State<'_, AppState>, resource_id: String) -> IpcResult<EquipmentTermsView> {
    state
        .run(move |store, _| {
            let terms = EquipmentTerms {
                rates: store.rates(&resource_id)?,
                usage_rules: store.usage_rules(&resource_id)?,
                register: store.register(&resource_id)?,
            };
            Ok(view(terms))
        })
        .await
}

/// Saves what changed. Everything is checked before anything is written, so bad rates do not
/// leave a new register behind.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn save_equipment_terms(
    state: State<'_, AppState>,
    resource_id: String,
    terms: EquipmentTerms,
) -> IpcResult<EquipmentTermsView> {
    state
        .run(move |store, session| {
            terms.rates.validate()?;
            terms.usage_rules.validate()?;
            terms.register.validate()?;
            let (actor, now) = (session.actor()?, session.now());
            if store.rates(&resource_id)? != terms.rates {
                store.set_rates(&actor, &resource_id, &terms.rates, now)?;
            }
            if store.usage_rules(&resource_id)? != terms.usage_rules {
                store.set_usage_rules(&actor, &resource_id, &terms.usage_rules, now)?;
            }
            if store.register(&resource_id)? != terms.register {
                store.set_register(&actor, &resource_id, &terms.register, now)?;
            }
            Ok(view(terms))
        })
        .await
}
