//! One authenticated call with retries: the headers every call carries, jittered
//! exponential backoff on the transient failures (network, timeout, 5xx, 423,
//! 429 with `Retry-After`), the same Idempotency-Key on each try, one fresh
//! token after a 401, and problem+json turned into `EpaymentError::Api`.

use super::client::{EpaymentClient, EpaymentError};
use super::model::Problem;
use crate::config::Secret;
use crate::telemetry::metrics;
use axum::body::Bytes;
use axum::http::HeaderValue;
use reqwest::{Method, RequestBuilder, StatusCode};
use std::time::Duration;

/// What to call: `op` names it in logs, `key` is the Idempotency-Key.
pub(crate) struct Call<'a> {
    pub op: &'static str,
    pub method: Method,
    pub path: String,
    pub body: Option<Vec<u8>>,
    pub key: Option<&'a str>,
}

/// The four `Vipps-System-*` headers (≤ 30 chars each).
pub(crate) fn system_headers(r: RequestBuilder) -> RequestBuilder {
    r.header("Vipps-System-Name", "vendscreen")
        .header("Vipps-System-Version", env!("CARGO_PKG_VERSION"))
        .header("Vipps-System-Plugin-Name", "vendscreen-server")
        .header("Vipps-System-Plugin-Version", env!("CARGO_PKG_VERSION"))
}

/// A successful answer: its body and when the payment service says it sent it
/// (`Date`), the clock that time-based money decisions are judged on.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Bytes,
    pub date: Option<std::time::SystemTime>,
}

/// A failed try: either final, or worth another go after `wait`.
enum Failure {
    Final(EpaymentError),
    Retry(EpaymentError, Option<Duration>),
}

impl EpaymentClient {
    /// Runs `call` until it succeeds, fails for good, or runs out of tries.
    pub(crate) async fn execute(&self, call: Call<'_>) -> Result<Answer, EpaymentError> {
        let mut backoff = self.retry_policy().backoff();
        let mut refreshed_after_401 = false;
        loop {
            match self.try_once(&call, &mut refreshed_after_401).await {
                Ok(answer) => return Ok(answer),
                Err(Failure::Final(e)) => return Err(log_error(call.op, e)),
                Err(Failure::Retry(e, retry_after)) => {
                    let Some(wait) = backoff.next_delay(retry_after) else {
                        return Err(log_error(call.op, e));
                    };
                    let attempt = backoff.tries() - 1;
                    tracing::info!(op = call.op, attempt, wait_ms = wait.as_millis() as u64, error = %e, "ePayment retry");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    async fn try_once(&self, call: &Call<'_>, refreshed: &mut bool) -> Result<Answer, Failure> {
        let token = self.token().await.map_err(classify_error)?;
        let s = self.settings();
        let url = format!("{}{}", s.base_url.trim_end_matches('/'), call.path);
        let mut request = self
            .http()
            .request(call.method.clone(), url)
            .timeout(s.timeout)
            .bearer_auth(&token)
            .header(
                "Ocp-Apim-Subscription-Key",
                secret(&s.subscription_key).map_err(Failure::Final)?,
            )
            .header("Merchant-Serial-Number", &s.msn);
        request = system_headers(request);
        if let Some(key) = call.key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = &call.body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.clone());
        }
        let started = std::time::Instant::now();
        let response = request.send().await.map_err(|e| {
            metrics::payment_api_call(call.op, None, started.elapsed());
            Failure::Retry(network(call.op, &e), None)
        })?;
        let status = response.status();
        metrics::payment_api_call(call.op, Some(status.as_u16()), started.elapsed());
        let retry_after = retry_after(response.headers());
        let date = response
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|d| d.to_str().ok())
            .and_then(|d| httpdate::parse_http_date(d).ok());
        // A body cut short is as good as no answer: the server may have acted.
        let body = response
            .bytes()
            .await
            .map_err(|e| Failure::Retry(network(call.op, &e), None))?;
        if status.is_success() {
            let status = status.as_u16();
            return Ok(Answer { status, body, date });
        }
        let error = api_error(call.op, status.as_u16(), &body);
        if status == StatusCode::UNAUTHORIZED && !*refreshed {
            // The token may have been revoked or expired early: one fresh try.
            *refreshed = true;
            self.drop_token(&token).await;
            return Err(Failure::Retry(error, Some(Duration::ZERO)));
        }
        Err(if error.is_transient() {
            Failure::Retry(error, retry_after)
        } else {
            Failure::Final(error)
        })
    }
}

/// A credential as its header; one no header can carry is refused here,
/// where it is known, rather than as a vague failure to send.
pub(crate) fn secret(secret: &Secret) -> Result<HeaderValue, EpaymentError> {
    secret.header_value().ok_or_else(|| {
        EpaymentError::Unreachable("a configured credential is not valid header text".into())
    })
}

/// Token errors: transient ones are retried like any call.
fn classify_error(e: EpaymentError) -> Failure {
    if e.is_transient() {
        Failure::Retry(e, None)
    } else {
        Failure::Final(e)
    }
}

fn network(op: &str, e: &reqwest::Error) -> EpaymentError {
    let what = if e.is_timeout() {
        "timeout"
    } else {
        "connection failed"
    };
    EpaymentError::Unreachable(format!("{op}: {what}: {e}"))
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Parses an error body: problem+json when it is one (whatever the content
/// type says), otherwise just the status (Azure's 401/403/429 are not).
pub(crate) fn api_error(op: &str, status: u16, body: &[u8]) -> EpaymentError {
    let problem: Problem = serde_json::from_slice(body).unwrap_or_default();
    let title = problem
        .title
        .clone()
        .unwrap_or_else(|| format!("{op} failed with HTTP {status}"));
    let fields: Vec<String> = problem
        .extra_details
        .iter()
        .filter(|d| d.name != "ErrorCode")
        .map(|d| format!("{}: {}", d.name, d.reason))
        .collect();
    if !fields.is_empty() {
        tracing::warn!(op, status, fields = %fields.join("; "), "ePayment validation details");
    }
    EpaymentError::Api {
        status,
        code: problem.error_code().map(str::to_string),
        title,
        trace_id: problem.trace_id,
    }
}

/// Logs code and traceId (never tokens or secrets), then hands the error back.
fn log_error(op: &str, e: EpaymentError) -> EpaymentError {
    match &e {
        EpaymentError::Api {
            status,
            code,
            title,
            trace_id,
        } if *status == 404 && op == "get payment" => {
            // An answer, not a fault: the caller decides (the health probe expects it).
            tracing::debug!(op, status, code = ?code, trace_id = ?trace_id, title = %title, "ePayment: not found")
        }
        EpaymentError::Api {
            status,
            code,
            title,
            trace_id,
        } => {
            tracing::warn!(op, status, code = ?code, trace_id = ?trace_id, title = %title, "ePayment error")
        }
        EpaymentError::Unreachable(why) => tracing::warn!(op, error = %why, "ePayment unreachable"),
        // Logged where it was found, with the decoder's reason.
        EpaymentError::Undecodable { .. } => {}
    }
    e
}
