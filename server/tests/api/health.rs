//! `/healthz` and the machine's status tell the truth about the payment
//! service: only an answer we can sell with counts as reachable.

use crate::helpers::{spawn_app_with, spawn_machine_paying_at, TestApp};
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
