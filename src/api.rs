//! The display API over gloo-net's `fetch`: catalog, start a purchase, cancel it.
//! Every failure becomes a `screen::Notice` the screen can show; nothing that
//! came over the network is unwrapped.

use crate::screen::Notice;
use gloo_net::http::{Request, Response};
use gloo_net::Error;
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use vendscreen_protocol as wire;

/// The catalog, loaded at start and refreshed on demand (on every reconnect
/// and every return to idle: sold-out marks change after a vend).
#[derive(Debug, Clone, Copy)]
pub struct CatalogHandle {
    /// None until the first successful load.
    pub catalog: ReadSignal<Option<wire::Catalog>>,
    /// Loads it again; failures retry with backoff, keeping the old copy.
    pub refresh: Callback<()>,
}

/// `use_catalog()`: `GET /api/catalog`, retried until the server answers.
pub fn use_catalog() -> CatalogHandle {
    let catalog = RwSignal::new(None);
    load(catalog, 0);
    CatalogHandle {
        catalog: catalog.read_only(),
        refresh: Callback::new(move |()| load(catalog, 0)),
    }
}

/// `spawn_local` for every task of the display: boxing makes all of them one
/// future type, so the executor glue is compiled once instead of per task.
pub fn spawn(task: impl Future<Output = ()> + 'static) {
    leptos::task::spawn_local(Box::pin(task) as Pin<Box<dyn Future<Output = ()>>>);
}

fn load(into: RwSignal<Option<wire::Catalog>>, attempt: u32) {
    spawn(async move {
        match catalog().await {
            Ok(c) => {
                into.try_set(Some(c));
            }
            // A kiosk often boots before its server: keep trying, gently.
            Err(_) if !into.is_disposed() => {
                let delay = crate::connection::Timings::default().backoff_ms(attempt);
                set_timeout(
                    move || load(into, attempt + 1),
                    Duration::from_millis(delay.into()),
                );
            }
            Err(_) => {}
        }
    });
}

/// A call that did not give us what we asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No HTTP answer at all (server down, network gone).
    Network,
    /// An HTTP error status. The problem+json body is not read: the screen
    /// acts on the status alone, and decoding it cost the wasm ~1 KB.
    Status(u16),
    /// A 2xx whose body we could not read.
    Body,
}

impl ApiError {
    /// What the idle screen tells the customer about it.
    pub fn notice(&self) -> Notice {
        match self {
            ApiError::Status(409) => Notice::Busy,
            ApiError::Status(400 | 404 | 410 | 422) => Notice::NotForSale,
            _ => Notice::Unavailable,
        }
    }
}

/// `GET /api/catalog`.
pub async fn catalog() -> Result<wire::Catalog, ApiError> {
    json(Request::get("/api/catalog").build()).await
}

/// `POST /api/sessions {productId}`: 201 with the new session.
pub async fn create_session(product_id: String) -> Result<wire::Session, ApiError> {
    let body = crate::json::encode(&wire::CreateSession { product_id }).ok_or(ApiError::Body)?;
    let request = Request::post("/api/sessions")
        .header("content-type", "application/json")
        .body(body);
    json(request).await
}

/// `POST /api/sessions/{reference}/cancel`. The outcome arrives on the stream.
/// JSON, as the server requires: no cross-site form can send that.
pub async fn cancel_session(reference: String) -> Result<(), ApiError> {
    let url = format!("/api/sessions/{}/cancel", encode_segment(&reference));
    let request = Request::post(&url)
        .header("content-type", "application/json")
        .body("{}");
    call(request).await.map(|_| ())
}

/// `POST /api/display/alive`: the page works (shown in the server's `/healthz`).
pub async fn report_alive() -> Result<(), ApiError> {
    let request = Request::post("/api/display/alive")
        .header("content-type", "application/json")
        .body("{}");
    call(request).await.map(|_| ())
}

/// A request whose 2xx answer is a `T` in JSON.
async fn json<T: DeserializeOwned>(request: Result<Request, Error>) -> Result<T, ApiError> {
    let text = call(request)
        .await?
        .text()
        .await
        .map_err(|_| ApiError::Body)?;
    crate::json::decode(&text).ok_or(ApiError::Body)
}

/// One request (or the error building it): a 2xx answer, else the error.
async fn call(request: Result<Request, Error>) -> Result<Response, ApiError> {
    let resp = request
        .map_err(|_| ApiError::Network)?
        .send()
        .await
        .map_err(|_| ApiError::Network)?;
    if resp.ok() {
        return Ok(resp);
    }
    Err(ApiError::Status(resp.status()))
}

/// Percent-encodes a path segment; references are ours, but never trust a string
/// into a URL path.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_become_what_the_customer_can_act_on() {
        assert_eq!(ApiError::Status(409).notice(), Notice::Busy);
        assert_eq!(ApiError::Status(404).notice(), Notice::NotForSale);
        assert_eq!(ApiError::Status(503).notice(), Notice::Unavailable);
        assert_eq!(ApiError::Status(500).notice(), Notice::Unavailable);
        assert_eq!(ApiError::Network.notice(), Notice::Unavailable);
        assert_eq!(ApiError::Body.notice(), Notice::Unavailable);
    }

    #[test]
    fn references_are_safe_in_a_path() {
        assert_eq!(encode_segment("vend-0001_a.b~c"), "vend-0001_a.b~c");
        assert_eq!(encode_segment("a/b c?"), "a%2Fb%20c%3F");
    }
}
