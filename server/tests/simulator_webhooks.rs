//! Webhook delivery: a local receiver verifies each delivery with our own
//! `hmac::verify`, fails the first AUTHORIZED with a 500, and sees the events
//! in order, the CAPTURED held back until AUTHORIZED was accepted.

mod epayment_support;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use epayment_support::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::mpsc;
use vendscreen_server::epayment::hmac;
use vendscreen_server::epayment::model::{EventName, WebhookEvent, EPAYMENT_WEBHOOK_EVENTS};

/// What the receiver saw: the event, whether the signature held, what it answered.
type Seen = (WebhookEvent, bool, u16);

#[derive(Clone)]
struct Receiver {
    url: String,
    secret: Arc<OnceLock<String>>,
    failed_once: Arc<AtomicBool>,
    seen: mpsc::UnboundedSender<Seen>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let Ok(event) = serde_json::from_slice::<WebhookEvent>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let secret = r.secret.get().cloned().unwrap_or_default();
    let valid = hmac::verify(&secret, &r.url, &headers, &body);
    let fail = event.name == EventName::Authorized && !r.failed_once.swap(true, Ordering::SeqCst);
    let status = if fail {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    let _ = r.seen.send((event, valid, status.as_u16()));
    status
}

async fn start_receiver() -> (Receiver, mpsc::UnboundedReceiver<Seen>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/vipps/webhook?machine=vm-042",
        listener.local_addr().unwrap()
    );
    let (tx, rx) = mpsc::unbounded_channel();
    let receiver = Receiver {
        url,
        secret: Arc::default(),
        failed_once: Arc::default(),
        seen: tx,
    };
    let app = Router::new()
        .route("/vipps/webhook", post(receive))
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (receiver, rx)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Seen>) -> Seen {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("a delivery in time")
        .unwrap()
}

#[tokio::test]
async fn deliveries_are_signed_ordered_and_retried() {
    let t = spawn_with(|c| c.webhook_retry_base = Duration::from_millis(20)).await;
    let (receiver, mut rx) = start_receiver().await;
    let reg = t
        .client
        .register_webhook(&receiver.url, &EPAYMENT_WEBHOOK_EVENTS)
        .await
        .unwrap();
    receiver.secret.set(reg.secret.expose().into()).unwrap();

    let r = t.authorized(3500).await;
    t.client.capture(&r, nok(3500), &key()).await.unwrap();

    let mut got = Vec::new();
    while got.last().map(|(e, _, s): &Seen| (e.name, *s)) != Some((EventName::Captured, 200)) {
        got.push(next(&mut rx).await);
    }
    let trace: Vec<_> = got.iter().map(|(e, ok, s)| (e.name, *ok, *s)).collect();
    use EventName::*;
    assert_eq!(
        trace,
        [
            (Created, true, 200),
            (Authorized, true, 500),
            (Authorized, true, 200),
            (Captured, true, 200)
        ]
    );
    let captured = &got[3].0;
    assert_eq!(
        (captured.msn.as_str(), captured.reference.as_str()),
        ("123456", r.as_str())
    );
    assert_eq!(captured.amount, nok(3500));
    assert!(captured.success);
}

#[tokio::test]
async fn a_registration_gets_only_its_event_types() {
    let t = spawn_with(|c| c.webhook_retry_base = Duration::from_millis(20)).await;
    let (receiver, mut rx) = start_receiver().await;
    let reg = t
        .client
        .register_webhook(&receiver.url, &["epayments.payment.expired.v1"])
        .await
        .unwrap();
    receiver.secret.set(reg.secret.expose().into()).unwrap();
    let r = t.created(3500).await;
    t.sim.advance_clock(Duration::from_secs(600));
    let (event, valid, _) = next(&mut rx).await;
    assert_eq!(
        (event.name, event.reference.as_str(), valid),
        (EventName::Expired, r.as_str(), true)
    );
}
