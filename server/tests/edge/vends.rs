//! At most one vend per reference: the same command twice, and an edge
//! restarted with an outcome it had not yet sent, or mid-vend.

use crate::harness::{Flagged, Fleet};
use crate::machine::{Machine, HUB};
use crate::proxy::Proxy;
use crate::vipps::RawVipps;
use std::time::Duration;
use vendscreen_protocol::fleet::{VendCommand, VendOutcome};
use vendscreen_protocol::ProductRef;
use vendscreen_server::edge::{Journal, Sent, Stage, VendAnswer};

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

async fn vend_started(edge: &Machine, reference: &str) {
    let started = || edge.vends().iter().any(|r| r == reference).then_some(());
    crate::wait::wait_for("the vend to start", Duration::from_secs(20), async || {
        started()
    })
    .await;
}

#[tokio::test]
async fn the_same_vend_command_twice_vends_once_and_gets_the_recorded_answer() {
    let fleet = Fleet::new(1, HUB).await;
    let hub = fleet.machine("vm-vend-1").await;
    let dir = tempfile::tempdir().unwrap();
    let edge = Machine::start(&fleet.hubs[0], hub.token(), &dir.path().join("j.db"), 500).await;
    edge.wait_in_service().await;
    let reference = edge.bought("cola").await;
    hub.wait_for(&reference, "awaitingPayment").await;
    hub.approve(&reference).await;
    vend_started(&edge, &reference).await;
    // Delivered again while the first runs, then again after it ended.
    let again = edge.handle.vend(cola(&reference)).await;
    assert_eq!(again, VendAnswer::InFlight);
    hub.wait_for(&reference, "completed").await;
    let later = edge.handle.vend(cola(&reference)).await;
    assert_eq!(later, VendAnswer::Outcome(VendOutcome::Vended));
    assert_eq!(edge.vends(), vec![reference.clone()], "one vend");
    let vipps = RawVipps::at(&fleet.vipps);
    vipps.assert_captured_under_one_key(&reference).await;
}

#[tokio::test]
async fn an_outcome_not_sent_before_a_restart_is_sent_after_it() {
    let fleet = Fleet::new(1, HUB).await;
    let hub = fleet.machine("vm-vend-2").await;
    let proxy = Proxy::to(&fleet.hubs[0]).await;
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.db");
    let first = Machine::start(&proxy.url, hub.token(), &journal, 500).await;
    first.wait_in_service().await;
    let reference = first.bought("cola").await;
    hub.wait_for(&reference, "awaitingPayment").await;
    hub.approve(&reference).await;
    vend_started(&first, &reference).await;
    proxy.cut();
    first
        .wait_journal(&reference, "the outcome journalled", |e| {
            e.stage == Stage::Vended
        })
        .await;
    let vended_before = first.vends();
    first.stop().await;
    proxy.restore();
    assert_eq!(hub.state(&reference).await, "dispensing");

    let second = Machine::start(&proxy.url, hub.token(), &journal, 0).await;
    hub.wait_for(&reference, "completed").await;
    assert_eq!(vended_before, vec![reference.clone()]);
    assert!(
        second.vends().is_empty(),
        "not vended again after the restart"
    );
    let vipps = RawVipps::at(&fleet.vipps);
    vipps.assert_captured_under_one_key(&reference).await;
    second
        .wait_journal(&reference, "the outcome sent", |e| e.sent == Sent::Yes)
        .await;
}

#[tokio::test]
async fn a_vend_acknowledged_before_a_restart_is_never_vended_again() {
    let hub_env = [HUB, &[("VENDSCREEN_HUB_VEND_RESULT_MS", "1500")]].concat();
    let fleet = Fleet::new(1, &hub_env).await;
    let hub = fleet.machine("vm-vend-3").await;
    hub.heartbeat().await;
    let reference = hub.buy("cola", "r-3").await["reference"]
        .as_str()
        .unwrap()
        .to_string();
    hub.wait_for(&reference, "awaitingPayment").await;
    hub.approve(&reference).await;
    hub.wait_for(&reference, "dispensing").await;
    // An edge that acknowledged, then stopped before the dispenser answered.
    let (status, _) = hub
        .post(
            &format!("/fleet/v1/vends/{reference}/ack"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.db");
    let journal = Journal::open(&path).unwrap();
    journal.receive(&reference, "A1").await.unwrap();
    journal.set_stage(&reference, Stage::Acked).await.unwrap();
    drop(journal);

    let edge = Machine::start(&fleet.hubs[0], hub.token(), &path, 0).await;
    edge.wait_in_service().await;
    assert_eq!(
        edge.handle.vend(cola(&reference)).await,
        VendAnswer::Uncertain
    );
    hub.wait_for(&reference, "vendFailed").await;
    assert!(edge.vends().is_empty(), "never vended twice");
    let payment = RawVipps::at(&fleet.vipps).payment(&reference).await;
    assert_eq!(payment["aggregate"]["capturedAmount"]["value"], 0);
    assert_eq!(
        fleet.store.awaiting_operator_all().await,
        vec![reference.clone()]
    );
    let (_, health) = edge.get("/healthz").await;
    assert_eq!(health["needsOperator"][0], reference.as_str());
}
