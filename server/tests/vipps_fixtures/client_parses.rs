//! The client's model against the fixtures: a stand-in "Vipps" that answers
//! with nothing but the fixture files, over real HTTP, and the production
//! client reading each one (the token and create answers have no public
//! type, so going through the client is the only honest way to parse them).

use crate::epayment_support::{fast_retry, nok, order, settings};
use crate::fixture;
use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::time::Duration;
use vendscreen_server::epayment::model::{
    EventName, PaymentState, WebhookEvent, EPAYMENT_WEBHOOK_EVENTS,
};
use vendscreen_server::epayment::EpaymentClient;

/// The reference whose capture the stand-in refuses with the 6080 problem.
const REFUSED: &str = "vm-042-refused-capture";

fn answer(status: StatusCode, name: &str) -> Response {
    let kind = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    (status, [(header::CONTENT_TYPE, kind)], fixture(name)).into_response()
}

fn ok(name: &'static str) -> impl Fn() -> std::future::Ready<Response> + Clone {
    move || std::future::ready(answer(StatusCode::OK, name))
}

async fn capture(Path(reference): Path<String>) -> Response {
    match reference.as_str() {
        REFUSED => answer(StatusCode::BAD_REQUEST, "problem-6080.json"),
        _ => answer(StatusCode::OK, "capture.json"),
    }
}

/// "Vipps" made of fixtures, and a client pointed at it.
async fn fixture_vipps() -> EpaymentClient {
    let p = "/epayment/v1/payments";
    let app = Router::new()
        .route("/accesstoken/get", post(ok("token.json")))
        .route(
            p,
            post(|| async { answer(StatusCode::CREATED, "create-payment.json") }),
        )
        .route(&format!("{p}/{{r}}"), get(ok("payment-authorized.json")))
        .route(&format!("{p}/{{r}}/events"), get(ok("events.json")))
        .route(&format!("{p}/{{r}}/capture"), post(capture))
        .route(
            &format!("{p}/{{r}}/cancel"),
            post(ok("cancel-terminated.json")),
        )
        .route(&format!("{p}/{{r}}/refund"), post(ok("refund.json")))
        .route(
            "/webhooks/v1/webhooks",
            post(|| async { answer(StatusCode::CREATED, "webhook-registration.json") })
                .get(ok("webhook-list.json")),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    EpaymentClient::with_retry(settings(&base, Duration::from_secs(10)), fast_retry())
}

#[tokio::test]
async fn the_client_reads_the_token_and_the_create_answer() {
    let vipps = fixture_vipps().await;
    let url = vipps
        .create_payment(&order("vm-042-20250114-0001", 3500), "k-1")
        .await
        .unwrap();
    assert_eq!(url, "https://qr.vipps.no/c/abc123");
}

#[tokio::test]
async fn the_client_reads_a_payment_and_its_event_log() {
    let vipps = fixture_vipps().await;
    let p = vipps.get_payment("acme-shop-123-1234589").await.unwrap();
    assert_eq!((p.state, p.amount), (PaymentState::Authorized, nok(6000)));
    assert_eq!(p.aggregate.authorized_amount, nok(6000));
    assert_eq!(p.aggregate.captured_amount, nok(0));
    assert_eq!(p.psp_reference, "37c34d8c-2649-448e-864b-060d5d93e4c4");
    let events = vipps.events("vm-042-20250114-0002").await.unwrap();
    let names: Vec<_> = events.iter().map(|e| (e.name, e.amount.value)).collect();
    use EventName::*;
    assert_eq!(
        names,
        [
            (Created, 49900),
            (Authorized, 49900),
            (Captured, 10000),
            (Cancelled, 39900)
        ]
    );
    assert_eq!(events[2].psp_reference, "2018200034");
    assert!(events
        .iter()
        .all(|e| e.success && e.idempotency_key.is_some()));
}

#[tokio::test]
async fn the_client_reads_capture_refund_and_cancel_answers() {
    let vipps = fixture_vipps().await;
    let r = "vm-042-20250114-0002";
    let captured = vipps.capture(r, nok(10000), "k-2").await.unwrap();
    assert_eq!(captured.state, PaymentState::Authorized);
    assert_eq!(captured.aggregate.captured_amount, nok(10000));
    let refunded = vipps.refund(r, nok(5000), "k-3").await.unwrap();
    assert_eq!(refunded.aggregate.refunded_amount, nok(5000));
    let cancelled = vipps.cancel(r, true, "k-4").await.unwrap();
    assert_eq!(cancelled.state, PaymentState::Terminated);
    assert_eq!(
        (
            cancelled.aggregate.cancelled_amount,
            cancelled.aggregate.authorized_amount
        ),
        (nok(1000), nok(0))
    );
}

#[tokio::test]
async fn the_client_reads_the_error_code_of_a_problem() {
    let vipps = fixture_vipps().await;
    let e = vipps.capture(REFUSED, nok(100), "k-5").await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(400), Some("6080")));
}

#[tokio::test]
async fn the_client_reads_webhook_registration_and_list() {
    let vipps = fixture_vipps().await;
    let url = "https://vending.example.com/vipps/webhook";
    let reg = vipps
        .register_webhook(url, &EPAYMENT_WEBHOOK_EVENTS)
        .await
        .unwrap();
    assert_eq!(reg.id, "497f6eca-6276-4993-bfeb-53cbbbba6f08");
    assert_eq!(reg.secret.expose(), "090a478d-37ff-4e77-970e-d457aeb26a3a");
    let hooks = vipps.list_webhooks().await.unwrap();
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].url, url);
    assert_eq!(hooks[0].events, EPAYMENT_WEBHOOK_EVENTS);
}

#[test]
fn the_client_reads_a_webhook_body() {
    let event: WebhookEvent = serde_json::from_str(&fixture("webhook-authorized.json")).unwrap();
    assert_eq!(event.name, EventName::Authorized);
    assert_eq!(event.name.webhook_type(), "epayments.payment.authorized.v1");
    assert_eq!((event.msn.as_str(), event.amount), ("123456", nok(49900)));
    assert_eq!(event.reference, "acme-shop-123-order123abc");
    assert!(event.success);
}
