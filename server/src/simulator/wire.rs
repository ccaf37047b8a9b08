//! The simulator's own spelling of Vipps's JSON, written from the API
//! description (`shared/ref/epayment.v1.yml`: `State`, `PaymentEventName`, `Amount`,
//! `GetPaymentResponse`, `ModificationResponse`, `PaymentEvent`,
//! `WebhookEvent`) and never from the client's model: the simulator is a
//! second witness of the wire, so a misspelling on one side shows up as a
//! failed test instead of being written and read by the same derive.

use super::payment::{Logged, Payment};
use serde_json::{json, Value};

/// `State`: where a payment is (final except `Created`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentState {
    Created,
    Aborted,
    Expired,
    Authorized,
    Terminated,
}

impl PaymentState {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentState::Created => "CREATED",
            PaymentState::Aborted => "ABORTED",
            PaymentState::Expired => "EXPIRED",
            PaymentState::Authorized => "AUTHORIZED",
            PaymentState::Terminated => "TERMINATED",
        }
    }
}

/// `PaymentEventName`: one entry of the event log, one webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventName {
    Created,
    Aborted,
    Expired,
    Cancelled,
    Captured,
    Refunded,
    Authorized,
    Terminated,
}

impl EventName {
    pub const ALL: [EventName; 8] = [
        EventName::Created,
        EventName::Aborted,
        EventName::Expired,
        EventName::Cancelled,
        EventName::Captured,
        EventName::Refunded,
        EventName::Authorized,
        EventName::Terminated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventName::Created => "CREATED",
            EventName::Aborted => "ABORTED",
            EventName::Expired => "EXPIRED",
            EventName::Cancelled => "CANCELLED",
            EventName::Captured => "CAPTURED",
            EventName::Refunded => "REFUNDED",
            EventName::Authorized => "AUTHORIZED",
            EventName::Terminated => "TERMINATED",
        }
    }

    /// The Webhooks API event type. The docs give the rule, not a table:
    /// the event-log name in lower case, `epayments.payment.` before, `.v1` after.
    pub fn webhook_type(self) -> String {
        format!(
            "epayments.payment.{}.v1",
            self.as_str().to_ascii_lowercase()
        )
    }
}

/// `Currency`: the three the API knows.
pub fn currency(code: &str) -> Option<&'static str> {
    ["NOK", "DKK", "EUR"].into_iter().find(|c| *c == code)
}

/// `Amount`: `{"currency": "NOK", "value": 2500}` (minor units).
pub fn amount(currency: &str, value: i64) -> Value {
    json!({ "currency": currency, "value": value })
}

fn aggregate(p: &Payment) -> Value {
    let c = p.currency;
    json!({
        "authorizedAmount": amount(c, p.authorized),
        "cancelledAmount": amount(c, p.cancelled),
        "capturedAmount": amount(c, p.captured),
        "refundedAmount": amount(c, p.refunded),
    })
}

/// `GetPaymentResponse`: the required fields, `profile` empty (no scope asked).
pub fn payment(p: &Payment) -> Value {
    json!({
        "aggregate": aggregate(p),
        "amount": amount(p.currency, p.value),
        "state": p.state.as_str(),
        "paymentMethod": { "type": "WALLET" },
        "profile": {},
        "pspReference": p.psp_reference,
        "reference": p.reference,
    })
}

/// `ModificationResponse` of capture, cancel and refund.
pub fn modification(p: &Payment) -> Value {
    json!({
        "amount": amount(p.currency, p.value),
        "state": p.state.as_str(),
        "aggregate": aggregate(p),
        "pspReference": p.psp_reference,
        "reference": p.reference,
    })
}

/// `PaymentEvent`: one entry of `GET …/events`.
pub fn event(p: &Payment, e: &Logged) -> Value {
    json!({
        "reference": p.reference,
        "pspReference": e.psp_reference,
        "name": e.name.as_str(),
        "amount": amount(p.currency, e.value),
        "timestamp": e.timestamp,
        "idempotencyKey": e.idempotency_key,
        "success": e.success,
    })
}

/// `WebhookEvent`: the event log entry plus the merchant's `msn`.
pub fn webhook(p: &Payment, e: &Logged) -> Value {
    let mut body = event(p, e);
    body["msn"] = json!(p.msn);
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_types_follow_the_documented_rule() {
        assert_eq!(
            EventName::Authorized.webhook_type(),
            "epayments.payment.authorized.v1"
        );
        assert_eq!(
            EventName::Cancelled.webhook_type(),
            "epayments.payment.cancelled.v1"
        );
    }

    #[test]
    fn only_the_three_currencies_are_known() {
        assert_eq!(currency("DKK"), Some("DKK"));
        assert_eq!(currency("SEK"), None);
        assert_eq!(currency("nok"), None);
    }
}
