//! Signed webhook delivery (vipps-api.md §8–9): one queue per payment, so its
//! events arrive in order; an event is retried with backoff until the receiver
//! answers 2xx, and later events of that payment wait for it.

use super::state::{lock, Shared};
use crate::epayment::hmac;
use crate::epayment::model::WebhookEvent;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Undelivered events per reference; a reference has a worker while its queue exists.
#[derive(Default)]
pub struct Queues {
    pending: Mutex<HashMap<String, VecDeque<WebhookEvent>>>,
}

/// Adds an event; starts the payment's worker if none runs.
pub fn enqueue(shared: &Arc<Shared>, event: WebhookEvent) {
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
async fn deliver_everywhere(shared: &Arc<Shared>, event: &WebhookEvent) {
    let kind = event.name.webhook_type();
    let targets: Vec<_> = lock(&shared.webhooks)
        .iter()
        .filter(|h| h.events.iter().any(|e| e == kind))
        .map(|h| (h.id.clone(), h.url.clone(), h.secret.clone()))
        .collect();
    let body = serde_json::to_vec(event).unwrap_or_default();
    for (id, url, secret) in targets {
        deliver_with_retries(shared, &id, &url, &secret, &body).await;
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
    let (content_hash, authorization) = hmac::sign(secret, url, &date, body);
    let result = shared
        .http
        .post(url)
        .timeout(shared.config.webhook_timeout.max(Duration::from_millis(1)))
        .header("Content-Type", "application/json")
        .header("x-ms-date", date)
        .header("x-ms-content-sha256", content_hash)
        .header("Authorization", authorization)
        .body(body.to_vec())
        .send()
        .await;
    matches!(result, Ok(r) if r.status().is_success())
}
