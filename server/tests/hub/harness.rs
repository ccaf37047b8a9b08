//! A hub replica on its own test database, "Vipps" as an in-process
//! simulator server, and machines added with their tokens.

use crate::edge::Edge;
use std::time::Duration;
use vendscreen_server::config::{Config, MachineCatalog};
use vendscreen_server::hub::{token, Hub};
use vendscreen_server::store::PgStore;
use vendscreen_server::Application;

/// The catalog every test machine gets: cola (35.00, A1) and water.
pub const CATALOG: &str = r#"
[machine]
name = "Oslo S, platform 4"
[[products]]
id = "cola"
name = "Cola 0,5 l"
price = 3500
slot = "A1"
[[products]]
id = "water"
name = "Water 0,5 l"
price = 2900
slot = "A2"
"#;

/// One fleet: its database, its Vipps, and its hub replicas.
pub struct Fleet {
    _db: vendscreen_pgtest::TestDatabase,
    /// The database's URL (`store.url` for the fleet commands).
    pub db_url: String,
    pub store: PgStore,
    pub vipps: String,
    pub hubs: Vec<String>,
    _vipps_dir: tempfile::TempDir,
}

/// A simulator-only server playing Vipps, on a free port.
async fn vipps() -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("VENDSCREEN_SERVER_LISTEN", "127.0.0.1:0".to_string()),
        ("VENDSCREEN_SERVER_DIST", dir.path().display().to_string()),
        (
            "VENDSCREEN_STORE_PATH",
            dir.path().join("vipps.db").display().to_string(),
        ),
        ("VENDSCREEN_WEBHOOK_ENABLED", "false".to_string()),
    ];
    let env = env.into_iter().map(|(k, v)| (k.to_string(), v));
    let app = Application::build(Config::from_sources("", env).unwrap())
        .await
        .unwrap();
    let base = app.base_url().to_string();
    tokio::spawn(app.run_until_stopped());
    (base, dir)
}

#[allow(dead_code)]
pub trait Flagged {
    async fn awaiting_operator_all(&self) -> Vec<String>;
}

impl Flagged for PgStore {
    /// References waiting for a person, on every machine.
    async fn awaiting_operator_all(&self) -> Vec<String> {
        use vendscreen_server::store::Store;
        let waiting = self.awaiting_operator(None).await.unwrap();
        waiting.into_iter().map(|r| r.reference).collect()
    }
}

impl Fleet {
    /// A fleet with `replicas` hub replicas and `extra` settings for them.
    pub async fn new(replicas: usize, extra: &[(&str, &str)]) -> Fleet {
        let db = vendscreen_pgtest::blank_database().await;
        let (vipps, _vipps_dir) = vipps().await;
        let mut hubs = Vec::new();
        for _ in 0..replicas {
            hubs.push(start_hub(db.url(), &vipps, extra).await);
        }
        let store = PgStore::connect(db.url(), 4).await.unwrap();
        Fleet {
            db_url: db.url().to_string(),
            _db: db,
            store,
            vipps,
            hubs,
            _vipps_dir,
        }
    }

    /// Adds a machine and returns its edge (speaking to the first replica).
    pub async fn machine(&self, pos_id: &str) -> Edge {
        let catalog = MachineCatalog::from_toml(CATALOG, pos_id).unwrap();
        let secret = token::generate();
        let added = self
            .store
            .add_machine(pos_id, &token::hash(&secret), &catalog.to_json())
            .await
            .unwrap();
        assert!(added, "{pos_id} added twice");
        Edge::new(&self.hubs[0], &secret, &self.vipps)
    }
}

async fn start_hub(db_url: &str, vipps: &str, extra: &[(&str, &str)]) -> String {
    let mut env = crate::vipps::paying_at(vipps);
    env.extend([
        ("VENDSCREEN_SERVER_ROLE", "hub".to_string()),
        ("VENDSCREEN_SERVER_LISTEN", "127.0.0.1:0".to_string()),
        ("VENDSCREEN_STORE_URL", db_url.to_string()),
        ("VENDSCREEN_EPAYMENT_POLL_FIRST_MS", "200".to_string()),
        ("VENDSCREEN_EPAYMENT_POLL_INTERVAL_MS", "300".to_string()),
        ("VENDSCREEN_WEBHOOK_ENABLED", "false".to_string()),
    ]);
    env.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    let env = env.into_iter().map(|(k, v)| (k.to_string(), v));
    let hub = Hub::build(Config::from_sources("", env).unwrap())
        .await
        .expect("hub");
    let base = hub.base_url().to_string();
    tokio::spawn(hub.run_until_stopped());
    let ready = crate::wait::wait_until("the hub ready", Duration::from_secs(20), async || {
        let r = reqwest::get(format!("{base}/readyz")).await?;
        Ok::<_, reqwest::Error>(r.status().is_success().then_some(()))
    });
    ready.await.unwrap();
    base
}
