//! The display API over `fetch`: catalog, start a purchase, cancel it.
//! Every failure becomes a `screen::Notice` the screen can show; nothing that
//! came over the network is unwrapped.

use crate::screen::Notice;
use leptos::prelude::*;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use vendscreen_protocol as wire;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response};

/// The catalog, loaded at start and refreshed on demand (on every reconnect
/// and every return to idle: sold-out marks change after a vend).
#[derive(Debug, Clone, Copy)]
pub struct CatalogHandle {
    /// None until the first successful load.
    pub catalog: Signal<Option<wire::Catalog>>,
    /// Loads it again; failures retry with backoff, keeping the old copy.
    pub refresh: Callback<()>,
}

/// `use_catalog()`: `GET /api/catalog`, retried until the server answers.
pub fn use_catalog() -> CatalogHandle {
    let catalog = RwSignal::new(None);
    load(catalog, 0);
    CatalogHandle {
        catalog: catalog.into(),
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
    /// An HTTP error, with the problem document when the server sent one.
    Status(u16, Option<wire::Problem>),
    /// A 2xx whose body we could not read.
    Body,
}

impl ApiError {
    /// What the idle screen tells the customer about it.
    pub fn notice(&self) -> Notice {
        match self {
            ApiError::Status(409, _) => Notice::Busy,
            ApiError::Status(400 | 404 | 410 | 422, _) => Notice::NotForSale,
            _ => Notice::Unavailable,
        }
    }
}

/// `GET /api/catalog`.
pub async fn catalog() -> Result<wire::Catalog, ApiError> {
    crate::decode::catalog(&call("GET", "/api/catalog", None).await?).ok_or(ApiError::Body)
}

/// `POST /api/sessions {productId}`: 201 with the new session.
pub async fn create_session(product_id: String) -> Result<wire::Session, ApiError> {
    // wire::CreateSession, written by hand: serde_json is kept out of the bundle.
    let body = format!("{{\"productId\":{}}}", crate::json::quote(&product_id));
    crate::decode::session(&call("POST", "/api/sessions", Some(body)).await?).ok_or(ApiError::Body)
}

/// `POST /api/sessions/{reference}/cancel`. The outcome arrives on the stream.
pub async fn cancel_session(reference: String) -> Result<(), ApiError> {
    let url = format!("/api/sessions/{}/cancel", encode_segment(&reference));
    call("POST", &url, None).await.map(|_| ())
}

/// One request; a 2xx answer's body, or the error. Plain `fetch` rather than
/// gloo-net: it keeps wasm-streams and the `http` crate out of the bundle.
async fn call(method: &str, url: &str, json: Option<String>) -> Result<String, ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    if let Some(body) = json {
        let headers = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&headers, &"content-type".into(), &"application/json".into());
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&body));
    }
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let answer = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await;
    let resp: Response = answer
        .ok()
        .and_then(|r| r.dyn_into().ok())
        .ok_or(ApiError::Network)?;
    let text = match resp.text() {
        Ok(p) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    if resp.ok() {
        Ok(text)
    } else {
        // problem+json when the server sent it; a proxy's HTML error page is fine too.
        Err(ApiError::Status(
            resp.status(),
            crate::decode::problem(&text),
        ))
    }
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
        assert_eq!(ApiError::Status(409, None).notice(), Notice::Busy);
        assert_eq!(ApiError::Status(404, None).notice(), Notice::NotForSale);
        assert_eq!(ApiError::Status(503, None).notice(), Notice::Unavailable);
        assert_eq!(ApiError::Status(500, None).notice(), Notice::Unavailable);
        assert_eq!(ApiError::Network.notice(), Notice::Unavailable);
        assert_eq!(ApiError::Body.notice(), Notice::Unavailable);
    }

    #[test]
    fn references_are_safe_in_a_path() {
        assert_eq!(encode_segment("vend-0001_a.b~c"), "vend-0001_a.b~c");
        assert_eq!(encode_segment("a/b c?"), "a%2Fb%20c%3F");
    }
}
