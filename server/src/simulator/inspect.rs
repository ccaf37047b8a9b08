//! What tests and tools read at "Vipps" without credentials: the request
//! log (`GET /sim/log`), a payment as the API would show it
//! (`GET /sim/payments/{reference}`) and the create call as it arrived
//! (`GET /sim/payments/{reference}/create`), so a test can check the money
//! and the receipt where they are kept, not on the screen that reports them.

use super::state::lock;
use super::state::Shared;
use super::wire;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

type S = State<Arc<Shared>>;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/sim/log", get(log_read))
        .route("/sim/payments/{reference}", get(payment_read))
        .route("/sim/payments/{reference}/create", get(create_read))
        .with_state(shared)
}

#[derive(Deserialize)]
struct Filter {
    reference: Option<String>,
}

/// `GET /sim/log[?reference=…]` → `{"entries": [...]}`, oldest first.
async fn log_read(State(s): S, Query(f): Query<Filter>) -> Json<Value> {
    Json(json!({ "entries": s.log.entries(f.reference.as_deref()) }))
}

/// The body `GET /epayment/v1/payments/{reference}` would answer (404 / 5090
/// when unknown), without a token and outside the rate limits.
async fn payment_read(State(s): S, uri: Uri, Path(reference): Path<String>) -> Response {
    match s.read(&reference) {
        Ok(p) => Json(wire::payment(&p)).into_response(),
        Err(e) => e.into_response_at(uri.path()),
    }
}

/// How many references' create calls are kept (the newest go in, the oldest
/// go first): enough for any test, bounded for a demo left running.
pub const CREATES_KEPT: usize = 1_000;

/// The headers of a create call worth reading back: the `Vipps-System-*`
/// ones and what names the merchant and the call. The token and the
/// subscription key are credentials and stay out of an open route.
const HEADERS_KEPT: [&str; 6] = [
    "vipps-system-name",
    "vipps-system-version",
    "vipps-system-plugin-name",
    "vipps-system-plugin-version",
    "merchant-serial-number",
    "idempotency-key",
];

/// The newest create call per reference, as sent: `{"headers": {...},
/// "body": ...}`, the body parsed as JSON (or the text when it is not JSON).
#[derive(Default)]
pub struct CreateCalls {
    kept: Mutex<VecDeque<(String, Value)>>,
}

impl CreateCalls {
    /// Keeps a create call before anything judges it (so a refused one is
    /// readable too); one without a readable reference is not kept.
    pub fn keep(&self, headers: &HeaderMap, body: &[u8]) {
        let parsed: Option<Value> = serde_json::from_slice(body).ok();
        let Some(reference) = parsed
            .as_ref()
            .and_then(|b| b.get("reference")?.as_str().map(str::to_string))
        else {
            return;
        };
        let kept_headers: serde_json::Map<String, Value> = HEADERS_KEPT
            .iter()
            .filter_map(|name| {
                let value = headers.get(*name)?.to_str().ok()?;
                Some((name.to_string(), Value::from(value)))
            })
            .collect();
        let call = json!({ "headers": kept_headers, "body": parsed });
        let mut kept = lock(&self.kept);
        kept.retain(|(r, _)| *r != reference);
        if kept.len() == CREATES_KEPT {
            kept.pop_front();
        }
        kept.push_back((reference, call));
    }

    fn get(&self, reference: &str) -> Option<Value> {
        let kept = lock(&self.kept);
        kept.iter()
            .find(|(r, _)| r == reference)
            .map(|(_, c)| c.clone())
    }
}

/// `GET /sim/payments/{reference}/create` → the newest create call for
/// `reference` as it arrived (header names in lower case); 404 when none is kept.
async fn create_read(State(s): S, Path(reference): Path<String>) -> Response {
    match s.creates.get(&reference) {
        Some(call) => Json(call).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({ "title": "no create call kept for this reference" })),
        )
            .into_response(),
    }
}
