//! Events on the desktop: the district's list with places taken, registering, and for a
//! space admin publishing, cancelling and taking attendance.

use incubook::events::NewEvent;
use incubook::store::EventView;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn list_events(state: State<'_, AppState>) -> IpcResult<Vec<EventView>> {
    state.run(move |store, session| Ok(store.events(&session.actor()?, session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn publish_event(state: State<'_, AppState>, event: NewEvent) -> IpcResult<String> {
    state.run(move |store, session| Ok(store.publish_event(&session.actor()?, &event, session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn cancel_event(state: State<'_, AppState>, event_id: String) -> IpcResult<()> {
    state.run(move |store, session| Ok(store.cancel_event(&session.actor()?, &event_id, session.now())?)).await
}

/// Registers the acting person (`registered`), or withdraws them.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn register_for_event(state: State<'_, AppState>, event_id: String, registered: bool) -> IpcResult<()> {
    state.run(move |store, session| Ok(store.register_for_event(&session.actor()?, &event_id, registered, session.now())?)).await
}

/// Someone registered, and whether they came.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Attendee {
    pub person_id: String,
    pub name: String,
    pub attended: bool,
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn event_attendees(state: State<'_, AppState>, event_id: String) -> IpcResult<Vec<Attendee>> {
    state
        .run(move |store, _| {
            let list = store.event_attendees(&event_id)?;
            Ok(list.into_iter().map(|(person_id, name, attended)| Attendee { person_id, name, attended }).collect())
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn mark_attendance(state: State<'_, AppState>, event_id: String, person_id: String, attended: bool) -> IpcResult<()> {
    state
        .run(move |store, session| {
            Ok(store.mark_attendance(&session.actor()?, (&event_id, &person_id), attended, session.now())?)
        })
        .await
}
