//! `/healthz` and the machine's status tell the truth about the payment
//! service: only an answer we can sell with counts as reachable.

use crate::helpers::{spawn_app, spawn_app_with, spawn_machine_paying_at, TestApp};
use serde_json::json;

/// "Vipps": an app whose simulator the machine under test pays at.
async fn vipps() -> TestApp {
    spawn_app_with(&[("VENDSCREEN_WEBHOOK_ENABLED", "false")]).await
}

/// A purchase is refused before any payment exists, naming the payment service.
async fn assert_refused_as_unreachable(machine: &TestApp) {
    let resp = machine
        .post_json("/api/sessions", json!({ "productId": "cola" }))
        .await;
    assert_eq!(resp.status(), 503, "the machine must not sell");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["reason"], "paymentServiceUnreachable");
    assert!(!machine.payment_reachable().await);
}

#[tokio::test]
async fn a_payment_service_answering_only_5xx_is_unreachable_until_it_recovers() {
    let vipps = vipps().await;
    vipps
        .fault(json!({ "endpoint": "get", "status": 503, "times": 1000 }))
        .await;
    let machine = spawn_machine_paying_at(&vipps, &[]).await;
    assert_refused_as_unreachable(&machine).await;
    let cleared = vipps.http.delete(vipps.url("/sim/faults")).send().await;
    assert_eq!(cleared.unwrap().status(), 204);
    // Out of service re-probes at the next purchase: it sells again at once.
    machine.buy("cola").await;
    assert!(machine.payment_reachable().await);
}

#[tokio::test]
async fn credentials_the_token_endpoint_refuses_make_the_payment_service_unreachable() {
    let vipps = vipps().await;
    let machine =
        spawn_machine_paying_at(&vipps, &[("VENDSCREEN_EPAYMENT_CLIENT_SECRET", "revoked")]).await;
    assert_refused_as_unreachable(&machine).await;
}

#[tokio::test]
async fn a_payment_service_that_forbids_our_calls_is_unreachable() {
    let vipps = vipps().await;
    // 403: authenticated, but the sales unit may not use ePayment (revoked).
    vipps
        .fault(json!({ "endpoint": "get", "status": 403, "times": 1000 }))
        .await;
    let machine = spawn_machine_paying_at(&vipps, &[]).await;
    assert_refused_as_unreachable(&machine).await;
}

/// When `/healthz` says the screen was last alive, parsed.
async fn screen_last_alive(app: &TestApp) -> Option<time::OffsetDateTime> {
    let health: serde_json::Value = app.get("/healthz").await.json().await.unwrap();
    let last = health.get("screenLastAlive")?.as_str()?;
    let rfc3339 = time::format_description::well_known::Rfc3339;
    Some(time::OffsetDateTime::parse(last, &rfc3339).expect("screenLastAlive is RFC 3339"))
}

#[tokio::test]
async fn healthz_shows_when_the_screen_last_said_it_was_alive() {
    let app = spawn_app().await;
    assert_eq!(
        screen_last_alive(&app).await,
        None,
        "no screen has spoken yet"
    );

    let before = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    let resp = app.post_json("/api/display/alive", json!({})).await;
    assert_eq!(resp.status(), 204);
    let first = screen_last_alive(&app).await.expect("the report is shown");
    let after = time::OffsetDateTime::now_utc() + time::Duration::seconds(1);
    assert!(before <= first && first <= after, "{first} is now");

    // Each report moves it on; a form post (no JSON) is refused and moves nothing.
    let form = app
        .http
        .post(app.url("/api/display/alive"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("x=1")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
    assert_eq!(screen_last_alive(&app).await, Some(first));
    let again = crate::wait::wait_until(
        "a later report",
        std::time::Duration::from_secs(5),
        async || {
            app.post_json("/api/display/alive", json!({})).await;
            let last = screen_last_alive(&app).await.unwrap();
            Ok::<_, std::convert::Infallible>((last > first).then_some(last))
        },
    )
    .await;
    assert!(again.is_ok(), "a later report moves the time on");
}
