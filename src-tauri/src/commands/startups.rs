//! Startups on the desktop: the acting person's own, the list a space admin (or anyone, with
//! public fields only) looks through, and the changes a lead or space admin makes.

use chrono::NaiveDate;
use incubook::startup::{NewStartup, StartupFilter, StartupRecord};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn list_startups(state: State<'_, AppState>, filter: StartupFilter) -> IpcResult<Vec<StartupRecord>> {
    state.run(move |store, session| Ok(store.startups_seen_by(&session.actor()?, &filter, session.today())?)).await
}

/// The startup the acting person is a member of.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn my_startup(state: State<'_, AppState>) -> IpcResult<Option<StartupRecord>> {
    state.run(move |store, session| Ok(store.startup_of_person(&session.actor()?)?)).await
}

/// Makes a startup led by `lead_id` (the acting person when absent).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn create_startup(
    state: State<'_, AppState>,
    startup: NewStartup,
    lead_id: Option<String>,
) -> IpcResult<StartupRecord> {
    state
        .run(move |store, session| {
            let actor = session.actor()?;
            let id = store.create_startup(&actor, &startup, lead_id.as_deref().unwrap_or(&actor), session.now())?;
            Ok(store.startup(&id)?)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn update_startup(state: State<'_, AppState>, startup_id: String, startup: NewStartup) -> IpcResult<StartupRecord> {
    state
        .run(move |store, session| {
            store.update_startup(&session.actor()?, &startup_id, &startup, session.now())?;
            Ok(store.startup(&startup_id)?)
        })
        .await
}

/// Adds (`member`), makes lead (`lead`) or removes (`member: false`) a member.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn set_startup_member(
    state: State<'_, AppState>,
    startup_id: String,
    person_id: String,
    member: bool,
    lead: bool,
) -> IpcResult<StartupRecord> {
    state
        .run(move |store, session| {
            store.set_startup_member(&session.actor()?, (&startup_id, &person_id), (member, lead), session.now())?;
            Ok(store.startup(&startup_id)?)
        })
        .await
}

/// Moves the startup in to a makerspace on `date`, or (with `residency_id`) out of one.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn set_residency(
    state: State<'_, AppState>,
    startup_id: String,
    makerspace_id: Option<String>,
    residency_id: Option<String>,
    date: NaiveDate,
) -> IpcResult<StartupRecord> {
    state
        .run(move |store, session| {
            let (actor, now) = (session.actor()?, session.now());
            match (residency_id, makerspace_id) {
                (Some(residency), _) => store.move_out(&actor, (&startup_id, &residency), date, now)?,
                (None, Some(makerspace)) => {
                    store.move_in(&actor, (&startup_id, &makerspace), date, now)?;
                }
                (None, None) => {
                    return Err(incubook::CoreError::invalid("makerspace_id", "name the makerspace to move in to").into());
                }
            }
            Ok(store.startup(&startup_id)?)
        })
        .await
}

/// The startup's lead (or a space admin where it lives) agrees to a move-in another
/// makerspace asked for (`accept`), or declines it.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn answer_move_in(
    state: State<'_, AppState>,
    startup_id: String,
    residency_id: String,
    accept: bool,
) -> IpcResult<StartupRecord> {
    state
        .run(move |store, session| {
            store.answer_move_in(&session.actor()?, (&startup_id, &residency_id), accept, session.now())?;
            Ok(store.startup(&startup_id)?)
        })
        .await
}

/// A space admin where the startup lives confirms its credit code (核验).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn confirm_credit_code(state: State<'_, AppState>, startup_id: String) -> IpcResult<StartupRecord> {
    state
        .run(move |store, session| {
            store.confirm_credit_code(&session.actor()?, &startup_id, session.now())?;
            Ok(store.startup(&startup_id)?)
        })
        .await
}

/// The best five mentors for the acting founder's need, each with its score's parts and a
/// slot to book.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn match_mentors(
    state: State<'_, AppState>,
    need: incubook::matching::MatchNeed,
) -> IpcResult<Vec<incubook::store::MentorMatch>> {
    state.run(move |store, session| Ok(store.match_mentors(&session.actor()?, &need, session.now())?)).await
}

/// A startup's mentor-hour allocations and what is left of each.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn hour_balances(state: State<'_, AppState>, startup_id: String) -> IpcResult<Vec<incubook::allocation::HourBalance>> {
    state.run(move |store, _| Ok(store.hour_balances(&startup_id)?)).await
}

/// The acting founder's startup's mentor hours, shown before booking a mentor.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn my_hour_balances(state: State<'_, AppState>) -> IpcResult<Vec<incubook::allocation::HourBalance>> {
    state.run(move |store, session| Ok(store.my_hour_balances(&session.actor()?)?)).await
}

/// Gives a startup mentor hours for this quarter (the programme named, or the quarter).
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn allocate_hours(
    state: State<'_, AppState>,
    startup_id: String,
    makerspace_id: String,
    hours: u32,
    programme: Option<String>,
) -> IpcResult<String> {
    state
        .run(move |store, session| {
            let now = session.now();
            let (quarter, starts_on, ends_on) = store.quarter_at(&makerspace_id, now)?;
            let programme = programme.filter(|p| !p.trim().is_empty()).unwrap_or(quarter);
            let new = incubook::allocation::NewAllocation { startup_id, makerspace_id, programme, starts_on, ends_on, hours };
            Ok(store.allocate_hours(&session.actor()?, &new, now)?)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn top_up_hours(state: State<'_, AppState>, allocation_id: String, hours: u32, reason: String) -> IpcResult<()> {
    state
        .run(move |store, session| Ok(store.top_up_hours(&session.actor()?, &allocation_id, (hours, &reason), session.now())?))
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn top_ups(state: State<'_, AppState>, allocation_id: String) -> IpcResult<Vec<incubook::store::TopUp>> {
    state.run(move |store, _| Ok(store.top_ups(&allocation_id)?)).await
}
