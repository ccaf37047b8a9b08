//! Machines and their tokens on the hub: a token reaches its own machine's
//! purchases only; one purchase at a time per machine; requests repeat safely.

use crate::harness::Fleet;
use serde_json::json;

#[tokio::test]
async fn another_machines_reference_is_404_even_with_a_valid_token() {
    let fleet = Fleet::new(1, &[]).await;
    let a = fleet.machine("vm-a-1").await;
    let b = fleet.machine("vm-b-1").await;
    a.heartbeat().await;
    let reference = a.buy("cola", "a-1").await["reference"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = b.get(&format!("/fleet/v1/sessions/{reference}")).await;
    assert_eq!(status, 404);
    let cancel = format!("/fleet/v1/sessions/{reference}/cancel");
    assert_eq!(b.post(&cancel, json!({})).await.0, 404);
    assert_eq!(
        b.post(&format!("/fleet/v1/vends/{reference}/ack"), json!({}))
            .await
            .0,
        409
    );
    let (status, own) = a.get(&format!("/fleet/v1/sessions/{reference}")).await;
    assert_eq!(
        (status, own["reference"].as_str()),
        (200, Some(reference.as_str()))
    );
}

#[tokio::test]
async fn an_unknown_token_is_401() {
    let fleet = Fleet::new(1, &[]).await;
    let stranger = crate::edge::Edge::new(&fleet.hubs[0], "not-a-token", &fleet.vipps);
    assert_eq!(stranger.get("/fleet/v1/sessions/x").await.0, 401);
    let body = json!({ "dispenserReady": true });
    assert_eq!(stranger.post("/fleet/v1/heartbeat", body).await.0, 401);
}

#[tokio::test]
async fn a_repeated_request_finds_its_purchase_and_a_second_one_is_busy() {
    let fleet = Fleet::new(1, &[]).await;
    let edge = fleet.machine("vm-c-1").await;
    edge.heartbeat().await;
    let first = edge.buy("cola", "same").await;
    let body = json!({ "productId": "cola", "requestId": "same" });
    let (status, again) = edge.post("/fleet/v1/sessions", body).await;
    assert!(status == 201 || status == 200, "{status}");
    assert_eq!(again["reference"], first["reference"]);
    let other = json!({ "productId": "water", "requestId": "other" });
    assert_eq!(edge.post("/fleet/v1/sessions", other).await.0, 409);
}

#[tokio::test]
async fn a_machine_whose_dispenser_is_not_ready_takes_no_money() {
    let fleet = Fleet::new(1, &[]).await;
    let edge = fleet.machine("vm-d-1").await;
    let body = json!({ "dispenserReady": false });
    assert_eq!(edge.post("/fleet/v1/heartbeat", body).await.0, 204);
    let start = json!({ "productId": "cola", "requestId": "r" });
    let (status, problem) = edge.post("/fleet/v1/sessions", start).await;
    assert_eq!(status, 503, "{problem}");
    assert_eq!(problem["reason"], "dispenserNotReady");
}

#[tokio::test]
async fn two_replicas_serve_one_machine_and_either_moves_its_purchase() {
    let fleet = Fleet::new(2, &[]).await;
    let on_first = fleet.machine("vm-e-1").await;
    let on_second = on_first.via(&fleet.hubs[1]);
    on_first.heartbeat().await;
    let mut stream = on_second.stream(None).await;
    stream.next().await;
    let reference = on_first.buy("cola", "e-1").await["reference"]
        .as_str()
        .unwrap()
        .to_string();
    on_second.wait_for(&reference, "awaitingPayment").await;
    on_first.approve(&reference).await;
    // The vend reaches the stream held by the other replica.
    stream
        .until("vend", |d| d["reference"] == reference.as_str())
        .await;
    let ack = format!("/fleet/v1/vends/{reference}/ack");
    assert_eq!(on_second.post(&ack, json!({})).await.0, 200);
    let result = format!("/fleet/v1/vends/{reference}/result");
    let vended = json!({ "outcome": "vended" });
    assert_eq!(on_first.post(&result, vended).await.0, 200);
    on_second.wait_for(&reference, "completed").await;
}
