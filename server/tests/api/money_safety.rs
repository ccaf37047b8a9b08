//! Nobody pays for an empty tray (issue 10): an approval learned too late to
//! vend is released, and a payment that is not exactly this purchase's —
//! a reference met again after a store was restored or lost — never vends.

use crate::helpers::{spawn_app, spawn_app_with, spawn_machine_in, TestApp};
use serde_json::json;
use vendscreen_protocol::{EndReason, SessionState as S};

/// The vend window the server runs with (`machine.vend_window_s`'s default).
const VEND_WINDOW_S: u64 = 120;

#[tokio::test]
async fn an_approval_learned_only_after_an_outage_longer_than_the_vend_window_is_released() {
    let app = spawn_app_with(&[("VENDSCREEN_WEBHOOK_ENABLED", "false")]).await;
    let session = app.buy("cola").await;
    // The payment API stops answering reads: the approval cannot be learned.
    app.fault(json!({ "endpoint": "get", "status": 503, "times": 1_000_000 }))
        .await;
    app.customer(&session.reference, "approve").await;
    // The outage outlasts the window on the payment service's clock; the
    // customer has walked away by the time the machine hears of it.
    app.advance_clock(VEND_WINDOW_S + 60).await;
    app.http
        .delete(app.url("/sim/faults"))
        .send()
        .await
        .unwrap();
    let ended = app.wait_for(&session.reference, S::VendFailed).await;
    assert_eq!(ended.reason, Some(EndReason::ApprovalTooLate));
    assert!(app.vends().is_empty(), "vended: {:?}", app.vends());
    let aggregate = app.payment(&session.reference).await["aggregate"].clone();
    assert_eq!(aggregate["capturedAmount"]["value"], 0, "{aggregate}");
    assert_eq!(aggregate["cancelledAmount"]["value"], 3500, "{aggregate}");
}

#[tokio::test]
async fn a_timeout_cancel_answered_6060_after_the_window_releases_instead_of_vending() {
    // No webhook and no poll before the session timeout: only the timeout's
    // cancel can find out that the customer approved.
    let app = spawn_app_with(&[
        ("VENDSCREEN_WEBHOOK_ENABLED", "false"),
        ("VENDSCREEN_EPAYMENT_POLL_FIRST_MS", "3600000"),
        ("VENDSCREEN_MACHINE_SESSION_TIMEOUT_S", "4"),
    ])
    .await;
    let session = app.buy("cola").await;
    app.customer(&session.reference, "approve").await;
    app.advance_clock(VEND_WINDOW_S + 60).await;
    let ended = app.wait_for(&session.reference, S::VendFailed).await;
    assert_eq!(ended.reason, Some(EndReason::ApprovalTooLate));
    assert!(app.vends().is_empty(), "vended: {:?}", app.vends());
    let aggregate = app.payment(&session.reference).await["aggregate"].clone();
    assert_eq!(aggregate["cancelledAmount"]["value"], 3500, "{aggregate}");
}

#[tokio::test]
async fn an_approval_within_the_window_on_the_services_clock_still_vends() {
    let app = spawn_app_with(&[("VENDSCREEN_WEBHOOK_ENABLED", "false")]).await;
    let session = app.buy("cola").await;
    app.customer(&session.reference, "approve").await;
    app.advance_clock(VEND_WINDOW_S - 30).await;
    app.wait_for(&session.reference, S::Completed).await;
    assert_eq!(app.vends(), [session.reference]);
}

/// Buys `product` on `machine` and has the customer approve at `vipps`.
async fn bought(machine: &TestApp, vipps: &TestApp, product: &str) -> String {
    let reference = machine.buy(product).await.reference;
    machine.wait_for(&reference, S::AwaitingPayment).await;
    vipps.customer(&reference, "approve").await;
    machine.wait_for(&reference, S::Completed).await;
    reference
}

#[tokio::test]
async fn a_machine_whose_store_was_lost_never_reuses_a_reference() {
    let vipps = spawn_app().await;
    let first = spawn_machine_in(tempfile::tempdir().unwrap(), &vipps, &[]).await;
    let paid = bought(&first, &vipps, "cola").await;
    // The same machine (same posId) after its store was lost: a new file.
    let again = spawn_machine_in(tempfile::tempdir().unwrap(), &vipps, &[]).await;
    let fresh = again.buy("cola").await.reference;
    assert_ne!(fresh, paid, "a reference was reused");
    vipps.customer(&fresh, "approve").await;
    again.wait_for(&fresh, S::Completed).await;
    assert_eq!(again.vends(), std::slice::from_ref(&fresh));
    for reference in [&paid, &fresh] {
        let captured = &vipps.payment(reference).await["aggregate"]["capturedAmount"];
        assert_eq!(captured["value"], 3500, "{reference}");
    }
}

#[tokio::test]
async fn a_payment_met_again_under_a_restored_store_never_vends() {
    let vipps = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let machine = spawn_machine_in(dir, &vipps, &[]).await;
    // A first purchase, cancelled, then a backup of the store.
    let cancelled = machine.buy("cola").await.reference;
    machine.wait_for(&cancelled, S::AwaitingPayment).await;
    let resp = machine
        .post_json(&format!("/api/sessions/{cancelled}/cancel"), json!({}))
        .await;
    assert!(resp.status().is_success(), "{}", resp.status());
    machine.wait_for(&cancelled, S::Cancelled).await;
    let backup = tempfile::tempdir().unwrap();
    let store = machine.dir.path().join("test.db");
    let copy = backup.path().join("test.db");
    rusqlite::Connection::open(&store)
        .unwrap()
        .execute("VACUUM INTO ?1", [copy.display().to_string()])
        .unwrap();
    // The next purchase is paid, vended and captured.
    let paid = bought(&machine, &vipps, "cola").await;
    // The machine comes back on the backup: its sequence is one behind, so
    // its next purchase has the paid one's reference and an identical body,
    // which the payment service answers with the old, captured payment.
    let restored = spawn_machine_in(backup, &vipps, &[]).await;
    let replayed = restored.buy("cola").await.reference;
    assert_eq!(replayed, paid, "the test needs the reference met again");
    let ended = restored.wait_for(&replayed, S::Failed).await;
    assert_eq!(ended.reason, Some(EndReason::PaymentMismatch));
    assert!(restored.vends().is_empty(), "gave the item away");
    assert_eq!(
        restored.needs_operator().await,
        std::slice::from_ref(&replayed)
    );
    let aggregate = vipps.payment(&paid).await["aggregate"].clone();
    assert_eq!(aggregate["capturedAmount"]["value"], 3500, "{aggregate}");
    assert_eq!(aggregate["cancelledAmount"]["value"], 0, "left alone");
}
