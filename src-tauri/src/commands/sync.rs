//! Settings → District connection, and the Notices screen.

use incubook::error::ErrorCode;
use incubook::store::{Notice, Store};
use incubook::sync::client::{SyncClient, SyncReport, SyncStatus, sync_with_progress};
use incubook::sync::http::HttpTransport;
use incubook::sync::upload::{CatalogueUpload, queue_missing_catalogues};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime, State};
use ts_rs::TS;

use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, remember};

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn sync_status(state: State<'_, AppState>) -> IpcResult<Option<SyncStatus>> {
    state.run(|store, _| Ok(store.sync_status()?)).await
}

/// What connecting did: the connection, and the catalogues this desktop uploaded.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Connected {
    pub status: SyncStatus,
    pub uploads: Vec<CatalogueUpload>,
}

/// Signs in, remembers the server, uploads the catalogue of a makerspace the signed-in space
/// admin runs when the server has none of it, syncs once (progress arrives as
/// `sync-progress` events), and acts as the signed-in person from now on.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn connect_server<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    url: String,
    username: String,
    password: String,
) -> IpcResult<Connected> {
    let session = state.session();
    let lang = session.lang;
    let store = state.store();
    let url = url.trim().trim_end_matches('/').to_string();
    let username = username.trim().to_string();
    let joined = tauri::async_runtime::spawn_blocking(move || -> incubook::Result<Connected> {
        let http = HttpTransport::new(&url)?;
        let signed_in = http.sign_in(&username, &password)?;
        let on_server = http.makerspaces(&signed_in.token)?;
        let uploads = {
            let mut guard = lock(&store)?;
            guard.connect_sync(&url, &username, &signed_in.user.person_id, &signed_in.token)?;
            guard.set_district_operator(signed_in.user.is_district_operator())?;
            queue_missing_catalogues(&mut guard, &on_server, &signed_in.user.roles, session.now())?
        };
        sync_with_progress(store.as_ref(), &http, session.now(), &mut |p| {
            let _ = app.emit("sync-progress", *p);
        })?;
        let mut guard = lock(&store)?;
        remember(&mut guard, Some(&signed_in.user.person_id), None)?;
        let status = guard.sync_status()?.ok_or_else(|| incubook::CoreError::not_found("sync_state", "1"))?;
        Ok(Connected { status, uploads })
    })
    .await;
    let connected = match joined {
        Ok(result) => result.map_err(|e| IpcError::from_core(&e, lang))?,
        Err(e) => return Err(IpcError::new(ErrorCode::Internal, e.to_string())),
    };
    state.set_profile(Some(connected.status.person_id.clone()));
    Ok(connected)
}

fn lock(store: &std::sync::Mutex<Store>) -> incubook::Result<std::sync::MutexGuard<'_, Store>> {
    store.lock().map_err(|_| incubook::CoreError::Io(std::io::Error::other("database lock")))
}

/// Syncs now (the button in Settings); the background sync does the same every minute.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn sync_now(state: State<'_, AppState>) -> IpcResult<Option<SyncReport>> {
    let (lang, clock) = (state.session().lang, state.clock);
    let store = state.store();
    match tauri::async_runtime::spawn_blocking(move || crate::sync::sync_blocking(&store, clock)).await {
        Ok(None) => Ok(None),
        Ok(Some(result)) => result.map(Some).map_err(|e| IpcError::from_core(&e, lang)),
        Err(e) => Err(IpcError::new(ErrorCode::Internal, e.to_string())),
    }
}

/// Signs out (the server revokes the token); changes still waiting stay and go out at the
/// next sign-in.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn disconnect_server(state: State<'_, AppState>) -> IpcResult<()> {
    state
        .run(|store, _| {
            let Some(status) = store.sync_status()? else { return Ok(()) };
            let server = HttpTransport::new_allowing_plain_http(&status.server_url)?;
            Ok(store.sign_out_everywhere(&server)?)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn notices(state: State<'_, AppState>) -> IpcResult<Vec<Notice>> {
    state.run(|store, _| Ok(store.notices(200)?)).await
}
