//! `GET /api/catalog`: the machine and what it sells.

use super::DisplayState;
use axum::{extract::State, routing::get, Json, Router};
use vendscreen_protocol as wire;

pub fn router() -> Router<DisplayState> {
    Router::new().route("/api/catalog", get(catalog_get))
}

async fn catalog_get(State(state): State<DisplayState>) -> Json<wire::Catalog> {
    Json(state.api.catalog().await)
}
