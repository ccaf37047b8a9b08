//! Shared by the ePayment / simulator test binaries: a simulator on a real
//! port, a client pointed at it, and small builders.
#![allow(dead_code)]

use std::time::Duration;
use vendscreen_protocol::Currency;
use vendscreen_server::config::Secret;
use vendscreen_server::epayment::model::Amount;
use vendscreen_server::epayment::{
    CreatePayment, EpaymentClient, EpaymentSettings, OrderLine, QrFormat, RetryPolicy,
};
use vendscreen_server::simulator::{Simulator, SimulatorConfig, SimulatorCredentials};

pub struct TestSim {
    pub sim: Simulator,
    pub base: String,
    pub client: EpaymentClient,
    pub http: reqwest::Client,
}

/// Quick retries: the tests prove behaviour, not patience.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        attempts: Some(4),
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
    }
}

pub fn settings(base: &str, timeout: Duration) -> EpaymentSettings {
    let c = SimulatorCredentials::default();
    EpaymentSettings {
        base_url: base.to_string(),
        client_id: c.client_id,
        client_secret: Secret::new(c.client_secret),
        subscription_key: Secret::new(c.subscription_key),
        msn: c.msn,
        timeout,
    }
}

/// A simulator served on 127.0.0.1:0; `tweak` adjusts its config.
pub async fn spawn_with(tweak: impl FnOnce(&mut SimulatorConfig)) -> TestSim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut config = SimulatorConfig::new(base.clone());
    tweak(&mut config);
    let sim = Simulator::new(config);
    let router = sim.router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    // Generous per-try timeout: the machine is busy; fault tests set their own.
    let client = EpaymentClient::with_retry(settings(&base, Duration::from_secs(10)), fast_retry());
    TestSim {
        sim,
        base,
        client,
        http: reqwest::Client::new(),
    }
}

pub async fn spawn() -> TestSim {
    spawn_with(|_| {}).await
}

pub fn nok(value: i64) -> Amount {
    Amount::new(Currency::Nok, value)
}

/// A unique, valid reference per test.
pub fn reference() -> String {
    format!(
        "vm-042-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

pub fn key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A one-product QR payment of `value` øre, VAT 25 %.
pub fn order(reference: &str, value: i64) -> CreatePayment {
    let tax = value / 5;
    CreatePayment {
        reference: reference.to_string(),
        amount: nok(value),
        description: "Cola 0,5 l".into(),
        pos_id: "vm-042".into(),
        receipt_number: "0001".into(),
        order_lines: vec![OrderLine {
            id: "cola".into(),
            name: "Cola 0,5 l".into(),
            total_amount: value,
            total_amount_excluding_tax: value - tax,
            total_tax_amount: tax,
            tax_rate: 2500,
        }],
        qr_format: QrFormat::TargetUrl,
    }
}

impl TestSim {
    /// Creates a payment; returns its reference.
    pub async fn created(&self, value: i64) -> String {
        let r = reference();
        self.client
            .create_payment(&order(&r, value), &key())
            .await
            .unwrap();
        r
    }

    /// Creates and approves (as the customer would in the app).
    pub async fn authorized(&self, value: i64) -> String {
        let r = self.created(value).await;
        self.control(&r, "approve").await;
        r
    }

    /// `POST /sim/payments/{r}/{action}`; returns the status.
    pub async fn control(&self, r: &str, action: &str) -> u16 {
        let url = format!("{}/sim/payments/{r}/{action}", self.base);
        self.http.post(url).send().await.unwrap().status().as_u16()
    }

    /// A valid access token, for raw calls.
    pub async fn token(&self) -> String {
        let c = SimulatorCredentials::default();
        let r: serde_json::Value = self
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
        r["access_token"].as_str().unwrap().to_string()
    }

    /// The payment as `GET /epayment/v1/payments/{r}` answers it, raw JSON.
    pub async fn payment_raw(&self, r: &str) -> serde_json::Value {
        let path = format!("/epayment/v1/payments/{r}");
        let res = self
            .raw(reqwest::Method::GET, &path)
            .await
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "GET {path}");
        res.json().await.unwrap()
    }

    /// `capture`, `cancel` or `refund` of `value` øre (none for cancel) with a
    /// fresh key, raw: the status and the answer's `ErrorCode`, if any.
    pub async fn modify_raw(&self, r: &str, op: &str, value: Option<i64>) -> (u16, Option<String>) {
        let body = match value {
            Some(v) => serde_json::json!({"modificationAmount": {"currency": "NOK", "value": v}}),
            None => serde_json::json!({}),
        };
        let path = format!("/epayment/v1/payments/{r}/{op}");
        let req = self.raw(reqwest::Method::POST, &path).await;
        let res = req
            .header("Idempotency-Key", key())
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let answer: serde_json::Value = res.json().await.unwrap_or_default();
        let code = answer["extraDetails"]
            .as_array()
            .and_then(|d| d.iter().find(|d| d["name"] == "ErrorCode"))
            .and_then(|d| d["reason"].as_str())
            .map(str::to_string);
        (status, code)
    }

    /// A raw ePayment request with all the right headers (tests remove some).
    pub async fn raw(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let c = SimulatorCredentials::default();
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(self.token().await)
            .header("Ocp-Apim-Subscription-Key", c.subscription_key)
            .header("Merchant-Serial-Number", c.msn)
    }
}
