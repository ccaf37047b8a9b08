//! Contract tests: the production client against the simulator over real HTTP,
//! one or more per operation.

mod epayment_support;

use base64::Engine;
use epayment_support::*;
use vendscreen_server::epayment::model::{EventName, PaymentState, EPAYMENT_WEBHOOK_EVENTS};
use vendscreen_server::epayment::QrFormat;

#[tokio::test]
async fn create_returns_the_qr_target_url_and_get_shows_created() {
    let t = spawn().await;
    let r = reference();
    let url = t
        .client
        .create_payment(&order(&r, 3500), &key())
        .await
        .unwrap();
    assert!(url.starts_with(&format!("{}/sim/c/", t.base)), "{url}");
    let p = t.client.get_payment(&r).await.unwrap();
    assert_eq!(p.state, PaymentState::Created);
    assert_eq!(p.amount, nok(3500));
    assert_eq!(p.aggregate.authorized_amount, nok(0));
}

#[tokio::test]
async fn the_event_log_records_the_create_with_its_key() {
    let t = spawn().await;
    let (r, k) = (reference(), key());
    t.client.create_payment(&order(&r, 3500), &k).await.unwrap();
    let events = t.client.events(&r).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].name, EventName::Created);
    assert_eq!(events[0].idempotency_key.as_deref(), Some(k.as_str()));
    let p = t.client.get_payment(&r).await.unwrap();
    assert_eq!(events[0].psp_reference, p.psp_reference);
}

#[tokio::test]
async fn a_purchase_captures_in_parts_and_refunds() {
    let t = spawn().await;
    let r = t.authorized(5000).await;
    let m = t.client.capture(&r, nok(2000), &key()).await.unwrap();
    assert_eq!(
        (m.state, m.aggregate.captured_amount),
        (PaymentState::Authorized, nok(2000))
    );
    let m = t.client.capture(&r, nok(3000), &key()).await.unwrap();
    assert_eq!(m.aggregate.captured_amount, nok(5000));
    let m = t.client.refund(&r, nok(1000), &key()).await.unwrap();
    assert_eq!(m.aggregate.refunded_amount, nok(1000));
    let names: Vec<_> = t
        .client
        .events(&r)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    use EventName::*;
    assert_eq!(names, [Created, Authorized, Captured, Captured, Refunded]);
}

#[tokio::test]
async fn cancel_before_approval_terminates_with_the_whole_amount_cancelled() {
    let t = spawn().await;
    let r = t.created(3500).await;
    let m = t.client.cancel(&r, true, &key()).await.unwrap();
    assert_eq!(m.state, PaymentState::Terminated);
    assert_eq!(m.aggregate.cancelled_amount, nok(3500));
    assert_eq!(m.aggregate.authorized_amount, nok(0));
}

#[tokio::test]
async fn cancel_transaction_only_refuses_an_authorized_payment_with_6060() {
    let t = spawn().await;
    let r = t.authorized(3500).await;
    let e = t.client.cancel(&r, true, &key()).await.unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(400), Some("6060")));
    let p = t.client.get_payment(&r).await.unwrap();
    assert_eq!(p.aggregate.cancelled_amount, nok(0));
}

#[tokio::test]
async fn cancel_after_a_partial_capture_releases_the_rest() {
    let t = spawn().await;
    let r = t.authorized(1000).await;
    t.client.capture(&r, nok(250), &key()).await.unwrap();
    let m = t.client.cancel(&r, false, &key()).await.unwrap();
    assert_eq!(m.state, PaymentState::Authorized);
    assert_eq!(m.aggregate.cancelled_amount, nok(750));
    let last = t.client.events(&r).await.unwrap().pop().unwrap();
    assert_eq!((last.name, last.amount), (EventName::Cancelled, nok(750)));
}

#[tokio::test]
async fn domain_errors_carry_their_error_codes() {
    let t = spawn().await;
    let created = t.created(3500).await;
    let e = t
        .client
        .capture(&created, nok(3500), &key())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("6080"));
    let e = t
        .client
        .refund(&created, nok(100), &key())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("6020"));
    let authorized = t.authorized(3500).await;
    let e = t
        .client
        .capture(&authorized, nok(3501), &key())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("6090"));
    let e = t
        .client
        .refund(&authorized, nok(1), &key())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("6150"));
    let e = t
        .client
        .get_payment("vm-042-unknown-ref")
        .await
        .unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(404), Some("5090")));
}

#[tokio::test]
async fn a_reused_reference_is_refused_with_4150() {
    let t = spawn().await;
    let r = t.created(3500).await;
    let e = t
        .client
        .create_payment(&order(&r, 3500), &key())
        .await
        .unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(409), Some("4150")));
}

#[tokio::test]
async fn a_key_reused_for_a_different_body_is_a_conflict() {
    let t = spawn().await;
    let k = key();
    t.client
        .create_payment(&order(&reference(), 3500), &k)
        .await
        .unwrap();
    let e = t
        .client
        .create_payment(&order(&reference(), 3500), &k)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(409));
    assert_eq!(t.sim.payment_count(), 1);
}

#[tokio::test]
async fn an_invalid_reference_is_a_validation_error_without_code() {
    let t = spawn().await;
    let e = t
        .client
        .create_payment(&order("short", 3500), &key())
        .await
        .unwrap_err();
    assert_eq!((e.status(), e.code()), (Some(400), None));
}

#[tokio::test]
async fn webhooks_register_list_and_delete() {
    let t = spawn().await;
    let url = "https://vending.example.com/vipps/webhook";
    let reg = t
        .client
        .register_webhook(url, &EPAYMENT_WEBHOOK_EVENTS)
        .await
        .unwrap();
    assert!(!reg.secret.expose().is_empty());
    let hooks = t.client.list_webhooks().await.unwrap();
    assert_eq!(hooks.len(), 1);
    assert_eq!(
        (hooks[0].id.as_str(), hooks[0].url.as_str()),
        (reg.id.as_str(), url)
    );
    assert_eq!(hooks[0].events.len(), 8);
    t.client.delete_webhook(&reg.id).await.unwrap();
    assert!(t.client.list_webhooks().await.unwrap().is_empty());
    let e = t.client.delete_webhook(&reg.id).await.unwrap_err();
    assert_eq!(e.status(), Some(404));
}

#[tokio::test]
async fn the_svg_mode_yields_a_data_url_of_the_qr_image() {
    let t = spawn().await;
    let mut req = order(&reference(), 3500);
    req.qr_format = QrFormat::Svg;
    let url = t.client.create_payment(&req, &key()).await.unwrap();
    assert!(url.contains("/sim/qr-image/"), "{url}");
    let data = t.client.fetch_qr_image(&url).await.unwrap();
    let b64 = data.strip_prefix("data:image/svg+xml;base64,").unwrap();
    let svg = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert!(String::from_utf8(svg).unwrap().contains("<svg"));
}

#[tokio::test]
async fn a_qr_image_url_that_is_not_svg_is_refused() {
    let t = spawn().await;
    let r = reference();
    let target = t
        .client
        .create_payment(&order(&r, 3500), &key())
        .await
        .unwrap();
    // The phone page is HTML: exactly what must never reach the display as an image.
    assert!(t.client.fetch_qr_image(&target).await.is_err());
}

#[tokio::test]
async fn concurrent_calls_share_one_access_token() {
    let t = spawn().await;
    let r = t.created(3500).await;
    let calls = (0..8).map(|_| t.client.get_payment(&r));
    for result in futures_util::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(t.sim.tokens_issued(), 1);
}
