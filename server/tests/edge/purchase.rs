//! A purchase on the edge's display API: relayed to the hub, paid at
//! "Vipps", vended once by the edge's dispenser, captured by the hub; the
//! display's stream on the edge shows every step.

use crate::machine::Rig;
use vendscreen_server::edge::{Sent, Stage};

#[tokio::test]
async fn a_purchase_on_the_edge_vends_once_and_the_hub_captures_it() {
    let rig = Rig::new("vm-edge-1", &[], 0).await;
    let edge = &rig.edge;
    let mut screen = edge.events().await;
    let snapshot = screen.next().await;
    assert_eq!(snapshot.name, "snapshot");
    assert_eq!(
        snapshot.data["machine"]["inService"], true,
        "{:?}",
        snapshot.data
    );
    let (_, catalog) = edge.get("/api/catalog").await;
    assert_eq!(
        catalog["products"][0]["id"], "cola",
        "the hub's catalog: {catalog}"
    );

    let reference = edge.bought("cola").await;
    let shows = |state: &'static str| {
        let reference = reference.clone();
        move |d: &serde_json::Value| d["reference"] == reference.as_str() && d["state"] == state
    };
    screen.until("session", shows("awaitingPayment")).await;
    rig.hub.approve(&reference).await;
    screen.until("session", shows("dispensing")).await;
    screen.until("session", shows("completed")).await;

    assert_eq!(edge.vends(), vec![reference.clone()], "one vend");
    let payment = rig.vipps().payment(&reference).await;
    assert_eq!(payment["aggregate"]["capturedAmount"]["value"], 3500);
    rig.vipps().assert_captured_under_one_key(&reference).await;
    let entry = edge.journal(&reference).await.unwrap();
    assert_eq!((entry.stage, entry.sent), (Stage::Vended, Sent::Yes));
    let (status, session) = edge.get(&format!("/api/sessions/{reference}")).await;
    assert_eq!(
        (status, session["state"].as_str()),
        (200, Some("completed"))
    );
    // The machine's own series: the vend timed at its dispenser.
    let metrics = reqwest::get(format!("{}/metrics", edge.base))
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains("vendscreen_vend_duration_seconds_count{outcome=\"vended\"}"),
        "{text}"
    );
}

#[tokio::test]
async fn an_unknown_product_or_session_is_a_problem_and_no_purchase() {
    let rig = Rig::new("vm-edge-2", &[], 0).await;
    let (status, problem) = rig.edge.buy("nectar").await;
    assert_eq!(status, 404, "{problem}");
    assert!(problem["type"].as_str().unwrap().contains("not-found"));
    let (status, _) = rig.edge.get("/api/sessions/not-a-reference").await;
    assert_eq!(status, 404);
    // Nothing in a reference reaches another of the hub's routes.
    let (status, problem) = rig.edge.get("/api/sessions/..%2Fstream").await;
    assert_eq!(status, 404, "{problem}");
    let (status, health) = rig.edge.get("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(health["paymentServiceReachable"], true);
    assert!(rig.vipps().log().await.is_empty(), "no payment started");
}

#[tokio::test]
async fn a_dispenser_not_ready_puts_the_machine_out_of_service_before_any_money() {
    let rig = Rig::new("vm-edge-3", &[], 0).await;
    let mut screen = rig.edge.events().await;
    assert_eq!(screen.next().await.data["machine"]["inService"], true);
    rig.edge.dispenser().set_out_of_order(true);
    let (status, problem) = rig.edge.buy("cola").await;
    assert_eq!(status, 503, "{problem}");
    assert_eq!(problem["reason"], "dispenserNotReady");
    let down = screen.until("machine", |d| d["inService"] == false).await;
    assert_eq!(down.data["reason"], "dispenserNotReady");
    assert!(rig.vipps().log().await.is_empty(), "no payment started");
    // Ready again: the next heartbeat tells the hub and the screen.
    rig.edge.dispenser().set_out_of_order(false);
    screen.until("machine", |d| d["inService"] == true).await;
    assert_eq!(rig.edge.buy("cola").await.0, 201);
}

#[tokio::test]
async fn a_purchase_whose_answer_was_lost_is_retried_as_the_same_purchase() {
    let rig = Rig::new("vm-edge-4", &[], 0).await;
    rig.proxy.lose_answer_to("POST /fleet/v1/sessions ");
    let reference = rig.edge.bought("cola").await;
    rig.hub.wait_for(&reference, "awaitingPayment").await;
    let creates: Vec<_> = rig.vipps().log().await;
    let creates: Vec<_> = creates
        .iter()
        .filter(|c| c["operation"] == "create")
        .collect();
    assert_eq!(creates.len(), 1, "one payment for one touch: {creates:?}");
    assert_eq!(creates[0]["reference"], reference.as_str());
}

#[tokio::test]
async fn a_cancel_on_the_edge_ends_the_purchase_and_charges_nothing() {
    let rig = Rig::new("vm-edge-9", &[], 0).await;
    let edge = &rig.edge;
    let mut screen = edge.events().await;
    let reference = edge.bought("cola").await;
    let shows = |state: &'static str| {
        let reference = reference.clone();
        move |d: &serde_json::Value| d["reference"] == reference.as_str() && d["state"] == state
    };
    screen.until("session", shows("awaitingPayment")).await;
    let (status, answer) = edge.cancel(&reference).await;
    assert!((200..300).contains(&status), "{status} {answer}");
    screen.until("session", shows("cancelled")).await;
    assert!(edge.vends().is_empty(), "nothing vended");
    let payment = rig.vipps().payment(&reference).await;
    assert_eq!(payment["aggregate"]["capturedAmount"]["value"], 0);
}
