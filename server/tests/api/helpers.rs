//! `spawn_app()` and a `TestApp` that speaks to the server like the display does.

use crate::vipps::RawVipps;
use crate::wait::wait_for;
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;
use tempfile::TempDir;
use vendscreen_protocol as wire;
use vendscreen_server::config::Config;
use vendscreen_server::dispenser::{Dispenser, SimulatedDispenser};
use vendscreen_server::Application;

pub struct TestApp {
    pub base: String,
    /// `webhook.listen`'s and `simulator.listen`'s base URLs, when set.
    pub webhook_base: Option<String>,
    pub phone_base: Option<String>,
    /// `metrics.listen`'s base URL, when set (read by `tests/metrics.rs`).
    #[allow(dead_code)]
    pub metrics_base: Option<String>,
    pub http: reqwest::Client,
    /// The machine's dispenser, when it is the simulated one: it counts vends.
    pub dispenser: Option<SimulatedDispenser>,
    /// Holds the store and dist; dropped with the app.
    pub dir: TempDir,
}

/// A server on a free port with the simulator, a fresh store and a fast dispenser.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Like [`spawn_app`], with extra `VENDSCREEN_*` settings.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    spawn_in(dir, extra).await
}

pub async fn spawn_in(dir: TempDir, extra: &[(&str, &str)]) -> TestApp {
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>vendscreen</title>",
    )
    .unwrap();
    let mut env = vec![
        (
            "VENDSCREEN_SERVER_LISTEN".to_string(),
            "127.0.0.1:0".to_string(),
        ),
        (
            "VENDSCREEN_SERVER_DIST".into(),
            dir.path().display().to_string(),
        ),
        (
            "VENDSCREEN_STORE_PATH".into(),
            dir.path().join("test.db").display().to_string(),
        ),
        ("VENDSCREEN_DISPENSER_SIMULATED_MS".into(), "20".into()),
        ("VENDSCREEN_EPAYMENT_POLL_FIRST_MS".into(), "200".into()),
        ("VENDSCREEN_EPAYMENT_POLL_INTERVAL_MS".into(), "500".into()),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let config = Config::from_sources("", env).expect("config");
    let app = Application::build(config).await.expect("build");
    let base = app.base_url().to_string();
    let dispenser = match &app.dispenser {
        Dispenser::Simulated(d) => Some(d.clone()),
        _ => None,
    };
    let webhook_base = app.webhook_base_url().map(String::from);
    let phone_base = app.simulator_base_url().map(String::from);
    let metrics_base = app.metrics_base_url().map(String::from);
    tokio::spawn(app.run_until_stopped());
    let test = TestApp {
        base,
        webhook_base,
        phone_base,
        metrics_base,
        http: reqwest::Client::new(),
        dispenser,
        dir,
    };
    if !extra.contains(&("VENDSCREEN_WEBHOOK_ENABLED", "false")) {
        test.wait_until_webhook_registered().await;
    }
    test
}

/// A machine configured with credentials, so it runs no simulator of its own
/// and pays at `vipps` (another app, acting as Vipps) as it would in the field.
pub async fn spawn_machine_paying_at(vipps: &TestApp, extra: &[(&str, &str)]) -> TestApp {
    spawn_machine_in(tempfile::tempdir().unwrap(), vipps, extra).await
}

/// Like [`spawn_machine_paying_at`], on the store (and dist) in `dir`.
pub async fn spawn_machine_in(dir: TempDir, vipps: &TestApp, extra: &[(&str, &str)]) -> TestApp {
    let paying = crate::vipps::paying_at(&vipps.base);
    let mut env: Vec<(&str, &str)> = paying.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.extend([
        ("VENDSCREEN_WEBHOOK_ENABLED", "false"),
        // Real credentials refuse the demo's posId.
        ("VENDSCREEN_MACHINE_POS_ID", "vm-test-7"),
    ]);
    // Later entries win, so a test can spoil a credential.
    env.extend_from_slice(extra);
    spawn_in(dir, &env).await
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post_json(&self, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.unwrap()
    }

    /// `GET path` as a browser accepting `encodings` (`Accept-Encoding`).
    pub async fn get_accepting(&self, path: &str, encodings: &str) -> reqwest::Response {
        let req = self.http.get(self.url(path));
        req.header("accept-encoding", encodings)
            .send()
            .await
            .unwrap()
    }

    /// Injects a fault into this app's simulator (see `simulator::Fault`).
    pub async fn fault(&self, fault: Value) {
        let resp = self.post_json("/sim/faults", fault).await;
        assert_eq!(resp.status(), 204, "{}", resp.text().await.unwrap());
    }

    /// The references `/healthz` lists as waiting for a person.
    pub async fn needs_operator(&self) -> Vec<String> {
        let health: Value = self.get("/healthz").await.json().await.unwrap();
        serde_json::from_value(health["needsOperator"].clone()).unwrap()
    }

    /// Whether `/healthz` says the payment service can be used.
    pub async fn payment_reachable(&self) -> bool {
        let health: Value = self.get("/healthz").await.json().await.unwrap();
        health["paymentServiceReachable"].as_bool().unwrap()
    }

    /// Starts a purchase and returns the created session.
    pub async fn buy(&self, product: &str) -> wire::Session {
        let resp = self
            .post_json("/api/sessions", json!({ "productId": product }))
            .await;
        assert_eq!(
            resp.status(),
            201,
            "buy {product}: {}",
            resp.text().await.unwrap()
        );
        resp.json().await.unwrap()
    }

    pub async fn session(&self, reference: &str) -> wire::Session {
        self.get(&format!("/api/sessions/{reference}"))
            .await
            .json()
            .await
            .unwrap()
    }

    /// The webhook registration this server keeps (`url`, `secret`), read
    /// from its store file as another process would.
    pub fn webhook_registration(&self) -> Value {
        let store = rusqlite::Connection::open(self.dir.path().join("test.db")).unwrap();
        let setting: String = store
            .query_row(
                "SELECT value FROM settings WHERE key = 'webhook'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        serde_json::from_str(&setting).unwrap()
    }

    /// The references the simulated dispenser started vends for.
    pub fn vends(&self) -> Vec<String> {
        self.dispenser
            .as_ref()
            .expect("a simulated dispenser")
            .vends()
    }

    /// Moves the simulated Vipps's clock on by `seconds`.
    pub async fn advance_clock(&self, seconds: u64) {
        let resp = self
            .post_json("/sim/clock/advance", json!({ "seconds": seconds }))
            .await;
        assert!(resp.status().is_success(), "advance: {}", resp.status());
    }

    /// The customer acts in the simulated app: `approve`, `reject` or `expire`.
    pub async fn customer(&self, reference: &str, action: &str) {
        let resp = self
            .http
            .post(self.url(&format!("/sim/payments/{reference}/{action}")))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{action}: {}", resp.status());
    }

    /// Waits (with a deadline, not a fixed sleep) until the session is in `state`.
    pub async fn wait_for(&self, reference: &str, state: wire::SessionState) -> wire::Session {
        let what = format!("{reference} to be {state:?}");
        wait_for(&what, Duration::from_secs(15), async || {
            let s = self.session(reference).await;
            (s.state == state).then_some(s)
        })
        .await
    }

    /// The simulated Vipps of this app, read raw (its API's JSON, its log).
    pub fn vipps(&self) -> RawVipps {
        RawVipps::at(&self.base)
    }

    /// The payment as the simulated Vipps answers `GET /payments/{reference}`.
    pub async fn payment(&self, reference: &str) -> Value {
        self.vipps().payment(reference).await
    }

    async fn wait_until_webhook_registered(&self) {
        // Registration happens right after the server starts serving; a
        // purchase before it would be learned by polling only.
        let vipps = self.vipps();
        wait_for(
            "the webhook registration",
            Duration::from_secs(10),
            async || (!vipps.webhooks().await.is_empty()).then_some(()),
        )
        .await
    }

    /// Opens `/api/events` and returns a reader of (event, data) pairs.
    pub async fn events(&self) -> SseReader {
        let resp = self.get("/api/events").await;
        assert_eq!(resp.headers()["content-type"], "text/event-stream");
        SseReader {
            stream: Box::pin(resp.bytes_stream()),
            buffer: String::new(),
        }
    }
}

type ByteStream =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>;

/// A minimal SSE parser: enough to read our own stream.
pub struct SseReader {
    stream: ByteStream,
    buffer: String,
}

impl SseReader {
    /// The next named event (comments and pings skipped), with a deadline.
    pub async fn next(&mut self) -> (String, Value) {
        tokio::time::timeout(Duration::from_secs(15), self.next_inner())
            .await
            .expect("no SSE event in time")
    }

    async fn next_inner(&mut self) -> (String, Value) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(name))
                        .map(|v| v.trim().to_string())
                };
                if let (Some(event), Some(data)) = (field("event:"), field("data:")) {
                    if event != "ping" {
                        return (event, serde_json::from_str(&data).unwrap());
                    }
                }
                continue;
            }
            let chunk = self.stream.next().await.expect("stream ended").unwrap();
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Reads session events until one has `state`; returns the states seen.
    pub async fn states_until(&mut self, state: &str) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let (name, data) = self.next().await;
            let s = match name.as_str() {
                "session" => data["state"].as_str().map(String::from),
                "snapshot" => data["session"]["state"].as_str().map(String::from),
                _ => None,
            };
            if let Some(s) = s {
                let done = s == state;
                seen.push(s);
                if done {
                    return seen;
                }
            }
        }
    }
}
