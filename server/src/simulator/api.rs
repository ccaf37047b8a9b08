//! The ePayment API and the Access Token API, on Vipps's paths.

use super::gate::{self, Answer, Request};
use super::payment::{Payment, UserAction};
use super::problem::SimError;
use super::state::Shared;
use super::wire::{self, PaymentState};
use super::{auth, validate};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;

type S = State<Arc<Shared>>;

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/accesstoken/get", post(token))
        .route("/epayment/v1/payments", post(create))
        .route("/epayment/v1/payments/{reference}", get(payment_get))
        .route("/epayment/v1/payments/{reference}/events", get(events))
        .route("/epayment/v1/payments/{reference}/capture", post(capture))
        .route("/epayment/v1/payments/{reference}/cancel", post(cancel))
        .route("/epayment/v1/payments/{reference}/refund", post(refund))
        .route(
            "/epayment/v1/test/payments/{reference}/approve",
            post(force_approve),
        )
        .with_state(shared)
}

fn request(
    endpoint: &'static str,
    uri: &Uri,
    headers: HeaderMap,
    body: Bytes,
    reference: Option<String>,
) -> Request {
    let keyed = matches!(endpoint, "create" | "capture" | "cancel" | "refund");
    Request {
        endpoint,
        path: uri.path().to_string(),
        headers,
        body,
        reference,
        keyed,
    }
}

async fn token(State(shared): S, headers: HeaderMap) -> Response {
    if let Some(fault) = shared.take_fault("token") {
        tokio::time::sleep(fault.delay()).await;
        if let Some(r) = fault.response() {
            return r;
        }
    }
    match auth::issue(&shared, &headers) {
        Ok(body) => Json(body).into_response(),
        Err(e) => e.into_response_at("/accesstoken/get"),
    }
}

async fn create(State(shared): S, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    shared.creates.keep(&headers, &body);
    let req = request("create", &uri, headers, body, None);
    gate::run(&shared, req, |shared, body, key| {
        let valid = validate::create(body)?;
        let qr_token = uuid::Uuid::new_v4().simple().to_string();
        let base = &shared.config.public_base_url;
        let redirect_url = match valid.qr_format.as_str() {
            "TEXT/TARGETURL" => format!("{base}/sim/c/{qr_token}"),
            _ => format!("{base}/sim/qr-image/{qr_token}"),
        };
        let payment = Payment {
            reference: valid.reference.clone(),
            msn: shared.config.credentials.msn.clone(),
            currency: valid.amount.currency,
            value: valid.amount.value,
            description: valid.description,
            state: PaymentState::Created,
            authorized: 0,
            captured: 0,
            cancelled: 0,
            refunded: 0,
            psp_reference: uuid::Uuid::new_v4().to_string(),
            expires_at: shared.clock.now() + shared.config.payment_ttl,
            create_key: key.to_string(),
            qr_token,
            events: Vec::new(),
        };
        shared.insert(payment, key)?;
        Ok((
            StatusCode::CREATED,
            json!({ "redirectUrl": redirect_url, "reference": valid.reference }),
        ))
    })
    .await
}

async fn payment_get(
    State(shared): S,
    uri: Uri,
    headers: HeaderMap,
    Path(r): Path<String>,
) -> Response {
    let req = request("get", &uri, headers, Bytes::new(), Some(r.clone()));
    gate::run(&shared, req, |shared, _, _| {
        Ok((StatusCode::OK, wire::payment(&shared.read(&r)?)))
    })
    .await
}

async fn events(State(shared): S, uri: Uri, headers: HeaderMap, Path(r): Path<String>) -> Response {
    let req = request("events", &uri, headers, Bytes::new(), Some(r.clone()));
    gate::run(&shared, req, |shared, _, _| {
        let p = shared.read(&r)?;
        let log = p.events.iter().map(|e| wire::event(&p, e)).collect();
        Ok((StatusCode::OK, Value::Array(log)))
    })
    .await
}

fn modified(p: Payment) -> Answer {
    Ok((StatusCode::OK, wire::modification(&p)))
}

/// `modificationAmount`, in the payment's currency.
fn modification_amount(body: &Value, p: &Payment) -> Result<i64, SimError> {
    let amount = validate::amount(body, "modificationAmount", false)?;
    if amount.currency != p.currency {
        return Err(SimError::field(
            "modificationAmount.currency",
            "Must be the payment's currency.",
        ));
    }
    Ok(amount.value)
}

async fn capture(
    State(shared): S,
    uri: Uri,
    headers: HeaderMap,
    Path(r): Path<String>,
    body: Bytes,
) -> Response {
    let req = request("capture", &uri, headers, body, Some(r.clone()));
    gate::run(&shared, req, |shared, body, key| {
        modified(shared.apply(&r, |p, now| {
            let value = modification_amount(body, p)?;
            p.capture(value, key, now)
        })?)
    })
    .await
}

async fn refund(
    State(shared): S,
    uri: Uri,
    headers: HeaderMap,
    Path(r): Path<String>,
    body: Bytes,
) -> Response {
    let req = request("refund", &uri, headers, body, Some(r.clone()));
    gate::run(&shared, req, |shared, body, key| {
        modified(shared.apply(&r, |p, now| {
            let value = modification_amount(body, p)?;
            p.refund(value, key, now)
        })?)
    })
    .await
}

async fn cancel(
    State(shared): S,
    uri: Uri,
    headers: HeaderMap,
    Path(r): Path<String>,
    body: Bytes,
) -> Response {
    let req = request("cancel", &uri, headers, body, Some(r.clone()));
    gate::run(&shared, req, |shared, body, key| {
        let only = match body.get("cancelTransactionOnly") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(SimError::field(
                    "cancelTransactionOnly",
                    "Must be a boolean.",
                ))
            }
        };
        modified(shared.apply(&r, |p, now| p.cancel(only, key, now))?)
    })
    .await
}

/// Test-environment force approve: `{"customer":{"phoneNumber"}}` or `{"token"}`.
async fn force_approve(
    State(shared): S,
    uri: Uri,
    headers: HeaderMap,
    Path(r): Path<String>,
    body: Bytes,
) -> Response {
    let req = request("approve", &uri, headers, body, Some(r.clone()));
    gate::run(&shared, req, |shared, body, _| {
        let has_phone = body
            .pointer("/customer/phoneNumber")
            .and_then(Value::as_str)
            .is_some();
        let token = body.get("token").and_then(Value::as_str);
        if !has_phone && token.is_none() {
            return Err(SimError::field(
                "customer",
                "customer.phoneNumber or token is required.",
            ));
        }
        shared.user_action(&r, UserAction::Approve)?;
        Ok((StatusCode::OK, json!({})))
    })
    .await
}
