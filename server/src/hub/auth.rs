//! `Authorization: Bearer <token>` → the machine it belongs to. A token only
//! ever reaches its own machine's sessions; an unknown or disabled one is 401.

use super::HubState;
use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The machine a request comes from, by its token.
pub struct MachineAuth(pub String);

impl FromRequestParts<HubState> for MachineAuth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &HubState) -> Result<Self, AppError> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(AppError::Unauthorized)?;
        let machine = state
            .store
            .machine_by_token(&super::token::hash(token.trim()))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        machine
            .map(|m| MachineAuth(m.pos_id))
            .ok_or(AppError::Unauthorized)
    }
}
