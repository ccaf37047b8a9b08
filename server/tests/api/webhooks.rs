//! Webhooks as a signal, never as the truth: forged news changes nothing,
//! and duplicated, reordered and late deliveries (each fresh at the route)
//! never make the machine vend or capture twice.

use crate::helpers::{spawn_app, TestApp};
use crate::wait::wait_until;
use serde_json::json;
use std::time::Duration;
use vendscreen_protocol::SessionState as S;
use vendscreen_server::epayment::hmac;

/// Signs `body` the way Vipps would, with the secret this server registered.
fn signed(app: &TestApp, body: &str) -> reqwest::RequestBuilder {
    signed_as_if_for(app, body, None)
}

/// Signs `body` with the registered secret, as if it were delivered to
/// `signed_for` (default: the registered URL); sends it to the registered URL.
fn signed_as_if_for(
    app: &TestApp,
    body: &str,
    signed_for: Option<&str>,
) -> reqwest::RequestBuilder {
    let stored = app.webhook_registration();
    let url = stored["url"].as_str().unwrap();
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    let (hash, auth) = hmac::sign(
        stored["secret"].as_str().unwrap(),
        signed_for.unwrap_or(url),
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
        Ok::<_, String>((app.vends().len() > 1).then_some(()))
    });
    assert!(
        second_vend.await.is_err(),
        "the dispenser was asked for {:?}",
        app.vends()
    );
    assert_eq!(app.vends(), std::slice::from_ref(r));
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
async fn a_webhook_signed_for_another_path_or_host_is_refused_at_the_route() {
    let app = spawn_app().await;
    let session = app.buy("cola").await;
    let body = authorized_webhook(&session.reference);
    let registered = app.webhook_registration()["url"]
        .as_str()
        .unwrap()
        .to_string();
    // The same secret, but signed for a delivery somewhere else: a replay
    // of another endpoint's (or another machine's) traffic.
    let elsewhere = [
        (
            "another path",
            registered.replace("/webhooks/epayment", "/webhooks/other"),
        ),
        (
            "another host",
            registered.replace("127.0.0.1", "vending.example.com"),
        ),
        ("another query", format!("{registered}?machine=vm-043")),
    ];
    for (what, url) in elsewhere {
        assert_ne!(url, registered, "{what}");
        let resp = signed_as_if_for(&app, &body, Some(&url))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "signed for {what}");
    }
    // Signed for this route, the same delivery is taken.
    let resp = signed(&app, &body).send().await.unwrap();
    assert_eq!(resp.status(), 200);
}
