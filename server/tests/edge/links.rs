//! The edge's link to the hub through a proxy the test cuts: before the
//! acknowledgement nothing is vended and the hub releases; after it, the
//! outcome is sent again once the link is back and captured once; a silent
//! link puts the machine out of service before any money is taken.

use crate::harness::Fleet;
use crate::machine::{Machine, HUB};
use crate::proxy::Proxy;
use crate::vipps::RawVipps;
use vendscreen_server::edge::{Sent, Stage};

#[tokio::test]
async fn a_link_cut_before_the_ack_vends_nothing_and_the_hub_releases() {
    let hub_env = [HUB, &[("VENDSCREEN_HUB_VEND_ACK_MS", "1500")]].concat();
    let fleet = Fleet::new(1, &hub_env).await;
    let hub = fleet.machine("vm-link-1").await;
    let proxy = Proxy::to(&fleet.hubs[0]).await;
    let dir = tempfile::tempdir().unwrap();
    let edge = Machine::start(&proxy.url, hub.token(), &dir.path().join("j.db"), 0).await;
    edge.wait_in_service().await;
    let reference = edge.bought("cola").await;
    hub.wait_for(&reference, "awaitingPayment").await;
    proxy.cut();
    hub.approve(&reference).await;
    hub.wait_for(&reference, "vendFailed").await;
    proxy.restore();
    edge.wait_in_service().await;

    let (_, session) = edge.get(&format!("/api/sessions/{reference}")).await;
    assert_eq!(session["state"], "vendFailed");
    assert!(edge.vends().is_empty(), "no vend: {:?}", edge.vends());
    let payment = RawVipps::at(&fleet.vipps).payment(&reference).await;
    assert_eq!(payment["aggregate"]["capturedAmount"]["value"], 0);
    assert_eq!(payment["aggregate"]["cancelledAmount"]["value"], 3500);
}

#[tokio::test]
async fn a_link_cut_after_the_ack_sends_the_outcome_when_it_is_back_and_captures_once() {
    let fleet = Fleet::new(1, HUB).await;
    let hub = fleet.machine("vm-link-2").await;
    let proxy = Proxy::to(&fleet.hubs[0]).await;
    let dir = tempfile::tempdir().unwrap();
    let edge = Machine::start(&proxy.url, hub.token(), &dir.path().join("j.db"), 800).await;
    edge.wait_in_service().await;
    let reference = edge.bought("cola").await;
    hub.wait_for(&reference, "awaitingPayment").await;
    hub.approve(&reference).await;
    // The dispenser runs only after an accepted ack: cut while it vends.
    let vending = || edge.vends().contains(&reference).then_some(());
    crate::wait::wait_for(
        "the vend to start",
        std::time::Duration::from_secs(20),
        async || vending(),
    )
    .await;
    proxy.cut();
    edge.wait_journal(&reference, "the outcome journalled", |e| {
        e.stage == Stage::Vended
    })
    .await;
    assert_eq!(
        hub.state(&reference).await,
        "dispensing",
        "the hub waits for the outcome"
    );
    proxy.restore();
    hub.wait_for(&reference, "completed").await;

    assert_eq!(edge.vends(), vec![reference.clone()]);
    let vipps = RawVipps::at(&fleet.vipps);
    assert_eq!(
        vipps.payment(&reference).await["aggregate"]["capturedAmount"]["value"],
        3500
    );
    vipps.assert_captured_under_one_key(&reference).await;
    edge.wait_journal(&reference, "the outcome sent", |e| e.sent == Sent::Yes)
        .await;
}

#[tokio::test]
async fn a_silent_link_puts_the_machine_out_of_service_and_purchases_are_refused() {
    let fleet = Fleet::new(1, HUB).await;
    let hub = fleet.machine("vm-link-3").await;
    let proxy = Proxy::to(&fleet.hubs[0]).await;
    let dir = tempfile::tempdir().unwrap();
    let edge = Machine::start(&proxy.url, hub.token(), &dir.path().join("j.db"), 0).await;
    edge.wait_in_service().await;
    let mut screen = edge.events().await;
    assert_eq!(screen.next().await.data["machine"]["inService"], true);
    proxy.cut();
    let down = screen.until("machine", |d| d["inService"] == false).await;
    assert_eq!(down.data["reason"], "hubUnreachable");
    let (status, problem) = edge.buy("cola").await;
    assert_eq!(status, 503, "{problem}");
    assert_eq!(problem["reason"], "hubUnreachable");
    let log = RawVipps::at(&fleet.vipps).log().await;
    assert!(log.is_empty(), "no payment was started: {log:?}");
    proxy.restore();
    screen.until("machine", |d| d["inService"] == true).await;
    assert_eq!(edge.buy("cola").await.0, 201);
}
