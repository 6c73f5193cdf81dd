//! Background sync with the district server: at start, soon after a change, and every
//! minute; with a growing pause while the server cannot be reached. After each sync the
//! window hears a `sync` event, and the acting person gets an OS notification for a
//! request approved or declined, or a waitlisted slot that opened.

use std::sync::Mutex;
use std::time::Duration;

use incubook::clock::Clock;
use incubook::i18n::Lang;
use incubook::store::Store;
use incubook::sync::client::{SyncReport, sync_with};
use incubook::sync::http::HttpTransport;
use incubook::{CoreError, Result};
use rusqlite::params;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::state::AppState;

const EVERY: Duration = Duration::from_secs(60);
const FIRST_BACKOFF: Duration = Duration::from_secs(15);
const MAX_BACKOFF: Duration = Duration::from_secs(300);
const NOTIFIED_KEY: &str = "desktop.notified_version";

/// One sync if this database is connected and signed in; `None` otherwise. Runs on the
/// blocking pool; the database lock is held only between network calls.
pub fn sync_blocking(store: &Mutex<Store>, clock: Clock) -> Option<Result<SyncReport>> {
    let status = match store.lock() {
        Ok(s) => s.sync_status().ok().flatten(),
        Err(_) => None,
    }?;
    if !status.signed_in {
        return None;
    }
    Some(HttpTransport::new_allowing_plain_http(&status.server_url).and_then(|http| sync_with(store, &http, clock.now())))
}

fn waiting(store: &Mutex<Store>) -> i64 {
    store.lock().ok().and_then(|s| s.sync_status().ok().flatten()).map_or(0, |s| s.waiting)
}

pub fn start<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let (store, nudge, clock) = {
            let state = app.state::<AppState>();
            (state.store(), state.sync_nudge.clone(), state.clock)
        };
        // Set while the server cannot be reached: 15 s, 30 s, … up to 5 minutes.
        let mut backoff: Option<Duration> = None;
        loop {
            let handle = store.clone();
            let outcome = tauri::async_runtime::spawn_blocking(move || sync_blocking(&handle, clock)).await.ok().flatten();
            backoff = match &outcome {
                Some(Err(CoreError::Offline(_))) => Some(backoff.map_or(FIRST_BACKOFF, |b| (b * 2).min(MAX_BACKOFF))),
                _ => None,
            };
            let pause = backoff.unwrap_or(EVERY);
            if let Some(result) = outcome {
                let _ = app.emit("sync", result.as_ref().map_err(|e| e.code()).map(|r| r.waiting).ok());
                if result.is_ok() {
                    notify_os(&app, &store);
                }
            }
            // Wait for the pause to end, or for a change that is waiting to go out.
            let deadline = tokio::time::Instant::now() + pause;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep_until(deadline) => break,
                    _ = nudge.notified() => {
                        let handle = store.clone();
                        let has_changes = tauri::async_runtime::spawn_blocking(move || waiting(&handle) > 0).await.unwrap_or(false);
                        if has_changes && backoff.is_none() {
                            break;
                        }
                    }
                }
            }
        }
    });
}

/// Shows what newly arrived for the acting person; the first sync only marks the history as seen.
fn notify_os<R: Runtime>(app: &AppHandle<R>, store: &Mutex<Store>) {
    let session = app.state::<AppState>().session();
    let Some(person) = session.profile_id else { return };
    let Ok(mut store) = store.lock() else { return };
    let seen = store.setting(NOTIFIED_KEY).ok().flatten().and_then(|v| v.parse::<i64>().ok());
    let fresh = match news_for(&store, &person, seen.unwrap_or(i64::MAX)) {
        Ok(fresh) => fresh,
        Err(_) => return,
    };
    let newest: i64 = store.conn().query_row("SELECT coalesce(max(version), 0) FROM notification", [], |r| r.get(0)).unwrap_or(0);
    let _ = store.set_setting(NOTIFIED_KEY, &newest.to_string());
    for (kind, resource) in fresh {
        let body = notification_text(&kind, &resource, session.lang);
        // No notification service (a headless session) is not an error worth showing.
        let _ = app.notification().builder().title("众创预约 Incubook").body(body).show();
    }
}

fn news_for(store: &Store, person: &str, after_version: i64) -> Result<Vec<(String, String)>> {
    let mut stmt = store.conn().prepare(
        "SELECT n.kind, coalesce(r.name, '') FROM notification n LEFT JOIN resource r ON r.id = n.resource_id
         WHERE n.person_id = ?1 AND n.version > ?2 AND n.kind IN ('booking_confirmed', 'booking_declined', 'waitlist_slot_open')
         ORDER BY n.version",
    )?;
    let rows = stmt.query_map(params![person, after_version], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn notification_text(kind: &str, resource: &str, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match (kind, zh) {
        ("booking_confirmed", true) => format!("「{resource}」已确认您的预约"),
        ("booking_confirmed", false) => format!("{resource} confirmed your booking"),
        ("booking_declined", true) => format!("「{resource}」未接受您的预约申请"),
        ("booking_declined", false) => format!("{resource} declined your request"),
        (_, true) => format!("您候补的「{resource}」时段已空出，可以预约了"),
        (_, false) => format!("The {resource} slot you waited for is free: book it now"),
    }
}
