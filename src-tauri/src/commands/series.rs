//! Repeating bookings: what each time would become, the series booked, and a change to one
//! booking and the following, or all.

use chrono::{DateTime, Utc};
use incubook::command::SeriesScope;
use incubook::store::{NewSeries, SeriesPlan};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// Each time of the series as booking it now would leave it; nothing is written.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn preview_series(state: State<'_, AppState>, series: NewSeries) -> IpcResult<SeriesPlan> {
    state.run(move |store, session| Ok(store.preview_series(&session.actor()?, &series, session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn book_series(state: State<'_, AppState>, series: NewSeries) -> IpcResult<SeriesPlan> {
    state.run(move |store, session| Ok(store.book_series(&session.actor()?, &series, session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn cancel_series(
    state: State<'_, AppState>,
    booking_id: String,
    scope: SeriesScope,
    reason: Option<String>,
) -> IpcResult<()> {
    state
        .run(move |store, session| {
            Ok(store.cancel_series(&session.actor()?, (&booking_id, scope), reason.as_deref(), session.now())?)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn move_series(
    state: State<'_, AppState>,
    booking_id: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    scope: SeriesScope,
) -> IpcResult<()> {
    state
        .run(move |store, session| Ok(store.move_series(&session.actor()?, (&booking_id, scope), (start, end), session.now())?))
        .await
}
