//! The ePayment client: settings, the error type, and one method per API
//! operation. The HTTP mechanics (headers, retries, token) live in `transport`.

use super::model::{
    Amount, PaymentDetails, PaymentEvent, Webhook, WebhookList, WebhookRegistration,
};
use super::token::TokenCache;
use super::transport::Call;
use crate::config::Secret;
use crate::retry::RetryPolicy;
use reqwest::Method;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;

/// Where and as whom to call the API. Secrets are never printed (Debug redacts).
#[derive(Debug, Clone)]
pub struct EpaymentSettings {
    /// e.g. `https://apitest.vipps.no` or `http://127.0.0.1:8080` (simulator).
    pub base_url: String,
    pub client_id: String,
    /// Kept wrapped up to the header that sends it.
    pub client_secret: Secret,
    pub subscription_key: Secret,
    pub msn: String,
    /// Per-call timeout (each try).
    pub timeout: Duration,
}

/// What a call can fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EpaymentError {
    /// The API answered with an error (problem+json parsed where possible).
    /// A 429 or 5xx arrives here only after the retries ran out.
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
    /// An answer that is not the documented JSON (a proxy's page, a body cut
    /// or changed on the way): the service may have acted, but we cannot
    /// tell what it said. Not a refusal, so worth another try.
    #[error("ePayment {op}: HTTP {status} answer is not the documented JSON: {detail}")]
    Undecodable {
        op: &'static str,
        status: u16,
        detail: String,
    },
}

impl EpaymentError {
    /// The Vipps `ErrorCode`, if the API gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            EpaymentError::Api { code, .. } => code.as_deref(),
            EpaymentError::Unreachable(_) | EpaymentError::Undecodable { .. } => None,
        }
    }

    /// The HTTP status of an error the API answered with (an answer we
    /// could not read has none: its status said nothing went wrong).
    pub fn status(&self) -> Option<u16> {
        match self {
            EpaymentError::Api { status, .. } => Some(*status),
            EpaymentError::Unreachable(_) | EpaymentError::Undecodable { .. } => None,
        }
    }

    /// Whether trying the same call again may succeed: no answer, one we
    /// could not read, a 5xx, 423 (locked by a concurrent operation) or 429
    /// (rate limited). Every other answer is the service's decision and
    /// stays the same on a retry.
    pub fn is_transient(&self) -> bool {
        match self {
            EpaymentError::Unreachable(_) | EpaymentError::Undecodable { .. } => true,
            EpaymentError::Api { status, .. } => *status >= 500 || matches!(status, 423 | 429),
        }
    }

    /// Whether this failure means the service cannot be used at all, not just
    /// that this one call was refused: no answer, a 5xx that outlived the
    /// retries, or credentials it refuses (401 survives one fresh token; 403
    /// is a product or MSN not enabled for us). Either way nobody can pay.
    pub fn service_unusable(&self) -> bool {
        match self {
            EpaymentError::Unreachable(_) => true,
            EpaymentError::Api { status, .. } => *status >= 500 || matches!(status, 401 | 403),
            // It answered: one unreadable answer does not take it out of use.
            EpaymentError::Undecodable { .. } => false,
        }
    }
}

impl EpaymentError {
    /// A body that did not decode; logged here, where the cause is known.
    pub(crate) fn undecodable(op: &'static str, status: u16, e: &serde_json::Error) -> Self {
        tracing::warn!(op, status, error = %e, "ePayment answer is not the documented JSON");
        EpaymentError::Undecodable {
            op,
            status,
            detail: e.to_string(),
        }
    }
}

/// An answer and the payment service's `Date` on it (`None` when it sent none).
#[derive(Debug, Clone)]
pub struct Dated<T> {
    pub value: T,
    pub served_at: Option<time::OffsetDateTime>,
}

/// How the create call asks for the QR (`qrFormat.format`); configured as
/// `epayment.qr_format` by the same names, any other name refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
pub enum QrFormat {
    /// `TEXT/TARGETURL`: `redirectUrl` is the URL to encode; we render the QR.
    #[default]
    #[serde(rename = "TEXT/TARGETURL")]
    TargetUrl,
    /// `IMAGE/SVG+XML`: `redirectUrl` is an image Vipps renders (`fetch_qr_image`).
    #[serde(rename = "IMAGE/SVG+XML")]
    Svg,
}

impl QrFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            QrFormat::TargetUrl => "TEXT/TARGETURL",
            QrFormat::Svg => "IMAGE/SVG+XML",
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
    pub qr_format: QrFormat,
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

/// The ePayment client; clones share the token cache and connection pool.
#[derive(Clone)]
pub struct EpaymentClient {
    inner: Arc<Inner>,
}

struct Inner {
    settings: EpaymentSettings,
    http: reqwest::Client,
    tokens: TokenCache,
    retry: RetryPolicy,
}

impl std::fmt::Debug for EpaymentClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EpaymentClient")
            .field("settings", &self.inner.settings)
            .finish()
    }
}

impl EpaymentClient {
    pub fn new(settings: EpaymentSettings) -> Self {
        Self::with_retry(settings, RetryPolicy::default())
    }

    /// A client with its own retry policy (tests use short delays).
    pub fn with_retry(settings: EpaymentSettings, retry: RetryPolicy) -> Self {
        let http = reqwest::Client::builder()
            .user_agent(concat!("vendscreen-server/", env!("CARGO_PKG_VERSION")))
            // A redirect would resend our token elsewhere; the API never redirects.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        let inner = Inner {
            settings,
            http,
            tokens: TokenCache::default(),
            retry,
        };
        EpaymentClient {
            inner: Arc::new(inner),
        }
    }

    pub(crate) fn settings(&self) -> &EpaymentSettings {
        &self.inner.settings
    }
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }
    pub(crate) fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }
    pub(crate) async fn token(&self) -> Result<String, EpaymentError> {
        self.inner
            .tokens
            .get(&self.inner.http, &self.inner.settings)
            .await
    }
    pub(crate) async fn drop_token(&self, token: &str) {
        self.inner.tokens.invalidate(token).await
    }

    /// Runs a call and parses its JSON answer.
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
    ) -> Result<T, EpaymentError> {
        Ok(self.dated_json(call).await?.value)
    }

    /// Like [`Self::json`], with the time the service stamped on its answer.
    async fn dated_json<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
    ) -> Result<Dated<T>, EpaymentError> {
        let op = call.op;
        let answer = self.execute(call).await?;
        let served_at = answer.date.map(time::OffsetDateTime::from);
        let value = serde_json::from_slice(&answer.body)
            .map_err(|e| EpaymentError::undecodable(op, answer.status, &e))?;
        Ok(Dated { value, served_at })
    }

    /// `POST` with a JSON body.
    pub(crate) fn post<'k>(
        op: &'static str,
        path: String,
        body: &impl serde::Serialize,
        key: Option<&'k str>,
    ) -> Call<'k> {
        let body = serde_json::to_vec(body).ok();
        Call {
            op,
            method: Method::POST,
            path,
            body,
            key,
        }
    }

    pub(crate) fn get(op: &'static str, path: String) -> Call<'static> {
        Call {
            op,
            method: Method::GET,
            path,
            body: None,
            key: None,
        }
    }

    /// Fetches a payment's state and aggregate.
    pub async fn get_payment(&self, reference: &str) -> Result<PaymentDetails, EpaymentError> {
        self.json(Self::get("get payment", payment_path(reference, "")))
            .await
    }

    /// The payment's event log, oldest first.
    pub async fn events(&self, reference: &str) -> Result<Vec<PaymentEvent>, EpaymentError> {
        Ok(self.dated_events(reference).await?.value)
    }

    /// The payment's event log, with the payment service's clock at the time
    /// it answered: how old an approval is must be judged on one clock, and
    /// a machine's own may be wrong.
    pub async fn dated_events(
        &self,
        reference: &str,
    ) -> Result<Dated<Vec<PaymentEvent>>, EpaymentError> {
        let call = Self::get("get events", payment_path(reference, "/events"));
        self.dated_json(call).await
    }

    /// Registers a webhook URL for `events`; keep the returned secret.
    pub async fn register_webhook(
        &self,
        url: &str,
        events: &[&str],
    ) -> Result<WebhookRegistration, EpaymentError> {
        let body = serde_json::json!({ "url": url, "events": events });
        self.json(Self::post(
            "register webhook",
            "/webhooks/v1/webhooks".into(),
            &body,
            None,
        ))
        .await
    }

    /// The registrations of this MSN (without secrets).
    pub async fn list_webhooks(&self) -> Result<Vec<Webhook>, EpaymentError> {
        let list: WebhookList = self
            .json(Self::get("list webhooks", "/webhooks/v1/webhooks".into()))
            .await?;
        Ok(list.webhooks)
    }

    /// Deletes a registration (204).
    pub async fn delete_webhook(&self, id: &str) -> Result<(), EpaymentError> {
        let path = format!("/webhooks/v1/webhooks/{}", encode(id));
        let call = Call {
            op: "delete webhook",
            method: Method::DELETE,
            path,
            body: None,
            key: None,
        };
        self.execute(call).await.map(|_| ())
    }
}

/// `/epayment/v1/payments/{reference}{suffix}`, the reference percent-encoded
/// (a valid one never needs it; an invalid one must not change the path).
pub(crate) fn payment_path(reference: &str, suffix: &str) -> String {
    format!("/epayment/v1/payments/{}{suffix}", encode(reference))
}

fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::EpaymentError;

    fn api(status: u16) -> EpaymentError {
        EpaymentError::Api {
            status,
            code: None,
            title: "t".into(),
            trace_id: None,
        }
    }

    #[test]
    fn what_is_worth_another_try_is_decided_once() {
        let retried = [500, 502, 503, 423, 429].map(|s| api(s).is_transient());
        assert_eq!(retried, [true; 5]);
        let final_ = [400, 401, 403, 404, 409].map(|s| api(s).is_transient());
        assert_eq!(final_, [false; 5]);
        assert!(EpaymentError::Unreachable("down".into()).is_transient());
        let garbled = EpaymentError::Undecodable {
            op: "get payment",
            status: 200,
            detail: "expected value".into(),
        };
        assert!(garbled.is_transient() && !garbled.service_unusable());
        assert_eq!(garbled.status(), None);
    }
}
