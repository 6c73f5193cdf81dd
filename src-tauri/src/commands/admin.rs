//! The space admin's tools: roles, reports with CSV export, and CSV import with progress.

use chrono::NaiveDate;
use incubook::CoreError;
use incubook::csv_import::{ImportKind, ImportSummary};
use incubook::domain::{Person, Role};
use incubook::error::RowError;
use incubook::report::{self, EquipmentReport, MentorReport};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Runtime, State};
use ts_rs::TS;

use crate::commands::bookings::save_with_dialog;
use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn set_role(
    state: State<'_, AppState>,
    person_id: String,
    makerspace_code: String,
    role: Role,
    granted: bool,
) -> IpcResult<Person> {
    state
        .run(move |store, session| {
            Ok(store.set_role(&session.actor()?, &person_id, &makerspace_code, role, granted, session.now())?)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn mentor_report(state: State<'_, AppState>, from: NaiveDate, to: NaiveDate) -> IpcResult<MentorReport> {
    state.run(move |store, _| Ok(store.mentor_report(from, to)?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn equipment_report(state: State<'_, AppState>, from: NaiveDate, to: NaiveDate) -> IpcResult<EquipmentReport> {
    state.run(move |store, _| Ok(store.equipment_report(from, to)?)).await
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReportTable {
    Mentors,
    Expertise,
    Equipment,
    Labs,
}

/// Saves a report as CSV for Excel where the user chooses. False if cancelled.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn export_report_csv<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    table: ReportTable,
    from: NaiveDate,
    to: NaiveDate,
) -> IpcResult<bool> {
    let text = state
        .run(move |store, session| {
            let lang = session.lang;
            Ok(match table {
                ReportTable::Mentors => report::mentor_hours_csv(&store.mentor_report(from, to)?, lang)?,
                ReportTable::Expertise => report::expertise_hours_csv(&store.mentor_report(from, to)?, lang)?,
                ReportTable::Equipment => report::equipment_use_csv(&store.equipment_report(from, to)?, lang)?,
                ReportTable::Labs => report::lab_use_csv(&store.equipment_report(from, to)?, lang)?,
            })
        })
        .await?;
    let name = format!(
        "incubook-{}-{from}-{to}.csv",
        serde_json::to_value(table).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    );
    save_with_dialog(app, &name, "CSV", "csv", text.into_bytes()).await
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportOutcome {
    pub summary: Option<ImportSummary>,
    /// Every bad row, when the file was refused (nothing was imported then).
    pub errors: Vec<RowError>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportProgress {
    pub done: u32,
    pub total: u32,
}

/// Imports a CSV file the user picked in the page; progress arrives as `import-progress` events.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn import_csv<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    kind: ImportKind,
    bytes: Vec<u8>,
) -> IpcResult<ImportOutcome> {
    state
        .run(move |store, session| {
            let actor = session.actor()?;
            let mut progress = |done: usize, total: usize| {
                let _ = app.emit("import-progress", ImportProgress { done: done as u32, total: total as u32 });
            };
            match store.import_csv(&actor, kind, &bytes, session.now(), &mut progress) {
                Ok(summary) => Ok(ImportOutcome { summary: Some(summary), errors: Vec::new() }),
                Err(CoreError::Csv(errors)) => Ok(ImportOutcome { summary: None, errors }),
                Err(e) => Err(e.into()),
            }
        })
        .await
}
