//! `GET /api/catalog`: the machine and what it sells.

use super::AppState;
use axum::{extract::State, routing::get, Json, Router};
use vendscreen_protocol as wire;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/catalog", get(catalog_get))
}

async fn catalog_get(State(state): State<AppState>) -> Json<wire::Catalog> {
    Json(state.catalog.as_ref().clone())
}
