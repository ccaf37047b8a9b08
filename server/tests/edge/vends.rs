//! At most one vend per reference: the same command twice, and an edge
//! restarted with an outcome it had not yet sent, or mid-vend.

use crate::harness::Flagged;
use crate::machine::Rig;
use vendscreen_protocol::fleet::{VendCommand, VendOutcome};
use vendscreen_protocol::ProductRef;
use vendscreen_server::edge::{Journal, Stage, VendAnswer};

fn cola(reference: &str) -> VendCommand {
    VendCommand {
        reference: reference.to_string(),
        slot: "A1".into(),
        product: ProductRef {
            id: "cola".into(),
            name: "Cola 0,5 l".into(),
        },
    }
}

#[tokio::test]
async fn the_same_vend_command_twice_vends_once_and_gets_the_recorded_answer() {
    let rig = Rig::new("vm-vend-1", &[], 500).await;
    let reference = rig.bought().await;
    rig.hub.approve(&reference).await;
    rig.vend_started(&reference).await;
    // Delivered again while the first runs, then again after it ended.
    let again = rig.edge.handle.vend(cola(&reference)).await;
    assert_eq!(again, VendAnswer::InFlight);
    rig.hub.wait_for(&reference, "completed").await;
    let later = rig.edge.handle.vend(cola(&reference)).await;
    assert_eq!(later, VendAnswer::Outcome(VendOutcome::Vended));
    assert_eq!(rig.edge.vends(), vec![reference.clone()], "one vend");
    rig.vipps().assert_captured_under_one_key(&reference).await;
}

#[tokio::test]
async fn an_outcome_not_sent_before_a_restart_is_sent_after_it() {
    let rig = Rig::new("vm-vend-2", &[], 500).await;
    let reference = rig.vended_unsent().await;
    let rig = rig.restart(0).await;
    assert_eq!(rig.hub.state(&reference).await, "dispensing");
    rig.proxy.restore();
    rig.hub.wait_for(&reference, "completed").await;
    assert!(
        rig.edge.vends().is_empty(),
        "not vended again after the restart"
    );
    rig.assert_settled_once(&reference).await;
}

#[tokio::test]
async fn a_vend_acknowledged_before_a_restart_is_never_vended_again() {
    let rig = Rig::new("vm-vend-3", &[("VENDSCREEN_HUB_VEND_RESULT_MS", "1500")], 0).await;
    // The edge acknowledged, journalled it, and stopped before the
    // dispenser answered (the hub is reached directly, the edge not at all).
    rig.proxy.cut();
    let hub = &rig.hub;
    hub.heartbeat().await;
    let session = hub.buy("cola", "r-3").await;
    let reference = session["reference"].as_str().unwrap().to_string();
    hub.wait_for(&reference, "awaitingPayment").await;
    hub.approve(&reference).await;
    hub.wait_for(&reference, "dispensing").await;
    let ack = format!("/fleet/v1/vends/{reference}/ack");
    assert_eq!(hub.post(&ack, serde_json::json!({})).await.0, 200);
    let written = Journal::open(&rig.journal_path()).unwrap();
    written.receive(&reference, "A1").await.unwrap();
    written.set_stage(&reference, Stage::Acked).await.unwrap();

    let rig = rig.restart(0).await;
    rig.proxy.restore();
    rig.edge.wait_in_service().await;
    let again = rig.edge.handle.vend(cola(&reference)).await;
    assert_eq!(again, VendAnswer::Uncertain);
    rig.hub.wait_for(&reference, "vendFailed").await;
    assert!(rig.edge.vends().is_empty(), "never vended twice");
    let payment = rig.vipps().payment(&reference).await;
    assert_eq!(payment["aggregate"]["capturedAmount"]["value"], 0);
    let flagged = rig.fleet.store.awaiting_operator_all().await;
    assert_eq!(flagged, vec![reference.clone()]);
    let (_, health) = rig.edge.get("/healthz").await;
    assert_eq!(health["needsOperator"][0], reference.as_str());
}
