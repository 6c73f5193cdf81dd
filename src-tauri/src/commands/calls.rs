//! District calls and applications on the desktop: the calls everyone sees, a startup lead's
//! drafts and submissions (which count once the district server has them), and the district
//! operator's intake.

use incubook::calls::application::{ApplicationDraft, Intake};
use incubook::intake::IntakeSummary;
use incubook::store::{ApplicationView, CallView};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn list_calls(state: State<'_, AppState>) -> IpcResult<Vec<CallView>> {
    state.run(move |store, session| Ok(store.calls(session.now())?)).await
}

/// The acting person's startup's applications, or — for a district operator — a call's (or all).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn list_applications(state: State<'_, AppState>, call_id: Option<String>) -> IpcResult<Vec<ApplicationView>> {
    state.run(move |store, session| Ok(store.applications_for(&session.actor()?, call_id.as_deref())?)).await
}

/// Saves a draft of the acting lead's startup (a new one when `application_id` is absent).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn save_application(
    state: State<'_, AppState>,
    application_id: Option<String>,
    call_id: String,
    draft: ApplicationDraft,
) -> IpcResult<ApplicationView> {
    state
        .run(move |store, session| {
            let actor = session.actor()?;
            let startup = store
                .startup_of_person(&actor)?
                .ok_or_else(|| incubook::CoreError::invalid("startup", "applying is for a startup's lead"))?;
            let id =
                store.draft_application(&actor, (application_id.as_deref(), &call_id, &startup.id), &draft, session.now())?;
            Ok(store.application_for(&actor, &id)?)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn submit_application(state: State<'_, AppState>, application_id: String) -> IpcResult<ApplicationView> {
    state
        .run(move |store, session| {
            let actor = session.actor()?;
            store.submit_application(&actor, &application_id, session.now())?;
            Ok(store.application_for(&actor, &application_id)?)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn withdraw_application(
    state: State<'_, AppState>,
    application_id: String,
    reason: String,
) -> IpcResult<ApplicationView> {
    state
        .run(move |store, session| {
            let actor = session.actor()?;
            store.withdraw_application(&actor, &application_id, &reason, session.now())?;
            Ok(store.application_for(&actor, &application_id)?)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn request_recheck(state: State<'_, AppState>, application_id: String, reason: String) -> IpcResult<ApplicationView> {
    state
        .run(move |store, session| {
            let actor = session.actor()?;
            store.request_recheck(&actor, &application_id, &reason, session.now())?;
            Ok(store.application_for(&actor, &application_id)?)
        })
        .await
}

/// A district operator's intake decision.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn decide_application(
    state: State<'_, AppState>,
    application_id: String,
    intake: Intake,
) -> IpcResult<ApplicationView> {
    state
        .run(move |store, session| {
            let actor = session.actor()?;
            store.decide_application(&actor, &application_id, &intake, session.now())?;
            Ok(store.application_for(&actor, &application_id)?)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn intake_summary(state: State<'_, AppState>, call_id: String) -> IpcResult<IntakeSummary> {
    state.run(move |store, session| Ok(store.intake_summary(&session.actor()?, &call_id)?)).await
}
