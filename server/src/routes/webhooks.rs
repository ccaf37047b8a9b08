//! `POST /webhooks/epayment`: ePayment webhooks. Verified by HMAC against the
//! registered URL and secret; anything else is 401 and changes nothing. Stored
//! (deduplicated) and answered at once; the engine re-reads the payment after.
//! At most 64 KiB is read before the signature is checked. A signed delivery
//! we cannot understand (a new event name, a currency we do not sell in) is
//! answered 200 and ignored: a 4xx would make Vipps retry it for days and hold
//! back that payment's later events.

use super::extract::body_bytes;
use super::AppState;
use crate::epayment::{hmac, model::WebhookEvent};
use crate::error::AppError;
use crate::telemetry::metrics::{self, Webhook};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{routing::post, Router};

/// The registration that deliveries are checked against. Debug hides the secret.
#[derive(Debug, Clone)]
pub struct WebhookSecret {
    pub url: String,
    pub secret: crate::config::Secret,
}

/// Far above any real delivery (a few hundred bytes).
const MAX_BODY: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route("/webhooks/epayment", post(webhook_receive))
}

async fn webhook_receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Request,
) -> Result<StatusCode, AppError> {
    let body = body_bytes(request, MAX_BODY).await?;
    let registered = state
        .webhook
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let Some(registered) = registered else {
        metrics::webhook(Webhook::Rejected);
        return Err(AppError::Unauthorized);
    };
    if !hmac::verify(registered.secret.expose(), &registered.url, &headers, &body) {
        metrics::webhook(Webhook::Rejected);
        tracing::warn!("webhook refused: signature does not verify");
        return Err(AppError::Unauthorized);
    }
    let event: WebhookEvent = match serde_json::from_slice(&body) {
        Ok(event) => event,
        Err(e) => {
            metrics::webhook(Webhook::Ignored);
            not_understood(&state, &body, &e);
            return Ok(StatusCode::OK);
        }
    };
    // The documented event type, not a Debug string: it is stored as a key.
    let name = event.name.webhook_type();
    let fresh = state
        .engine
        .webhook_delivery(&event.reference, name, &event.psp_reference)
        .await?;
    metrics::webhook(if fresh {
        Webhook::Accepted
    } else {
        Webhook::Duplicate
    });
    let span = state.engine.span_of(&event.reference).await;
    span.in_scope(|| {
        tracing::info!(reference = %event.reference, event = %name, fresh, success = event.success, "webhook")
    });
    Ok(StatusCode::OK)
}

/// A signed delivery we cannot read: logged, and if it names a purchase of
/// ours, that payment is re-read (the engine acts only on what Vipps reports).
fn not_understood(state: &AppState, body: &[u8], error: &serde_json::Error) {
    let reference = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("reference")?.as_str().map(String::from));
    tracing::warn!(%error, ?reference, "webhook not understood; answered 200 and ignored");
    if let Some(reference) = reference {
        let engine = state.engine.clone();
        tokio::spawn(async move { engine.payment_news(&reference).await });
    }
}
