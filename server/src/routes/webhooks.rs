//! `POST /webhooks/epayment`: ePayment webhooks. Verified by HMAC against the
//! registered URL and secret; anything else is 401 and changes nothing. Stored
//! (deduplicated) and answered at once; the engine re-reads the payment after.

use super::AppState;
use crate::epayment::{hmac, model::WebhookEvent};
use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::{routing::post, Router};

/// The registration that deliveries are checked against. Debug hides the secret.
#[derive(Clone)]
pub struct WebhookSecret {
    pub url: String,
    pub secret: String,
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSecret")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/webhooks/epayment", post(webhook_receive))
}

async fn webhook_receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, AppError> {
    let registered = state
        .webhook
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let Some(registered) = registered else {
        return Err(AppError::Unauthorized);
    };
    if !hmac::verify(&registered.secret, &registered.url, &headers, &body) {
        tracing::warn!("webhook refused: signature does not verify");
        return Err(AppError::Unauthorized);
    }
    let event: WebhookEvent = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("webhook body: {e}")))?;
    // The documented event type, not a Debug string: it is stored as a key.
    let name = event.name.webhook_type();
    let fresh = state
        .engine
        .webhook_delivery(&event.reference, name, &event.psp_reference)
        .await?;
    tracing::info!(reference = %event.reference, event = %name, fresh, success = event.success, "webhook");
    Ok(StatusCode::OK)
}
