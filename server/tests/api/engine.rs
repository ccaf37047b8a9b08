//! The engine's promises under trouble: lost and duplicated webhooks, forged
//! news, a capture that fails before it succeeds, an unreachable Vipps.

use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use crate::wait::{wait_for, wait_until};
use serde_json::json;
use std::time::Duration;
use vendscreen_protocol::SessionState as S;
use vendscreen_server::epayment::hmac;

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

/// Signs `body` the way Vipps would, with the secret this server registered.
fn signed(app: &TestApp, body: &str) -> reqwest::RequestBuilder {
    let store = vendscreen_server::store::Store::open(&app.dir.path().join("test.db")).unwrap();
    let stored: serde_json::Value =
        serde_json::from_str(&store.setting("webhook").unwrap().unwrap()).unwrap();
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
    webhook(
        reference,
        "AUTHORIZED",
        "1304787731",
        "2026-11-24T10:00:00.000Z",
    )
}

/// A webhook as Vipps sends it; what a real duplicate may vary (its
/// pspReference, its timestamp) is the caller's.
fn webhook(reference: &str, name: &str, psp: &str, timestamp: &str) -> String {
    json!({ "msn": "123456", "reference": reference, "pspReference": psp, "name": name,
        "amount": { "currency": "NOK", "value": 3500 }, "timestamp": timestamp,
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

/// Delivers each webhook, signed, and expects 200 for every one.
async fn deliver(app: &TestApp, bodies: &[String]) {
    for body in bodies {
        let resp = signed(app, body).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{body}");
    }
}

#[tokio::test]
async fn duplicated_and_late_webhooks_never_vend_or_capture_twice() {
    let app = spawn_app().await;
    let session = app.buy("cola").await;
    let r = &session.reference;
    app.customer(r, "approve").await;
    // What a real duplicate may vary: another pspReference per delivery, a
    // later timestamp, and arriving out of order. Each one is fresh at the
    // route, so the engine itself must see it and refuse to act twice.
    let mut news = Vec::new();
    for i in 0..3 {
        let at = format!("2026-11-24T10:00:0{i}.000Z");
        news.push(webhook(r, "AUTHORIZED", &format!("130478773{i}"), &at));
    }
    news.push(webhook(
        r,
        "CREATED",
        "7c8b81e7-b08b-46e4-9729-191cb801c132",
        "2026-11-24T09:59:00.000Z",
    ));
    deliver(&app, &news).await;
    app.wait_for(r, S::Completed).await;
    let late = [
        webhook(r, "AUTHORIZED", "1304787739", "2026-11-24T10:05:00.000Z"),
        webhook(r, "CAPTURED", "2018200034", "2026-11-24T10:05:01.000Z"),
        webhook(r, "AUTHORIZED", "1304787738", "2026-11-24T10:05:02.000Z"),
    ];
    deliver(&app, &late).await;
    // The late news is handled in the background, each in a few
    // milliseconds: watch for a second vend for a while (a watch for
    // something that must never happen has no event to wait on).
    let second_vend = wait_until("a second vend", Duration::from_millis(1500), async || {
        Ok::<_, String>((app.vends() > 1).then_some(()))
    });
    assert!(
        second_vend.await.is_err(),
        "the dispenser was asked {} times",
        app.vends()
    );
    assert_eq!(app.vends(), 1);
    assert_eq!(app.session(r).await.state, S::Completed);
    let vipps = app.vipps();
    let names = vipps.event_names(r).await;
    assert_eq!(
        names.iter().filter(|n| *n == "CAPTURED").count(),
        1,
        "{names:?}"
    );
    vipps.assert_captured_under_one_key(r).await;
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
