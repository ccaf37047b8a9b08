//! The fleet under measurement: PostgreSQL, "Vipps" (the simulator, a
//! process of its own), two hub replicas (the release binary), and machines
//! added straight into the hub's database with known tokens.

use anyhow::{Context, Result};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};
use vendscreen_e2e::server::{binary_path, free_port};

/// The simulator's built-in test merchant.
const CREDENTIALS: [(&str, &str); 4] = [
    (
        "VENDSCREEN_EPAYMENT_CLIENT_ID",
        "fb492b5e-7907-4d83-bc20-c7fb60ca35de",
    ),
    (
        "VENDSCREEN_EPAYMENT_CLIENT_SECRET",
        "Y8Kteew6GE3ZmeycEt6egg==",
    ),
    (
        "VENDSCREEN_EPAYMENT_SUBSCRIPTION_KEY",
        "0f14ebcab0ec4b29ae0cb90d91b4a84a",
    ),
    ("VENDSCREEN_EPAYMENT_MSN", "123456"),
];

pub struct Fleet {
    pub db: vendscreen_pgtest::TestDatabase,
    pub vipps: String,
    pub hubs: Vec<String>,
    children: Vec<Child>,
    _dir: tempfile::TempDir,
}

impl Fleet {
    pub async fn start(replicas: usize) -> Result<Fleet> {
        let db = vendscreen_pgtest::blank_database().await;
        let dir = tempfile::tempdir()?;
        let mut children = Vec::new();
        let vipps_port = free_port()?;
        let vipps = format!("http://127.0.0.1:{vipps_port}");
        let mut sim = command(&[
            (
                "VENDSCREEN_SERVER_LISTEN",
                format!("127.0.0.1:{vipps_port}"),
            ),
            (
                "VENDSCREEN_STORE_PATH",
                dir.path().join("vipps.db").display().to_string(),
            ),
            ("VENDSCREEN_SERVER_DIST", dir.path().display().to_string()),
            ("VENDSCREEN_WEBHOOK_ENABLED", "false".into()),
        ]);
        children.push(sim.spawn().context("start the simulator")?);
        ready(&vipps, "/healthz").await?;
        let ports: Vec<u16> = (0..replicas).map(|_| free_port()).collect::<Result<_>>()?;
        let hubs: Vec<String> = ports
            .iter()
            .map(|p| format!("http://127.0.0.1:{p}"))
            .collect();
        for port in &ports {
            let mut env = vec![
                ("VENDSCREEN_SERVER_ROLE", "hub".to_string()),
                ("VENDSCREEN_SERVER_LISTEN", format!("127.0.0.1:{port}")),
                ("VENDSCREEN_STORE_URL", db.url().to_string()),
                ("VENDSCREEN_EPAYMENT_BASE_URL", vipps.clone()),
                // Webhooks to the first replica, as a load balancer would spread them.
                (
                    "VENDSCREEN_WEBHOOK_PUBLIC_URL",
                    format!("{}/webhooks/epayment", hubs[0]),
                ),
                ("VENDSCREEN_SERVER_MAX_CONNECTIONS", "9000".into()),
            ];
            env.extend(CREDENTIALS.iter().map(|(k, v)| (*k, v.to_string())));
            children.push(command(&env).spawn().context("start a hub")?);
        }
        for hub in &hubs {
            ready(hub, "/readyz").await?;
        }
        Ok(Fleet {
            db,
            vipps,
            hubs,
            children,
            _dir: dir,
        })
    }

    /// Adds machines `bm-0`…`bm-{n-1}` whose tokens are `bench-token-{i}`.
    pub async fn add_machines(&self, n: usize) -> Result<()> {
        let catalog = json!({
            "machine": { "name": "Bench machine", "outcome_display_s": 0 },
            "products": [{ "id": "cola", "name": "Cola 0,5 l", "price": 3500, "slot": "A1" }],
        });
        for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
            let ids: Vec<String> = chunk.iter().map(|i| pos_id(*i)).collect();
            let hashes: Vec<String> = chunk.iter().map(|i| hash(&token(*i))).collect();
            sqlx::query(
                "INSERT INTO machines (pos_id, token_hash, catalog, dispenser_ready, last_seen) \
                 SELECT id, h, $3, TRUE, now() FROM UNNEST($1::text[], $2::text[]) AS t(id, h)",
            )
            .bind(&ids)
            .bind(&hashes)
            .bind(&catalog)
            .execute(self.db.pool())
            .await?;
        }
        Ok(())
    }

    /// Database statistics since the last reset: commits, rows written.
    pub async fn pg_stats(&self) -> Result<(i64, i64)> {
        let row: (i64, i64) = sqlx::query_as(
            "SELECT xact_commit, tup_inserted + tup_updated FROM pg_stat_database \
             WHERE datname = current_database()",
        )
        .fetch_one(self.db.pool())
        .await?;
        Ok(row)
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.start_kill();
        }
    }
}

pub fn pos_id(i: usize) -> String {
    format!("bm-{i}")
}

pub fn token(i: usize) -> String {
    format!("bench-token-{i:06}-not-a-secret")
}

fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn command(env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(binary_path());
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().map(|(k, v)| (k.to_string(), v.clone())))
        .env("RUST_LOG", "vendscreen_server=warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    cmd
}

async fn ready(base: &str, path: &str) -> Result<()> {
    let what = format!("{base}{path} to answer");
    let answered = vendscreen_e2e::wait::wait_until(&what, Duration::from_secs(30), async || {
        let r = reqwest::get(format!("{base}{path}")).await?;
        Ok::<_, reqwest::Error>(r.status().is_success().then_some(()))
    });
    answered.await?;
    Ok(())
}
