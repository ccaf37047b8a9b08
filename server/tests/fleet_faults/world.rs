//! One fleet for a fault run: a PostgreSQL cluster of its own (so it can be
//! restarted), "Vipps" as a simulator process, the webhook fan-out, three
//! hub replica processes with crash points, and machines, each a real edge
//! in this process with its own journal, dispenser and cuttable link.

use crate::fanout::Fanout;
use crate::in_process::start_edge;
use crate::link::Link;
use crate::ports::free_port;
use crate::replicas::Replicas;
use crate::wait::wait_for;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};
use vendscreen_pgtest::{Cluster, TestDatabase};
use vendscreen_server::config::MachineCatalog;
use vendscreen_server::dispenser::{Dispenser, SimulatedDispenser};
use vendscreen_server::edge::{EdgeHandle, Entry};
use vendscreen_server::hub::token;
use vendscreen_server::simulator::SimulatorCredentials;
use vendscreen_server::store::PgStore;

const BIN: &str = env!("CARGO_BIN_EXE_vendscreen-server");

/// How an edge watches its link here: a link down for 2 s stays in service.
const FAULT_RUN_LINK: &[(&str, &str)] = &[
    ("VENDSCREEN_HUB_LINK_SILENCE_MS", "4000"),
    ("VENDSCREEN_HUB_HEARTBEAT_MS", "1000"),
];

const CATALOG: &str = r#"
[machine]
name = "Fault run"
[[products]]
id = "cola"
name = "Cola 0,5 l"
price = 3500
slot = "A1"
"#;

/// A machine: its edge and its link to the hub.
pub struct Machine {
    pub pos_id: String,
    pub base: String,
    pub link: Link,
    pub edge: EdgeHandle,
}

impl Machine {
    /// References the dispenser was asked to vend (one entry per vend).
    pub fn vends(&self) -> Vec<String> {
        match self.edge.dispenser() {
            Dispenser::Simulated(d) => SimulatedDispenser::vends(d),
            _ => unreachable!("fault runs use the simulated dispenser"),
        }
    }

    pub async fn journal(&self) -> Vec<Entry> {
        self.edge.journal().all().await.unwrap()
    }
}

pub struct World {
    pub cluster: Cluster,
    _db: TestDatabase,
    pub store: PgStore,
    pub vipps: String,
    _vipps: Child,
    pub fanout: Fanout,
    pub replicas: Replicas,
    pub machines: Vec<Machine>,
    pub dir: tempfile::TempDir,
}

impl World {
    pub async fn start(machines: usize, crash_at: &[Option<&'static str>], times: u32) -> World {
        let dir = tempfile::tempdir().unwrap();
        let cluster = Cluster::throwaway().await;
        let db = cluster.blank_database().await;
        let (vipps, vipps_child) = start_vipps(dir.path()).await;
        let ports = Replicas::ports(crash_at.len());
        let urls: Vec<String> = ports
            .iter()
            .map(|p| format!("http://127.0.0.1:{p}"))
            .collect();
        let fanout = Fanout::start(&urls).await;
        let env = hub_env(db.url(), &vipps, &fanout.url);
        let replicas = Replicas::start(env, ports, crash_at, times, dir.path()).await;
        let store = PgStore::connect(db.url(), 4).await.unwrap();
        let mut world = World {
            cluster,
            _db: db,
            store,
            vipps,
            _vipps: vipps_child,
            fanout,
            replicas,
            machines: Vec::new(),
            dir,
        };
        for i in 0..machines {
            let machine = world.machine(&format!("vm-fault-{i:03}")).await;
            world.machines.push(machine);
        }
        world
    }

    async fn machine(&self, pos_id: &str) -> Machine {
        let catalog = MachineCatalog::from_toml(CATALOG, pos_id).unwrap();
        let secret = token::generate();
        let hash = token::hash(&secret);
        let catalog = catalog.to_json();
        let added = self.store.add_machine(pos_id, &hash, &catalog).await;
        assert!(added.unwrap(), "{pos_id} added twice");
        let link = Link::start(self.replicas.addrs()).await;
        let journal = self.dir.path().join(format!("{pos_id}.db"));
        let edge = start_edge(&link.url(), &secret, &journal, 100, FAULT_RUN_LINK).await;
        Machine {
            pos_id: pos_id.to_string(),
            base: edge.base,
            link,
            edge: edge.handle,
        }
    }
}

/// The hub replicas' settings: "Vipps" is the simulator process, webhooks
/// come through the fan-out, deadlines short enough for a test.
fn hub_env(db_url: &str, vipps: &str, webhook: &str) -> Vec<(String, String)> {
    let c = SimulatorCredentials::default();
    let env = [
        ("VENDSCREEN_SERVER_ROLE", "hub".to_string()),
        ("VENDSCREEN_STORE_URL", db_url.to_string()),
        ("VENDSCREEN_EPAYMENT_BASE_URL", vipps.to_string()),
        ("VENDSCREEN_EPAYMENT_CLIENT_ID", c.client_id),
        ("VENDSCREEN_EPAYMENT_CLIENT_SECRET", c.client_secret),
        ("VENDSCREEN_EPAYMENT_SUBSCRIPTION_KEY", c.subscription_key),
        ("VENDSCREEN_EPAYMENT_MSN", c.msn),
        ("VENDSCREEN_EPAYMENT_POLL_FIRST_MS", "1000".to_string()),
        ("VENDSCREEN_EPAYMENT_POLL_INTERVAL_MS", "1000".to_string()),
        ("VENDSCREEN_WEBHOOK_PUBLIC_URL", webhook.to_string()),
        ("VENDSCREEN_HUB_VEND_ACK_MS", "8000".to_string()),
        ("VENDSCREEN_HUB_VEND_RESULT_MS", "15000".to_string()),
        ("VENDSCREEN_HUB_PING_MS", "1000".to_string()),
    ];
    env.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// A simulator-only server process playing Vipps.
async fn start_vipps(dir: &Path) -> (String, Child) {
    let port = free_port();
    let log = std::fs::File::create(dir.join("vipps.log")).unwrap();
    let child = Command::new(BIN)
        .env("VENDSCREEN_SERVER_LISTEN", format!("127.0.0.1:{port}"))
        .env("VENDSCREEN_STORE_PATH", dir.join("vipps.db"))
        .env("VENDSCREEN_SERVER_DIST", dir)
        .env("VENDSCREEN_WEBHOOK_ENABLED", "false")
        .env("RUST_LOG", "vendscreen_server=warn")
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let health = format!("{base}/healthz");
    wait_for("Vipps to start", Duration::from_secs(30), async || {
        reqwest::get(&health).await.ok().map(|_| ())
    })
    .await;
    (base, child)
}
