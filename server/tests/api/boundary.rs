//! Item 5 of issue 10: the display API's boundary. A page on another site, or
//! one reached through a rebound DNS name, cannot start, cancel or approve a
//! purchase; a cancel needs a JSON request no cross-site form can send.

use crate::helpers::{spawn_app, TestApp};
use serde_json::json;

async fn assert_problem(resp: reqwest::Response, status: u16) {
    assert_eq!(resp.status(), status);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
}

impl TestApp {
    fn port(&self) -> u16 {
        self.base.rsplit(':').next().unwrap().parse().unwrap()
    }
}

#[tokio::test]
async fn a_request_naming_a_host_that_is_not_this_machine_is_refused() {
    let app = spawn_app().await;
    // DNS rebinding: the attacker's name now points at 127.0.0.1.
    let foreign = format!("attacker.example:{}", app.port());
    let resp = app
        .http
        .post(app.url("/api/sessions"))
        .header("host", &foreign)
        .json(&json!({ "productId": "cola" }))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 403).await;
    let resp = app
        .http
        .get(app.url("/api/catalog"))
        .header("host", &foreign)
        .send()
        .await
        .unwrap();
    assert_problem(resp, 403).await;
    // The names of this machine work.
    let resp = app
        .http
        .post(app.url("/api/sessions"))
        .header("host", format!("localhost:{}", app.port()))
        .json(&json!({ "productId": "cola" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
}

#[tokio::test]
async fn a_page_on_another_origin_cannot_buy_cancel_or_approve() {
    let app = spawn_app().await;
    let evil = "https://attacker.example";
    let resp = app
        .http
        .post(app.url("/api/sessions"))
        .header("origin", evil)
        .json(&json!({ "productId": "cola" }))
        .send()
        .await
        .unwrap();
    assert_problem(resp, 403).await;
    let session = app.buy("cola").await;
    for path in [
        format!("/sim/payments/{}/approve", session.reference),
        format!("/api/sessions/{}/cancel", session.reference),
    ] {
        let resp = app
            .http
            .post(app.url(&path))
            .header("origin", evil)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_problem(resp, 403).await;
    }
    // The display's own origin may.
    let resp = app
        .http
        .post(app.url(&format!("/api/sessions/{}/cancel", session.reference)))
        .header("origin", &app.base)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
}

#[tokio::test]
async fn a_cancel_without_a_json_body_is_refused_as_415() {
    let app = spawn_app().await;
    let session = app.buy("cola").await;
    let url = app.url(&format!("/api/sessions/{}/cancel", session.reference));
    // What a cross-site form or a no-cors fetch can send.
    assert_problem(app.http.post(&url).send().await.unwrap(), 415).await;
    let plain = app.http.post(&url).header("content-type", "text/plain");
    assert_problem(plain.body("{}").send().await.unwrap(), 415).await;
    assert_eq!(
        app.session(&session.reference).await.state,
        vendscreen_protocol::SessionState::AwaitingPayment
    );
    let resp = app.http.post(&url).json(&json!({})).send().await.unwrap();
    assert_eq!(resp.status(), 202);
}

/// This machine's address on its network: the source of the route a packet
/// to TEST-NET-2 would take (connecting a UDP socket sends nothing).
fn network_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("198.51.100.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn on_a_network_facing_listener_peers_there_reach_health_and_files_but_not_the_api() {
    let Some(ip) = network_address() else {
        panic!("this test needs a network interface besides loopback (none found)");
    };
    let app = crate::helpers::spawn_app_with(&[("VENDSCREEN_SERVER_LISTEN", "0.0.0.0:0")]).await;
    let remote = |path: &str| format!("http://{ip}:{}{path}", app.port());
    let get = |path: &str| app.http.get(remote(path)).send();
    assert_eq!(get("/healthz").await.unwrap().status(), 200);
    assert_eq!(get("/").await.unwrap().status(), 200);
    assert_problem(get("/api/catalog").await.unwrap(), 403).await;
    let approve = app.http.post(remote("/sim/payments/vm-042-000001/approve"));
    assert_problem(approve.send().await.unwrap(), 403).await;
    // This machine itself still gets through.
    let local = format!("http://127.0.0.1:{}/api/catalog", app.port());
    assert_eq!(app.http.get(local).send().await.unwrap().status(), 200);
    let exposed = crate::helpers::spawn_app_with(&[
        ("VENDSCREEN_SERVER_LISTEN", "0.0.0.0:0"),
        ("VENDSCREEN_SERVER_EXPOSE_API", "true"),
    ])
    .await;
    let url = format!("http://{ip}:{}/api/catalog", exposed.port());
    assert_eq!(exposed.http.get(url).send().await.unwrap().status(), 200);
}
