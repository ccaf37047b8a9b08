//! Whole purchases on the simulator, watched through the SSE stream.

use crate::helpers::spawn_app;
use serde_json::json;
use vendscreen_protocol::SessionState as S;

#[tokio::test]
async fn an_approved_purchase_vends_then_captures_and_the_stream_tells_each_step() {
    let app = spawn_app().await;
    let mut events = app.events().await;
    let (first, snapshot) = events.next().await;
    assert_eq!(
        (first.as_str(), &snapshot["session"]),
        ("snapshot", &json!(null))
    );

    let session = app.buy("cola").await;
    assert_eq!(session.state, S::AwaitingPayment);
    assert!(
        session.qr_url.as_deref().unwrap().starts_with(&app.base),
        "{:?}",
        session.qr_url
    );
    app.customer(&session.reference, "approve").await;

    let seen = events.states_until("completed").await;
    assert_eq!(seen.first().map(String::as_str), Some("creating"));
    for state in ["awaitingPayment", "authorized", "dispensing", "completed"] {
        assert!(
            seen.iter().any(|s| s == state),
            "{state} missing from {seen:?}"
        );
    }
    let payment = app.payment(&session.reference).await;
    assert_eq!(payment["aggregate"]["capturedAmount"]["value"], 3500);
    assert_eq!(payment["aggregate"]["cancelledAmount"]["value"], 0);
}

#[tokio::test]
async fn a_failed_vend_releases_the_reservation_and_charges_nothing() {
    let app = spawn_app().await;
    app.post_json("/sim/dispenser", json!({ "failNext": 1 }))
        .await;
    let session = app.buy("water").await;
    app.customer(&session.reference, "approve").await;
    let ended = app.wait_for(&session.reference, S::VendFailed).await;
    assert_eq!(
        ended.reason,
        Some(vendscreen_protocol::EndReason::VendFailed)
    );
    let payment = app.payment(&session.reference).await;
    assert_eq!(payment["aggregate"]["capturedAmount"]["value"], 0);
    assert_eq!(payment["aggregate"]["cancelledAmount"]["value"], 2900);
}

#[tokio::test]
async fn a_declined_payment_ends_rejected_and_frees_the_machine() {
    let app = spawn_app().await;
    let session = app.buy("cola").await;
    app.customer(&session.reference, "reject").await;
    app.wait_for(&session.reference, S::Rejected).await;
    let next = app.buy("water").await;
    assert_eq!(next.state, S::AwaitingPayment);
}

#[tokio::test]
async fn an_expired_payment_ends_expired() {
    let app = spawn_app().await;
    let session = app.buy("cola").await;
    app.customer(&session.reference, "expire").await;
    app.wait_for(&session.reference, S::Expired).await;
}

#[tokio::test]
async fn cancel_at_the_machine_terminates_the_payment() {
    let app = spawn_app().await;
    let session = app.buy("cola").await;
    let resp = app
        .http
        .post(app.url(&format!("/api/sessions/{}/cancel", session.reference)))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let ended = app.wait_for(&session.reference, S::Cancelled).await;
    assert_eq!(
        ended.reason,
        Some(vendscreen_protocol::EndReason::CustomerCancelled)
    );
    assert_eq!(app.payment(&session.reference).await["state"], "TERMINATED");
}

#[tokio::test]
async fn cancel_after_the_customer_approved_vends_instead() {
    let app = spawn_app_slow_webhooks().await;
    let session = app.buy("cola").await;
    app.customer(&session.reference, "approve").await;
    app.http
        .post(app.url(&format!("/api/sessions/{}/cancel", session.reference)))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    app.wait_for(&session.reference, S::Completed).await;
    assert_eq!(
        app.payment(&session.reference).await["aggregate"]["capturedAmount"]["value"],
        3500
    );
}

/// No webhooks and no early poll: the approval is unknown to the server when
/// the Cancel arrives, so the cancel call itself must discover it (6060).
async fn spawn_app_slow_webhooks() -> crate::helpers::TestApp {
    crate::helpers::spawn_app_with(&[
        ("VENDSCREEN_WEBHOOK_ENABLED", "false"),
        ("VENDSCREEN_EPAYMENT_POLL_FIRST_MS", "600000"),
    ])
    .await
}

#[tokio::test]
async fn the_session_timeout_cancels_an_unpaid_session() {
    let app =
        crate::helpers::spawn_app_with(&[("VENDSCREEN_MACHINE_SESSION_TIMEOUT_S", "1")]).await;
    let session = app.buy("cola").await;
    let ended = app.wait_for(&session.reference, S::Cancelled).await;
    assert_eq!(
        ended.reason,
        Some(vendscreen_protocol::EndReason::SessionTimeout)
    );
}

#[tokio::test]
async fn in_qr_image_mode_the_display_gets_the_providers_svg_as_a_data_url() {
    let app =
        crate::helpers::spawn_app_with(&[("VENDSCREEN_EPAYMENT_QR_FORMAT", "IMAGE/SVG+XML")]).await;
    let session = app.buy("cola").await;
    assert_eq!(session.qr_url, None);
    let image = session.qr_image.expect("a QR image");
    assert!(
        image.starts_with("data:image/svg+xml;base64,"),
        "{image:.60}"
    );
}

#[tokio::test]
async fn in_qr_image_mode_a_qr_that_cannot_be_fetched_ends_the_purchase_and_voids_the_payment() {
    let app =
        crate::helpers::spawn_app_with(&[("VENDSCREEN_EPAYMENT_QR_FORMAT", "IMAGE/SVG+XML")]).await;
    app.fault(serde_json::json!({ "endpoint": "qr-image", "status": 500 }))
        .await;
    let session = app.buy("cola").await;
    assert_eq!(session.state, S::Failed, "no empty box with a countdown");
    assert_eq!(
        session.reason,
        Some(vendscreen_protocol::EndReason::PaymentServiceUnreachable)
    );
    let payment = app.payment(&session.reference).await;
    assert_eq!(payment["state"], "TERMINATED", "{payment}");
    // The machine is free for the next customer.
    assert_eq!(app.buy("water").await.state, S::AwaitingPayment);
}
