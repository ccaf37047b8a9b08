//! The vend handshake (design.md): vend only after an accepted
//! acknowledgement; no acknowledgement by the deadline releases; an
//! acknowledgement without an outcome is uncertain; results are idempotent.

use crate::harness::{Flagged, Fleet};
use crate::vipps::RawVipps;
use serde_json::json;

/// Buys cola on `edge`, the customer approves, and the `vend` command arrives.
pub async fn approved(edge: &crate::edge::Edge, request: &str) -> String {
    edge.heartbeat().await;
    let mut stream = edge.stream(None).await;
    let snapshot = stream.next().await;
    assert_eq!(snapshot.name, "snapshot");
    let reference = edge.buy("cola", request).await["reference"]
        .as_str()
        .unwrap()
        .to_string();
    edge.wait_for(&reference, "awaitingPayment").await;
    edge.approve(&reference).await;
    let vend = stream
        .until("vend", |d| d["reference"] == reference.as_str())
        .await;
    assert_eq!(vend.data["slot"], "A1");
    reference
}

/// The hub's `/metrics` (shared by this binary's tests: at least one).
async fn assert_hub_counted_a_completed_purchase(hub: &str) {
    let text = reqwest::get(format!("{hub}/metrics")).await.unwrap();
    let text = text.text().await.unwrap();
    for series in [
        "vendscreen_purchases_total{outcome=\"completed\"}",
        "vendscreen_vend_duration_seconds_count{outcome=\"vended\"}",
    ] {
        let value = text
            .lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse::<f64>().ok());
        assert!(value >= Some(1.0), "{series}: {value:?}\n{text}");
    }
}

#[tokio::test]
async fn a_purchase_through_the_hub_vends_after_the_ack_and_captures_after_the_result() {
    let fleet = Fleet::new(1, &[]).await;
    let edge = fleet.machine("vm-hub-1").await;
    let reference = approved(&edge, "r-1").await;
    let path = format!("/fleet/v1/vends/{reference}/ack");
    let (status, command) = edge.post(&path, json!({})).await;
    assert_eq!(status, 200, "{command}");
    assert_eq!(command["reference"], reference.as_str());
    let path = format!("/fleet/v1/vends/{reference}/result");
    let (status, _) = edge.post(&path, json!({ "outcome": "vended" })).await;
    assert_eq!(status, 200);
    edge.wait_for(&reference, "completed").await;
    let vipps = RawVipps::at(&fleet.vipps);
    let payment = vipps.payment(&reference).await;
    assert_eq!(payment["aggregate"]["capturedAmount"]["value"], 3500);
    vipps.assert_captured_under_one_key(&reference).await;
    assert_hub_counted_a_completed_purchase(&fleet.hubs[0]).await;
    // The same result again is fine; another one is a conflict.
    let (again, _) = edge.post(&path, json!({ "outcome": "vended" })).await;
    assert_eq!(again, 200);
    let (other, problem) = edge.post(&path, json!({ "outcome": "failed" })).await;
    assert_eq!(other, 409, "{problem}");
}

#[tokio::test]
async fn no_ack_by_the_deadline_vends_nothing_and_releases() {
    let fleet = Fleet::new(1, &[("VENDSCREEN_HUB_VEND_ACK_MS", "1500")]).await;
    let edge = fleet.machine("vm-hub-2").await;
    let reference = approved(&edge, "r-2").await;
    edge.wait_for(&reference, "vendFailed").await;
    let (status, _) = edge
        .post(&format!("/fleet/v1/vends/{reference}/ack"), json!({}))
        .await;
    assert_eq!(status, 409, "too late: the edge must not vend");
    let payment = RawVipps::at(&fleet.vipps).payment(&reference).await;
    assert_eq!(payment["aggregate"]["cancelledAmount"]["value"], 3500);
    assert_eq!(payment["aggregate"]["capturedAmount"]["value"], 0);
    let flagged = fleet.store.awaiting_operator_all().await;
    assert!(flagged.is_empty(), "nothing vended: nothing to look at");
}

#[tokio::test]
async fn an_ack_without_an_outcome_is_uncertain_released_and_flagged() {
    let fleet = Fleet::new(1, &[("VENDSCREEN_HUB_VEND_RESULT_MS", "1500")]).await;
    let edge = fleet.machine("vm-hub-3").await;
    let reference = approved(&edge, "r-3").await;
    let (status, _) = edge
        .post(&format!("/fleet/v1/vends/{reference}/ack"), json!({}))
        .await;
    assert_eq!(status, 200);
    edge.wait_for(&reference, "vendFailed").await;
    let payment = RawVipps::at(&fleet.vipps).payment(&reference).await;
    assert_eq!(payment["aggregate"]["capturedAmount"]["value"], 0);
    assert_eq!(payment["aggregate"]["cancelledAmount"]["value"], 3500);
    let flagged = fleet.store.awaiting_operator_all().await;
    assert_eq!(flagged, std::slice::from_ref(&reference));
    // The machine never heard the first answer and asks again: the
    // reservation is gone, so it must not vend now.
    let (again, _) = edge
        .post(&format!("/fleet/v1/vends/{reference}/ack"), json!({}))
        .await;
    assert_eq!(again, 409, "a repeated ack after the release must not vend");
    // The machine reports it vended after all: 409, and still for a person.
    let path = format!("/fleet/v1/vends/{reference}/result");
    let (status, _) = edge.post(&path, json!({ "outcome": "vended" })).await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn a_failed_vend_releases_and_charges_nothing() {
    let fleet = Fleet::new(1, &[]).await;
    let edge = fleet.machine("vm-hub-4").await;
    let reference = approved(&edge, "r-4").await;
    edge.post(&format!("/fleet/v1/vends/{reference}/ack"), json!({}))
        .await;
    let path = format!("/fleet/v1/vends/{reference}/result");
    let (status, _) = edge.post(&path, json!({ "outcome": "failed" })).await;
    assert_eq!(status, 200);
    edge.wait_for(&reference, "vendFailed").await;
    let payment = RawVipps::at(&fleet.vipps).payment(&reference).await;
    assert_eq!(payment["aggregate"]["cancelledAmount"]["value"], 3500);
}

#[tokio::test]
async fn a_dropped_stream_resumed_with_last_event_id_gets_the_vend_again() {
    let fleet = Fleet::new(1, &[]).await;
    let edge = fleet.machine("vm-hub-5").await;
    edge.heartbeat().await;
    let mut stream = edge.stream(None).await;
    let snapshot = stream.next().await;
    let before = snapshot.id.expect("the snapshot's id");
    let reference = edge.buy("cola", "r-5").await["reference"]
        .as_str()
        .unwrap()
        .to_string();
    edge.wait_for(&reference, "awaitingPayment").await;
    drop(stream);
    edge.approve(&reference).await;
    edge.wait_for(&reference, "dispensing").await;
    // Back after the drop: everything after the last id seen, the vend too.
    let mut resumed = edge.stream(Some(before)).await;
    assert_eq!(resumed.next().await.name, "snapshot");
    resumed
        .until("vend", |d| d["reference"] == reference.as_str())
        .await;
}
