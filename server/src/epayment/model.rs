//! Vipps ePayment JSON, as the API spells it (camelCase, upper-case states).

use serde::{Deserialize, Serialize};

/// `{ "currency": "NOK", "value": 2500 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    pub currency: vendscreen_protocol::Currency,
    pub value: i64,
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
