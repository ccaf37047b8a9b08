//! Vipps ePayment / Webhooks JSON, as the API spells it (camelCase, upper-case
//! states). Shared by the client and the simulator so both speak one dialect.

use serde::{Deserialize, Serialize};

/// `{ "currency": "NOK", "value": 2500 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    pub currency: vendscreen_protocol::Currency,
    pub value: i64,
}

impl Amount {
    pub fn new(currency: vendscreen_protocol::Currency, value: i64) -> Self {
        Amount { currency, value }
    }
}

/// The provider's payment states (ePayment §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PaymentState {
    Created,
    Aborted,
    Expired,
    Authorized,
    Terminated,
}

/// `aggregate` of a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Aggregate {
    pub authorized_amount: Amount,
    pub cancelled_amount: Amount,
    pub captured_amount: Amount,
    pub refunded_amount: Amount,
}

/// Answer of `GET /epayment/v1/payments/{reference}` (the fields we use).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDetails {
    pub reference: String,
    pub state: PaymentState,
    pub amount: Amount,
    pub aggregate: Aggregate,
    pub psp_reference: String,
}

/// Answer of capture / cancel / refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModificationResponse {
    pub amount: Amount,
    pub state: PaymentState,
    pub aggregate: Aggregate,
    pub psp_reference: String,
    pub reference: String,
}

/// Event names of the event log and of webhooks (`name`), upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
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
    /// All eight, in the order the webhook docs list them.
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

    /// The Webhooks API event type, e.g. `epayments.payment.authorized.v1`.
    pub fn webhook_type(self) -> &'static str {
        match self {
            EventName::Created => "epayments.payment.created.v1",
            EventName::Aborted => "epayments.payment.aborted.v1",
            EventName::Expired => "epayments.payment.expired.v1",
            EventName::Cancelled => "epayments.payment.cancelled.v1",
            EventName::Captured => "epayments.payment.captured.v1",
            EventName::Refunded => "epayments.payment.refunded.v1",
            EventName::Authorized => "epayments.payment.authorized.v1",
            EventName::Terminated => "epayments.payment.terminated.v1",
        }
    }
}

/// The eight ePayment webhook event types, for registration.
pub const EPAYMENT_WEBHOOK_EVENTS: [&str; 8] = [
    "epayments.payment.created.v1",
    "epayments.payment.aborted.v1",
    "epayments.payment.expired.v1",
    "epayments.payment.cancelled.v1",
    "epayments.payment.captured.v1",
    "epayments.payment.refunded.v1",
    "epayments.payment.authorized.v1",
    "epayments.payment.terminated.v1",
];

/// One entry of `GET /epayment/v1/payments/{reference}/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentEvent {
    pub reference: String,
    /// This event's own pspReference (differs per event by design).
    pub psp_reference: String,
    pub name: EventName,
    /// The amount of this event, not of the payment.
    pub amount: Amount,
    pub timestamp: String,
    #[serde(default)]
    pub idempotency_key: Option<String>,
    pub success: bool,
}

/// Body of an `epayments.payment.*.v1` webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    pub msn: String,
    pub reference: String,
    pub psp_reference: String,
    pub name: EventName,
    pub amount: Amount,
    pub timestamp: String,
    /// May be absent (e.g. on `CANCELLED`).
    #[serde(default)]
    pub idempotency_key: Option<String>,
    pub success: bool,
}

/// Answer of `POST /webhooks/v1/webhooks`; the secret is shown only here,
/// and stays wrapped from here on (Debug redacts it).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WebhookRegistration {
    pub id: String,
    pub secret: crate::config::Secret,
}

/// One registration as `GET /webhooks/v1/webhooks` lists it (no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
}

/// `GET /webhooks/v1/webhooks` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookList {
    pub webhooks: Vec<Webhook>,
}

/// RFC 7807 body of an error (`application/problem+json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    #[serde(default)]
    pub trace_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_details: Vec<ExtraDetail>,
}

/// `extraDetails[]` entry: a field name, or `ErrorCode` with the code as reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraDetail {
    pub name: String,
    pub reason: String,
}

impl Problem {
    /// The domain `ErrorCode`, e.g. "6060", when the error has one.
    pub fn error_code(&self) -> Option<&str> {
        self.extra_details
            .iter()
            .find(|d| d.name == "ErrorCode")
            .map(|d| d.reason.as_str())
    }
}
