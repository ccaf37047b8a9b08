//! A real edge agent in this test process: its own port, journal file and
//! simulated dispenser, its hub at a given URL (a replica, or a proxy).

use crate::edge::Stream;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;
use vendscreen_server::config::Config;
use vendscreen_server::dispenser::{Dispenser, SimulatedDispenser};
use vendscreen_server::edge::{Edge, EdgeHandle, Entry};

pub struct Machine {
    pub base: String,
    pub handle: EdgeHandle,
    running: tokio::task::JoinHandle<()>,
    http: reqwest::Client,
}

/// Hub settings for tests: pings often, so a short silence can be allowed.
pub const HUB: &[(&str, &str)] = &[("VENDSCREEN_HUB_PING_MS", "200")];

/// Edge settings for tests: a second of silence is out of service.
pub const QUICK: &[(&str, &str)] = &[
    ("VENDSCREEN_HUB_LINK_SILENCE_MS", "1000"),
    ("VENDSCREEN_HUB_HEARTBEAT_MS", "500"),
];

impl Machine {
    /// Starts an edge speaking to `hub` with `token`, its journal at
    /// `journal`, the dispenser taking `vend_ms` per vend.
    pub async fn start(hub: &str, token: &str, journal: &Path, vend_ms: u64) -> Machine {
        let dist = journal.parent().unwrap().display().to_string();
        let mut env = vec![
            ("VENDSCREEN_SERVER_ROLE", "edge".to_string()),
            ("VENDSCREEN_SERVER_LISTEN", "127.0.0.1:0".to_string()),
            ("VENDSCREEN_SERVER_DIST", dist),
            ("VENDSCREEN_HUB_URL", hub.to_string()),
            ("VENDSCREEN_HUB_TOKEN", token.to_string()),
            ("VENDSCREEN_STORE_PATH", journal.display().to_string()),
            ("VENDSCREEN_DISPENSER_SIMULATED_MS", vend_ms.to_string()),
        ];
        env.extend(QUICK.iter().map(|(k, v)| (*k, v.to_string())));
        let env = env.into_iter().map(|(k, v)| (k.to_string(), v));
        let edge = Edge::build(Config::from_sources("", env).unwrap())
            .await
            .expect("edge");
        let base = edge.base_url().to_string();
        let handle = edge.handle();
        let running = tokio::spawn(async move { edge.run_until_stopped().await.unwrap() });
        Machine {
            base,
            handle,
            running,
            http: reqwest::Client::new(),
        }
    }

    /// Stops the edge and waits until all its work has ended.
    pub async fn stop(self) {
        self.handle.stop();
        self.running.await.unwrap();
    }

    pub fn dispenser(&self) -> SimulatedDispenser {
        match self.handle.dispenser() {
            Dispenser::Simulated(d) => d.clone(),
            _ => panic!("tests use the simulated dispenser"),
        }
    }

    /// References the dispenser started a vend for.
    pub fn vends(&self) -> Vec<String> {
        self.dispenser().vends()
    }

    pub async fn journal(&self, reference: &str) -> Option<Entry> {
        self.handle.journal().get(reference).await.unwrap()
    }

    /// `POST /api/sessions` as the display does: status and body.
    pub async fn buy(&self, product: &str) -> (u16, Value) {
        let res = self
            .http
            .post(format!("{}/api/sessions", self.base))
            .json(&json!({ "productId": product }))
            .send()
            .await
            .unwrap();
        (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        )
    }

    /// Buys `product`; the reference.
    pub async fn bought(&self, product: &str) -> String {
        let (status, session) = self.buy(product).await;
        assert_eq!(status, 201, "{session}");
        session["reference"].as_str().unwrap().to_string()
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        )
    }

    /// The display's stream, `GET /api/events`.
    pub async fn events(&self) -> Stream {
        let url = format!("{}/api/events", self.base);
        Stream::open(self.http.get(url).send().await.unwrap())
    }

    /// Waits until the edge can sell (linked, heard from, dispenser ready).
    pub async fn wait_in_service(&self) {
        crate::wait::wait_for("the edge in service", Duration::from_secs(20), async || {
            self.handle.status().in_service.then_some(())
        })
        .await
    }

    /// Waits until the journal says `check` of `reference`'s entry.
    pub async fn wait_journal(&self, reference: &str, what: &str, check: impl Fn(&Entry) -> bool) {
        crate::wait::wait_for(what, Duration::from_secs(20), async || {
            self.journal(reference).await.filter(|e| check(e)).map(drop)
        })
        .await
    }
}
