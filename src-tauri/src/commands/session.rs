//! First start, the profile switcher, language, and the directory of people.

use incubook::domain::{Makerspace, Person, Role};
use incubook::i18n::Lang;
use incubook::sample::{self, SampleSummary, Scale};
use incubook::store::{Notification, PeopleFilter};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::IpcResult;
use crate::state::{AppState, remember};

#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub db_path: String,
    pub language: Lang,
    pub profile: Option<Person>,
    /// False on first start: the UI offers the sample district.
    pub has_data: bool,
    /// Running as a lab's kiosk (`--kiosk`), and the lab it serves once chosen.
    pub kiosk: bool,
    pub kiosk_lab: Option<String>,
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn app_info(state: State<'_, AppState>) -> IpcResult<AppInfo> {
    let db_path = state.db_path.display().to_string();
    state
        .run(move |store, session| {
            let has_data = !store.people(&PeopleFilter::default())?.is_empty();
            let profile = match &session.profile_id {
                Some(id) => store.person(id, Some(id)).ok(),
                None => None,
            };
            let kiosk = crate::state::kiosk_requested();
            let kiosk_lab = if kiosk { store.setting(crate::state::KIOSK_LAB_KEY)? } else { None };
            Ok(AppInfo { db_path, language: session.lang, profile, has_data, kiosk, kiosk_lab })
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn load_sample(state: State<'_, AppState>) -> IpcResult<SampleSummary> {
    state.run(|store, session| Ok(sample::load(store, Scale::Year, 2026, session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn set_language(state: State<'_, AppState>, language: Lang) -> IpcResult<()> {
    state.set_lang(language);
    state.run(move |store, _| Ok(remember(store, None, Some(language))?)).await
}

/// Switches who is acting (local mode: front desk, kiosk, evaluation).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn set_profile(state: State<'_, AppState>, person_id: String) -> IpcResult<Person> {
    let id = person_id.clone();
    let person = state
        .run(move |store, _| {
            let person = store.person(&id, Some(&id))?;
            remember(store, Some(&id), None)?;
            Ok(person)
        })
        .await?;
    state.set_profile(Some(person_id));
    Ok(person)
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn list_people(
    state: State<'_, AppState>,
    role: Option<Role>,
    makerspace_code: Option<String>,
) -> IpcResult<Vec<Person>> {
    state.run(move |store, _| Ok(store.people(&PeopleFilter { role, makerspace_code })?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn list_makerspaces(state: State<'_, AppState>) -> IpcResult<Vec<Makerspace>> {
    state.run(|store, _| Ok(store.makerspaces()?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn notifications(state: State<'_, AppState>) -> IpcResult<Vec<Notification>> {
    state.run(|store, session| Ok(store.notifications(&session.actor()?)?)).await
}
