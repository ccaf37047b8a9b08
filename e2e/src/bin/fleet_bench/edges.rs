//! Simulated edges: each holds its machine's `/fleet/v1/stream` open and
//! heartbeats every 15 s, as a real edge does; the purchasing ones also buy,
//! approve at "Vipps", acknowledge the vend, report it vended.

use anyhow::{bail, Context, Result};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// A machine's edge as the hub sees it.
#[derive(Clone)]
pub struct Edge {
    pub hub: String,
    pub token: String,
    pub http: reqwest::Client,
}

/// An event from a stream: name and data.
pub type Received = (String, Value);

impl Edge {
    /// Opens the stream; its events go to `tx` (none, for the held ones);
    /// returns once the snapshot arrived. Heartbeats until the stream ends.
    pub async fn hold(&self, tx: Option<mpsc::UnboundedSender<Received>>) -> Result<()> {
        let res = self
            .http
            .get(format!("{}/fleet/v1/stream", self.hub))
            .bearer_auth(&self.token)
            .send()
            .await?;
        if !res.status().is_success() {
            bail!("stream: {}", res.status());
        }
        let mut body = res.bytes_stream();
        let mut buffer = String::new();
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        let edge = self.clone();
        tokio::spawn(async move {
            let mut ready = Some(ready_tx);
            let mut beat = tokio::time::interval(Duration::from_secs(15));
            loop {
                tokio::select! {
                    chunk = body.next() => {
                        let Some(Ok(chunk)) = chunk else { return };
                        buffer.push_str(&String::from_utf8_lossy(&chunk));
                        while let Some(end) = buffer.find("\n\n") {
                            let block: String = buffer.drain(..end + 2).collect();
                            let Some(event) = parse(&block) else { continue };
                            if event.0 == "snapshot" {
                                if let Some(r) = ready.take() { let _ = r.send(()); }
                            }
                            if let Some(tx) = &tx { let _ = tx.send(event); }
                        }
                    }
                    _ = beat.tick() => { let _ = edge.heartbeat().await; }
                }
            }
        });
        tokio::time::timeout(Duration::from_secs(60), ready_rx)
            .await
            .context("no snapshot")??;
        Ok(())
    }

    pub async fn heartbeat(&self) -> Result<()> {
        self.post("/fleet/v1/heartbeat", json!({ "dispenserReady": true }))
            .await
            .map(drop)
    }

    pub async fn post(&self, path: &str, body: Value) -> Result<Value> {
        let res = self
            .http
            .post(format!("{}{path}", self.hub))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await?;
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("POST {path}: {status} {body}");
        }
        Ok(body)
    }
}

fn parse(block: &str) -> Option<Received> {
    let field = |f: &str| block.lines().find_map(|l| l.strip_prefix(f)).map(str::trim);
    let name = field("event:")?;
    (name != "ping").then(|| {
        let data = field("data:").unwrap_or("null");
        (
            name.to_string(),
            serde_json::from_str(data).unwrap_or(Value::Null),
        )
    })
}

/// One purchase on `edge` (whose stream's events arrive on `rx`), start to
/// `completed`; the time from the approval to the edge seeing it, in ms.
pub async fn purchase(
    edge: &Edge,
    rx: &mut mpsc::UnboundedReceiver<Received>,
    vipps: &str,
    request: &str,
) -> Result<f64> {
    let start = json!({ "productId": "cola", "requestId": request });
    let session = edge.post("/fleet/v1/sessions", start).await?;
    let reference = session["reference"]
        .as_str()
        .context("no reference")?
        .to_string();
    until(rx, &reference, |name, d| {
        name == "session" && d["state"] == "awaitingPayment"
    })
    .await?;
    let approved = Instant::now();
    let url = format!("{vipps}/sim/payments/{reference}/approve");
    let res = edge.http.post(url).send().await?;
    if !res.status().is_success() {
        bail!("approve: {}", res.status());
    }
    until(rx, &reference, |name, d| {
        name == "session" && d["state"] != "awaitingPayment"
    })
    .await?;
    let seen = approved.elapsed().as_secs_f64() * 1000.0;
    until(rx, &reference, |name, _| name == "vend").await?;
    edge.post(&format!("/fleet/v1/vends/{reference}/ack"), json!({}))
        .await?;
    let vended = json!({ "outcome": "vended" });
    edge.post(&format!("/fleet/v1/vends/{reference}/result"), vended)
        .await?;
    until(rx, &reference, |name, d| {
        name == "session" && d["state"] == "completed"
    })
    .await?;
    Ok(seen)
}

async fn until(
    rx: &mut mpsc::UnboundedReceiver<Received>,
    reference: &str,
    wanted: impl Fn(&str, &Value) -> bool,
) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let (name, data) = tokio::time::timeout(left, rx.recv())
            .await
            .with_context(|| format!("{reference}: timed out"))?
            .context("stream closed")?;
        let about = data["reference"] == reference || data["session"]["reference"] == reference;
        if about && wanted(&name, &data) {
            return Ok(());
        }
        if name == "session" && data["reference"] == reference {
            let state = data["state"].as_str().unwrap_or_default();
            if ["vendFailed", "failed", "cancelled", "expired", "rejected"].contains(&state) {
                bail!("{reference} ended {state}");
            }
        }
    }
}
