//! The engine's promises under trouble: lost and duplicated webhooks, forged
//! news, a capture that fails before it succeeds, an unreachable Vipps.

use crate::helpers::{spawn_app, spawn_app_with};
use serde_json::json;
use vendscreen_protocol::SessionState as S;
use vendscreen_server::epayment::hmac;
use vendscreen_server::epayment::model::EventName;

#[tokio::test]
async fn with_every_webhook_lost_polling_still_finds_the_approval() {
    let app = spawn_app_with(&[("VENDSCREEN_WEBHOOK_ENABLED", "false")]).await;
    let session = app.buy("cola").await;
    app.customer(&session.reference, "approve").await;
    app.wait_for(&session.reference, S::Completed).await;
}

#[tokio::test]
async fn a_capture_that_fails_transiently_is_retried_with_its_key_and_captures_once() {
    let app = spawn_app().await;
    // More failures than the client's own retries, so the engine must retry too.
    let fault = json!({ "endpoint": "capture", "status": 503, "times": 7 });
    assert_eq!(app.post_json("/sim/faults", fault).await.status(), 204);
    let session = app.buy("coffee").await;
    app.customer(&session.reference, "approve").await;
    app.wait_for(&session.reference, S::Completed).await;
    let payment = app.payment(&session.reference).await;
    assert_eq!(payment["aggregate"]["capturedAmount"]["value"], 4200);
}

#[tokio::test]
async fn a_capture_failing_past_the_bound_is_listed_for_an_operator_and_still_retried() {
    // The bound is 2 minutes in the field; the test shortens it, not the wait.
    let app = spawn_app_with(&[("VENDSCREEN_EPAYMENT_SETTLE_FLAG_AFTER_MS", "0")]).await;
    let fault = json!({ "endpoint": "capture", "status": 503, "times": 1000 });
    assert_eq!(app.post_json("/sim/faults", fault).await.status(), 204);
    let session = app.buy("cola").await;
    app.customer(&session.reference, "approve").await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    while app.needs_operator().await != [session.reference.clone()] {
        assert!(tokio::time::Instant::now() < deadline, "never flagged");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Flagged, not abandoned: money still unsettled keeps the machine busy.
    let again = app
        .post_json("/api/sessions", json!({ "productId": "cola" }))
        .await;
    assert_eq!(again.status(), 409);
    app.http
        .delete(app.url("/sim/faults"))
        .send()
        .await
        .unwrap();
    app.wait_for(&session.reference, S::Completed).await;
    let payment = app.payment(&session.reference).await;
    assert_eq!(payment["aggregate"]["capturedAmount"]["value"], 3500);
    assert!(
        app.needs_operator().await.is_empty(),
        "settled: nothing to look at"
    );
}

#[tokio::test]
async fn a_capture_whose_answer_was_lost_is_not_made_twice() {
    let app = spawn_app().await;
    let fault = json!({ "endpoint": "capture", "dropConnection": true, "afterProcessing": true, "times": 2 });
    assert_eq!(app.post_json("/sim/faults", fault).await.status(), 204);
    let session = app.buy("cola").await;
    app.customer(&session.reference, "approve").await;
    app.wait_for(&session.reference, S::Completed).await;
    let events = app.vipps().events(&session.reference).await.unwrap();
    let captures = events
        .iter()
        .filter(|e| e.name == EventName::Captured)
        .count();
    assert_eq!(captures, 1, "{events:?}");
}

/// Signs `body` the way Vipps would, with the secret this server registered.
fn signed(app: &crate::helpers::TestApp, body: &str) -> reqwest::RequestBuilder {
    let stored = app.webhook_registration();
    let url = stored["url"].as_str().unwrap();
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    let (hash, auth) = hmac::sign(
        stored["secret"].as_str().unwrap(),
        url,
        &date,
        body.as_bytes(),
    );
    app.http
        .post(url)
        .header("x-ms-date", date)
        .header("x-ms-content-sha256", hash)
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(body.to_string())
}

fn authorized_webhook(reference: &str) -> String {
    json!({ "msn": "123456", "reference": reference, "pspReference": "1304787731", "name": "AUTHORIZED",
        "amount": { "currency": "NOK", "value": 3500 }, "timestamp": "2026-11-24T10:00:00Z",
        "idempotencyKey": null, "success": true })
    .to_string()
}

#[tokio::test]
async fn a_signed_webhook_is_only_a_signal_the_payment_itself_decides() {
    let app = spawn_app().await;
    let session = app.buy("cola").await;
    // Correctly signed, but the customer has not approved: nothing may vend.
    let resp = signed(&app, &authorized_webhook(&session.reference))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let cancel = app
        .http
        .post(app.url(&format!("/api/sessions/{}/cancel", session.reference)))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        cancel.status(),
        202,
        "the session must still be awaiting payment"
    );
    app.wait_for(&session.reference, S::Cancelled).await;
}

#[tokio::test]
async fn duplicated_and_late_webhooks_never_vend_or_capture_twice() {
    let app = spawn_app().await;
    let session = app.buy("cola").await;
    app.customer(&session.reference, "approve").await;
    for _ in 0..3 {
        let resp = signed(&app, &authorized_webhook(&session.reference))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    app.wait_for(&session.reference, S::Completed).await;
    for _ in 0..2 {
        signed(&app, &authorized_webhook(&session.reference))
            .send()
            .await
            .unwrap();
    }
    let store = rusqlite::Connection::open(app.dir.path().join("test.db")).unwrap();
    let phases: Vec<String> = store
        .prepare("SELECT phase FROM transitions WHERE reference = ?1 ORDER BY id")
        .unwrap()
        .query_map([&session.reference], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(app.vends(), std::slice::from_ref(&session.reference));
    assert_eq!(
        phases.iter().filter(|p| *p == "vending").count(),
        1,
        "{phases:?}"
    );
    assert_eq!(
        phases.iter().filter(|p| *p == "completed").count(),
        1,
        "{phases:?}"
    );
    let events = app.vipps().events(&session.reference).await.unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.name == EventName::Captured)
            .count(),
        1
    );
}

#[tokio::test]
async fn a_webhook_with_a_body_altered_after_signing_is_refused() {
    let app = spawn_app().await;
    let session = app.buy("cola").await;
    let body = authorized_webhook(&session.reference);
    let request = signed(&app, &body)
        .body(body.replace("3500", "3501"))
        .build()
        .unwrap();
    assert_eq!(app.http.execute(request).await.unwrap().status(), 401);
}

#[tokio::test]
async fn an_unreachable_payment_service_means_503_and_no_session() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let base = format!("http://{closed}");
    let app = spawn_app_with(&[
        ("VENDSCREEN_EPAYMENT_BASE_URL", base.as_str()),
        ("VENDSCREEN_EPAYMENT_CLIENT_ID", "id"),
        ("VENDSCREEN_MACHINE_POS_ID", "vm-test-7"),
        ("VENDSCREEN_EPAYMENT_CLIENT_SECRET", "secret"),
        ("VENDSCREEN_EPAYMENT_SUBSCRIPTION_KEY", "key"),
        ("VENDSCREEN_EPAYMENT_MSN", "123456"),
        ("VENDSCREEN_EPAYMENT_TIMEOUT_S", "1"),
        ("VENDSCREEN_WEBHOOK_ENABLED", "false"),
    ])
    .await;
    let resp = app
        .post_json("/api/sessions", json!({ "productId": "cola" }))
        .await;
    assert_eq!(resp.status(), 503);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["reason"], "paymentServiceUnreachable");
    let health: serde_json::Value = app.get("/healthz").await.json().await.unwrap();
    assert_eq!(health["paymentServiceReachable"], false);
}
