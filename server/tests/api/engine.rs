//! The engine's promises under trouble: lost webhooks, a capture that fails
//! before it succeeds or whose answer is lost, an unreachable Vipps.
//! (Forged, duplicated and late webhooks: `webhooks.rs`.)

use crate::helpers::{spawn_app, spawn_app_with};
use crate::wait::wait_for;
use serde_json::json;
use std::time::Duration;
use vendscreen_protocol::SessionState as S;

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
    app.vipps()
        .assert_captured_under_one_key(&session.reference)
        .await;
}

#[tokio::test]
async fn a_capture_failing_past_the_bound_is_listed_for_an_operator_and_still_retried() {
    // The bound is 2 minutes in the field; the test shortens it, not the wait.
    let app = spawn_app_with(&[("VENDSCREEN_EPAYMENT_SETTLE_FLAG_AFTER_MS", "0")]).await;
    let fault = json!({ "endpoint": "capture", "status": 503, "times": 1000 });
    assert_eq!(app.post_json("/sim/faults", fault).await.status(), 204);
    let session = app.buy("cola").await;
    app.customer(&session.reference, "approve").await;
    let flagged = [session.reference.clone()];
    wait_for("the flag", Duration::from_secs(15), async || {
        (app.needs_operator().await == flagged).then_some(())
    })
    .await;
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
    app.vipps()
        .assert_captured_under_one_key(&session.reference)
        .await;
}

#[tokio::test]
async fn a_capture_whose_answer_was_lost_is_not_made_twice() {
    let app = spawn_app().await;
    // Vipps captures but the answer is lost; then the connection fails for
    // longer than the client's own five tries, so the engine's next round
    // must carry the same key. (Failures before processing do not count
    // against Vipps's 5 money calls a minute; lost answers do.)
    let lost = json!({ "endpoint": "capture", "dropConnection": true, "afterProcessing": true });
    let down = json!({ "endpoint": "capture", "dropConnection": true, "times": 5 });
    app.fault(lost).await;
    app.fault(down).await;
    let session = app.buy("cola").await;
    app.customer(&session.reference, "approve").await;
    app.wait_for(&session.reference, S::Completed).await;
    let vipps = app.vipps();
    vipps
        .assert_captured_under_one_key(&session.reference)
        .await;
    let names = vipps.event_names(&session.reference).await;
    let captures = names.iter().filter(|n| *n == "CAPTURED").count();
    assert_eq!(captures, 1, "{names:?}");
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
