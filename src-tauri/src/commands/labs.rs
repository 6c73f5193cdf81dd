//! Labs and equipment: browsing, the lab manager's editing, blackouts, qualifications and
//! the lab calendar (all equipment side by side).

use chrono::{DateTime, Utc};
use incubook::domain::{Blackout, BlackoutWhen, Equipment, Lab, Person};
use incubook::error::ErrorCode;
use incubook::store::{BlackoutMode, BlackoutOutcome, EquipmentFilter, NewEquipment, QualificationGrant};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn list_labs(state: State<'_, AppState>, makerspace_code: Option<String>) -> IpcResult<Vec<Lab>> {
    state.run(move |store, _| Ok(store.labs(makerspace_code.as_deref())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn list_equipment(
    state: State<'_, AppState>,
    lab_id: Option<String>,
    category: Option<String>,
) -> IpcResult<Vec<Equipment>> {
    state.run(move |store, _| Ok(store.equipment(&EquipmentFilter { lab_id, category, makerspace_code: None })?)).await
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum QualificationState {
    NotNeeded,
    Valid,
    Expired,
    Missing,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct EquipmentDetail {
    pub equipment: Equipment,
    pub lab: Lab,
    /// Who grants qualifications: the lab's managers.
    pub managers: Vec<Person>,
    pub qualification: QualificationState,
    pub qualification_expires: Option<DateTime<Utc>>,
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn equipment_detail(state: State<'_, AppState>, id: String) -> IpcResult<EquipmentDetail> {
    state
        .run(move |store, session| {
            let equipment = store.equipment_by_id(&id)?;
            let lab = store
                .labs(None)?
                .into_iter()
                .find(|l| l.id == equipment.lab_id)
                .ok_or_else(|| IpcError::new(ErrorCode::not_found("lab"), equipment.lab_id.clone()))?;
            let managers = lab.manager_ids.iter().filter_map(|m| store.person(m, None).ok()).collect();
            let now = session.now();
            let (qualification, qualification_expires) = match (&session.profile_id, equipment.policy.qualification_required) {
                (_, false) => (QualificationState::NotNeeded, None),
                (None, true) => (QualificationState::Missing, None),
                (Some(me), true) => match store.qualification_of(me, &id)? {
                    None => (QualificationState::Missing, None),
                    Some(Some(at)) if at <= now => (QualificationState::Expired, Some(at)),
                    Some(expiry) => (QualificationState::Valid, expiry),
                },
            };
            Ok(EquipmentDetail { equipment, lab, managers, qualification, qualification_expires })
        })
        .await
}

/// Creates equipment (no id) or changes it.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn save_equipment(state: State<'_, AppState>, id: Option<String>, equipment: NewEquipment) -> IpcResult<Equipment> {
    state
        .run(move |store, session| {
            let actor = session.actor()?;
            let now = session.now();
            Ok(match id {
                Some(id) => store.update_equipment(&actor, &id, &equipment, now)?,
                None => store.create_equipment(&actor, &equipment, now)?,
            })
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn add_blackout(
    state: State<'_, AppState>,
    resource_id: String,
    when: BlackoutWhen,
    reason: String,
    mode: BlackoutMode,
) -> IpcResult<BlackoutOutcome> {
    state
        .run(move |store, session| {
            Ok(store.add_blackout(&session.actor()?, &resource_id, &when, &reason, mode, session.now())?)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn blackouts(state: State<'_, AppState>, resource_id: String) -> IpcResult<Vec<Blackout>> {
    state.run(move |store, _| Ok(store.blackouts(&resource_id)?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn remove_blackout(state: State<'_, AppState>, blackout_id: String) -> IpcResult<()> {
    state.run(move |store, session| Ok(store.remove_blackout(&session.actor()?, &blackout_id, session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn qualifications(state: State<'_, AppState>, resource_id: String) -> IpcResult<Vec<QualificationGrant>> {
    state.run(move |store, _| Ok(store.qualifications(&resource_id)?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn grant_qualification(
    state: State<'_, AppState>,
    person_id: String,
    resource_id: String,
    expires_at: Option<DateTime<Utc>>,
) -> IpcResult<()> {
    state
        .run(move |store, session| {
            Ok(store.grant_qualification(&session.actor()?, &person_id, &resource_id, expires_at, session.now())?)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn revoke_qualification(state: State<'_, AppState>, person_id: String, resource_id: String) -> IpcResult<()> {
    state
        .run(move |store, session| Ok(store.revoke_qualification(&session.actor()?, &person_id, &resource_id, session.now())?))
        .await
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CalendarResource {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CalendarEvent {
    pub resource_id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The booker's name where the viewer may see it; empty for "busy".
    pub title: String,
    pub status: Option<String>,
    pub booking_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct LabCalendar {
    pub resources: Vec<CalendarResource>,
    pub events: Vec<CalendarEvent>,
}

/// Every piece of equipment of a lab with its bookings in a range, for a resource view.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn lab_calendar(
    state: State<'_, AppState>,
    lab_id: String,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> IpcResult<LabCalendar> {
    state
        .run(move |store, session| {
            let viewer = session.actor()?;
            let equipment = store.equipment(&EquipmentFilter { lab_id: Some(lab_id), ..EquipmentFilter::default() })?;
            let mut events = Vec::new();
            for e in &equipment {
                for entry in store.resource_calendar(&e.id, from, to, &viewer)? {
                    events.push(CalendarEvent {
                        resource_id: e.id.clone(),
                        start: entry.start,
                        end: entry.end,
                        title: entry.booking.as_ref().map(|v| v.booker_name.clone()).unwrap_or_default(),
                        status: entry.booking.as_ref().map(|v| v.booking.status.as_str().to_string()),
                        booking_id: entry.booking.map(|v| v.booking.id),
                    });
                }
            }
            let resources = equipment.into_iter().map(|e| CalendarResource { id: e.id, title: e.name }).collect();
            Ok(LabCalendar { resources, events })
        })
        .await
}

/// A lab's open, booked and used hours per instrument and week, and its 共享率 by month.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn lab_utilisation(
    state: State<'_, AppState>,
    lab_id: String,
    weeks: u32,
) -> IpcResult<incubook::utilisation::LabUtilisation> {
    state.run(move |store, session| Ok(store.lab_utilisation(&lab_id, weeks, session.now())?)).await
}
