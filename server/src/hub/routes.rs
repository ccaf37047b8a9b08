//! `/fleet/v1/…`: what a machine's edge calls (design.md, "Hub ↔ edge
//! contract"). Every call is its machine's alone (bearer token).

use super::auth::MachineAuth;
use super::HubState;
use crate::error::AppError;
use crate::routes::ApiJson;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use vendscreen_protocol::fleet::{Heartbeat, StartPurchase, VendCommand, VendResult};
use vendscreen_protocol::Session;

pub fn router() -> Router<HubState> {
    Router::new()
        .route("/fleet/v1/stream", get(super::stream::stream_open))
        .route("/fleet/v1/sessions", post(session_create))
        .route("/fleet/v1/sessions/{reference}", get(session_get))
        .route(
            "/fleet/v1/sessions/{reference}/cancel",
            post(session_cancel),
        )
        .route("/fleet/v1/vends/{reference}/ack", post(vend_ack))
        .route("/fleet/v1/vends/{reference}/result", post(vend_result))
        .route("/fleet/v1/heartbeat", post(heartbeat))
}

async fn session_create(
    State(state): State<HubState>,
    MachineAuth(machine): MachineAuth,
    ApiJson(body): ApiJson<StartPurchase>,
) -> Result<(StatusCode, Json<Session>), AppError> {
    let engine = &state.engine;
    let session = engine
        .fleet_purchase(&machine, &body.product_id, &body.request_id)
        .await?;
    Ok((StatusCode::CREATED, Json(session)))
}

async fn session_get(
    State(state): State<HubState>,
    MachineAuth(machine): MachineAuth,
    Path(reference): Path<String>,
) -> Result<Json<Session>, AppError> {
    Ok(Json(
        state.engine.fleet_session(&machine, &reference).await?,
    ))
}

async fn session_cancel(
    State(state): State<HubState>,
    MachineAuth(machine): MachineAuth,
    Path(reference): Path<String>,
) -> Result<(StatusCode, Json<Session>), AppError> {
    let session = state.engine.fleet_cancel(&machine, &reference).await?;
    Ok((StatusCode::ACCEPTED, Json(session)))
}

async fn vend_ack(
    State(state): State<HubState>,
    MachineAuth(machine): MachineAuth,
    Path(reference): Path<String>,
) -> Result<Json<VendCommand>, AppError> {
    Ok(Json(state.engine.vend_ack(&machine, &reference).await?))
}

async fn vend_result(
    State(state): State<HubState>,
    MachineAuth(machine): MachineAuth,
    Path(reference): Path<String>,
    ApiJson(body): ApiJson<VendResult>,
) -> Result<StatusCode, AppError> {
    let engine = &state.engine;
    engine
        .vend_result(&machine, &reference, body.outcome)
        .await?;
    Ok(StatusCode::OK)
}

async fn heartbeat(
    State(state): State<HubState>,
    MachineAuth(machine): MachineAuth,
    ApiJson(body): ApiJson<Heartbeat>,
) -> Result<StatusCode, AppError> {
    let ready = Some(body.dispenser_ready);
    state.engine.heartbeat(&machine, ready).await?;
    Ok(StatusCode::NO_CONTENT)
}
