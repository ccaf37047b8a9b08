//! What tests and tools read at "Vipps" without credentials: the request
//! log (`GET /sim/log`) and a payment as the API would show it
//! (`GET /sim/payments/{reference}`), so an end-to-end test can check the
//! money where it is kept, not on the screen that reports it.

use super::state::Shared;
use super::wire;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

type S = State<Arc<Shared>>;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/sim/log", get(log_read))
        .route("/sim/payments/{reference}", get(payment_read))
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
