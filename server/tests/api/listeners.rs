//! Item 5 of issue 10: what listens where. Webhooks can have a listener of
//! their own that carries nothing else; the simulator's phone page can have
//! one for phones on the network, while the display API stays on loopback.

use crate::helpers::spawn_app_with;
use serde_json::json;
use vendscreen_protocol::SessionState as S;

#[tokio::test]
async fn with_webhook_listen_the_webhook_is_served_there_only() {
    let app = spawn_app_with(&[
        ("VENDSCREEN_WEBHOOK_LISTEN", "127.0.0.1:0"),
        // Polling only after a minute: a quick ending can only be the webhook.
        ("VENDSCREEN_EPAYMENT_POLL_FIRST_MS", "60000"),
    ])
    .await;
    let hooks = app.webhook_base.clone().expect("a webhook listener");
    let on_main = app.post_json("/webhooks/epayment", json!({})).await;
    assert_eq!(on_main.status(), 404);
    for path in ["/api/catalog", "/healthz", "/", "/sim/payments/x/approve"] {
        let resp = app.http.get(format!("{hooks}{path}")).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path} on the webhook listener");
    }
    let unsigned = app
        .http
        .post(format!("{hooks}/webhooks/epayment"))
        .json(&json!({}));
    assert_eq!(unsigned.send().await.unwrap().status(), 401);
    let session = app.buy("cola").await;
    app.customer(&session.reference, "approve").await;
    app.wait_for(&session.reference, S::Completed).await;
}

#[tokio::test]
async fn with_simulator_listen_a_phone_reaches_the_payment_page_and_nothing_else() {
    let app = spawn_app_with(&[("VENDSCREEN_SIMULATOR_LISTEN", "127.0.0.1:0")]).await;
    let phone = app.phone_base.clone().expect("a phone listener");
    let session = app.buy("cola").await;
    let qr = session.qr_url.clone().expect("a QR URL");
    assert!(qr.starts_with(&phone), "{qr} is on the phone listener");
    let page = app.http.get(&qr).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Approve"));
    for path in [
        "/api/catalog",
        "/api/events",
        "/healthz",
        "/sim/clock/advance",
    ] {
        let resp = app.http.get(format!("{phone}{path}")).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path} on the phone listener");
    }
    let approve = format!("{phone}/sim/payments/{}/approve", session.reference);
    let resp = app.http.post(approve).header("origin", &phone).send().await;
    assert!(resp.unwrap().status().is_success());
    app.wait_for(&session.reference, S::Completed).await;
}
