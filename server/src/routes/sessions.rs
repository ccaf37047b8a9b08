//! `POST /api/sessions`, `GET /api/sessions/{reference}`,
//! `POST /api/sessions/{reference}/cancel`.

use super::extract::ApiJson;
use super::AppState;
use crate::error::AppError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use vendscreen_protocol as wire;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/sessions", post(session_create))
        .route("/api/sessions/{reference}", get(session_get))
        .route("/api/sessions/{reference}/cancel", post(session_cancel))
}

async fn session_create(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<wire::CreateSession>,
) -> Result<(StatusCode, Json<wire::Session>), AppError> {
    let session = state.engine.start_purchase(&body.product_id).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

async fn session_get(
    State(state): State<AppState>,
    Path(reference): Path<String>,
) -> Result<Json<wire::Session>, AppError> {
    Ok(Json(state.engine.session(&reference).await?))
}

async fn session_cancel(
    State(state): State<AppState>,
    Path(reference): Path<String>,
) -> Result<(StatusCode, Json<wire::Session>), AppError> {
    let session = state.engine.cancel(&reference).await?;
    // 202: the cancel is under way; the stream says how it ends.
    Ok((StatusCode::ACCEPTED, Json(session)))
}
