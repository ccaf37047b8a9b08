//! The simulator against the fixtures: each scenario of the fixture table
//! driven over raw HTTP, and the raw answer compared with the fixture by
//! `shape::assert_same_shape` (never through the client's parse).

use crate::epayment_support::{key, reference, spawn, spawn_with, TestSim};
use crate::fixture_json;
use crate::shape::assert_same_shape;
use axum::body::Bytes;
use axum::routing::post;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::sync::mpsc;
use vendscreen_server::simulator::SimulatorCredentials;

/// A raw ePayment call; money calls carry a fresh Idempotency-Key.
async fn call(t: &TestSim, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = t.raw(method.clone(), path).await;
    if method == Method::POST && path.starts_with("/epayment/v1/payments") {
        req = req.header("Idempotency-Key", key());
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Creates a `TEXT/TARGETURL` QR payment of `value` øre; its reference and answer.
async fn create(t: &TestSim, value: i64) -> (String, u16, Value) {
    let r = reference();
    let body = json!({
        "amount": { "currency": "NOK", "value": value },
        "paymentMethod": { "type": "WALLET" },
        "customerInteraction": "CUSTOMER_PRESENT",
        "userFlow": "QR",
        "qrFormat": { "format": "TEXT/TARGETURL" },
        "reference": r,
        "paymentDescription": "Cola 0,5 l",
    });
    let (status, answer) = call(t, Method::POST, "/epayment/v1/payments", Some(body)).await;
    (r, status, answer)
}

async fn approved(t: &TestSim, value: i64) -> String {
    let (r, status, _) = create(t, value).await;
    assert_eq!(status, 201);
    assert_eq!(t.control(&r, "approve").await, 200);
    r
}

fn nok(value: i64) -> Value {
    json!({ "modificationAmount": { "currency": "NOK", "value": value } })
}

fn op(r: &str, what: &str) -> String {
    format!("/epayment/v1/payments/{r}/{what}")
}

#[tokio::test]
async fn the_token_answer_matches() {
    let t = spawn().await;
    let c = SimulatorCredentials::default();
    let answer: Value = t
        .http
        .post(format!("{}/accesstoken/get", t.base))
        .header("client_id", c.client_id)
        .header("client_secret", c.client_secret)
        .header("Ocp-Apim-Subscription-Key", c.subscription_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_same_shape("token", &fixture_json("token.json"), &answer);
}

#[tokio::test]
async fn the_create_answer_matches() {
    let t = spawn().await;
    let (_, status, answer) = create(&t, 3500).await;
    assert_eq!(status, 201);
    assert_same_shape("create", &fixture_json("create-payment.json"), &answer);
}

#[tokio::test]
async fn an_approved_payment_matches() {
    let t = spawn().await;
    let r = approved(&t, 6000).await;
    let (status, answer) = call(&t, Method::GET, &format!("/epayment/v1/payments/{r}"), None).await;
    assert_eq!(status, 200);
    assert_same_shape(
        "get payment",
        &fixture_json("payment-authorized.json"),
        &answer,
    );
}

#[tokio::test]
async fn the_event_log_of_a_partial_capture_and_cancel_matches() {
    let t = spawn().await;
    let r = approved(&t, 49900).await;
    assert_eq!(
        call(&t, Method::POST, &op(&r, "capture"), Some(nok(10000)))
            .await
            .0,
        200
    );
    assert_eq!(
        call(&t, Method::POST, &op(&r, "cancel"), Some(json!({})))
            .await
            .0,
        200
    );
    let (status, answer) = call(&t, Method::GET, &op(&r, "events"), None).await;
    assert_eq!(status, 200);
    assert_same_shape("event log", &fixture_json("events.json"), &answer);
}

#[tokio::test]
async fn capture_and_refund_answers_match() {
    let t = spawn().await;
    let r = approved(&t, 49900).await;
    let (status, captured) = call(&t, Method::POST, &op(&r, "capture"), Some(nok(10000))).await;
    assert_eq!(status, 200);
    assert_same_shape("capture", &fixture_json("capture.json"), &captured);
    let (status, refunded) = call(&t, Method::POST, &op(&r, "refund"), Some(nok(5000))).await;
    assert_eq!(status, 200);
    assert_same_shape("refund", &fixture_json("refund.json"), &refunded);
}

#[tokio::test]
async fn a_cancel_before_approval_matches() {
    let t = spawn().await;
    let (r, _, _) = create(&t, 1000).await;
    let (status, answer) = call(&t, Method::POST, &op(&r, "cancel"), Some(json!({}))).await;
    assert_eq!(status, 200);
    assert_same_shape("cancel", &fixture_json("cancel-terminated.json"), &answer);
}

#[tokio::test]
async fn a_capture_before_reservation_is_the_same_problem() {
    let t = spawn().await;
    let (r, _, _) = create(&t, 3500).await;
    let (status, answer) = call(&t, Method::POST, &op(&r, "capture"), Some(nok(3500))).await;
    assert_eq!(status, 400);
    assert_same_shape("problem", &fixture_json("problem-6080.json"), &answer);
}

#[tokio::test]
async fn webhook_registration_and_list_match() {
    let t = spawn().await;
    let hooks = "/webhooks/v1/webhooks";
    let list = fixture_json("webhook-list.json");
    let wanted = &list["webhooks"][0];
    let body = json!({ "url": wanted["url"], "events": wanted["events"] });
    let (status, registered) = call(&t, Method::POST, hooks, Some(body)).await;
    assert_eq!(status, 201);
    assert_same_shape(
        "registration",
        &fixture_json("webhook-registration.json"),
        &registered,
    );
    let (status, listed) = call(&t, Method::GET, hooks, None).await;
    assert_eq!(status, 200);
    assert_same_shape("webhook list", &list, &listed);
}

#[tokio::test]
async fn the_authorized_webhook_body_matches() {
    let t = spawn_with(|c| c.webhook_retry_base = Duration::from_millis(20)).await;
    let (tx, mut bodies) = mpsc::unbounded_channel::<Value>();
    let receiver = axum::Router::new().route(
        "/hook",
        post(move |body: Bytes| {
            let _ = tx.send(serde_json::from_slice(&body).unwrap_or(Value::Null));
            async {}
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });
    let events = json!(["epayments.payment.authorized.v1"]);
    let body = json!({ "url": url, "events": events });
    assert_eq!(
        call(&t, Method::POST, "/webhooks/v1/webhooks", Some(body))
            .await
            .0,
        201
    );
    approved(&t, 49900).await;
    let delivered = tokio::time::timeout(Duration::from_secs(20), bodies.recv())
        .await
        .expect("a delivery in time")
        .unwrap();
    assert_same_shape(
        "webhook",
        &fixture_json("webhook-authorized.json"),
        &delivered,
    );
}
