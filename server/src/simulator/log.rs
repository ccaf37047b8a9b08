//! The request log: every money call the simulator was sent (create, capture,
//! cancel, refund), with what it answered, for tests and fault runs to check
//! invariants at "Vipps" rather than at the client ("every capture of a
//! reference carried the same key and none was refused"). A ring buffer: the
//! oldest entries go first; `seq` numbers show when some have gone.

use super::clock::rfc3339;
use super::faults::Fault;
use super::gate::Request;
use super::state::{lock, Shared};
use axum::response::Response;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::Mutex;

/// How many entries are kept (a day of a busy machine, a few MB at most).
pub const CAPACITY: usize = 10_000;

/// One money call as it arrived and as it was answered.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    /// Simulator-clock time of arrival (RFC 3339).
    pub time: String,
    pub reference: Option<String>,
    /// `create`, `capture`, `cancel` or `refund`.
    pub operation: &'static str,
    /// The `Idempotency-Key` header as sent (even when invalid).
    pub idempotency_key: Option<String>,
    /// Minor units asked for: `amount.value` / `modificationAmount.value`.
    pub amount: Option<i64>,
    /// The status the caller received; `None` when the connection was cut.
    pub status: Option<u16>,
    /// `ErrorCode` of the simulator's own answer, if it had one.
    pub error_code: Option<String>,
    /// The simulator's rules answered 4xx (gateway, validation, domain,
    /// key conflict, rate limit), even when an injected fault hid it.
    pub refused: bool,
    /// Answered from the Idempotency-Key store: nothing was done again.
    pub replayed: bool,
    /// The answer was an injected fault (`status 503`, `dropped`), before
    /// processing or after it.
    pub injected: Option<String>,
}

impl Entry {
    fn to_json(&self, seq: u64) -> Value {
        json!({
            "seq": seq,
            "time": self.time,
            "reference": self.reference,
            "operation": self.operation,
            "idempotencyKey": self.idempotency_key,
            "amount": self.amount,
            "status": self.status,
            "errorCode": self.error_code,
            "refused": self.refused,
            "replayed": self.replayed,
            "injected": self.injected,
        })
    }
}

/// The bounded log; `seq` counts every entry ever added, from 1.
#[derive(Default)]
pub struct RequestLog {
    inner: Mutex<(u64, VecDeque<(u64, Entry)>)>,
}

impl RequestLog {
    pub fn push(&self, entry: Entry) {
        let mut inner = lock(&self.inner);
        inner.0 += 1;
        let seq = inner.0;
        if inner.1.len() == CAPACITY {
            inner.1.pop_front();
        }
        inner.1.push_back((seq, entry));
    }

    /// The entries kept, oldest first, only `reference`'s when given.
    pub fn entries(&self, reference: Option<&str>) -> Vec<Value> {
        lock(&self.inner)
            .1
            .iter()
            .filter(|(_, e)| reference.is_none() || e.reference.as_deref() == reference)
            .map(|(seq, e)| e.to_json(*seq))
            .collect()
    }
}

/// What the request log knows of a money call before it is handled.
pub fn entry_for(shared: &Shared, req: &Request) -> Entry {
    let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
    let amount_at = if req.endpoint == "create" {
        "/amount/value"
    } else {
        "/modificationAmount/value"
    };
    let header = req.headers.get("Idempotency-Key");
    Entry {
        time: rfc3339(shared.clock.now()),
        reference: req.reference.clone().or_else(|| {
            body.get("reference")
                .and_then(|r| r.as_str())
                .map(str::to_string)
        }),
        operation: req.endpoint,
        idempotency_key: header.and_then(|k| k.to_str().ok()).map(str::to_string),
        amount: body.pointer(amount_at).and_then(|v| v.as_i64()),
        ..Entry::default()
    }
}

/// Logs the answer that left: its status (none when the connection was cut).
pub fn finish(shared: &Shared, entry: Option<Entry>, sent: &Response, fault: Option<&Fault>) {
    let Some(mut entry) = entry else { return };
    let dropped = fault.is_some_and(|f| f.drop_connection);
    entry.status = (!dropped).then(|| sent.status().as_u16());
    entry.injected = fault.map(|f| match f.status {
        _ if f.drop_connection => "dropped".to_string(),
        Some(s) => format!("status {s}"),
        None => format!("delay {} ms", f.delay_ms),
    });
    shared.log.push(entry);
}

/// The `ErrorCode` in a problem body, if any.
pub fn error_code(body: &[u8]) -> Option<String> {
    let problem: serde_json::Value = serde_json::from_slice(body).ok()?;
    let details = problem.get("extraDetails")?.as_array()?;
    let code = details.iter().find(|d| d["name"] == "ErrorCode")?;
    code["reason"].as_str().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(reference: &str) -> Entry {
        Entry {
            reference: Some(reference.into()),
            operation: "capture",
            ..Entry::default()
        }
    }

    #[test]
    fn the_oldest_entries_give_way_and_seq_shows_it() {
        let log = RequestLog::default();
        for _ in 0..CAPACITY + 2 {
            log.push(entry("vm-042-a"));
        }
        let all = log.entries(None);
        assert_eq!(all.len(), CAPACITY);
        assert_eq!(all[0]["seq"], 3);
    }

    #[test]
    fn a_reference_filters_the_entries() {
        let log = RequestLog::default();
        log.push(entry("vm-042-a"));
        log.push(entry("vm-042-b"));
        let b = log.entries(Some("vm-042-b"));
        assert_eq!(b.len(), 1);
        assert_eq!(
            (b[0]["seq"].as_u64(), b[0]["operation"].as_str()),
            (Some(2), Some("capture"))
        );
    }
}
