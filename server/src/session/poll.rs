//! Learning the outcome of an unpaid session: the polling backstop, the
//! machine's session timeout, provider refreshes (after a webhook), and the
//! race-safe cancel of a payment nobody has approved yet.

use super::state::{Event, Phase};
use super::Engine;
use crate::epayment::model::PaymentState;
use crate::retry::RetryPolicy;
use std::time::Duration;
use time::OffsetDateTime;
use vendscreen_protocol::EndReason;

/// A customer's cancel is retried quickly at first: they are watching.
const CANCEL_RETRY: RetryPolicy =
    RetryPolicy::forever(Duration::from_millis(300), Duration::from_secs(5));

/// Polls slow down this far while Vipps answers 429.
const POLL_SLOWEST: Duration = Duration::from_secs(20);

impl Engine {
    /// Starts the poller and the session timeout for an awaiting session.
    pub(super) fn watch(&self, reference: String) {
        let engine = self.clone();
        let r = reference.clone();
        tokio::spawn(async move { engine.poll(&r).await });
        let engine = self.clone();
        tokio::spawn(async move { engine.timeout(&reference).await });
    }

    fn unpaid(&self, reference: &str) -> bool {
        matches!(self.inner.store.get(reference), Ok(Some(r)) if matches!(r.status.phase, Phase::Creating | Phase::AwaitingPayment))
    }

    /// GETs the payment until it leaves CREATED (Vipps: first after 5 s, then
    /// every 2 s; slower on 429). Webhooks usually win; both feed `handle`.
    async fn poll(&self, reference: &str) {
        let settings = &self.inner.settings;
        let slower = RetryPolicy::forever(settings.poll_interval * 2, POLL_SLOWEST);
        let mut backoff = slower.backoff();
        let mut interval = settings.poll_interval;
        tokio::time::sleep(settings.poll_first).await;
        while self.unpaid(reference) {
            match self.inner.client.get_payment(reference).await {
                Ok(p) if p.state != PaymentState::Created => {
                    self.offer(reference, Event::Provider(p.state)).await;
                    return;
                }
                Ok(_) => {
                    interval = settings.poll_interval;
                    backoff = slower.backoff();
                }
                Err(e) if e.status() == Some(404) => {
                    self.offer(reference, Event::PaymentMissing).await;
                    return;
                }
                Err(e) if e.status() == Some(429) => {
                    interval = backoff.next_delay(None).unwrap_or(POLL_SLOWEST)
                }
                Err(e) => tracing::warn!(%reference, error = %e, "poll failed"),
            }
            tokio::time::sleep(interval).await;
        }
    }

    /// At the session's end of life, an unpaid session is cancelled.
    async fn timeout(&self, reference: &str) {
        let Ok(Some(record)) = self.inner.store.get(reference) else {
            return;
        };
        let left = record.expires_at - OffsetDateTime::now_utc();
        tokio::time::sleep(left.try_into().unwrap_or(Duration::ZERO)).await;
        if self.unpaid(reference) {
            self.offer(reference, Event::CancelRequested(EndReason::SessionTimeout))
                .await;
        }
    }

    /// Re-reads the payment and applies its state (after a webhook, at recovery).
    pub(super) async fn refresh(&self, reference: &str) -> Option<PaymentState> {
        match self.inner.client.get_payment(reference).await {
            Ok(p) => {
                self.offer(reference, Event::Provider(p.state)).await;
                Some(p.state)
            }
            Err(e) if e.status() == Some(404) => {
                // Nothing to pay and nothing to release: end it, never wait on it.
                tracing::warn!(%reference, "the payment service does not know this payment");
                self.offer(reference, Event::PaymentMissing).await;
                None
            }
            Err(e) => {
                tracing::warn!(%reference, error = %e, "could not read payment");
                None
            }
        }
    }

    /// Cancels an unpaid payment with `cancelTransactionOnly`, so a cancel that
    /// races the customer's approval can never void an authorization:
    /// 6060 means they approved, and we vend instead.
    pub(super) async fn cancel_unpaid(&self, reference: &str) {
        let Ok(Some(record)) = self.inner.store.get(reference) else {
            return;
        };
        let mut attempt = 0;
        let mut backoff = CANCEL_RETRY.backoff();
        while self.unpaid(reference) {
            // A 4xx answer sticks to its key, so a retry after one needs a new key.
            let key = record.idempotency_key(&format!("cancel-{attempt}"));
            match self.inner.client.cancel(reference, true, &key).await {
                Ok(resp) => {
                    self.offer(reference, Event::Provider(resp.state)).await;
                    return;
                }
                Err(e) if e.code() == Some("6060") => {
                    self.offer(reference, Event::CancelRefused).await;
                    self.offer(reference, Event::Provider(PaymentState::Authorized))
                        .await;
                    return;
                }
                Err(e) if e.is_transient() => {
                    tracing::warn!(%reference, error = %e, "cancel: will retry")
                }
                Err(e) => {
                    // 6250 (mid-authorization) or a state error: look, then retry.
                    tracing::info!(%reference, error = %e, "cancel refused; checking the payment");
                    attempt += 1;
                    if self
                        .refresh(reference)
                        .await
                        .is_some_and(|s| s != PaymentState::Created)
                    {
                        return;
                    }
                }
            }
            backoff.wait().await;
        }
    }
}
