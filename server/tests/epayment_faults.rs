//! Fault injection: retries reuse the Idempotency-Key, so a request the
//! simulator processed but whose answer got lost is replayed, never redone.

mod epayment_support;

use epayment_support::*;
use std::time::Duration;
use vendscreen_server::epayment::model::EventName;
use vendscreen_server::epayment::{EpaymentClient, EpaymentError};
use vendscreen_server::simulator::Fault;

async fn count_events(t: &TestSim, r: &str, name: EventName) -> usize {
    let events = t.client.events(r).await.unwrap();
    events.iter().filter(|e| e.name == name).count()
}

#[tokio::test]
async fn a_create_whose_answer_was_a_500_after_processing_makes_one_payment() {
    let t = spawn().await;
    t.sim
        .inject_fault(Fault::status("create", 500).after_processing());
    let r = reference();
    t.client
        .create_payment(&order(&r, 3500), &key())
        .await
        .unwrap();
    assert_eq!(t.sim.payment_count(), 1);
    assert_eq!(count_events(&t, &r, EventName::Created).await, 1);
}

#[tokio::test]
async fn a_create_whose_connection_dropped_after_processing_makes_one_payment() {
    let t = spawn().await;
    t.sim
        .inject_fault(Fault::drop_connection("create").after_processing());
    let r = reference();
    let url = t
        .client
        .create_payment(&order(&r, 3500), &key())
        .await
        .unwrap();
    assert!(url.contains("/sim/c/"));
    assert_eq!(t.sim.payment_count(), 1);
}

#[tokio::test]
async fn a_capture_whose_answer_was_lost_captures_once() {
    let t = spawn().await;
    let r = t.authorized(3500).await;
    t.sim
        .inject_fault(Fault::status("capture", 502).after_processing());
    let m = t.client.capture(&r, nok(3500), &key()).await.unwrap();
    assert_eq!(m.aggregate.captured_amount, nok(3500));
    assert_eq!(count_events(&t, &r, EventName::Captured).await, 1);
}

#[tokio::test]
async fn a_capture_that_timed_out_after_processing_captures_once() {
    let t = spawn().await;
    let r = t.authorized(3500).await;
    let slow =
        EpaymentClient::with_retry(settings(&t.base, Duration::from_millis(300)), fast_retry());
    let mut fault = Fault::drop_connection("capture").after_processing();
    fault.drop_connection = false;
    fault.delay_ms = 1500;
    t.sim.inject_fault(fault);
    let m = slow.capture(&r, nok(2000), &key()).await.unwrap();
    assert_eq!(m.aggregate.captured_amount, nok(2000));
    assert_eq!(count_events(&t, &r, EventName::Captured).await, 1);
}

#[tokio::test]
async fn transient_failures_before_processing_are_retried() {
    let t = spawn().await;
    t.sim.inject_fault(Fault::status("get", 503).times(2));
    t.sim.inject_fault(Fault::drop_connection("events"));
    let r = t.created(3500).await;
    t.client.get_payment(&r).await.unwrap();
    t.client.events(&r).await.unwrap();
}

#[tokio::test]
async fn locked_and_rate_limited_answers_are_retried() {
    let t = spawn().await;
    let r = t.authorized(3500).await;
    t.sim.inject_fault(Fault::status("capture", 423));
    let mut limited = Fault::status("capture", 429);
    limited.retry_after = Some(1);
    t.sim.inject_fault(limited);
    let m = t.client.capture(&r, nok(3500), &key()).await.unwrap();
    assert_eq!(m.aggregate.captured_amount, nok(3500));
}

#[tokio::test]
async fn a_client_error_is_not_retried() {
    let t = spawn().await;
    let r = t.created(3500).await;
    t.sim.inject_fault(Fault::status("get", 400).times(2));
    let e = t.client.get_payment(&r).await.unwrap_err();
    assert_eq!(e.status(), Some(400));
    // One try consumed one fault: the second is still there.
    assert_eq!(
        t.client.get_payment(&r).await.unwrap_err().status(),
        Some(400)
    );
    t.client.get_payment(&r).await.unwrap();
}

#[tokio::test]
async fn retries_run_out_into_an_api_error() {
    let t = spawn().await;
    let r = t.created(3500).await;
    t.sim.inject_fault(Fault::status("get", 500).times(10));
    let e = t.client.get_payment(&r).await.unwrap_err();
    assert_eq!(e.status(), Some(500));
}

#[tokio::test]
async fn one_401_drops_the_token_and_tries_again() {
    let t = spawn().await;
    let r = t.created(3500).await;
    t.sim.inject_fault(Fault::status("get", 401));
    t.client.get_payment(&r).await.unwrap();
    assert_eq!(t.sim.tokens_issued(), 2);
}

#[tokio::test]
async fn an_expired_token_is_replaced_after_the_401() {
    let t = spawn().await;
    let r = t.created(3500).await;
    // The simulator's clock passes the token's hour; our cache does not know.
    t.sim.advance_clock(Duration::from_secs(3700));
    assert_eq!(t.client.get_payment(&r).await.unwrap().reference, r);
}

#[tokio::test]
async fn a_failing_token_call_is_retried() {
    let t = spawn().await;
    t.sim.inject_fault(Fault::status("token", 500));
    t.created(3500).await;
}

#[tokio::test]
async fn nobody_listening_is_unreachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = EpaymentClient::with_retry(settings(&base, Duration::from_secs(2)), fast_retry());
    let e = client.get_payment("vm-042-00000001").await.unwrap_err();
    assert!(matches!(e, EpaymentError::Unreachable(_)), "{e:?}");
}

#[tokio::test]
async fn faults_can_be_injected_over_http() {
    let t = spawn().await;
    let r = t.created(3500).await;
    let fault = serde_json::json!({"endpoint": "get", "status": 400, "times": 1});
    let s = t
        .http
        .post(format!("{}/sim/faults", t.base))
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert_eq!(s.status(), 204);
    assert_eq!(
        t.client.get_payment(&r).await.unwrap_err().status(),
        Some(400)
    );
    t.http
        .post(format!("{}/sim/faults", t.base))
        .json(&fault)
        .send()
        .await
        .unwrap();
    t.http
        .delete(format!("{}/sim/faults", t.base))
        .send()
        .await
        .unwrap();
    t.client.get_payment(&r).await.unwrap();
}

#[tokio::test]
async fn a_dropped_connection_reaches_the_client_as_unreachable() {
    let t = spawn().await;
    let r = t.created(3500).await;
    let mut once = fast_retry();
    once.attempts = Some(1);
    let client =
        EpaymentClient::with_retry(settings(&t.base, std::time::Duration::from_secs(5)), once);
    t.sim.inject_fault(Fault::drop_connection("get"));
    let e = client.get_payment(&r).await.unwrap_err();
    assert!(matches!(e, EpaymentError::Unreachable(_)), "{e:?}");
}
