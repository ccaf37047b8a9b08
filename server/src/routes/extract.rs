//! Extractors whose rejections are problem+json with the status that says what
//! went wrong (400, 413, 415), the peer's address, and the API's 404 and 405.

use crate::error::AppError;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// How long a request body may take to arrive, in all: a body that trickles
/// in would otherwise hold its connection (and a handler) for ever.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Like `axum::Json`, but a bad body is an [`AppError`]: 413 too large,
/// 415 not `application/json`, 400 anything else.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let read = axum::Json::<T>::from_request(req, state);
        match tokio::time::timeout(BODY_TIMEOUT, read).await {
            Ok(Ok(axum::Json(value))) => Ok(ApiJson(value)),
            Ok(Err(rejection)) => Err(by_status(rejection.status(), rejection.body_text())),
            Err(_) => Err(too_slow()),
        }
    }
}

/// Like `axum::extract::Path`; a segment that does not decode is a 400 problem.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(AppError::BadRequest(rejection.body_text())),
        }
    }
}

/// Requires `Content-Type: application/json` (the body may be empty): a
/// cross-site form or no-cors fetch cannot send it without a preflight,
/// which this server never grants.
pub struct JsonRequest;

impl<S: Send + Sync> FromRequestParts<S> for JsonRequest {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        if essence.eq_ignore_ascii_case("application/json") {
            Ok(JsonRequest)
        } else {
            Err(AppError::UnsupportedMediaType(
                "send Content-Type: application/json".into(),
            ))
        }
    }
}

/// The peer's IP address, when the request came through our serve loop.
pub struct PeerIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerIp(peer_ip(parts.extensions.get())))
    }
}

pub fn peer_ip(info: Option<&ConnectInfo<SocketAddr>>) -> Option<IpAddr> {
    info.map(|ConnectInfo(addr)| addr.ip().to_canonical())
}

/// Reads a whole body of at most `limit` bytes within [`BODY_TIMEOUT`].
pub async fn body_bytes(req: Request, limit: usize) -> Result<axum::body::Bytes, AppError> {
    let read = axum::body::to_bytes(req.into_body(), limit);
    match tokio::time::timeout(BODY_TIMEOUT, read).await {
        Ok(Ok(bytes)) => Ok(bytes),
        // Over the limit, or the client went away: either way nothing to read.
        Ok(Err(_)) => Err(AppError::TooLarge(format!("over {limit} bytes"))),
        Err(_) => Err(too_slow()),
    }
}

fn too_slow() -> AppError {
    AppError::Timeout(format!(
        "the body did not arrive within {} s",
        BODY_TIMEOUT.as_secs()
    ))
}

fn by_status(status: StatusCode, text: String) -> AppError {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge(text),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::UnsupportedMediaType(text),
        _ => AppError::BadRequest(text),
    }
}

pub async fn not_found() -> AppError {
    AppError::NotFound("no such resource".into())
}

/// A known path asked with a method it does not take. axum's own answer is an
/// empty 405; this one is problem+json like every other API error.
pub async fn method_not_allowed(method: Method) -> AppError {
    AppError::MethodNotAllowed(method.to_string())
}
