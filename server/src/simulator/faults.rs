//! Fault injection for tests: per endpoint, a status code, a dropped
//! connection or a delay, before processing or after it ("the server acted,
//! the answer got lost"), for the next `times` calls.

use super::problem::trace_id;
use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// One injected fault, as `POST /sim/faults` takes it:
/// `{"endpoint":"capture","status":500,"times":1,"afterProcessing":true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// `token`, `create`, `get`, `events`, `capture`, `cancel`, `refund`,
    /// `approve` (the test force-approve), `webhooks` or `qr-image` (the
    /// `IMAGE/SVG+XML` QR).
    pub endpoint: String,
    /// Answer with this status instead (a problem+json body).
    #[serde(default)]
    pub status: Option<u16>,
    /// Cut the connection instead of answering.
    #[serde(default)]
    pub drop_connection: bool,
    /// Wait this long first (after processing, when `after_processing`).
    #[serde(default)]
    pub delay_ms: u64,
    /// How many calls it hits; then it is gone.
    #[serde(default = "one")]
    pub times: u32,
    /// Do the work (and remember it under the Idempotency-Key) before failing.
    #[serde(default)]
    pub after_processing: bool,
    /// `Retry-After` seconds on the injected answer.
    #[serde(default)]
    pub retry_after: Option<u64>,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// A fault answering `status` on `endpoint` once, before processing.
    pub fn status(endpoint: &str, status: u16) -> Self {
        Fault {
            endpoint: endpoint.into(),
            status: Some(status),
            drop_connection: false,
            delay_ms: 0,
            times: 1,
            after_processing: false,
            retry_after: None,
        }
    }

    /// A dropped connection on `endpoint` once, before processing.
    pub fn drop_connection(endpoint: &str) -> Self {
        Fault {
            status: None,
            drop_connection: true,
            ..Fault::status(endpoint, 0)
        }
    }

    /// The same fault, but after the work is done.
    pub fn after_processing(self) -> Self {
        Fault {
            after_processing: true,
            ..self
        }
    }

    pub fn times(self, times: u32) -> Self {
        Fault { times, ..self }
    }

    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.delay_ms)
    }

    /// The answer replacing the real one, if this fault replaces it.
    pub fn response(&self) -> Option<Response> {
        if self.drop_connection {
            return Some(dropped());
        }
        let status = StatusCode::from_u16(self.status?).ok()?;
        let body = serde_json::json!({
            "type": format!("https://httpstatuses.io/{}", status.as_u16()),
            "title": "Injected fault", "status": status.as_u16(), "traceId": trace_id(),
        });
        let mut r = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response();
        if let Some(s) = self.retry_after {
            r.headers_mut().insert(header::RETRY_AFTER, s.into());
        }
        Some(r)
    }
}

/// A response whose body fails: hyper aborts the connection mid-answer.
fn dropped() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("simulated dropped connection"))
    });
    let mut r = Response::new(Body::from_stream(failing));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        "application/json".parse().expect("static header"),
    );
    r
}
