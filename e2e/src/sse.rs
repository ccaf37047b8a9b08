//! A minimal reader of `GET /api/events`: enough to take the snapshot the
//! server sends first, for tests and for the subscriber benchmark.

use crate::wire;
use anyhow::{bail, Context, Result};
use futures_util::StreamExt;

/// One server-sent event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub name: String,
    pub data: String,
}

/// Reads events from a response body, one at a time.
pub struct EventReader {
    body: futures_util::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buffer: String,
}

impl EventReader {
    /// Opens the stream.
    pub async fn open(http: &reqwest::Client, base_url: &str) -> Result<EventReader> {
        let response = http
            .get(format!("{base_url}/api/events"))
            .header("accept", "text/event-stream")
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("GET /api/events: {}", response.status());
        }
        Ok(EventReader {
            body: response.bytes_stream().boxed(),
            buffer: String::new(),
        })
    }

    /// The next event with data (comments and keep-alives are skipped).
    pub async fn next(&mut self) -> Result<Event> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = parse(&block) {
                    return Ok(event);
                }
                continue;
            }
            let chunk = self.body.next().await.context("the event stream ended")??;
            self.buffer
                .push_str(&String::from_utf8_lossy(&chunk).replace("\r\n", "\n"));
        }
    }
}

fn parse(block: &str) -> Option<Event> {
    let mut name = "message".to_string();
    let mut data = Vec::new();
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("event:") {
            name = v.trim().to_string();
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    (!data.is_empty()).then(|| Event {
        name,
        data: data.join("\n"),
    })
}

/// The machine as a freshly connected display sees it.
pub async fn snapshot(base_url: &str) -> Result<wire::Snapshot> {
    let mut reader = EventReader::open(&reqwest::Client::new(), base_url).await?;
    let event = reader.next().await?;
    if event.name != "snapshot" {
        bail!("the first event was `{}`, not `snapshot`", event.name);
    }
    Ok(serde_json::from_str(&event.data)?)
}
