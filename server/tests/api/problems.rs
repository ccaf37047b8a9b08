//! Every error is problem+json with the status that says what went wrong, and
//! a webhook Vipps signed is never answered with a 4xx that makes it retry.

use crate::helpers::{spawn_app, TestApp};
use serde_json::{json, Value};
use vendscreen_protocol::SessionState as S;
use vendscreen_server::epayment::hmac;

async fn assert_problem(resp: reqwest::Response, status: u16) {
    assert_eq!(resp.status(), status);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], status);
}

#[tokio::test]
async fn a_body_too_large_is_413_and_a_wrong_content_type_415() {
    let app = spawn_app().await;
    let big = json!({ "productId": "x".repeat(3 * 1024 * 1024) });
    assert_problem(app.post_json("/api/sessions", big).await, 413).await;
    let resp = app
        .http
        .post(app.url("/api/sessions"))
        .header("content-type", "text/plain")
        .body(r#"{"productId":"cola"}"#)
        .send()
        .await
        .unwrap();
    assert_problem(resp, 415).await;
}

#[tokio::test]
async fn a_path_with_bad_percent_encoding_is_a_400_problem() {
    let app = spawn_app().await;
    assert_problem(app.get("/api/sessions/%FF%FE").await, 400).await;
    let resp = app
        .http
        .post(app.url("/sim/payments/%FF/approve"))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 400).await;
}

/// Posts `body` to the machine's webhook signed as the simulator signs it.
async fn signed_webhook(app: &TestApp, body: &[u8]) -> reqwest::Response {
    let stored: Value = app.webhook_registration();
    let (secret, url) = (
        stored["secret"].as_str().unwrap(),
        stored["url"].as_str().unwrap(),
    );
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    let (hash, authorization) = hmac::sign(secret, url, &date, body);
    app.http
        .post(app.url("/webhooks/epayment"))
        .header("content-type", "application/json")
        .header("x-ms-date", date)
        .header("x-ms-content-sha256", hash)
        .header("authorization", authorization)
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

fn event(reference: &str, name: &str, currency: &str) -> Vec<u8> {
    serde_json::to_vec(
        &json!({ "msn": "123456", "reference": reference, "pspReference": "77",
        "name": name, "amount": { "currency": currency, "value": 3500 },
        "timestamp": "2026-11-24T10:00:00Z", "idempotencyKey": null, "success": true }),
    )
    .unwrap()
}

#[tokio::test]
async fn a_signed_webhook_we_do_not_understand_is_answered_2xx_and_ignored() {
    let app = spawn_app().await;
    let session = app.buy("cola").await;
    let r = &session.reference;
    for body in [
        event(r, "PAYMENT_TELEPORTED", "NOK"),
        event(r, "AUTHORIZED", "SEK"),
        b"{\"reference\":".to_vec(),
    ] {
        let resp = signed_webhook(&app, &body).await;
        assert!(resp.status().is_success(), "{}", resp.status());
    }
    assert_eq!(app.session(r).await.state, S::AwaitingPayment);
    // The purchase goes on as usual.
    app.customer(r, "approve").await;
    app.wait_for(r, S::Completed).await;
}

#[tokio::test]
async fn a_webhook_body_over_64_kib_is_refused_unread() {
    let app = spawn_app().await;
    let session = app.buy("cola").await;
    let mut body = event(&session.reference, "AUTHORIZED", "NOK");
    body.truncate(body.len() - 1);
    body.extend(format!(",\"pad\":\"{}\"}}", "x".repeat(64 * 1024)).bytes());
    assert_problem(signed_webhook(&app, &body).await, 413).await;
}
