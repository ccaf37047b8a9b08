//! The access-token cache: one token per client, refreshed a few minutes before
//! it runs out, with at most one refresh in flight (the mutex is held across it).

use super::client::{EpaymentError, EpaymentSettings};
use crate::telemetry::metrics;
use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How long before expiry we stop using a token (the SDKs use 2–3 minutes).
const REFRESH_MARGIN: Duration = Duration::from_secs(180);

#[derive(Clone)]
struct Cached {
    token: String,
    /// Local monotonic time, so a skewed server clock cannot confuse us.
    use_until: Instant,
}

/// Token cache shared by all clones of a client.
#[derive(Default)]
pub(crate) struct TokenCache {
    slot: Mutex<Option<Cached>>,
}

/// `POST /accesstoken/get` answer; every value is a string in the docs,
/// numbers in some SDKs, so `expires_in` accepts both.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default, deserialize_with = "string_or_number")]
    expires_in: Option<u64>,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s.trim().parse().ok(),
        serde_json::Value::Number(n) => n.as_u64(),
        _ => None,
    })
}

impl TokenCache {
    /// A valid token, fetching one when the cache is empty or nearly expired.
    pub(crate) async fn get(
        &self,
        http: &reqwest::Client,
        settings: &EpaymentSettings,
    ) -> Result<String, EpaymentError> {
        let mut slot = self.slot.lock().await;
        if let Some(c) = slot.as_ref().filter(|c| Instant::now() < c.use_until) {
            return Ok(c.token.clone());
        }
        let fresh = fetch(http, settings).await?;
        let token = fresh.token.clone();
        *slot = Some(fresh);
        Ok(token)
    }

    /// Forgets `token` after a 401, unless another caller already replaced it.
    pub(crate) async fn invalidate(&self, token: &str) {
        let mut slot = self.slot.lock().await;
        if slot.as_ref().is_some_and(|c| c.token == token) {
            *slot = None;
        }
    }
}

async fn fetch(http: &reqwest::Client, s: &EpaymentSettings) -> Result<Cached, EpaymentError> {
    let url = format!("{}/accesstoken/get", s.base_url.trim_end_matches('/'));
    let request = http
        .post(url)
        .timeout(s.timeout)
        .header("client_id", &s.client_id)
        .header("client_secret", super::transport::secret(&s.client_secret)?)
        .header(
            "Ocp-Apim-Subscription-Key",
            super::transport::secret(&s.subscription_key)?,
        )
        .header("Merchant-Serial-Number", &s.msn)
        .header(reqwest::header::CONTENT_LENGTH, "0");
    let request = super::transport::system_headers(request);
    let started = std::time::Instant::now();
    let response = request.send().await.map_err(|e| {
        metrics::payment_api_call("access token", None, started.elapsed());
        tracing::warn!(error = %e, "access token: no answer");
        EpaymentError::Unreachable(format!("access token: {e}"))
    })?;
    let status = response.status();
    metrics::payment_api_call("access token", Some(status.as_u16()), started.elapsed());
    let body = response
        .bytes()
        .await
        .map_err(|e| EpaymentError::Unreachable(format!("access token: {e}")))?;
    if !status.is_success() {
        return Err(super::transport::api_error(
            "access token",
            status.as_u16(),
            &body,
        ));
    }
    let parsed: TokenResponse = serde_json::from_slice(&body)
        .map_err(|e| EpaymentError::undecodable("access token", status.as_u16(), &e))?;
    let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(3600));
    Ok(Cached {
        token: parsed.access_token,
        use_until: Instant::now() + lifetime.saturating_sub(REFRESH_MARGIN),
    })
}
