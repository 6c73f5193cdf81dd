//! `incubook-server`: the district server that joins many makerspaces into one pool.

pub mod auth;
pub mod db;
pub mod error;
pub mod http;
pub mod listen;
mod push_limit;
mod sign_in;

use std::future::Future;
use std::sync::Arc;

use incubook_core::clock::Clock;
use tokio::net::TcpListener;

pub use tokio_rustls::TlsAcceptor;

/// Serves the API on a bound listener (over TLS when `tls` is given) until `shutdown`
/// resolves, then finishes the requests in flight.
/// `clock` is every handler's and the sweeper's "now" (`Clock::from_env` in production).
pub async fn serve(
    listener: TcpListener,
    (db, clock): (Arc<dyn db::Database>, Clock),
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with_limits(listener, (db, clock), tls, listen::Limits::default(), shutdown).await
}

/// `serve` with other listener limits (tests use small ones).
pub async fn serve_with_limits(
    listener: TcpListener,
    (db, clock): (Arc<dyn db::Database>, Clock),
    tls: Option<TlsAcceptor>,
    limits: listen::Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = http::router(http::AppState::new(db.clone(), clock).with_request_deadline(limits.request_deadline));
    // The server releases no-shows (and closes forgotten sessions) by itself: no cron, no
    // operator setup.
    let sweeper = tokio::spawn(sweep_usage_every(db, clock, limits.no_show_sweep));
    let served = listen::serve(listener, app, tls, limits, shutdown).await;
    sweeper.abort();
    served
}

async fn sweep_usage_every(db: Arc<dyn db::Database>, clock: Clock, period: std::time::Duration) {
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let db = db.clone();
        let compacting = db.clone();
        match tokio::task::spawn_blocking(move || compacting.compact_deletes(clock.now())).await {
            Ok(Ok(0)) => {}
            Ok(Ok(dropped)) => tracing::info!(dropped, "compacted deletes older than 90 days"),
            Ok(Err(e)) => tracing::warn!("compacting deletes failed: {e}"),
            Err(e) => tracing::warn!("compacting deletes stopped: {e}"),
        }
        match tokio::task::spawn_blocking(move || db.sweep_usage(clock.now())).await {
            Ok(Ok(swept)) if !swept.released.is_empty() || !swept.closed.is_empty() => {
                tracing::info!(released = swept.released.len(), closed = swept.closed.len(), "swept machine hours")
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("releasing no-shows failed: {e}"),
            Err(e) => tracing::warn!("releasing no-shows stopped: {e}"),
        }
    }
}
