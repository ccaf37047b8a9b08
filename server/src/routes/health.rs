//! `GET /healthz`: liveness, whether the payment service answers, and which
//! purchases wait for a person (for the fleet's monitoring).

use super::AppState;
use axum::{extract::State, routing::get, Json, Router};
use vendscreen_protocol as wire;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(health_get))
}

async fn health_get(State(state): State<AppState>) -> Json<wire::Health> {
    Json(wire::Health {
        status: "ok".into(),
        payment_service_reachable: state.engine.payment_reachable(),
        needs_operator: state.engine.awaiting_operator(),
    })
}
