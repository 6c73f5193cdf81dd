//! A makerspace's yearly figures (众创空间年度统计) on the desktop: shown, and saved as CSV
//! or XLSX for the filing.

use incubook::kpi::YearFigures;
use incubook::sync::client::SyncClient;
use incubook::sync::http::HttpTransport;
use tauri::{AppHandle, Runtime, State};

use crate::commands::bookings::save_with_dialog;
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn year_figures(state: State<'_, AppState>, makerspace_code: String, year: i32) -> IpcResult<YearFigures> {
    state.run(move |store, session| Ok(store.year_figures(&makerspace_code, year, session.now())?)).await
}

/// Saves the figures where the user chooses: XLSX, or CSV for Excel. False if cancelled.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn export_year_figures<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    makerspace_code: String,
    year: i32,
    xlsx: bool,
) -> IpcResult<bool> {
    let name = format!("incubook-{makerspace_code}-{year}.{}", if xlsx { "xlsx" } else { "csv" });
    let bytes = state
        .run(move |store, session| {
            let figures = store.year_figures(&makerspace_code, year, session.now())?;
            Ok(if xlsx {
                incubook::year::year_figures_xlsx(&figures, session.lang)?
            } else {
                incubook::year::year_figures_csv(&figures, session.lang)?.into_bytes()
            })
        })
        .await?;
    if xlsx {
        save_with_dialog(app, &name, "Excel", "xlsx", bytes).await
    } else {
        save_with_dialog(app, &name, "CSV", "csv", bytes).await
    }
}

/// Every makerspace's figures side by side, from the district server (the replica holds only
/// what its person may see): for a desktop signed in as a district operator.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn district_year_figures(state: State<'_, AppState>, year: i32) -> IpcResult<Vec<YearFigures>> {
    fetch_district(&state, year).await
}

/// Saves the district's side-by-side table: XLSX, or CSV for Excel. False if cancelled.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn export_district_year_figures<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    year: i32,
    xlsx: bool,
) -> IpcResult<bool> {
    let figures = fetch_district(&state, year).await?;
    let lang = state.session().lang;
    let name = format!("incubook-district-{year}.{}", if xlsx { "xlsx" } else { "csv" });
    let bytes = if xlsx {
        incubook::year::district_figures_xlsx(&figures, lang)
    } else {
        incubook::year::district_figures_csv(&figures, lang).map(String::into_bytes)
    }
    .map_err(|e| IpcError::from_core(&e, lang))?;
    if xlsx {
        save_with_dialog(app, &name, "Excel", "xlsx", bytes).await
    } else {
        save_with_dialog(app, &name, "CSV", "csv", bytes).await
    }
}

/// The token is read under the database lock; the request goes out without it.
async fn fetch_district(state: &State<'_, AppState>, year: i32) -> IpcResult<Vec<YearFigures>> {
    let lang = state.session().lang;
    let (status, token) = state.run(|store, _| Ok(store.sync_token()?)).await?;
    let joined = tauri::async_runtime::spawn_blocking(move || {
        HttpTransport::new_allowing_plain_http(&status.server_url)?.district_year_figures(&token, year)
    })
    .await;
    match joined {
        Ok(result) => result.map_err(|e| IpcError::from_core(&e, lang)),
        Err(e) => Err(IpcError::new(incubook::error::ErrorCode::Internal, e.to_string())),
    }
}
