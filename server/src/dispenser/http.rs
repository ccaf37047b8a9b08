//! `dispenser.kind = "http"`: POST `{slot, reference}` to the machine controller;
//! 2xx with `{"vended": true}` means vended. `GET {url}/ready` → 2xx means ready.

use super::VendOutcome;
use std::time::Duration;

#[derive(Clone)]
pub struct HttpDispenser {
    url: String,
    http: reqwest::Client,
    timeout: Duration,
}

#[derive(serde::Deserialize)]
struct Answer {
    vended: bool,
}

impl HttpDispenser {
    pub fn new(url: String, timeout: Duration) -> Self {
        HttpDispenser {
            url,
            http: reqwest::Client::new(),
            timeout,
        }
    }

    pub async fn vend(&self, slot: &str, reference: &str) -> VendOutcome {
        let body = serde_json::json!({ "slot": slot, "reference": reference });
        let call = self
            .http
            .post(&self.url)
            .json(&body)
            .timeout(self.timeout)
            .send();
        match call.await {
            Ok(resp) if resp.status().is_success() => match resp.json::<Answer>().await {
                Ok(Answer { vended: true }) => VendOutcome::Vended,
                Ok(_) => VendOutcome::Failed,
                // A 2xx we cannot read: we do not know if it vended.
                Err(_) => VendOutcome::TimedOut,
            },
            Ok(_) => VendOutcome::Failed,
            Err(e) if e.is_connect() => VendOutcome::Failed,
            Err(_) => VendOutcome::TimedOut,
        }
    }

    pub async fn ready(&self) -> bool {
        let url = format!("{}/ready", self.url.trim_end_matches('/'));
        let call = self.http.get(url).timeout(Duration::from_secs(3)).send();
        matches!(call.await, Ok(r) if r.status().is_success())
    }
}
