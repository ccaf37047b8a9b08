//! `GET /metrics`: the Prometheus text exposition (`telemetry::metrics`).
//! The gauges read from the store (purchases waiting for a person, the
//! oldest unsettled reservation) are refreshed on each scrape.

use crate::session::Engine;
use crate::telemetry::metrics;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::{routing::get, Router};

/// The exposition format's content type (text, version 0.0.4).
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// `/metrics` alone: merged into `server.listen`'s router, or the whole of
/// `metrics.listen`'s.
pub fn router(engine: Engine) -> Router {
    Router::new()
        .route("/metrics", get(metrics_get))
        .with_state(engine)
}

async fn metrics_get(State(engine): State<Engine>) -> impl IntoResponse {
    engine.refresh_metrics().await;
    ([(CONTENT_TYPE, TEXT_FORMAT)], metrics::render())
}

/// `/metrics` of an edge: what happens on the machine (vends at its
/// dispenser, the display's streams, the screen's heartbeat); its purchases'
/// money is counted by the hub that handles it.
pub fn edge_router() -> Router {
    Router::new().route("/metrics", get(edge_metrics_get))
}

async fn edge_metrics_get() -> impl IntoResponse {
    ([(CONTENT_TYPE, TEXT_FORMAT)], metrics::render())
}
