//! STUB — to be replaced by the full client (issue 3). Signatures are the contract
//! the session engine relies on.

use super::model::{Amount, ModificationResponse, PaymentDetails};
use std::time::Duration;

/// Where and as whom to call the API. Secrets are never printed (Debug redacts).
#[derive(Clone)]
pub struct EpaymentSettings {
    /// e.g. `https://apitest.vipps.no` or `http://127.0.0.1:8080` (simulator).
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub subscription_key: String,
    pub msn: String,
    /// Per-call timeout.
    pub timeout: Duration,
}

impl std::fmt::Debug for EpaymentSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EpaymentSettings")
            .field("base_url", &self.base_url)
            .field("msn", &self.msn)
            .finish_non_exhaustive()
    }
}

/// What a call can fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EpaymentError {
    /// The API answered with an error (problem+json parsed where possible).
    #[error("ePayment {status}: {title} (code {code:?}, trace {trace_id:?})")]
    Api {
        status: u16,
        /// `extraDetails[name=ErrorCode].reason`, e.g. "6060".
        code: Option<String>,
        title: String,
        trace_id: Option<String>,
    },
    /// No answer: connection failure or timeout, after retries.
    #[error("ePayment unreachable: {0}")]
    Unreachable(String),
}

impl EpaymentError {
    /// The Vipps `ErrorCode`, if the API gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            EpaymentError::Api { code, .. } => code.as_deref(),
            EpaymentError::Unreachable(_) => None,
        }
    }
}

/// Body of a QR-flow create call, built by the engine.
#[derive(Debug, Clone)]
pub struct CreatePayment {
    pub reference: String,
    pub amount: Amount,
    pub description: String,
    pub pos_id: String,
    pub receipt_number: String,
    pub order_lines: Vec<OrderLine>,
}

/// One receipt line.
#[derive(Debug, Clone)]
pub struct OrderLine {
    pub id: String,
    pub name: String,
    pub total_amount: i64,
    pub total_amount_excluding_tax: i64,
    pub total_tax_amount: i64,
    /// 2500 = 25 %.
    pub tax_rate: i64,
}

/// The ePayment client.
#[derive(Clone, Debug)]
pub struct EpaymentClient {
    settings: EpaymentSettings,
}

impl EpaymentClient {
    pub fn new(settings: EpaymentSettings) -> Self {
        EpaymentClient { settings }
    }

    /// Creates a QR payment; returns the `redirectUrl` (the QR target URL).
    pub async fn create_payment(&self, req: &CreatePayment, idempotency_key: &str) -> Result<String, EpaymentError> {
        let _ = (req, idempotency_key, &self.settings);
        todo!()
    }

    pub async fn get_payment(&self, reference: &str) -> Result<PaymentDetails, EpaymentError> {
        let _ = reference;
        todo!()
    }

    pub async fn capture(&self, reference: &str, amount: Amount, idempotency_key: &str) -> Result<ModificationResponse, EpaymentError> {
        let _ = (reference, amount, idempotency_key);
        todo!()
    }

    pub async fn cancel(&self, reference: &str, transaction_only: bool, idempotency_key: &str) -> Result<ModificationResponse, EpaymentError> {
        let _ = (reference, transaction_only, idempotency_key);
        todo!()
    }
}
