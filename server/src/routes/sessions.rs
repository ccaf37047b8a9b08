//! `POST /api/sessions`, `GET /api/sessions/{reference}`,
//! `POST /api/sessions/{reference}/cancel`.

use super::extract::{ApiJson, ApiPath, JsonRequest};
use super::DisplayState;
use crate::error::AppError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use vendscreen_protocol as wire;

pub fn router() -> Router<DisplayState> {
    Router::new()
        .route("/api/sessions", post(session_create))
        .route("/api/sessions/{reference}", get(session_get))
        .route("/api/sessions/{reference}/cancel", post(session_cancel))
}

async fn session_create(
    State(state): State<DisplayState>,
    ApiJson(body): ApiJson<wire::CreateSession>,
) -> Result<(StatusCode, Json<wire::Session>), AppError> {
    let session = state.api.start_purchase(&body.product_id).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

async fn session_get(
    State(state): State<DisplayState>,
    ApiPath(reference): ApiPath<String>,
) -> Result<Json<wire::Session>, AppError> {
    Ok(Json(state.api.session(&reference).await?))
}

/// Needs `Content-Type: application/json` (any body, `{}` by the display), so
/// no cross-site form can cancel a customer's purchase.
async fn session_cancel(
    State(state): State<DisplayState>,
    ApiPath(reference): ApiPath<String>,
    _json: JsonRequest,
) -> Result<(StatusCode, Json<wire::Session>), AppError> {
    let session = state.api.cancel(&reference).await?;
    // 202: the cancel is under way; the stream says how it ends.
    Ok((StatusCode::ACCEPTED, Json(session)))
}
