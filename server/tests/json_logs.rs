//! `VENDSCREEN_LOG_FORMAT=json` on the real binary: a purchase run through it
//! leaves only JSON lines, and the lines of the purchase's work carry its
//! reference and the machine's posId, so a log search finds a complaint.

#[allow(dead_code)]
#[path = "support/wait.rs"]
mod wait;

use serde_json::{json, Value};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use wait::wait_for;

const BIN: &str = env!("CARGO_BIN_EXE_vendscreen-server");
const POS_ID: &str = "vm-logs-1";

/// The server's log so far, line by line.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    /// Every line as JSON (panics on one that is not).
    fn parsed(&self) -> Vec<Value> {
        let lines = self.lines();
        lines
            .iter()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
    }
}

/// Starts the binary with JSON logs on port 0; reads its address from its log.
async fn start(dir: &tempfile::TempDir) -> (Child, String, Log) {
    let mut child = Command::new(BIN)
        .env("VENDSCREEN_LOG_FORMAT", "json")
        .env("VENDSCREEN_SERVER_LISTEN", "127.0.0.1:0")
        .env("VENDSCREEN_SERVER_DIST", dir.path())
        .env("VENDSCREEN_STORE_PATH", dir.path().join("logs.db"))
        .env("VENDSCREEN_MACHINE_POS_ID", POS_ID)
        .env("VENDSCREEN_DISPENSER_SIMULATED_MS", "20")
        .env("VENDSCREEN_EPAYMENT_POLL_FIRST_MS", "200")
        .env("RUST_LOG", "vendscreen_server=info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let log = Log::default();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let keep = log.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            keep.0.lock().unwrap().push(line);
        }
    });
    let base = wait_for("the server to serve", Duration::from_secs(30), async || {
        log.lines().iter().find_map(|l| {
            let message: Value = serde_json::from_str(l).ok()?;
            let text = message["message"].as_str()?;
            Some(
                text.split("serving on ")
                    .nth(1)?
                    .split(' ')
                    .next()?
                    .to_string(),
            )
        })
    })
    .await;
    (child, base, log)
}

#[tokio::test]
async fn a_purchase_logs_json_lines_that_carry_its_reference_and_pos_id() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base, log) = start(&dir).await;
    let http = reqwest::Client::new();
    let created: Value = http
        .post(format!("{base}/api/sessions"))
        .json(&json!({ "productId": "cola" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let reference = created["reference"]
        .as_str()
        .expect("a session")
        .to_string();
    let approve = format!("{base}/sim/payments/{reference}/approve");
    let approved = http.post(approve).send().await.unwrap();
    assert!(approved.status().is_success(), "{}", approved.status());

    // Its last line: the transition to completed.
    let mine = |line: &Value| line["span"]["reference"] == reference.as_str();
    wait_for(
        "the purchase to complete in the log",
        Duration::from_secs(20),
        async || {
            log.parsed()
                .iter()
                .any(|l| mine(l) && l["message"] == "transition" && l["phase"] == "Completed")
                .then_some(())
        },
    )
    .await;
    let _ = child.kill().await;

    let lines = log.parsed();
    let purchase: Vec<&Value> = lines.iter().filter(|l| mine(l)).collect();
    for line in &purchase {
        assert_eq!(line["span"]["posId"], POS_ID, "{line}");
    }
    let said = |message: &str| purchase.iter().any(|l| l["message"] == message);
    // Lines that name no reference themselves carry it from the span.
    assert!(said("purchase started"), "{purchase:#?}");
    let phases: Vec<&str> = purchase
        .iter()
        .filter(|l| l["message"] == "transition")
        .filter_map(|l| l["phase"].as_str())
        .collect();
    for phase in [
        "AwaitingPayment",
        "Authorized",
        "Vending",
        "Capturing",
        "Completed",
    ] {
        assert!(phases.contains(&phase), "{phase} missing from {phases:?}");
    }
    assert!(said("webhook"), "{purchase:#?}");
    // Every line naming this purchase was logged inside its span.
    let naming = lines
        .iter()
        .filter(|l| l["reference"] == reference.as_str());
    for line in naming {
        assert!(mine(line), "outside the purchase's span: {line}");
    }
}
