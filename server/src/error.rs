//! One error type for the server: every failure leaves as `{code, message}` with a fitting
//! HTTP status, never a panic or a bare 500 page.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

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
    /// The database failed for a whole group of pushes; the clients retry.
    #[error("database unavailable, try again: {0}")]
    Unavailable(String),
    /// The core's own errors keep their codes (`refused.slot_taken`, `invalid.start`, …).
    #[error("{0}")]
    Core(incubook::CoreError),
}

impl From<incubook::CoreError> for ServerError {
    fn from(error: incubook::CoreError) -> ServerError {
        ServerError::Core(error)
    }
}

impl ServerError {
    pub fn code(&self) -> String {
        let code = match self {
            ServerError::Core(e) => return e.code(),
            ServerError::BadRequest(_) => "bad_request",
            ServerError::Invalid(_) => "invalid",
            ServerError::Unauthorized => "unauthorized",
            ServerError::Forbidden(_) => "forbidden",
            ServerError::NotFound(_) => "not_found",
            ServerError::Conflict(_) => "conflict",
            ServerError::TooLarge => "too_large",
            ServerError::Unsupported(_) => "unsupported",
            ServerError::Database(_) | ServerError::Migration(_) | ServerError::Postgres(_) | ServerError::Unavailable(_) => {
                "database"
            }
            ServerError::Internal(_) => "internal",
        };
        code.to_string()
    }

    fn status(&self) -> StatusCode {
        match self {
            ServerError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ServerError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServerError::Unauthorized => StatusCode::UNAUTHORIZED,
            ServerError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServerError::NotFound(_) => StatusCode::NOT_FOUND,
            ServerError::Conflict(_) => StatusCode::CONFLICT,
            ServerError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ServerError::Unsupported(_) => StatusCode::NOT_IMPLEMENTED,
            ServerError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ServerError::Database(_) | ServerError::Migration(_) | ServerError::Postgres(_) | ServerError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            ServerError::Core(e) => match e {
                incubook::CoreError::Refused(_) | incubook::CoreError::Conflict(_) => StatusCode::CONFLICT,
                incubook::CoreError::Invalid { .. } | incubook::CoreError::Csv(_) => StatusCode::UNPROCESSABLE_ENTITY,
                incubook::CoreError::NotFound { .. } => StatusCode::NOT_FOUND,
                incubook::CoreError::Forbidden(_) => StatusCode::FORBIDDEN,
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
        (self.status(), Json(serde_json::json!({"code": self.code(), "message": self.to_string()}))).into_response()
    }
}

pub type Result<T, E = ServerError> = std::result::Result<T, E>;
