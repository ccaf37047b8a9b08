//! A real edge agent in this test process: its own port, journal file and
//! simulated dispenser, its hub at a given URL (a replica, or a proxy).

use crate::edge::{Edge as StandIn, Stream};
use crate::harness::Fleet;
use crate::in_process::start_edge;
use crate::proxy::Proxy;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;
use vendscreen_server::dispenser::{Dispenser, SimulatedDispenser};
use vendscreen_server::edge::{EdgeHandle, Entry, Sent, Stage};

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
        let edge = start_edge(hub, token, journal, vend_ms, QUICK).await;
        Machine {
            base: edge.base,
            handle: edge.handle,
            running: edge.running,
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

    /// The customer presses Cancel: `POST /api/sessions/{reference}/cancel`.
    pub async fn cancel(&self, reference: &str) -> (u16, Value) {
        let res = self
            .http
            .post(format!("{}/api/sessions/{reference}/cancel", self.base))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        )
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

/// One fleet (a replica with [`HUB`] and `hub_env`), one machine on it, its
/// real edge linked through a proxy, and the machine's token as a stand-in
/// edge for looking at the hub directly.
pub struct Rig {
    pub fleet: Fleet,
    pub hub: StandIn,
    pub proxy: Proxy,
    pub edge: Machine,
    dir: tempfile::TempDir,
}

impl Rig {
    /// The purchase settled once: captured under one Idempotency-Key at
    /// "Vipps", and its outcome sent to the hub from the journal.
    pub async fn assert_settled_once(&self, reference: &str) {
        self.vipps().assert_captured_under_one_key(reference).await;
        let sent = |e: &Entry| e.sent == Sent::Yes;
        self.edge
            .wait_journal(reference, "the outcome sent", sent)
            .await;
    }

    /// The dispenser takes `vend_ms` per vend; the edge is in service.
    pub async fn new(pos_id: &str, hub_env: &[(&str, &str)], vend_ms: u64) -> Rig {
        let fleet = Fleet::new(1, &[HUB, hub_env].concat()).await;
        let hub = fleet.machine(pos_id).await;
        let proxy = Proxy::to(&fleet.hubs[0]).await;
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("journal.db");
        let edge = Machine::start(&proxy.url, hub.token(), &journal, vend_ms).await;
        edge.wait_in_service().await;
        Rig {
            fleet,
            hub,
            proxy,
            edge,
            dir,
        }
    }

    pub fn journal_path(&self) -> PathBuf {
        self.dir.path().join("journal.db")
    }

    /// Buys cola on the edge; the reference once its QR is shown.
    pub async fn bought(&self) -> String {
        let reference = self.edge.bought("cola").await;
        self.hub.wait_for(&reference, "awaitingPayment").await;
        reference
    }

    /// Waits until the edge's dispenser started vending `reference` (the
    /// hub accepted the ack: the dispenser runs only after that).
    pub async fn vend_started(&self, reference: &str) {
        let started = || {
            self.edge
                .vends()
                .iter()
                .any(|r| r == reference)
                .then_some(())
        };
        crate::wait::wait_for("the vend to start", Duration::from_secs(20), async || {
            started()
        })
        .await
    }

    /// A purchase vended and journalled, its outcome held up by a cut link.
    pub async fn vended_unsent(&self) -> String {
        let reference = self.bought().await;
        self.hub.approve(&reference).await;
        self.vend_started(&reference).await;
        self.proxy.cut();
        let vended = |e: &Entry| e.stage == Stage::Vended && e.sent == Sent::No;
        let what = "the outcome journalled, not sent";
        self.edge.wait_journal(&reference, what, vended).await;
        reference
    }

    /// Stops the edge (all its work ended) and starts another on the same
    /// journal, through the same proxy, cut or not.
    pub async fn restart(self, vend_ms: u64) -> Rig {
        let journal = self.journal_path();
        let Rig { edge, .. } = self;
        edge.stop().await;
        let edge = Machine::start(&self.proxy.url, self.hub.token(), &journal, vend_ms).await;
        Rig { edge, ..self }
    }

    pub fn vipps(&self) -> crate::vipps::RawVipps {
        crate::vipps::RawVipps::at(&self.fleet.vipps)
    }
}
