//! One error type for the server: every failure leaves as `{code, message}` with a fitting
//! HTTP status, never a panic or a bare 500 page.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use incubook_core::error::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Invalid(String),
    #[error("sign in first")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the request body is too large")]
    TooLarge,
    /// Too many tries (sign-in); the answer carries `Retry-After`.
    #[error("too many tries: try again in {retry_after_seconds} s")]
    TooManyRequests { retry_after_seconds: u64 },
    #[error("{0}")]
    Unsupported(String),
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("database migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("database: {0}")]
    Postgres(String),
    #[error("internal: {0}")]
    Internal(String),
    /// A request's work panicked; it was rolled back and nothing else was touched.
    #[error("internal: the request failed ({0}); nothing of it was kept")]
    Panicked(String),
    /// The database failed for a whole group of pushes; the clients retry.
    #[error("database unavailable, try again: {0}")]
    Unavailable(String),
    /// The request (its body included) was not done within `http::REQUEST_DEADLINE`.
    #[error("the request was not finished within {0} s; send it again")]
    TimedOut(u64),
    /// The core's own errors keep their codes (`refused.slot_taken`, `invalid.start`, …).
    #[error("{0}")]
    Core(incubook_core::CoreError),
}

impl From<incubook_core::CoreError> for ServerError {
    fn from(error: incubook_core::CoreError) -> ServerError {
        ServerError::Core(error)
    }
}

impl ServerError {
    /// The error's code; the same vocabulary as the core's (`incubook_core::error::ErrorCode`).
    pub fn error_code(&self) -> ErrorCode {
        match self {
            ServerError::Core(e) => e.error_code(),
            ServerError::BadRequest(_) | ServerError::TimedOut(_) => ErrorCode::BadRequest,
            ServerError::Invalid(_) => ErrorCode::invalid(""),
            ServerError::Unauthorized => ErrorCode::Unauthorized,
            ServerError::Forbidden(_) => ErrorCode::Forbidden,
            ServerError::NotFound(_) => ErrorCode::not_found(""),
            ServerError::Conflict(_) => ErrorCode::Conflict,
            ServerError::TooLarge => ErrorCode::TooLarge,
            ServerError::TooManyRequests { .. } => ErrorCode::TooManyRequests,
            ServerError::Unsupported(_) => ErrorCode::Unsupported,
            ServerError::Database(_) | ServerError::Migration(_) | ServerError::Postgres(_) | ServerError::Unavailable(_) => {
                ErrorCode::Database
            }
            ServerError::Internal(_) | ServerError::Panicked(_) => ErrorCode::Internal,
        }
    }

    pub fn code(&self) -> String {
        self.error_code().to_string()
    }

    fn status(&self) -> StatusCode {
        match self {
            ServerError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ServerError::TimedOut(_) => StatusCode::REQUEST_TIMEOUT,
            ServerError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServerError::Unauthorized => StatusCode::UNAUTHORIZED,
            ServerError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServerError::NotFound(_) => StatusCode::NOT_FOUND,
            ServerError::Conflict(_) => StatusCode::CONFLICT,
            ServerError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ServerError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ServerError::Unsupported(_) => StatusCode::NOT_IMPLEMENTED,
            ServerError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ServerError::Database(_)
            | ServerError::Migration(_)
            | ServerError::Postgres(_)
            | ServerError::Internal(_)
            | ServerError::Panicked(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ServerError::Core(e) => match e {
                incubook_core::CoreError::Refused(_) | incubook_core::CoreError::Conflict(_) => StatusCode::CONFLICT,
                incubook_core::CoreError::Invalid { .. } | incubook_core::CoreError::Csv(_) => StatusCode::UNPROCESSABLE_ENTITY,
                incubook_core::CoreError::NotFound { .. } => StatusCode::NOT_FOUND,
                incubook_core::CoreError::Forbidden(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        if self.status().is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        // The database's own words stay in the log: they describe the schema, not the request.
        let message = match &self {
            ServerError::Database(_) | ServerError::Postgres(_) | ServerError::Migration(_) => {
                "the district database failed; the server's log says why".to_string()
            }
            other => other.to_string(),
        };
        let body = Json(serde_json::json!({"code": self.code(), "message": message}));
        match self {
            ServerError::TooManyRequests { retry_after_seconds } => {
                (self.status(), [(axum::http::header::RETRY_AFTER, retry_after_seconds.to_string())], body).into_response()
            }
            _ => (self.status(), body).into_response(),
        }
    }
}

pub type Result<T, E = ServerError> = std::result::Result<T, E>;

/// What a caught panic said, for the log and the 500 answer.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}
