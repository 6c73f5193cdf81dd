//! Startups on the desktop: the acting person's own, the list a space admin (or anyone, with
//! public fields only) looks through, and the changes a lead or space admin makes.

use chrono::NaiveDate;
use incubook::startup::{NewStartup, StartupFilter, StartupRecord};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// Residency is looked at on the machine's own date.
fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn list_startups(state: State<'_, AppState>, filter: StartupFilter) -> IpcResult<Vec<StartupRecord>> {
    state.run(move |store, _| Ok(store.startups(&filter, today())?)).await
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
            let id = store.create_startup(&actor, &startup, lead_id.as_deref().unwrap_or(&actor), incubook::now()?)?;
            Ok(store.startup(&id)?)
        })
        .await
}

#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn update_startup(state: State<'_, AppState>, startup_id: String, startup: NewStartup) -> IpcResult<StartupRecord> {
    state
        .run(move |store, session| {
            store.update_startup(&session.actor()?, &startup_id, &startup, incubook::now()?)?;
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
            store.set_startup_member(&session.actor()?, (&startup_id, &person_id), (member, lead), incubook::now()?)?;
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
            let (actor, now) = (session.actor()?, incubook::now()?);
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

/// The best five mentors for the acting founder's need, each with its score's parts and a
/// slot to book.
#[tauri::command]
#[tracing::instrument(skip_all, err(Debug, level = "info"))]
pub async fn match_mentors(
    state: State<'_, AppState>,
    need: incubook::matching::MatchNeed,
) -> IpcResult<Vec<incubook::store::MentorMatch>> {
    state.run(move |store, session| Ok(store.match_mentors(&session.actor()?, &need, incubook::now()?)?)).await
}
