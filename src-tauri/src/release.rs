//! A desktop that is not connected to a district server releases its instruments' no-shows
//! and closes forgotten sessions by itself, every 15 seconds: no cron and no setup. A connected desktop leaves it to the
//! server, whose release it pulls (two releases of one booking would tell the waitlist twice).

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use incubook::apply::Swept;
use incubook::store::Store;
use incubook::{CoreError, Result};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::state::AppState;

const EVERY: Duration = Duration::from_secs(15);

/// What the sweep at `now` did: nothing on a desktop connected to a district server.
pub fn sweep_blocking(store: &Mutex<Store>, now: DateTime<Utc>) -> Result<Swept> {
    let mut store = store.lock().map_err(|_| CoreError::Io(std::io::Error::other("the database lock is poisoned")))?;
    if store.sync_status()?.is_some() {
        return Ok(Swept::default());
    }
    store.sweep_usage(now)
}

pub fn start<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let (store, clock) = (app.state::<AppState>().store(), app.state::<AppState>().clock);
        let mut ticks = tokio::time::interval(EVERY);
        loop {
            ticks.tick().await;
            let handle = store.clone();
            match tauri::async_runtime::spawn_blocking(move || sweep_blocking(&handle, clock.now())).await {
                Ok(Ok(swept)) if !swept.released.is_empty() || !swept.closed.is_empty() => {
                    // The calendars on screen redraw: the freed time is bookable again.
                    let _ = app.emit("usage-swept", swept.released.len() + swept.closed.len());
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!("releasing no-shows failed: {e}"),
                Err(e) => tracing::warn!("releasing no-shows stopped: {e}"),
            }
        }
    });
}
