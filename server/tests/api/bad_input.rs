//! Bad input gets problem+json with the right status, never a panic.

use crate::helpers::spawn_app;
use serde_json::json;

async fn assert_problem(resp: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(resp.status(), status);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], status);
    body
}

#[tokio::test]
async fn unknown_product_is_404() {
    let app = spawn_app().await;
    assert_problem(
        app.post_json("/api/sessions", json!({ "productId": "caviar" }))
            .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn sold_out_product_is_409() {
    let app = spawn_app().await;
    assert_problem(
        app.post_json("/api/sessions", json!({ "productId": "sandwich" }))
            .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = spawn_app().await;
    let resp = app
        .http
        .post(app.url("/api/sessions"))
        .header("content-type", "application/json")
        .body("{\"productId\":")
        .send()
        .await
        .unwrap();
    assert_problem(resp, 400).await;
    let resp = app
        .post_json("/api/sessions", json!({ "product": "cola" }))
        .await;
    assert_problem(resp, 400).await;
}

#[tokio::test]
async fn a_wrong_method_on_a_known_route_is_a_405_problem_naming_the_allowed_ones() {
    let app = spawn_app().await;
    let resp = app.get("/api/sessions").await;
    assert_eq!(resp.headers()["allow"], "POST");
    assert_problem(resp, 405).await;
    let resp = app
        .http
        .delete(app.url("/api/catalog"))
        .send()
        .await
        .unwrap();
    assert!(resp.headers()["allow"].to_str().unwrap().contains("GET"));
    assert_problem(resp, 405).await;
    let resp = app.get("/sim/dispenser").await;
    assert_problem(resp, 405).await;
}

#[tokio::test]
async fn unknown_reference_is_404() {
    let app = spawn_app().await;
    assert_problem(app.get("/api/sessions/vm-042-999999").await, 404).await;
    assert_problem(
        app.http
            .post(app.url("/api/sessions/nope/cancel"))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    assert_problem(app.get("/api/nothing-here").await, 404).await;
}

#[tokio::test]
async fn a_second_purchase_while_one_is_unresolved_is_409() {
    let app = spawn_app().await;
    app.buy("cola").await;
    assert_problem(
        app.post_json("/api/sessions", json!({ "productId": "water" }))
            .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn a_dispenser_that_is_not_ready_means_503_and_no_payment() {
    let app = spawn_app().await;
    app.post_json("/sim/dispenser", json!({ "outOfOrder": true }))
        .await;
    let body = assert_problem(
        app.post_json("/api/sessions", json!({ "productId": "cola" }))
            .await,
        503,
    )
    .await;
    assert_eq!(body["reason"], "dispenserNotReady");
    assert_eq!(app.get("/api/sessions/vm-042-000001").await.status(), 404);
}

#[tokio::test]
async fn a_forged_webhook_is_401_and_changes_nothing() {
    let app = spawn_app().await;
    let session = app.buy("cola").await;
    let body = json!({ "msn": "123456", "reference": session.reference, "pspReference": "1", "name": "AUTHORIZED",
        "amount": { "currency": "NOK", "value": 3500 }, "timestamp": "2026-11-24T10:00:00Z", "success": true });
    let resp = app
        .http
        .post(app.url("/webhooks/epayment"))
        .header("x-ms-date", "Tue, 24 Nov 2026 10:00:00 GMT")
        .header("x-ms-content-sha256", "AAAA")
        .header(
            "authorization",
            "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=AAAA",
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_problem(resp, 401).await;
    assert_eq!(
        app.session(&session.reference).await.state,
        vendscreen_protocol::SessionState::AwaitingPayment
    );
}

#[tokio::test]
async fn health_reports_the_payment_service_and_nothing_waiting_for_a_person() {
    let app = spawn_app().await;
    let health: serde_json::Value = app.get("/healthz").await.json().await.unwrap();
    assert_eq!(
        health,
        json!({ "status": "ok", "paymentServiceReachable": true, "storeWritable": true, "needsOperator": [] })
    );
}

#[tokio::test]
async fn catalog_lists_the_demo_products_with_prices_in_minor_units() {
    let app = spawn_app().await;
    let catalog: vendscreen_protocol::Catalog = app.get("/api/catalog").await.json().await.unwrap();
    assert_eq!(catalog.machine.pos_id, "vm-042");
    let cola = catalog.products.iter().find(|p| p.id == "cola").unwrap();
    assert_eq!(cola.price.value, 3500);
    assert!(catalog.products.iter().any(|p| !p.available));
}

#[tokio::test]
async fn the_display_is_served_at_the_root() {
    let app = spawn_app().await;
    let page = app.get("/").await.text().await.unwrap();
    assert!(page.contains("vendscreen"));
}

#[tokio::test]
async fn a_missing_file_is_404_not_the_page_and_the_page_is_compressed() {
    let app = spawn_app().await;
    assert_eq!(app.get("/favicon.ico").await.status(), 404);
    let resp = app.get_accepting("/", "br").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-encoding"], "br");
}

#[tokio::test]
async fn a_precompressed_copy_is_sent_as_it_is() {
    let app = spawn_app().await;
    // Not real brotli: the point is that these exact bytes are what is sent.
    let copy = b"precompressed at quality 11".to_vec();
    std::fs::write(app.dir.path().join("app.wasm"), vec![0u8; 4096]).unwrap();
    std::fs::write(app.dir.path().join("app.wasm.br"), &copy).unwrap();
    let resp = app.get_accepting("/app.wasm", "gzip, br").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-encoding"], "br");
    assert_eq!(resp.headers()["content-type"], "application/wasm");
    assert_eq!(resp.bytes().await.unwrap().to_vec(), copy);
    // A browser without brotli gets the file itself (compressed on the fly).
    let plain = app.get("/app.wasm").await.bytes().await.unwrap();
    assert_eq!(plain.len(), 4096);
}

#[tokio::test]
async fn a_machine_going_out_of_order_is_announced_on_the_stream_at_once() {
    let app = spawn_app().await;
    let mut events = app.events().await;
    let (name, snapshot) = events.next().await;
    assert_eq!(
        (name.as_str(), &snapshot["machine"]["inService"]),
        ("snapshot", &json!(true))
    );
    app.post_json("/sim/dispenser", json!({ "outOfOrder": true }))
        .await;
    let (name, status) = events.next().await;
    assert_eq!(name, "machine");
    assert_eq!(status["inService"], false);
    assert_eq!(status["reason"], "dispenserNotReady");
}
