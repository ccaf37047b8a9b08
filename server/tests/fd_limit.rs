//! Item 6 of issue 10, on the real binary: a machine whose file limit is low
//! (128, soft and hard) is flooded with idle connections while a purchase is
//! under way; it must still reach the payment service, capture, and answer
//! the display once the flood is closed. And SIGTERM still ends event streams.

#[path = "support/wait.rs"]
mod wait;

use serde_json::{json, Value};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use wait::wait_for;

const BIN: &str = env!("CARGO_BIN_EXE_vendscreen-server");

struct Proc {
    child: Child,
    base: String,
}

/// Starts the binary through `sh` (so `ulimit` can be set first) on port 0,
/// and reads the address it serves on from its log.
async fn start(env: &[(&str, String)], nofile: Option<u32>) -> Proc {
    let limit = nofile
        .map(|n| format!("ulimit -n {n} && "))
        .unwrap_or_default();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("{limit}exec \"$0\""))
        .arg(BIN)
        .envs(env.iter().map(|(k, v)| (k.to_string(), v.clone())))
        .env("VENDSCREEN_SERVER_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "vendscreen_server=info")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.split("serving on ").nth(1) {
                return rest.split_whitespace().next().unwrap().to_string();
            }
        }
        panic!("the server exited before serving");
    })
    .await
    .expect("the server did not start");
    // Keep draining its log so it never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Proc { child, base }
}

fn store(dir: &tempfile::TempDir, name: &str) -> (&'static str, String) {
    let path = dir.path().join(name).display().to_string();
    ("VENDSCREEN_STORE_PATH", path)
}

async fn state(http: &reqwest::Client, machine: &Proc, reference: &str) -> Option<String> {
    let url = format!("{}/api/sessions/{reference}", machine.base);
    let resp = http.get(url).send().await.ok()?;
    let session: Value = resp.json().await.ok()?;
    session["state"].as_str().map(String::from)
}

#[tokio::test]
async fn a_flood_of_idle_connections_starves_neither_the_payment_calls_nor_the_display() {
    let dir = tempfile::tempdir().unwrap();
    let vipps = start(
        &[
            store(&dir, "vipps.db"),
            ("VENDSCREEN_WEBHOOK_ENABLED", "false".into()),
        ],
        None,
    )
    .await;
    let c = vendscreen_server::simulator::SimulatorCredentials::default();
    let machine = start(
        &[
            store(&dir, "machine.db"),
            ("VENDSCREEN_EPAYMENT_BASE_URL", vipps.base.clone()),
            ("VENDSCREEN_EPAYMENT_CLIENT_ID", c.client_id),
            ("VENDSCREEN_EPAYMENT_CLIENT_SECRET", c.client_secret),
            ("VENDSCREEN_EPAYMENT_SUBSCRIPTION_KEY", c.subscription_key),
            ("VENDSCREEN_EPAYMENT_MSN", c.msn),
            ("VENDSCREEN_EPAYMENT_POLL_FIRST_MS", "500".into()),
            ("VENDSCREEN_EPAYMENT_POLL_INTERVAL_MS", "1000".into()),
            ("VENDSCREEN_MACHINE_POS_ID", "vm-flood-1".into()),
            ("VENDSCREEN_WEBHOOK_ENABLED", "false".into()),
            ("VENDSCREEN_DISPENSER_SIMULATED_MS", "50".into()),
            ("VENDSCREEN_SERVER_HEADER_TIMEOUT_MS", "1000".into()),
        ],
        Some(128),
    )
    .await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let resp = http
        .post(format!("{}/api/sessions", machine.base))
        .json(&json!({ "productId": "cola" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let reference = resp.json::<Value>().await.unwrap()["reference"]
        .as_str()
        .unwrap()
        .to_string();
    // More idle sockets than the machine has file descriptors.
    let addr = machine.base.trim_start_matches("http://").to_string();
    let mut flood = Vec::new();
    for _ in 0..300 {
        flood.push(TcpStream::connect(&addr).await.unwrap());
    }
    let approve = format!("{}/sim/payments/{reference}/approve", vipps.base);
    assert!(http
        .post(approve)
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    wait_for(
        "the purchase to complete",
        Duration::from_secs(60),
        async || {
            let state = state(&http, &machine, &reference).await;
            (state.as_deref() == Some("completed")).then_some(())
        },
    )
    .await;
    let health = http.get(format!("{}/healthz", machine.base)).send().await;
    assert_eq!(health.unwrap().status(), 200);
    drop(flood);
}

#[tokio::test]
async fn sigterm_ends_the_event_streams_and_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(&[store(&dir, "s.db")], None).await;
    let mut stream = reqwest::get(format!("{}/api/events", server.base))
        .await
        .unwrap();
    let first = stream.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("snapshot"));
    let pid = server.child.id().unwrap().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().await;
    assert!(killed.unwrap().success());
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    });
    assert!(ended.await.is_ok(), "the event stream outlived SIGTERM");
    let exit = tokio::time::timeout(Duration::from_secs(10), server.child.wait()).await;
    assert!(exit
        .expect("the server outlived SIGTERM")
        .unwrap()
        .success());
}
