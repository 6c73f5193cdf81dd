//! Finding mentors, their free time, and a mentor's own availability.

use chrono::{DateTime, NaiveDate, Utc};
use incubook::domain::{DateOverride, Mentor, Policy, Slot, WeeklyHours};
use incubook::place::{PlaceDefaults, SessionPlace};
use incubook::store::{CalendarEntry, MentorCard, MentorSearch, SlotSearch};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn search_mentors(state: State<'_, AppState>, search: MentorSearch) -> IpcResult<Vec<MentorCard>> {
    state
        .run(move |store, session| {
            let search = MentorSearch { viewer_id: session.profile_id.clone(), ..search };
            Ok(store.search_mentors(&search, session.now())?)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn get_mentor(state: State<'_, AppState>, id: String) -> IpcResult<Mentor> {
    state.run(move |store, _| Ok(store.mentor(&id)?)).await
}

/// Bookable slots of a mentor or equipment between two local dates.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn resource_slots(
    state: State<'_, AppState>,
    resource_id: String,
    from: NaiveDate,
    to: NaiveDate,
    minutes: Option<u32>,
) -> IpcResult<Vec<Slot>> {
    state
        .run(move |store, session| {
            Ok(store.slots_seen_by(&session.actor()?, &resource_id, &SlotSearch { from, to, minutes }, session.now())?)
        })
        .await
}

/// Bookings of a resource as the acting profile may see them (others' only as busy).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn resource_calendar(
    state: State<'_, AppState>,
    resource_id: String,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> IpcResult<Vec<CalendarEntry>> {
    state.run(move |store, session| Ok(store.resource_calendar(&resource_id, from, to, &session.actor()?)?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn my_mentor_profile(state: State<'_, AppState>) -> IpcResult<Option<Mentor>> {
    state.run(|store, session| Ok(store.mentor_of_person(&session.actor()?)?)).await
}

/// The zones a mentor may keep their hours in, with their cities' names.
#[tauri::command]
#[tracing::instrument(skip_all)]
pub async fn zones() -> IpcResult<Vec<incubook::zones::ZoneName>> {
    Ok(incubook::zones::known_zones())
}

/// The acting mentor moves their hours to another zone (same wall-clock times there).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn set_mentor_timezone(state: State<'_, AppState>, timezone: String) -> IpcResult<Mentor> {
    state
        .run(move |store, session| {
            let actor = session.actor()?;
            let m = store.mentor_of_person(&actor)?.ok_or_else(|| incubook::CoreError::not_found("mentor", actor.clone()))?;
            let profile = incubook::command::MentorProfile {
                full_time: m.full_time,
                title: m.title,
                bio: m.bio,
                tags: m.tags,
                industries: m.industries,
                languages: m.languages,
                formats: m.formats,
                visibility: m.visibility,
                timezone: Some(timezone),
            };
            store.update_mentor_profile(&actor, &m.id, &profile, session.now())?;
            Ok(store.mentor(&m.id)?)
        })
        .await
}

/// A mentor's default place per format, as the acting person may see them (the mentor's own
/// and their space admins'; others' replicas hold none).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn place_defaults(state: State<'_, AppState>, mentor_id: String) -> IpcResult<PlaceDefaults> {
    state.run(move |store, _| Ok(store.place_defaults(&mentor_id)?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn set_place_defaults(state: State<'_, AppState>, mentor_id: String, defaults: PlaceDefaults) -> IpcResult<()> {
    state.run(move |store, session| Ok(store.set_place_defaults(&session.actor()?, &mentor_id, &defaults, session.now())?)).await
}

/// The mentor gives one session a place of its own.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn set_session_place(state: State<'_, AppState>, booking_id: String, place: SessionPlace) -> IpcResult<()> {
    state.run(move |store, session| Ok(store.set_session_place(&session.actor()?, &booking_id, &place, session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn set_weekly_hours(state: State<'_, AppState>, resource_id: String, hours: Vec<WeeklyHours>) -> IpcResult<()> {
    state.run(move |store, session| Ok(store.set_weekly_hours(&session.actor()?, &resource_id, &hours, session.now())?)).await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn set_policy(state: State<'_, AppState>, resource_id: String, policy: Policy) -> IpcResult<()> {
    state.run(move |store, session| Ok(store.set_policy(&session.actor()?, &resource_id, &policy, session.now())?)).await
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct DatedOverride {
    pub id: String,
    #[serde(flatten)]
    #[ts(flatten)]
    pub date_override: DateOverride,
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn date_overrides(state: State<'_, AppState>, resource_id: String, from: NaiveDate) -> IpcResult<Vec<DatedOverride>> {
    state
        .run(move |store, _| {
            Ok(store
                .date_overrides(&resource_id, from)?
                .into_iter()
                .map(|(id, date_override)| DatedOverride { id, date_override })
                .collect())
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn add_date_override(
    state: State<'_, AppState>,
    resource_id: String,
    date_override: DateOverride,
    note: String,
) -> IpcResult<String> {
    state
        .run(move |store, session| {
            Ok(store.add_date_override(&session.actor()?, &resource_id, &date_override, &note, session.now())?)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn remove_date_override(state: State<'_, AppState>, id: String) -> IpcResult<()> {
    state.run(move |store, session| Ok(store.remove_date_override(&session.actor()?, &id, session.now())?)).await
}
