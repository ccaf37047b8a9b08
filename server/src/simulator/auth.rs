//! Access tokens and the gateway's checks: `POST /accesstoken/get` mints a
//! JWT-shaped token bound to the credentials; every other call must bring it
//! as `Bearer`, with the same subscription key and the merchant's MSN.

use super::problem::SimError;
use super::Shared;
use axum::http::HeaderMap;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What a token was issued to and until when (on the simulator's clock).
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub subscription_key: String,
    pub expires: SystemTime,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn epoch(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `POST /accesstoken/get`: the answer with every value a string, as documented.
pub fn issue(shared: &Shared, headers: &HeaderMap) -> Result<serde_json::Value, SimError> {
    let c = &shared.config.credentials;
    let ok = header(headers, "client_id") == Some(c.client_id.as_str())
        && header(headers, "client_secret") == Some(c.client_secret.as_str())
        && header(headers, "Ocp-Apim-Subscription-Key") == Some(c.subscription_key.as_str());
    if !ok {
        return Err(SimError::Unauthorized(
            "Access denied due to invalid client credentials or subscription key.",
        ));
    }
    let now = shared.clock.now();
    let ttl = shared.config.token_ttl;
    let expires = now + ttl;
    let token = mint(&c.msn, epoch(now), epoch(expires));
    let issued = IssuedToken {
        subscription_key: c.subscription_key.clone(),
        expires,
    };
    shared.lock_tokens().insert(token.clone(), issued);
    Ok(serde_json::json!({
        "token_type": "Bearer",
        "expires_in": ttl.as_secs().to_string(),
        "ext_expires_in": "0",
        "expires_on": epoch(expires).to_string(),
        "not_before": epoch(now).to_string(),
        "resource": "00000002-0000-0000-c000-000000000000",
        "access_token": token,
    }))
}

/// `header.payload.signature`, starting `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1Ni` like Vipps's.
fn mint(msn: &str, now: u64, exp: u64) -> String {
    let head = URL_SAFE_NO_PAD.encode(r#"{"typ":"JWT","alg":"RS256","x5t":"sim"}"#);
    let claims = serde_json::json!({
        "iss": "vendscreen-simulator", "msn": msn, "nbf": now, "iat": now, "exp": exp,
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signature = URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes().repeat(8));
    format!("{head}.{body}.{signature}")
}

/// The gateway and ePayment checks every API call passes through.
pub fn check(shared: &Shared, headers: &HeaderMap) -> Result<(), SimError> {
    let c = &shared.config.credentials;
    let Some(key) = header(headers, "Ocp-Apim-Subscription-Key") else {
        return Err(SimError::Unauthorized(
            "Access denied due to missing subscription key.",
        ));
    };
    if key != c.subscription_key {
        return Err(SimError::Unauthorized(
            "Access denied due to invalid subscription key.",
        ));
    }
    // The word "Bearer" is required and case-sensitive.
    let Some(token) = header(headers, "Authorization").and_then(|v| v.strip_prefix("Bearer "))
    else {
        return Err(SimError::Unauthorized(
            "Authorization header with Bearer token required.",
        ));
    };
    let valid = shared
        .lock_tokens()
        .get(token)
        .is_some_and(|t| t.subscription_key == key && shared.clock.now() < t.expires);
    if !valid {
        return Err(SimError::Unauthorized("Invalid or expired access token."));
    }
    match header(headers, "Merchant-Serial-Number") {
        None => Err(SimError::field(
            "Merchant-Serial-Number",
            "The Merchant-Serial-Number header is required.",
        )),
        Some(msn) if msn != c.msn => Err(SimError::Forbidden(
            "Merchant not available for this subscription key.",
        )),
        Some(_) => system_headers(headers),
    }
}

/// The optional `Vipps-System-*` headers: at most 30 characters each.
fn system_headers(headers: &HeaderMap) -> Result<(), SimError> {
    for name in SYSTEM_HEADERS {
        if header(headers, name).is_some_and(|v| v.chars().count() > 30) {
            return Err(SimError::field(name, "At most 30 characters."));
        }
    }
    Ok(())
}

const SYSTEM_HEADERS: [&str; 4] = [
    "Vipps-System-Name",
    "Vipps-System-Version",
    "Vipps-System-Plugin-Name",
    "Vipps-System-Plugin-Version",
];

/// The Idempotency-Key of a money-moving call: required, at most 50 chars.
pub fn idempotency_key(headers: &HeaderMap) -> Result<String, SimError> {
    match header(headers, "Idempotency-Key") {
        None | Some("") => Err(SimError::field(
            "Idempotency-Key",
            "The Idempotency-Key header is required.",
        )),
        Some(k) if k.len() > 50 => {
            Err(SimError::field("Idempotency-Key", "At most 50 characters."))
        }
        Some(k) => Ok(k.to_string()),
    }
}

/// Token lifetime in the test environment.
pub const TEST_TOKEN_TTL: Duration = Duration::from_secs(3600);
