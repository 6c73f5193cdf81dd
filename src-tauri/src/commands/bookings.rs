//! Booking and everything after it: approve, decline, cancel, reschedule, close, rate,
//! wait, take notes, export to a calendar file.

use chrono::{DateTime, Utc};
use incubook::domain::Booking;
use incubook::error::ErrorCode;
use incubook::store::{BookingView, NewBooking, WaitlistEntry};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn book(state: State<'_, AppState>, booking: NewBooking) -> IpcResult<Booking> {
    state.run(move |store, session| Ok(store.book(&session.actor()?, &booking, session.now())?)).await
}

/// The acting person's bookings, and the sessions booked with them as a mentor.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn my_bookings(state: State<'_, AppState>) -> IpcResult<Vec<BookingView>> {
    state.run(|store, session| Ok(store.bookings_of(&session.actor()?)?)).await
}

/// Requests waiting for the acting mentor's or lab manager's decision.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn requests(state: State<'_, AppState>) -> IpcResult<Vec<BookingView>> {
    state.run(|store, session| Ok(store.requests_for(&session.actor()?)?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn approve(state: State<'_, AppState>, booking_id: String) -> IpcResult<Booking> {
    state.run(move |store, session| Ok(store.approve(&session.actor()?, &booking_id, session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn decline(state: State<'_, AppState>, booking_id: String, reason: String) -> IpcResult<Booking> {
    state.run(move |store, session| Ok(store.decline(&session.actor()?, &booking_id, &reason, session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn cancel(state: State<'_, AppState>, booking_id: String, reason: Option<String>) -> IpcResult<Booking> {
    state.run(move |store, session| Ok(store.cancel(&session.actor()?, &booking_id, reason.as_deref(), session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn reschedule(
    state: State<'_, AppState>,
    booking_id: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> IpcResult<Booking> {
    state.run(move |store, session| Ok(store.reschedule(&session.actor()?, &booking_id, start, end, session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn complete(state: State<'_, AppState>, booking_id: String) -> IpcResult<Booking> {
    state.run(move |store, session| Ok(store.complete(&session.actor()?, &booking_id, session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn no_show(state: State<'_, AppState>, booking_id: String) -> IpcResult<Booking> {
    state.run(move |store, session| Ok(store.no_show(&session.actor()?, &booking_id, session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn give_feedback(
    state: State<'_, AppState>,
    booking_id: String,
    rating: u8,
    comment: String,
    pairing_fits: Option<bool>,
) -> IpcResult<()> {
    state
        .run(move |store, session| {
            Ok(store.give_feedback(&session.actor()?, &booking_id, (rating, &comment, pairing_fits), session.now())?)
        })
        .await
}

/// Both sides' feedback on a session, and whether the pairing question is asked.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn session_feedback(state: State<'_, AppState>, booking_id: String) -> IpcResult<incubook::store::SessionFeedback> {
    state.run(move |store, _| Ok(store.session_feedback(&booking_id)?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn join_waitlist(
    state: State<'_, AppState>,
    resource_id: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> IpcResult<WaitlistEntry> {
    state.run(move |store, session| Ok(store.join_waitlist(&session.actor()?, &resource_id, start, end, session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn session_note(state: State<'_, AppState>, booking_id: String) -> IpcResult<Option<String>> {
    state.run(move |store, session| Ok(store.session_note(&session.actor()?, &booking_id)?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn set_session_note(state: State<'_, AppState>, booking_id: String, body: String) -> IpcResult<()> {
    state.run(move |store, session| Ok(store.set_session_note(&session.actor()?, &booking_id, &body, session.now())?)).await
}

/// Writes the acting person's bookings to an .ics file chosen in a native save dialog.
/// Returns false when the dialog was cancelled.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn export_ics<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> IpcResult<bool> {
    let text = state
        .run(|store, session| {
            let actor = session.actor()?;
            let seats = store.office_hours(&actor, None, session.now())?;
            Ok(incubook::ics::calendar_to_ics(&store.bookings_of(&actor)?, &seats, session.lang))
        })
        .await?;
    save_with_dialog(app, "incubook.ics", "iCalendar", "ics", text.into_bytes()).await
}

/// Asks where to save and writes the bytes there, off the main thread.
pub async fn save_with_dialog<R: Runtime>(
    app: AppHandle<R>,
    file_name: &str,
    filter: &str,
    extension: &str,
    bytes: Vec<u8>,
) -> IpcResult<bool> {
    let (file_name, filter, extension) = (file_name.to_string(), filter.to_string(), extension.to_string());
    let chosen = tauri::async_runtime::spawn_blocking(move || {
        app.dialog().file().add_filter(filter, &[extension.as_str()]).set_file_name(file_name).blocking_save_file()
    })
    .await
    .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?;
    let Some(path) = chosen.and_then(|p| p.into_path().ok()) else { return Ok(false) };
    std::fs::write(&path, bytes).map_err(|e| IpcError::new(ErrorCode::Io, e.to_string()))?;
    Ok(true)
}
