//! A desktop that is not connected to a district server releases its instruments' no-shows
//! by itself, every 15 seconds: no cron and no setup. A connected desktop leaves it to the
//! server, whose release it pulls (two releases of one booking would tell the waitlist twice).

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use incubook::store::Store;
use incubook::{CoreError, Result};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::state::AppState;

const EVERY: Duration = Duration::from_secs(15);

/// The bookings released at `now`: none on a desktop connected to a district server.
pub fn release_blocking(store: &Mutex<Store>, now: DateTime<Utc>) -> Result<Vec<String>> {
    let mut store = store.lock().map_err(|_| CoreError::Io(std::io::Error::other("the database lock is poisoned")))?;
    if store.sync_status()?.is_some() {
        return Ok(Vec::new());
    }
    store.release_no_shows(now)
}

pub fn start<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let store = app.state::<AppState>().store();
        let mut ticks = tokio::time::interval(EVERY);
        loop {
            ticks.tick().await;
            let handle = store.clone();
            match tauri::async_runtime::spawn_blocking(move || release_blocking(&handle, incubook::now()?)).await {
                Ok(Ok(released)) if !released.is_empty() => {
                    // The calendars on screen redraw: the freed time is bookable again.
                    let _ = app.emit("no-shows-released", released.len());
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!("releasing no-shows failed: {e}"),
                Err(e) => tracing::warn!("releasing no-shows stopped: {e}"),
            }
        }
    });
}
