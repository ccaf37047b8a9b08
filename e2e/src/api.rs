//! The server's HTTP surface as tests use it: the display API, and the
//! simulator's `/sim/` controls standing in for the customer's phone.

use crate::wire;
use anyhow::{bail, Context, Result};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// A raw answer, for tests that send what a client should not.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub body: String,
}

/// A client for one server.
#[derive(Clone)]
pub struct Api {
    base: String,
    /// Where `/sim/payments` and `/sim/clock` live: this server, or a
    /// separate one standing in for Vipps.
    sim: String,
    http: Client,
}

impl Api {
    pub fn new(base_url: impl Into<String>) -> Api {
        let base = base_url.into();
        Api {
            sim: base.clone(),
            base,
            http: Client::new(),
        }
    }

    /// The same, with the simulated Vipps at another address.
    pub fn with_vipps_at(self, sim_base_url: impl Into<String>) -> Api {
        Api {
            sim: sim_base_url.into(),
            ..self
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub async fn catalog(&self) -> Result<wire::Catalog> {
        self.get_json("/api/catalog").await
    }

    /// Starts a purchase as the display does.
    pub async fn buy(&self, product_id: &str) -> Result<wire::Session> {
        let answer = self
            .post("/api/sessions", Some(json!({ "productId": product_id })))
            .await?;
        if answer.status != StatusCode::CREATED {
            bail!(
                "POST /api/sessions {product_id}: {} {}",
                answer.status,
                answer.body
            );
        }
        Ok(serde_json::from_str(&answer.body)?)
    }

    pub async fn session(&self, reference: &str) -> Result<wire::Session> {
        self.get_json(&format!("/api/sessions/{reference}")).await
    }

    /// The customer presses Cancel at the machine.
    pub async fn cancel(&self, reference: &str) -> Result<Answer> {
        self.post(
            &format!("/api/sessions/{reference}/cancel"),
            Some(json!({})),
        )
        .await
    }

    /// The customer approves / declines in the app, or the QR runs out.
    pub async fn approve(&self, reference: &str) -> Result<()> {
        self.sim_payment(reference, "approve").await
    }

    pub async fn reject(&self, reference: &str) -> Result<()> {
        self.sim_payment(reference, "reject").await
    }

    pub async fn expire(&self, reference: &str) -> Result<()> {
        self.sim_payment(reference, "expire").await
    }

    /// Moves the simulator's clock on (payments expire after 600 s).
    pub async fn advance_clock(&self, seconds: u64) -> Result<()> {
        let body = json!({ "seconds": seconds });
        self.expect_ok(
            self.post_at(&self.sim, "/sim/clock/advance", Some(body))
                .await?,
        )
    }

    /// The payment as the simulated Vipps holds it (the JSON of its
    /// `GET /epayment/v1/payments/{reference}`), read at `/sim/payments`.
    pub async fn vipps_payment(&self, reference: &str) -> Result<Value> {
        let path = format!("/sim/payments/{reference}");
        self.json_at(&self.sim, &path).await
    }

    /// Every money call the simulated Vipps was sent about `reference`
    /// (its request log, `/sim/log`), oldest first.
    pub async fn vipps_money_calls(&self, reference: &str) -> Result<Vec<Value>> {
        let log: Value = self
            .json_at(&self.sim, &format!("/sim/log?reference={reference}"))
            .await?;
        Ok(log["entries"].as_array().cloned().unwrap_or_default())
    }

    /// The next `n` vends fail at the machine.
    pub async fn fail_next_vends(&self, n: u32) -> Result<()> {
        self.expect_ok(
            self.post("/sim/dispenser", Some(json!({ "failNext": n })))
                .await?,
        )
    }

    pub async fn set_out_of_order(&self, out: bool) -> Result<()> {
        self.expect_ok(
            self.post("/sim/dispenser", Some(json!({ "outOfOrder": out })))
                .await?,
        )
    }

    /// POST with a JSON body, or with none.
    pub async fn post(&self, path: &str, body: Option<Value>) -> Result<Answer> {
        self.post_at(&self.base, path, body).await
    }

    async fn post_at(&self, base: &str, path: &str, body: Option<Value>) -> Result<Answer> {
        let mut request = self.http.post(format!("{base}{path}"));
        if let Some(body) = body {
            request = request.json(&body);
        }
        Answer::read(request.send().await?).await
    }

    /// POST with a raw body and content type, for garbage.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: &str) -> Result<Answer> {
        let request = self
            .http
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body.to_string());
        Answer::read(request.send().await?).await
    }

    pub async fn get(&self, path: &str) -> Result<Answer> {
        Answer::read(self.http.get(self.url(path)).send().await?).await
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.json_at(&self.base, path).await
    }

    async fn json_at<T: serde::de::DeserializeOwned>(&self, base: &str, path: &str) -> Result<T> {
        let answer = Answer::read(self.http.get(format!("{base}{path}")).send().await?).await?;
        if !answer.status.is_success() {
            bail!("GET {path}: {} {}", answer.status, answer.body);
        }
        serde_json::from_str(&answer.body).with_context(|| format!("GET {path}: {}", answer.body))
    }

    async fn sim_payment(&self, reference: &str, action: &str) -> Result<()> {
        let path = format!("/sim/payments/{reference}/{action}");
        self.expect_ok(self.post_at(&self.sim, &path, None).await?)
    }

    fn expect_ok(&self, answer: Answer) -> Result<()> {
        if !answer.status.is_success() {
            bail!("{} {}", answer.status, answer.body);
        }
        Ok(())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Answer {
    async fn read(response: reqwest::Response) -> Result<Answer> {
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        Ok(Answer {
            status,
            content_type,
            body: response.text().await?,
        })
    }

    /// True for an RFC 9457 problem document.
    pub fn is_problem(&self) -> bool {
        self.content_type.starts_with("application/problem+json")
    }
}
