//! Cancels under pressure: one that cannot reach Vipps is kept up (and the
//! screen is not told "cancelled" before Vipps agrees), and the session
//! timeout's cancel losing the race to the customer's approval vends.

use crate::helpers::spawn_app_with;
use crate::wait::wait_for;
use serde_json::{json, Value};
use std::time::Duration;
use vendscreen_protocol::{EndReason, SessionState as S};
use vendscreen_server::retry::RetryPolicy;

#[tokio::test]
async fn a_cancel_while_vipps_is_unreachable_is_retried_until_vipps_has_it() {
    let app = spawn_app_with(&[("VENDSCREEN_WEBHOOK_ENABLED", "false")]).await;
    let r = app.buy("cola").await.reference;
    for endpoint in ["cancel", "get"] {
        let cut = json!({ "endpoint": endpoint, "dropConnection": true, "times": 1_000_000 });
        app.fault(cut).await;
    }
    let path = format!("/api/sessions/{r}/cancel");
    let answer: Value = app.post_json(&path, json!({})).await.json().await.unwrap();
    assert_eq!(
        (answer["state"].as_str(), answer["cancelling"].as_bool()),
        (Some("awaitingPayment"), Some(true))
    );
    // More cancels went out than one call's tries, and none arrived: the
    // engine came back after the client gave up, and keeps at it.
    let one_call = RetryPolicy::CALL.attempts.unwrap() as usize;
    let vipps = app.vipps();
    let cut_off = |c: &&Value| c["operation"] == "cancel" && c["injected"] == "dropped";
    let what = "the engine to retry a cancel the client gave up on";
    wait_for(what, Duration::from_secs(30), async || {
        let calls = vipps.money_calls(&r).await;
        (calls.iter().filter(cut_off).count() > one_call).then_some(())
    })
    .await;
    // Until Vipps has it, nobody may be told the payment is cancelled.
    let now = app.session(&r).await;
    assert_eq!((now.state, now.cancelling), (S::AwaitingPayment, true));
    // (read outside the API, which is cut off too)
    let at_vipps: Value = app
        .get(&format!("/sim/payments/{r}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(at_vipps["state"], "CREATED");
    let cleared = app
        .http
        .delete(app.url("/sim/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 204);
    let ended = app.wait_for(&r, S::Cancelled).await;
    assert_eq!(ended.reason, Some(EndReason::CustomerCancelled));
    assert_eq!(app.payment(&r).await["state"], "TERMINATED");
    assert!(app.vends().is_empty());
}

#[tokio::test]
async fn the_session_timeout_cancel_losing_the_race_to_an_approval_vends_and_captures() {
    // No webhook and no poll before the timeout: the timeout's cancel is the
    // first the machine asks of Vipps about this payment.
    let app = spawn_app_with(&[
        ("VENDSCREEN_WEBHOOK_ENABLED", "false"),
        ("VENDSCREEN_EPAYMENT_POLL_FIRST_MS", "3600000"),
        ("VENDSCREEN_MACHINE_SESSION_TIMEOUT_S", "2"),
    ])
    .await;
    // The cancel is held on its way to Vipps for a moment…
    app.fault(json!({ "endpoint": "cancel", "delayMs": 3000 }))
        .await;
    let r = app.buy("cola").await.reference;
    wait_for(
        "the timeout's cancel",
        Duration::from_secs(15),
        async || app.session(&r).await.cancelling.then_some(()),
    )
    .await;
    // …and the customer approves in that moment: the cancel arrives second.
    app.customer(&r, "approve").await;
    let ended = app.wait_for(&r, S::Completed).await;
    assert_eq!(ended.reason, None);
    assert_eq!(app.vends(), [r.as_str()]);
    let vipps = app.vipps();
    let calls = vipps.money_calls(&r).await;
    let cancels: Vec<&Value> = calls
        .iter()
        .filter(|c| c["operation"] == "cancel")
        .collect();
    assert_eq!(cancels.len(), 1, "{calls:?}");
    // cancelTransactionOnly met an approved payment: refused, nothing voided.
    assert_eq!(cancels[0]["errorCode"], "6060", "{calls:?}");
    vipps.assert_captured_under_one_key(&r).await;
    let aggregate = app.payment(&r).await["aggregate"].clone();
    assert_eq!(aggregate["capturedAmount"]["value"], 3500, "{aggregate}");
}
