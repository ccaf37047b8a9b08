use super::*;
use crate::domain::{Phase, Status};
use crate::epayment::model::{Aggregate, Amount};
use time::macros::datetime;
use vendscreen_protocol::{Currency, Money};

const WINDOW: time::Duration = time::Duration::seconds(120);
const APPROVED: OffsetDateTime = datetime!(2026-11-30 10:00:00.5 UTC);

fn record() -> SessionRecord {
    SessionRecord {
        reference: "vm-1-abc123-000007".into(),
        machine: "vm-1".into(),
        seq: 7,
        version: 3,
        product_id: "cola".into(),
        product_name: "Cola".into(),
        slot: "A1".into(),
        amount: Money::new(3500, Currency::Nok),
        tax_rate: 1500,
        qr_url: None,
        qr_image: None,
        status: Status::new(Phase::Authorized),
        operator: None,
        created_at: APPROVED - time::Duration::minutes(1),
        expires_at: APPROVED + time::Duration::minutes(9),
        authorized_at: Some(APPROVED),
        ended_at: None,
        request_id: None,
        vend_acked_at: None,
        due_at: None,
        phase_since: None,
        attempts: 0,
    }
}

fn nok(value: i64) -> Amount {
    Amount::new(Currency::Nok, value)
}

fn payment(authorized: i64, captured: i64, cancelled: i64) -> PaymentDetails {
    PaymentDetails {
        reference: "vm-1-abc123-000007".into(),
        state: PaymentState::Authorized,
        amount: nok(3500),
        aggregate: Aggregate {
            authorized_amount: nok(authorized),
            cancelled_amount: nok(cancelled),
            captured_amount: nok(captured),
            refunded_amount: nok(0),
        },
        psp_reference: "1".into(),
    }
}

fn event(name: EventName, at: &str) -> PaymentEvent {
    PaymentEvent {
        reference: "vm-1-abc123-000007".into(),
        psp_reference: "2".into(),
        name,
        amount: nok(3500),
        timestamp: at.into(),
        idempotency_key: None,
        success: true,
    }
}

fn log() -> Vec<PaymentEvent> {
    vec![
        event(EventName::Created, "2026-11-30T09:59:00Z"),
        // Vipps writes seven fractional digits.
        event(EventName::Authorized, "2026-11-30T10:00:00.5000000Z"),
    ]
}

fn judged(p: &PaymentDetails, events: &[PaymentEvent], seconds_later: i64) -> Verdict {
    let now = APPROVED + time::Duration::seconds(seconds_later);
    judge(&record(), p, events, now, WINDOW)
}

#[test]
fn an_exact_approval_within_the_window_vends() {
    assert_eq!(judged(&payment(3500, 0, 0), &log(), 3), Verdict::Vend);
    assert_eq!(judged(&payment(3500, 0, 0), &log(), 120), Verdict::Vend);
}

#[test]
fn an_approval_older_than_the_window_on_the_services_clock_is_too_late() {
    assert_eq!(judged(&payment(3500, 0, 0), &log(), 121), Verdict::TooLate);
    assert_eq!(judged(&payment(3500, 0, 0), &log(), 3600), Verdict::TooLate);
}

#[test]
fn a_payment_that_is_not_exactly_this_purchase_is_not_ours() {
    let not_ours = |p: PaymentDetails| matches!(judged(&p, &log(), 1), Verdict::NotOurs(_));
    assert!(not_ours(payment(3500, 3500, 0)), "already captured");
    assert!(not_ours(payment(3500, 0, 3500)), "already cancelled");
    assert!(not_ours(payment(2900, 0, 0)), "another amount authorized");
    let mut other_price = payment(2900, 0, 0);
    other_price.amount = nok(2900);
    assert!(not_ours(other_price), "another purchase's price");
    let mut refunded = payment(3500, 0, 0);
    refunded.aggregate.refunded_amount = nok(100);
    assert!(not_ours(refunded));
    let mut expired = payment(3500, 0, 0);
    expired.state = PaymentState::Expired;
    assert!(not_ours(expired));
    let mut euros = payment(3500, 0, 0);
    euros.amount = Amount::new(Currency::Eur, 3500);
    assert!(not_ours(euros));
}

#[test]
fn a_log_without_exactly_one_readable_approval_is_not_ours() {
    let p = payment(3500, 0, 0);
    let mut twice = log();
    twice.push(event(EventName::Authorized, "2026-11-30T10:00:01Z"));
    assert!(matches!(judged(&p, &twice, 1), Verdict::NotOurs(_)));
    let none = vec![event(EventName::Created, "2026-11-30T09:59:00Z")];
    assert!(matches!(judged(&p, &none, 1), Verdict::NotOurs(_)));
    let garbled = vec![event(EventName::Authorized, "yesterday")];
    assert!(matches!(judged(&p, &garbled, 1), Verdict::NotOurs(_)));
    let mut failed = log();
    failed[1].success = false;
    assert!(matches!(judged(&p, &failed, 1), Verdict::NotOurs(_)));
}
