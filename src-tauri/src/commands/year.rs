//! A makerspace's yearly figures (众创空间年度统计) on the desktop: shown, and saved as CSV
//! or XLSX for the filing.

use incubook::kpi::YearFigures;
use tauri::{AppHandle, Runtime, State};

use crate::commands::bookings::save_with_dialog;
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn year_figures(state: State<'_, AppState>, makerspace_code: String, year: i32) -> IpcResult<YearFigures> {
    state.run(move |store, _| Ok(store.year_figures(&makerspace_code, year, incubook::now()?)?)).await
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
            let figures = store.year_figures(&makerspace_code, year, incubook::now()?)?;
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
