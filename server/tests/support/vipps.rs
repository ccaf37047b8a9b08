//! The simulated Vipps read raw: its API answers as JSON (`GET` payment and
//! event log, with a token of its own) and its request log (`/sim/log`),
//! never through the client's parse. Tests that assert wire facts (what
//! "Vipps" holds, what it was sent) read them here.

use serde_json::Value;
use std::collections::BTreeSet;
use vendscreen_server::simulator::SimulatorCredentials;

/// The settings that make a server pay at the simulator at `base`, as its
/// built-in test merchant.
#[allow(dead_code)]
pub fn paying_at(base: &str) -> Vec<(&'static str, String)> {
    let c = SimulatorCredentials::default();
    vec![
        ("VENDSCREEN_EPAYMENT_BASE_URL", base.to_string()),
        ("VENDSCREEN_EPAYMENT_CLIENT_ID", c.client_id),
        ("VENDSCREEN_EPAYMENT_CLIENT_SECRET", c.client_secret),
        ("VENDSCREEN_EPAYMENT_SUBSCRIPTION_KEY", c.subscription_key),
        ("VENDSCREEN_EPAYMENT_MSN", c.msn),
    ]
}

/// A simulator at `base` (in-process in the app under test, or a process
/// of its own playing Vipps).
pub struct RawVipps {
    base: String,
    http: reqwest::Client,
}

#[allow(dead_code)]
impl RawVipps {
    pub fn at(base: &str) -> RawVipps {
        RawVipps {
            base: base.trim_end_matches('/').to_string(),
            http: reqwest::Client::new(),
        }
    }

    async fn token(&self) -> String {
        let c = SimulatorCredentials::default();
        let answer: Value = self
            .http
            .post(format!("{}/accesstoken/get", self.base))
            .header("client_id", c.client_id)
            .header("client_secret", c.client_secret)
            .header("Ocp-Apim-Subscription-Key", c.subscription_key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        answer["access_token"].as_str().unwrap().to_string()
    }

    /// `GET path` with the merchant's headers; the status and the JSON body.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let c = SimulatorCredentials::default();
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(self.token().await)
            .header("Ocp-Apim-Subscription-Key", c.subscription_key)
            .header("Merchant-Serial-Number", c.msn)
            .send()
            .await
            .unwrap();
        (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        )
    }

    /// The payment as `GET /epayment/v1/payments/{reference}` answers it.
    pub async fn payment(&self, reference: &str) -> Value {
        let (status, body) = self
            .get(&format!("/epayment/v1/payments/{reference}"))
            .await;
        assert_eq!(status, 200, "GET payment {reference}: {body}");
        body
    }

    /// The event log's `name`s, oldest first.
    pub async fn event_names(&self, reference: &str) -> Vec<String> {
        let path = format!("/epayment/v1/payments/{reference}/events");
        let (status, body) = self.get(&path).await;
        assert_eq!(status, 200, "GET events {reference}: {body}");
        let events = body.as_array().cloned().unwrap_or_default();
        events
            .iter()
            .map(|e| e["name"].as_str().unwrap_or("?").to_string())
            .collect()
    }

    /// The registered webhooks (`GET /webhooks/v1/webhooks`).
    pub async fn webhooks(&self) -> Vec<Value> {
        let (_, body) = self.get("/webhooks/v1/webhooks").await;
        body["webhooks"].as_array().cloned().unwrap_or_default()
    }

    /// Every money call the simulator was sent about `reference`, oldest first.
    pub async fn money_calls(&self, reference: &str) -> Vec<Value> {
        self.log_entries(&[("reference", reference)]).await
    }

    /// Every money call the simulator was sent, oldest first.
    pub async fn log(&self) -> Vec<Value> {
        self.log_entries(&[]).await
    }

    async fn log_entries(&self, query: &[(&str, &str)]) -> Vec<Value> {
        let url = format!("{}/sim/log", self.base);
        let log: Value = self
            .http
            .get(url)
            .query(query)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        log["entries"].as_array().cloned().unwrap_or_default()
    }

    /// The newest create call for `reference` as it arrived at "Vipps":
    /// `{"headers": {...}, "body": {...}}` (`GET /sim/payments/{r}/create`).
    pub async fn create_call(&self, reference: &str) -> Value {
        let url = format!("{}/sim/payments/{reference}/create", self.base);
        let resp = self.http.get(url).send().await.unwrap();
        assert_eq!(resp.status(), 200, "no create call kept for {reference}");
        resp.json().await.unwrap()
    }

    /// "Capture is not made twice", as Vipps's own log tells it: at least one
    /// capture arrived, every capture of the reference carried the same
    /// Idempotency-Key, and none was refused. A retry with a fresh key
    /// fails here even when the engine calls the refusal "settled".
    pub async fn assert_captured_under_one_key(&self, reference: &str) {
        let calls = self.money_calls(reference).await;
        let captures: Vec<&Value> = calls
            .iter()
            .filter(|c| c["operation"] == "capture")
            .collect();
        let shown = serde_json::to_string_pretty(&calls).unwrap();
        assert!(
            !captures.is_empty(),
            "no capture of {reference} reached Vipps:\n{shown}"
        );
        let keys: BTreeSet<&str> = captures
            .iter()
            .map(|c| c["idempotencyKey"].as_str().unwrap_or("(none)"))
            .collect();
        assert_eq!(
            keys.len(),
            1,
            "captures of {reference} carried {keys:?}:\n{shown}"
        );
        let refused = captures.iter().filter(|c| c["refused"] == true).count();
        assert_eq!(
            refused, 0,
            "{refused} captures of {reference} were refused:\n{shown}"
        );
    }
}
