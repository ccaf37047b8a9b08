//! The edge's side of `/fleet/v1/…` (design.md, "Hub ↔ edge contract"):
//! every call with the machine's bearer token, problem+json answers turned
//! into what the display can act on.

use crate::config::Secret;
use crate::error::AppError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;
use vendscreen_protocol::fleet::{Heartbeat, StartPurchase, VendOutcome, VendResult};
use vendscreen_protocol::{self as wire, OutOfServiceReason};

/// One call's time limit (the stream has none: it lives for hours).
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a call to the hub did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// No answer: the link is down, or the hub did not answer in time. What
    /// the hub did with the request is unknown.
    #[error("the hub cannot be reached: {0}")]
    Unreachable(String),
    /// The hub answered with this status (and problem, when it sent one).
    #[error("the hub answered {0}")]
    Status(u16, Option<Box<wire::Problem>>),
}

impl HubError {
    /// Worth another try with the same request: no answer, or a gateway's.
    pub fn is_transient(&self) -> bool {
        match self {
            HubError::Unreachable(_) => true,
            HubError::Status(status, problem) => {
                matches!(status, 500 | 502 | 504) || (*status == 503 && problem.is_none())
            }
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            HubError::Status(status, _) => Some(*status),
            HubError::Unreachable(_) => None,
        }
    }
}

impl From<HubError> for AppError {
    fn from(e: HubError) -> Self {
        let detail = |p: &Option<Box<wire::Problem>>| {
            p.as_ref()
                .and_then(|p| p.detail.clone())
                .unwrap_or_else(|| e.to_string())
        };
        match &e {
            HubError::Unreachable(_) => AppError::OutOfService(OutOfServiceReason::HubUnreachable),
            HubError::Status(400, p) => AppError::BadRequest(detail(p)),
            HubError::Status(404, p) => AppError::NotFound(detail(p)),
            HubError::Status(409, p) => AppError::Conflict(detail(p)),
            HubError::Status(503, p) => AppError::OutOfService(
                p.as_ref()
                    .and_then(|p| p.reason)
                    .unwrap_or(OutOfServiceReason::HubUnreachable),
            ),
            // A refused token, or the hub's own fault: logged here, and the
            // customer is told only that the machine cannot sell.
            HubError::Status(_, _) => AppError::Internal(e.to_string()),
        }
    }
}

/// A reference goes into a path: only the characters references are made
/// of (Vipps: letters, digits, `-`), so none can reach another route. Any
/// other is no session of this machine.
fn plain(reference: &str) -> Result<(), HubError> {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    match !reference.is_empty() && reference.len() <= 100 && reference.chars().all(ok) {
        true => Ok(()),
        false => Err(HubError::Status(404, None)),
    }
}

/// A client of one hub, for one machine; cheap to clone.
#[derive(Clone)]
pub struct HubClient {
    base: String,
    token: Secret,
    calls: reqwest::Client,
    stream: reqwest::Client,
}

impl HubClient {
    pub fn new(base: &str, token: Secret) -> HubClient {
        let builder = || reqwest::Client::builder().connect_timeout(CONNECT_TIMEOUT);
        HubClient {
            base: base.trim_end_matches('/').to_string(),
            token,
            calls: builder().timeout(CALL_TIMEOUT).build().unwrap_or_default(),
            stream: builder().build().unwrap_or_default(),
        }
    }

    pub async fn purchase(
        &self,
        product_id: &str,
        request_id: &str,
    ) -> Result<wire::Session, HubError> {
        let body = StartPurchase {
            product_id: product_id.into(),
            request_id: request_id.into(),
        };
        self.json(self.post("/fleet/v1/sessions", &body)).await
    }

    pub async fn session(&self, reference: &str) -> Result<wire::Session, HubError> {
        plain(reference)?;
        let path = format!("/fleet/v1/sessions/{reference}");
        let request = self
            .calls
            .get(self.url(&path))
            .bearer_auth(self.token.expose());
        self.json(request).await
    }

    pub async fn cancel(&self, reference: &str) -> Result<wire::Session, HubError> {
        plain(reference)?;
        let path = format!("/fleet/v1/sessions/{reference}/cancel");
        self.json(self.post(&path, &serde_json::json!({}))).await
    }

    /// "About to vend": a 2xx is the hub's go-ahead; a 409 means do not vend.
    pub async fn ack(&self, reference: &str) -> Result<(), HubError> {
        plain(reference)?;
        let path = format!("/fleet/v1/vends/{reference}/ack");
        self.send(self.post(&path, &serde_json::json!({})))
            .await
            .map(drop)
    }

    pub async fn result(&self, reference: &str, outcome: VendOutcome) -> Result<(), HubError> {
        plain(reference)?;
        let path = format!("/fleet/v1/vends/{reference}/result");
        self.send(self.post(&path, &VendResult { outcome }))
            .await
            .map(drop)
    }

    pub async fn heartbeat(&self, dispenser_ready: bool) -> Result<(), HubError> {
        let body = Heartbeat { dispenser_ready };
        self.send(self.post("/fleet/v1/heartbeat", &body))
            .await
            .map(drop)
    }

    /// Opens the machine's stream, resuming after `last_event_id`.
    pub async fn stream(&self, last_event_id: Option<i64>) -> Result<reqwest::Response, HubError> {
        let mut request = self
            .stream
            .get(self.url("/fleet/v1/stream"))
            .bearer_auth(self.token.expose())
            .header("Accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        self.send(request).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn post(&self, path: &str, body: &impl Serialize) -> reqwest::RequestBuilder {
        self.calls
            .post(self.url(path))
            .bearer_auth(self.token.expose())
            .json(body)
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, HubError> {
        let response = request
            .send()
            .await
            .map_err(|e| HubError::Unreachable(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let problem = response.json::<wire::Problem>().await.ok().map(Box::new);
        Err(HubError::Status(status.as_u16(), problem))
    }

    async fn json<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, HubError> {
        self.send(request).await?.json().await.map_err(|e| {
            HubError::Unreachable(format!("an unreadable answer: {}", e.without_url()))
        })
    }
}
