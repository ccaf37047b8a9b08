//! What every simulated API call passes through, in the gateway's order:
//! injected faults, authentication, per-reference rate limits, then the
//! Idempotency-Key store (replay the same request, refuse a different one).

use super::problem::SimError;
use super::state::{lock, Shared, Stored};
use super::{auth, log, validate};
use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;

/// One incoming API call.
pub struct Request {
    pub endpoint: &'static str,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The reference the call is about (path, or the create body).
    pub reference: Option<String>,
    /// Money-moving calls need an Idempotency-Key and count as "modify".
    pub keyed: bool,
}

/// What a handler produces: a status and a JSON body, or an error.
pub type Answer = Result<(StatusCode, serde_json::Value), SimError>;

/// Runs `work` behind the gate; `work` gets the parsed body and the key.
/// Money calls (`keyed`) are written to the request log with their answer.
pub async fn run(
    shared: &Arc<Shared>,
    req: Request,
    work: impl FnOnce(&Arc<Shared>, &serde_json::Value, &str) -> Answer,
) -> Response {
    let mut entry = req.keyed.then(|| log::entry_for(shared, &req));
    let fault = shared.take_fault(req.endpoint);
    if let Some(f) = fault.as_ref().filter(|f| !f.after_processing) {
        tokio::time::sleep(f.delay()).await;
        if let Some(r) = f.response() {
            log::finish(shared, entry, &r, Some(f));
            return r;
        }
    }
    let response = match checked(shared, &req, work) {
        Ok((status, body, replayed)) => {
            if let Some(e) = entry.as_mut() {
                e.replayed = replayed;
                e.error_code = log::error_code(&body);
            }
            json_response(status, body)
        }
        Err(e) => {
            if let Some(entry) = entry.as_mut() {
                entry.error_code = e.code().map(str::to_string);
            }
            e.into_response_at(&req.path)
        }
    };
    if let Some(e) = entry.as_mut() {
        e.refused = response.status().is_client_error();
    }
    match fault.filter(|f| f.after_processing) {
        Some(f) => {
            tokio::time::sleep(f.delay()).await;
            let replaced = f.response().unwrap_or(response);
            log::finish(shared, entry, &replaced, Some(&f));
            replaced
        }
        None => {
            log::finish(shared, entry, &response, None);
            response
        }
    }
}

fn checked(
    shared: &Arc<Shared>,
    req: &Request,
    work: impl FnOnce(&Arc<Shared>, &serde_json::Value, &str) -> Answer,
) -> Result<(StatusCode, Vec<u8>, bool), SimError> {
    auth::check(shared, &req.headers)?;
    let body = validate::json(&req.body)?;
    let reference = req.reference.clone().or_else(|| {
        body.get("reference")
            .and_then(|r| r.as_str())
            .map(str::to_string)
    });
    rate_limit(shared, reference.unwrap_or_default(), req.keyed)?;
    if !req.keyed {
        let (status, bytes) = encode(work(shared, &body, "")?);
        return Ok((status, bytes, false));
    }
    let key = auth::idempotency_key(&req.headers)?;
    // Keys are per merchant and operation; the fingerprint is the whole request.
    let fingerprint = format!("{} {} {}", req.endpoint, req.path, body);
    if let Some(stored) = lock(&shared.idempotency).get(&key) {
        return if stored.fingerprint == fingerprint {
            Ok((
                StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK),
                stored.body.clone(),
                true,
            ))
        } else {
            Err(SimError::IdempotencyConflict)
        };
    }
    let (status, bytes) = match work(shared, &body, &key) {
        Ok(answer) => encode(answer),
        Err(e) => error_bytes(e, &req.path),
    };
    // A 4xx sticks to its key like a success; only transient failures do not.
    if !status.is_server_error() && status != StatusCode::TOO_MANY_REQUESTS {
        let stored = Stored {
            fingerprint,
            status: status.as_u16(),
            body: bytes.clone(),
        };
        lock(&shared.idempotency).insert(key, stored);
    }
    Ok((status, bytes, false))
}

fn encode((status, body): (StatusCode, serde_json::Value)) -> (StatusCode, Vec<u8>) {
    (status, serde_json::to_vec(&body).unwrap_or_default())
}

/// Renders an error to bytes so it can be stored for replay.
fn error_bytes(e: SimError, path: &str) -> (StatusCode, Vec<u8>) {
    let response = e.into_response_at(path);
    let status = response.status();
    // Problem bodies are built in memory, so reading one back cannot block.
    let body = futures_util::FutureExt::now_or_never(axum::body::to_bytes(
        response.into_body(),
        usize::MAX,
    ))
    .and_then(Result::ok)
    .unwrap_or_default();
    (status, body.to_vec())
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let kind = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    (status, [(header::CONTENT_TYPE, kind)], body).into_response()
}

/// Sliding one-minute windows per reference, on the simulator's clock.
fn rate_limit(shared: &Shared, reference: String, modify: bool) -> Result<(), SimError> {
    let Some(limits) = shared.config.rate_limits else {
        return Ok(());
    };
    let limit = if modify {
        limits.modify_per_minute
    } else {
        limits.read_per_minute
    };
    let now = shared.clock.now();
    let minute = Duration::from_secs(60);
    let mut windows = lock(&shared.limits);
    let window = windows.entry((reference, modify)).or_default();
    while window
        .front()
        .is_some_and(|t| now.duration_since(*t).unwrap_or_default() >= minute)
    {
        window.pop_front();
    }
    if window.len() >= limit {
        let oldest = window.front().copied().unwrap_or(now);
        let wait = minute.saturating_sub(now.duration_since(oldest).unwrap_or_default());
        return Err(SimError::RateLimited(wait.as_secs().max(1)));
    }
    window.push_back(now);
    Ok(())
}
