//! `incubook-server`: the district server that joins many makerspaces into one pool.

pub mod auth;
pub mod db;
pub mod error;
pub mod http;

use std::future::Future;
use std::sync::Arc;

use tokio::net::TcpListener;

/// Serves the API on a bound listener until `shutdown` resolves, then finishes the
/// requests in flight.
pub async fn serve(
    listener: TcpListener,
    db: Arc<dyn db::Database>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = http::router(http::AppState { db });
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
