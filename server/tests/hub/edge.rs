//! A test's stand-in for a machine's edge: the `/fleet/v1` calls as plain
//! HTTP with the machine's token, its stream read raw, the customer at Vipps.

use futures_util::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;

pub struct Edge {
    pub hub: String,
    token: String,
    vipps: String,
    http: reqwest::Client,
}

/// One event of the stream: name, id, data.
#[derive(Debug, Clone)]
pub struct Sse {
    pub name: String,
    pub id: Option<i64>,
    pub data: Value,
}

type Bytes =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>;

/// An open `/fleet/v1/stream`.
pub struct Stream {
    bytes: Bytes,
    buffer: String,
}

impl Edge {
    pub fn new(hub: &str, token: &str, vipps: &str) -> Edge {
        Edge {
            hub: hub.to_string(),
            token: token.to_string(),
            vipps: vipps.to_string(),
            http: reqwest::Client::new(),
        }
    }

    /// The machine's token (a real edge is started with it).
    #[allow(dead_code)]
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The same machine speaking to another replica.
    pub fn via(&self, hub: &str) -> Edge {
        Edge::new(hub, &self.token, &self.vipps)
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let res = self
            .http
            .post(format!("{}{path}", self.hub))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let res = self
            .http
            .get(format!("{}{path}", self.hub))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Says the dispenser is ready (as every edge does every 15 s).
    pub async fn heartbeat(&self) {
        let (status, _) = self
            .post("/fleet/v1/heartbeat", json!({ "dispenserReady": true }))
            .await;
        assert_eq!(status, 204);
    }

    /// Starts a purchase with `request` as its request id; the session.
    pub async fn buy(&self, product: &str, request: &str) -> Value {
        let body = json!({ "productId": product, "requestId": request });
        let (status, session) = self.post("/fleet/v1/sessions", body).await;
        assert_eq!(status, 201, "{session}");
        session
    }

    /// The customer approves in the app.
    pub async fn approve(&self, reference: &str) {
        let url = format!("{}/sim/payments/{reference}/approve", self.vipps);
        let res = self.http.post(url).send().await.unwrap();
        assert!(res.status().is_success(), "approve: {}", res.status());
    }

    pub async fn state(&self, reference: &str) -> String {
        let (_, s) = self.get(&format!("/fleet/v1/sessions/{reference}")).await;
        s["state"].as_str().unwrap_or_default().to_string()
    }

    /// Waits until the session is in `state`.
    pub async fn wait_for(&self, reference: &str, state: &str) {
        let what = format!("{reference} to be {state}");
        crate::wait::wait_for(&what, Duration::from_secs(20), async || {
            (self.state(reference).await == state).then_some(())
        })
        .await
    }

    /// Opens the machine's stream (resuming after `last`, when given).
    pub async fn stream(&self, last: Option<i64>) -> Stream {
        let mut req = self
            .http
            .get(format!("{}/fleet/v1/stream", self.hub))
            .bearer_auth(&self.token);
        if let Some(id) = last {
            req = req.header("Last-Event-ID", id.to_string());
        }
        Stream::open(req.send().await.unwrap())
    }
}

impl Stream {
    /// Reads an SSE response (the hub's stream, or an edge's `/api/events`).
    pub fn open(res: reqwest::Response) -> Stream {
        assert_eq!(res.status(), 200);
        Stream {
            bytes: Box::pin(res.bytes_stream()),
            buffer: String::new(),
        }
    }

    /// The next named event but pings.
    pub async fn next(&mut self) -> Sse {
        let read = tokio::time::timeout(Duration::from_secs(20), self.next_inner());
        read.await.expect("no event on the stream in time")
    }

    /// Reads until an event named `name` whose data satisfies `wanted`.
    pub async fn until(&mut self, name: &str, wanted: impl Fn(&Value) -> bool) -> Sse {
        loop {
            let event = self.next().await;
            if event.name == name && wanted(&event.data) {
                return event;
            }
        }
    }

    async fn next_inner(&mut self) -> Sse {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |f: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(f))
                        .map(|v| v.trim().to_string())
                };
                match (field("event:"), field("data:")) {
                    (Some(name), Some(data)) if name != "ping" => {
                        return Sse {
                            name,
                            id: field("id:").and_then(|i| i.parse().ok()),
                            data: serde_json::from_str(&data).unwrap_or(Value::Null),
                        }
                    }
                    _ => continue,
                }
            }
            let chunk = self.bytes.next().await.expect("stream ended").unwrap();
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}
