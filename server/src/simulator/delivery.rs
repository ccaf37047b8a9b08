//! Signed webhook delivery (vipps-api.md §8–9): one queue per payment, so its
//! events arrive in order; an event is retried with backoff until the receiver
//! answers 2xx, and later events of that payment wait for it.

use super::signing;
use super::state::{lock, Shared};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// One webhook to deliver: its payment, its event type and its JSON body.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub reference: String,
    /// The Webhooks API event type, e.g. `epayments.payment.authorized.v1`.
    pub kind: String,
    pub body: Vec<u8>,
}

/// Undelivered events per reference; a reference has a worker while its queue exists.
#[derive(Default)]
pub struct Queues {
    pending: Mutex<HashMap<String, VecDeque<Delivery>>>,
}

/// Adds an event; starts the payment's worker if none runs.
pub fn enqueue(shared: &Arc<Shared>, event: Delivery) {
    let mut pending = lock(&shared.queues.pending);
    let reference = event.reference.clone();
    match pending.get_mut(&reference) {
        Some(queue) => queue.push_back(event),
        None => {
            let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                return;
            };
            pending.insert(reference.clone(), VecDeque::from([event]));
            runtime.spawn(worker(Arc::downgrade(shared), reference));
        }
    }
}

/// Delivers the payment's events one by one; ends when its queue is empty.
async fn worker(shared: std::sync::Weak<Shared>, reference: String) {
    loop {
        let Some(s) = shared.upgrade() else { return };
        let next = lock(&s.queues.pending)
            .get(&reference)
            .and_then(|q| q.front().cloned());
        let Some(event) = next else { return };
        deliver_everywhere(&s, &event).await;
        let mut pending = lock(&s.queues.pending);
        let now_empty = pending.get_mut(&reference).map(|q| {
            q.pop_front();
            q.is_empty()
        });
        if now_empty != Some(false) {
            // Removed under the lock, so `enqueue` starts a new worker next time.
            pending.remove(&reference);
            return;
        }
    }
}

/// Sends to every registration that wants this event type, each until it succeeds.
async fn deliver_everywhere(shared: &Arc<Shared>, event: &Delivery) {
    let targets: Vec<_> = lock(&shared.webhooks)
        .iter()
        .filter(|h| h.events.contains(&event.kind))
        .map(|h| (h.id.clone(), h.url.clone(), h.secret.clone()))
        .collect();
    for (id, url, secret) in targets {
        deliver_with_retries(shared, &id, &url, &secret, &event.body).await;
    }
}

async fn deliver_with_retries(
    shared: &Arc<Shared>,
    id: &str,
    url: &str,
    secret: &str,
    body: &[u8],
) {
    let config = &shared.config;
    let mut wait = config.webhook_retry_base;
    for attempt in 1..=config.webhook_attempts {
        // A deleted registration gets nothing more.
        if !lock(&shared.webhooks).iter().any(|h| h.id == id) {
            return;
        }
        if send(shared, url, secret, body).await {
            return;
        }
        tracing::info!(
            url,
            attempt,
            "simulated webhook delivery failed; will retry"
        );
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(config.webhook_retry_max);
    }
    tracing::warn!(url, "simulated webhook dropped after all retries");
}

/// One signed POST; true on 2xx within the timeout.
async fn send(shared: &Shared, url: &str, secret: &str, body: &[u8]) -> bool {
    // x-ms-date from the simulator's clock, like every other time it reports.
    let date = httpdate::fmt_http_date(shared.clock.now().max(SystemTime::UNIX_EPOCH));
    let signed = signing::sign(secret, url, &date, body);
    let result = shared
        .http
        .post(url)
        .timeout(shared.config.webhook_timeout.max(Duration::from_millis(1)))
        .header("Content-Type", "application/json")
        .header("x-ms-date", signed.x_ms_date)
        .header("x-ms-content-sha256", signed.x_ms_content_sha256)
        .header("Authorization", signed.authorization)
        .body(body.to_vec())
        .send()
        .await;
    matches!(result, Ok(r) if r.status().is_success())
}
