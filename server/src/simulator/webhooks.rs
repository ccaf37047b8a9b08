//! The Webhooks API: register (201 `{id, secret}`), list (no secrets), delete (204).

use super::gate::{self, Request};
use super::problem::SimError;
use super::state::{lock, Shared};
use super::wire::EventName;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{delete, post};
use axum::Router;
use serde_json::{json, Value};
use std::sync::Arc;

/// Registrations per event type per MSN (current docs).
const MAX_PER_EVENT: usize = 25;

/// A registration, secret included (only the simulator and the receiver know it).
#[derive(Debug, Clone)]
pub struct Registration {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
}

type S = State<Arc<Shared>>;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/webhooks/v1/webhooks", post(register).get(list))
        .route("/webhooks/v1/webhooks/{id}", delete(remove))
        .with_state(shared)
}

fn request(uri: &Uri, headers: HeaderMap, body: Bytes) -> Request {
    // Not per payment: one shared window that the limits never reach.
    let reference = Some("webhooks".to_string());
    Request {
        endpoint: "webhooks",
        path: uri.path().to_string(),
        headers,
        body,
        reference,
        keyed: false,
    }
}

async fn register(State(shared): S, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    gate::run(&shared, request(&uri, headers, body), |shared, body, _| {
        let url = body.get("url").and_then(Value::as_str).unwrap_or_default();
        let parsed = url::Url::parse(url)
            .map_err(|_| SimError::field("url", "A valid absolute URL is required."))?;
        // Vipps demands https; the simulator also delivers to local http receivers.
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err(SimError::field("url", "The URL must use https."));
        }
        let events = events(body)?;
        let mut hooks = lock(&shared.webhooks);
        for e in &events {
            if hooks.iter().filter(|h| h.events.contains(e)).count() >= MAX_PER_EVENT {
                return Err(SimError::field(
                    "events",
                    format!("At most {MAX_PER_EVENT} registrations for {e}."),
                ));
            }
        }
        let id = uuid::Uuid::new_v4().to_string();
        let secret = uuid::Uuid::new_v4().to_string();
        hooks.push(Registration {
            id: id.clone(),
            url: url.into(),
            events,
            secret: secret.clone(),
        });
        Ok((StatusCode::CREATED, json!({ "id": id, "secret": secret })))
    })
    .await
}

fn events(body: &Value) -> Result<Vec<String>, SimError> {
    let list = body
        .get("events")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty());
    let Some(list) = list else {
        return Err(SimError::field(
            "events",
            "At least one event type is required.",
        ));
    };
    let known: Vec<String> = EventName::ALL.iter().map(|e| e.webhook_type()).collect();
    let mut out = Vec::new();
    for e in list {
        match e.as_str() {
            Some(s) if known.iter().any(|k| k == s) => out.push(s.to_string()),
            _ => {
                return Err(SimError::field(
                    "events",
                    format!("Unknown event type {e}."),
                ))
            }
        }
    }
    Ok(out)
}

async fn list(State(shared): S, uri: Uri, headers: HeaderMap) -> Response {
    gate::run(
        &shared,
        request(&uri, headers, Bytes::new()),
        |shared, _, _| {
            // The secret is shown only at registration, never in the list.
            let webhooks: Vec<Value> = lock(&shared.webhooks)
                .iter()
                .map(|h| json!({ "id": h.id, "url": h.url, "events": h.events }))
                .collect();
            Ok((StatusCode::OK, json!({ "webhooks": webhooks })))
        },
    )
    .await
}

async fn remove(
    State(shared): S,
    uri: Uri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let response = gate::run(
        &shared,
        request(&uri, headers, Bytes::new()),
        |shared, _, _| {
            let mut hooks = lock(&shared.webhooks);
            let before = hooks.len();
            hooks.retain(|h| h.id != id);
            if hooks.len() == before {
                return Err(SimError::NotFound("Webhook not found"));
            }
            Ok((StatusCode::NO_CONTENT, Value::Null))
        },
    )
    .await;
    strip_no_content(response)
}

/// A 204 carries no body (the gate wrote `null`).
fn strip_no_content(mut r: Response) -> Response {
    if r.status() == StatusCode::NO_CONTENT {
        *r.body_mut() = axum::body::Body::empty();
        r.headers_mut().remove(axum::http::header::CONTENT_TYPE);
    }
    r
}
