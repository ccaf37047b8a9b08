//! The edge's link to the hub through a proxy the test cuts: before the
//! acknowledgement nothing is vended and the hub releases; after it, the
//! outcome is sent again once the link is back and captured once; a silent
//! link puts the machine out of service before any money is taken.

use crate::machine::Rig;

#[tokio::test]
async fn a_link_cut_before_the_ack_vends_nothing_and_the_hub_releases() {
    let rig = Rig::new("vm-link-1", &[("VENDSCREEN_HUB_VEND_ACK_MS", "1500")], 0).await;
    let reference = rig.bought().await;
    rig.proxy.cut();
    rig.hub.approve(&reference).await;
    rig.hub.wait_for(&reference, "vendFailed").await;
    rig.proxy.restore();
    rig.edge.wait_in_service().await;

    let (_, session) = rig.edge.get(&format!("/api/sessions/{reference}")).await;
    assert_eq!(session["state"], "vendFailed");
    assert!(
        rig.edge.vends().is_empty(),
        "no vend: {:?}",
        rig.edge.vends()
    );
    let payment = rig.vipps().payment(&reference).await;
    assert_eq!(payment["aggregate"]["capturedAmount"]["value"], 0);
    assert_eq!(payment["aggregate"]["cancelledAmount"]["value"], 3500);
}

#[tokio::test]
async fn a_link_cut_after_the_ack_sends_the_outcome_when_it_is_back_and_captures_once() {
    let rig = Rig::new("vm-link-2", &[], 800).await;
    let reference = rig.vended_unsent().await;
    let waiting = rig.hub.state(&reference).await;
    assert_eq!(waiting, "dispensing", "the hub waits for the outcome");
    rig.proxy.restore();
    rig.hub.wait_for(&reference, "completed").await;

    assert_eq!(rig.edge.vends(), vec![reference.clone()]);
    let payment = rig.vipps().payment(&reference).await;
    assert_eq!(payment["aggregate"]["capturedAmount"]["value"], 3500);
    rig.assert_settled_once(&reference).await;
}

#[tokio::test]
async fn a_silent_link_puts_the_machine_out_of_service_and_purchases_are_refused() {
    let rig = Rig::new("vm-link-3", &[], 0).await;
    let mut screen = rig.edge.events().await;
    assert_eq!(screen.next().await.data["machine"]["inService"], true);
    rig.proxy.cut();
    let down = screen.until("machine", |d| d["inService"] == false).await;
    assert_eq!(down.data["reason"], "hubUnreachable");
    let (status, problem) = rig.edge.buy("cola").await;
    assert_eq!(status, 503, "{problem}");
    assert_eq!(problem["reason"], "hubUnreachable");
    assert!(rig.vipps().log().await.is_empty(), "no payment was started");
    rig.proxy.restore();
    screen.until("machine", |d| d["inService"] == true).await;
    assert_eq!(rig.edge.buy("cola").await.0, 201);
}
