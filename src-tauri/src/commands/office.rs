//! Office hours and group sessions on the desktop: a mentor publishes and cancels blocks,
//! founders take seats, give them up or wait in line.

use incubook::store::{BlockView, OfficeHoursPlan, SeatView};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn publish_office_hours(state: State<'_, AppState>, plan: OfficeHoursPlan) -> IpcResult<Vec<String>> {
    state.run(move |store, session| Ok(store.publish_office_hours(&session.actor()?, &plan, session.now())?)).await
}

/// Blocks from now on — of one mentor, or every mentor's — with the acting person's seat.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn office_hours(state: State<'_, AppState>, resource_id: Option<String>) -> IpcResult<Vec<BlockView>> {
    state.run(move |store, session| Ok(store.office_hours(&session.actor()?, resource_id.as_deref(), session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn take_seat(state: State<'_, AppState>, block_id: String, seat: Option<u32>, wait: bool) -> IpcResult<()> {
    state.run(move |store, session| Ok(store.take_seat(&session.actor()?, &block_id, (seat, wait), session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn leave_seat(state: State<'_, AppState>, block_id: String) -> IpcResult<()> {
    state.run(move |store, session| Ok(store.leave_seat(&session.actor()?, &block_id, session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn cancel_office_hours(state: State<'_, AppState>, block_id: String) -> IpcResult<()> {
    state.run(move |store, session| Ok(store.cancel_office_hours(&session.actor()?, &block_id, session.now())?)).await
}

/// Who sits where and who waits, for the mentor.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn block_seats(state: State<'_, AppState>, block_id: String) -> IpcResult<Vec<SeatView>> {
    state.run(move |store, _| Ok(store.block_seats(&block_id)?)).await
}
