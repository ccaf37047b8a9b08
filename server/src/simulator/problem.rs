//! Error answers the way Vipps gives them: problem+json with `extraDetails`
//! (a field name for validation, `ErrorCode` for domain errors), and the bare
//! Azure-style bodies its gateway sends for 401 / 403 / 429.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// An error the simulator answers with.
#[derive(Debug, Clone)]
pub enum SimError {
    /// 400 naming the offending field.
    Validation { field: String, reason: String },
    /// A domain error with its `ErrorCode`.
    Domain {
        status: StatusCode,
        code: &'static str,
        title: &'static str,
    },
    /// The gateway's answer to a missing or bad token / subscription key.
    Unauthorized(&'static str),
    /// Authenticated, but not for this merchant.
    Forbidden(&'static str),
    /// Too many calls for this reference; `Retry-After` seconds.
    RateLimited(u64),
    /// Same Idempotency-Key, different request.
    IdempotencyConflict,
    /// A route's "not found" that is not a payment (webhook id, phone token).
    NotFound(&'static str),
}

impl SimError {
    pub fn field(field: &str, reason: impl Into<String>) -> Self {
        SimError::Validation {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub fn domain(code: &'static str, title: &'static str) -> Self {
        SimError::Domain {
            status: StatusCode::BAD_REQUEST,
            code,
            title,
        }
    }

    /// 5090 "Reference not found" (404).
    pub fn reference_not_found() -> Self {
        SimError::Domain {
            status: StatusCode::NOT_FOUND,
            code: "5090",
            title: "Reference not found",
        }
    }

    /// The `ErrorCode` this error answers with, if any.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            SimError::Domain { code, .. } => Some(code),
            SimError::IdempotencyConflict => Some("4020"),
            _ => None,
        }
    }

    /// Renders with `instance` = the path without the `/epayment` prefix, as Vipps does.
    pub fn into_response_at(self, path: &str) -> Response {
        let instance = path.strip_prefix("/epayment").unwrap_or(path).to_string();
        let (status, title, extra) = match self {
            SimError::Validation { field, reason } => (
                StatusCode::BAD_REQUEST,
                "Bad Request".to_string(),
                vec![detail(&field, &reason)],
            ),
            SimError::Domain {
                status,
                code,
                title,
            } => (status, title.to_string(), vec![detail("ErrorCode", code)]),
            SimError::IdempotencyConflict => (
                StatusCode::CONFLICT,
                "Idempotency-Key already used for a different request".into(),
                vec![detail("ErrorCode", "4020")],
            ),
            SimError::NotFound(what) => (StatusCode::NOT_FOUND, what.to_string(), vec![]),
            other => return gateway(other),
        };
        // `Problem` with the fields real answers carry (`instance`, `extraDetails`).
        let mut problem = json!({
            "type": format!("https://httpstatuses.io/{}", status.as_u16()),
            "title": title,
            "status": status.as_u16(),
            "detail": "See extraDetails for further details",
            "instance": instance,
            "traceId": trace_id(),
        });
        if !extra.is_empty() {
            problem["extraDetails"] = Value::Array(extra);
        }
        let body = problem.to_string();
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

/// One `extraDetails` entry: a field name, or `ErrorCode` with the code (a string).
fn detail(name: &str, reason: &str) -> Value {
    json!({ "name": name, "reason": reason })
}

/// Azure API Management bodies: not problem+json, on purpose, so clients learn
/// to cope with them.
fn gateway(e: SimError) -> Response {
    let (status, message, retry) = match e {
        SimError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, m, None),
        SimError::Forbidden(m) => (StatusCode::FORBIDDEN, m, None),
        SimError::RateLimited(s) => (
            StatusCode::TOO_MANY_REQUESTS,
            "Rate limit is exceeded.",
            Some(s),
        ),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "unexpected", None),
    };
    let body = json!({ "statusCode": status.as_u16(), "message": message }).to_string();
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Some(seconds) = retry {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, seconds.into());
    }
    response
}

/// A W3C traceparent-shaped id, like Vipps's `traceId`.
pub fn trace_id() -> String {
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    format!("00-{a}-{}-01", &b[..16])
}
