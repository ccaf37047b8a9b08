//! `/api/events` read raw, as bytes off the socket: every event carries an
//! `id:`, the ids never go back, and the stream is never silent for longer
//! than the keep-alive interval (design.md: at least every 10 s).

use crate::helpers::spawn_app;
use futures_util::StreamExt;
use serde_json::json;
use std::time::{Duration, Instant};
use vendscreen_protocol::SessionState as S;

/// The longest silence the contract allows, and what a busy test machine adds.
const KEEP_ALIVE: Duration = Duration::from_secs(10);
const SLACK: Duration = Duration::from_secs(1);

/// One SSE block (up to a blank line) and when its last byte arrived.
struct Block {
    at: Instant,
    text: String,
}

impl Block {
    /// A `ping` event or a comment: there only to say the stream lives.
    fn is_keep_alive(&self) -> bool {
        self.field("event") == ["ping"] || self.text.lines().all(|l| l.starts_with(':'))
    }

    fn field(&self, name: &str) -> Vec<&str> {
        let prefix = format!("{name}:");
        let lines = self.text.lines();
        lines
            .filter_map(|l| l.strip_prefix(prefix.as_str()))
            .map(str::trim)
            .collect()
    }
}

#[tokio::test]
async fn every_event_has_an_id_and_the_stream_is_never_silent_past_the_keep_alive() {
    let app = spawn_app().await;
    let opened = Instant::now();
    let resp = app.get("/api/events").await;
    let shopped = std::cell::Cell::new(None::<Instant>);
    let mut blocks: Vec<Block> = Vec::new();
    // Reads without pause (so arrival times are true) until the first
    // keep-alive — a named `ping` or a comment — after the purchase ended.
    let reader = async {
        let mut bytes = resp.bytes_stream();
        let mut buffer = String::new();
        loop {
            let chunk = bytes.next().await.expect("stream ended").unwrap();
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let text: String = buffer.drain(..end + 2).collect();
                blocks.push(Block {
                    at: Instant::now(),
                    text,
                });
            }
            let done = |b: &Block| shopped.get().is_some_and(|t| b.at > t && b.is_keep_alive());
            if blocks.iter().any(done) {
                return;
            }
        }
    };
    let shopper = async {
        let r = app.buy("cola").await.reference;
        let path = format!("/api/sessions/{r}/cancel");
        assert_eq!(app.post_json(&path, json!({})).await.status(), 202);
        app.wait_for(&r, S::Cancelled).await;
        shopped.set(Some(Instant::now()));
    };
    let both = async { tokio::join!(reader, shopper) };
    let read = tokio::time::timeout(KEEP_ALIVE * 2, both).await;
    read.expect("no keep-alive within twice the interval");
    assert_never_silent_past_the_keep_alive(opened, &blocks);
    assert_every_event_has_one_rising_id(&blocks);
    let names: Vec<&str> = blocks.iter().flat_map(|b| b.field("event")).collect();
    assert_eq!(names.first(), Some(&"snapshot"), "{names:?}");
    let sessions = names.iter().filter(|n| **n == "session").count();
    assert!(
        sessions >= 3,
        "creating, awaiting payment, cancelled: {names:?}"
    );
}

/// No gap between the stream's opening and a block, or between two blocks,
/// is longer than the keep-alive interval (and the machine's slack).
fn assert_never_silent_past_the_keep_alive(opened: Instant, blocks: &[Block]) {
    let mut silent_from = opened;
    for block in blocks {
        let silence = block.at - silent_from;
        let shown = &block.text;
        assert!(
            silence <= KEEP_ALIVE + SLACK,
            "{silence:?} of silence before:\n{shown}"
        );
        silent_from = block.at;
    }
}

/// Every block with data has exactly one numeric `id:`, never below the last.
fn assert_every_event_has_one_rising_id(blocks: &[Block]) {
    let mut previous = None;
    for block in blocks.iter().filter(|b| !b.field("data").is_empty()) {
        let ids = block.field("id");
        let [id] = ids.as_slice() else {
            panic!("an event without exactly one id:\n{}", block.text)
        };
        let id: u64 = id.parse().unwrap_or_else(|_| panic!("id {id:?}"));
        assert!(
            previous.is_none_or(|p| p <= id),
            "id {id} after {previous:?}"
        );
        previous = Some(id);
    }
}
