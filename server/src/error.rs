//! One error type for every handler, answered as `application/problem+json`.
//! 5xx causes are logged; the client is told only what it can act on.

use crate::session::EngineError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use vendscreen_protocol as wire;

/// Why a request failed. Each variant's doc says the status it gives.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the body or path could not be understood.
    #[error("{0}")]
    BadRequest(String),
    /// 401: a webhook whose signature does not verify.
    #[error("unauthorized")]
    Unauthorized,
    /// 403: outside the API's boundary (a foreign host or origin, a network peer).
    #[error("{0}")]
    Forbidden(String),
    /// 404: no such product, session or file.
    #[error("{0}")]
    NotFound(String),
    /// 405: the path exists, the method does not (axum adds `Allow`).
    #[error("{0} is not allowed here")]
    MethodNotAllowed(String),
    /// 408: the body did not arrive in time.
    #[error("{0}")]
    Timeout(String),
    /// 409: conflicts with the machine's state (busy, sold out, too late).
    #[error("{0}")]
    Conflict(String),
    /// 413: a body over the route's limit.
    #[error("{0}")]
    TooLarge(String),
    /// 415: a body that is not `application/json` where JSON is required.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 429: this client already holds all it may (event streams).
    #[error("{0}")]
    TooMany(String),
    /// 503: the machine cannot sell now; no payment was started.
    #[error("out of service")]
    OutOfService(wire::OutOfServiceReason),
    /// 500: our fault; logged, not explained.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<EngineError> for AppError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::UnknownProduct(_)
            | EngineError::UnknownSession(_)
            | EngineError::UnknownMachine(_) => AppError::NotFound(e.to_string()),
            EngineError::SoldOut(_)
            | EngineError::Busy
            | EngineError::NotCancellable
            | EngineError::TooLateToVend(_)
            | EngineError::Conflict(_) => AppError::Conflict(e.to_string()),
            EngineError::OutOfService(reason) => AppError::OutOfService(reason),
            EngineError::Store(_) => AppError::Internal(e.to_string()),
        }
    }
}

impl AppError {
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request", "Bad request"),
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized"),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Forbidden"),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            AppError::MethodNotAllowed(_) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
            ),
            AppError::Timeout(_) => (
                StatusCode::REQUEST_TIMEOUT,
                "request-timeout",
                "Request timeout",
            ),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            AppError::TooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Content too large",
            ),
            AppError::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
            ),
            AppError::TooMany(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too many requests",
            ),
            AppError::OutOfService(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "out-of-service",
                "Out of service",
            ),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal server error",
            ),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, slug, title) = self.parts();
        let detail = match &self {
            AppError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                None
            }
            AppError::OutOfService(_) => {
                Some("The machine cannot sell right now. No money has been taken.".to_string())
            }
            AppError::Unauthorized => None,
            other => Some(other.to_string()),
        };
        let reason = match self {
            AppError::OutOfService(reason) => Some(reason),
            _ => None,
        };
        problem(status, slug, title, detail, reason)
    }
}

/// A problem+json response.
pub fn problem(
    status: StatusCode,
    slug: &str,
    title: &str,
    detail: Option<String>,
    reason: Option<wire::OutOfServiceReason>,
) -> Response {
    let body = wire::Problem {
        kind: format!("https://vendscreen.dev/problems/{slug}"),
        title: title.into(),
        status: status.as_u16(),
        detail,
        reason,
    };
    let json = serde_json::to_vec(&body).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        json,
    )
        .into_response()
}
