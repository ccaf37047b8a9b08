//! The boundary of the display API and the simulator (issue 10, item 5):
//! network peers are refused unless `server.expose_api` says otherwise; a
//! `Host` that is not a name of this machine is refused (DNS rebinding); a
//! state-changing call from another origin is refused (CSRF). All 403 problems.
//!
//! An IP-literal `Host` is always a name of this machine: a rebinding attack
//! needs a DNS name the attacker controls, and a page at an IP address is its
//! own origin, which the `Origin` check then holds to this server.

use super::extract::peer_ip;
use crate::error::AppError;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;
use std::sync::Arc;

/// Who may call the routes behind [`guard`].
#[derive(Clone, Debug)]
pub struct Boundary {
    remote_peers: bool,
    /// Host names (lower case) besides `localhost` and IP literals.
    names: Arc<Vec<String>>,
}

impl Boundary {
    /// `remote_peers`: whether peers off this machine may call at all.
    /// `names`: the configured names of this machine (public URLs' hosts).
    pub fn new(remote_peers: bool, names: impl IntoIterator<Item = String>) -> Self {
        let names = names
            .into_iter()
            .map(|n| n.trim_end_matches('.').to_ascii_lowercase())
            .collect();
        Boundary {
            remote_peers,
            names: Arc::new(names),
        }
    }

    pub fn check(
        &self,
        peer: Option<IpAddr>,
        method: &Method,
        headers: &HeaderMap,
    ) -> Result<(), AppError> {
        if !self.remote_peers && peer.is_some_and(|ip| !ip.is_loopback()) {
            return Err(AppError::Forbidden(
                "this API answers only on this machine (server.expose_api = false)".into(),
            ));
        }
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        if let Some(host) = host {
            if !self.is_our_name(host_name(host)) {
                return Err(AppError::Forbidden(format!(
                    "{host:?} is not a name of this machine"
                )));
            }
        }
        let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        match headers.get(header::ORIGIN) {
            Some(origin) if !safe => match (origin.to_str(), host) {
                (Ok(origin), Some(host)) if same_origin(origin, host) => Ok(()),
                _ => Err(AppError::Forbidden(
                    "a request from another origin may not change anything here".into(),
                )),
            },
            // No Origin: not a browser's cross-site request (browsers send
            // it on every cross-origin POST), e.g. curl or a test.
            _ => Ok(()),
        }
    }

    fn is_our_name(&self, name: &str) -> bool {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let literal = name.trim_start_matches('[').trim_end_matches(']');
        literal.parse::<IpAddr>().is_ok()
            || name == "localhost"
            || name.ends_with(".localhost")
            || self.names.contains(&name)
    }
}

/// The middleware: refuses what [`Boundary::check`] refuses.
pub async fn guard(State(boundary): State<Boundary>, request: Request, next: Next) -> Response {
    let peer = peer_ip(request.extensions().get());
    match boundary.check(peer, request.method(), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refused) => {
            tracing::info!(?peer, uri = %request.uri(), reason = %refused, "request refused at the boundary");
            refused.into_response()
        }
    }
}

/// `example.com:8080` → `example.com`; `[::1]:8080` → `[::1]`.
fn host_name(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// Whether `Origin` names the same scheme-less authority the request was sent to.
fn same_origin(origin: &str, host: &str) -> bool {
    let Ok(url) = url::Url::parse(origin) else {
        return false; // including `null`
    };
    let Some(origin_host) = url.host_str() else {
        return false;
    };
    let authority = match url.port() {
        Some(port) => format!("{origin_host}:{port}"),
        None => origin_host.to_string(),
    };
    let default_port = match url.scheme() {
        "https" => ":443",
        _ => ":80",
    };
    let host = host.to_ascii_lowercase();
    let host = host.strip_suffix(default_port).unwrap_or(&host);
    authority.eq_ignore_ascii_case(host)
}

#[cfg(test)]
#[path = "boundary_tests.rs"]
mod tests;
