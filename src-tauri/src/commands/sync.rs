//! Settings → District connection, and the Notices screen.

use incubook::store::Notice;
use incubook::sync::client::{SyncReport, SyncStatus};
use tauri::State;

use crate::error::{IpcError, IpcResult};
use crate::state::{AppState, remember};

#[tauri::command]
pub async fn sync_status(state: State<'_, AppState>) -> IpcResult<Option<SyncStatus>> {
    state.run(|store, _| Ok(store.sync_status()?)).await
}

/// Signs in, remembers the server, syncs once, and acts as the signed-in person from now on.
#[tauri::command]
pub async fn connect_server(
    state: State<'_, AppState>,
    url: String,
    username: String,
    password: String,
) -> IpcResult<SyncStatus> {
    let lang = state.session().lang;
    let store = state.store();
    let url = url.trim().trim_end_matches('/').to_string();
    let username = username.trim().to_string();
    let joined = tauri::async_runtime::spawn_blocking(move || -> incubook::Result<SyncStatus> {
        let signed_in = crate::sync::sign_in(&url, &username, &password)?;
        {
            let mut guard = store.lock().map_err(|_| incubook::CoreError::Io(std::io::Error::other("database lock")))?;
            guard.connect_sync(&url, &username, &signed_in.user.person_id, &signed_in.token)?;
        }
        if let Some(result) = crate::sync::sync_blocking(&store) {
            result?;
        }
        let mut guard = store.lock().map_err(|_| incubook::CoreError::Io(std::io::Error::other("database lock")))?;
        remember(&mut guard, Some(&signed_in.user.person_id), None)?;
        guard.sync_status()?.ok_or_else(|| incubook::CoreError::not_found("sync_state", "1"))
    })
    .await;
    let status = match joined {
        Ok(result) => result.map_err(|e| IpcError::from_core(&e, lang))?,
        Err(e) => return Err(IpcError::new("internal", e.to_string())),
    };
    state.set_profile(Some(status.person_id.clone()));
    Ok(status)
}

/// Syncs now (the button in Settings); the background sync does the same every minute.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> IpcResult<Option<SyncReport>> {
    let lang = state.session().lang;
    let store = state.store();
    match tauri::async_runtime::spawn_blocking(move || crate::sync::sync_blocking(&store)).await {
        Ok(None) => Ok(None),
        Ok(Some(result)) => result.map(Some).map_err(|e| IpcError::from_core(&e, lang)),
        Err(e) => Err(IpcError::new("internal", e.to_string())),
    }
}

/// Signs out; changes still waiting stay and go out at the next sign-in.
#[tauri::command]
pub async fn disconnect_server(state: State<'_, AppState>) -> IpcResult<()> {
    state.run(|store, _| Ok(store.sign_out_sync()?)).await
}

#[tauri::command]
pub async fn notices(state: State<'_, AppState>) -> IpcResult<Vec<Notice>> {
    state.run(|store, _| Ok(store.notices(200)?)).await
}
