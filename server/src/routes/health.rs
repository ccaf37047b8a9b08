//! `GET /healthz`: liveness, whether the payment service answers, and which
//! purchases wait for a person, and when the screen last said it was alive
//! (for the fleet's monitoring).

use super::AppState;
use axum::http::StatusCode;
use axum::{extract::State, routing::get, Json, Router};
use time::format_description::well_known::Rfc3339;
use vendscreen_protocol as wire;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health_get))
}

/// 200 when all is well; 503 while the store refuses writes, so a monitor
/// that reads only the status still sees a machine that cannot sell.
async fn health_get(State(state): State<AppState>) -> (StatusCode, Json<wire::Health>) {
    let store_error = state.engine.store_write_error();
    if let Some(e) = &store_error {
        tracing::warn!(error = %e, "health: the store refuses writes");
    }
    let status = match store_error {
        None => StatusCode::OK,
        Some(_) => StatusCode::SERVICE_UNAVAILABLE,
    };
    let health = wire::Health {
        status: if status.is_success() {
            "ok"
        } else {
            "degraded"
        }
        .into(),
        payment_service_reachable: state.engine.payment_reachable(),
        store_writable: status.is_success(),
        needs_operator: state.engine.awaiting_operator().await,
        screen_last_alive: state
            .screen_alive
            .last()
            .and_then(|t| t.format(&Rfc3339).ok()),
    };
    (status, Json(health))
}
