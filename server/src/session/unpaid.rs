//! The step of an unpaid session: poll the payment (Vipps: first after 5 s,
//! then every 2 s, slower on 429; a webhook makes it due at once), end it at
//! the machine's timeout, and carry out a requested cancel race-safely.

use super::news::payment;
use super::worker::Step;
use super::Engine;
use crate::domain::{Event, Payment, SessionRecord};
use crate::epayment::model::PaymentState;
use crate::retry::RetryPolicy;
use crate::store::Due;
use crate::telemetry::metrics;
use std::time::Duration;
use time::OffsetDateTime;
use vendscreen_protocol::EndReason;

/// A customer's cancel is retried quickly at first: they are watching.
const CANCEL_RETRY: RetryPolicy =
    RetryPolicy::forever(Duration::from_millis(300), Duration::from_secs(5));

/// Polls slow down this far while Vipps answers 429.
const POLL_SLOWEST: Duration = Duration::from_secs(20);

impl Engine {
    pub(super) async fn unpaid_step(&self, record: &SessionRecord) -> Step {
        if record.status.cancelling().is_some() {
            return self.cancel_step(record).await;
        }
        let reference = &record.reference;
        let settings = &self.inner.settings;
        metrics::poll();
        match self.inner.client.get_payment(reference).await {
            Ok(p) if p.state != PaymentState::Created => {
                self.offer(reference, Event::Payment(payment(p.state)))
                    .await;
                return Step::Moved;
            }
            Ok(_) => {}
            Err(e) if e.status() == Some(404) => {
                // Nothing to pay and nothing to release: end it, never wait on it.
                tracing::warn!(%reference, "the payment service does not know this payment");
                self.offer(reference, Event::PaymentMissing).await;
                return Step::Moved;
            }
            Err(e) if e.status() == Some(429) => {
                let slower = RetryPolicy::forever(settings.poll_interval * 2, POLL_SLOWEST);
                return Step::retry_in(slower.delay_after(record.attempts + 1));
            }
            Err(e) => tracing::warn!(%reference, error = %e, "poll failed"),
        }
        if self.machine_gone_silent(&record.machine).await {
            tracing::warn!(%reference, "the machine went silent; cancelling its QR");
            let gone = Event::CancelRequested(EndReason::Interrupted);
            self.offer(reference, gone).await;
            return Step::Moved;
        }
        let left = record.expires_at - OffsetDateTime::now_utc();
        if left <= time::Duration::ZERO {
            let timeout = Event::CancelRequested(EndReason::SessionTimeout);
            self.offer(reference, timeout).await;
            return Step::Moved;
        }
        let left: Duration = left.try_into().unwrap_or_default();
        Step::wait(Due::In(settings.poll_interval.min(left)))
    }

    /// Cancels an unpaid payment with `cancelTransactionOnly`, so a cancel that
    /// races the customer's approval can never void an authorization: 6060
    /// means they approved, and the vend (with its own checks) follows instead.
    async fn cancel_step(&self, record: &SessionRecord) -> Step {
        let reference = &record.reference;
        // A 4xx answer sticks to its key, so each attempt has its own.
        let key = record.idempotency_key(&format!("cancel-{}", record.attempts));
        match self.inner.client.cancel(reference, true, &key).await {
            Ok(resp) => {
                self.offer(reference, Event::Payment(payment(resp.state)))
                    .await;
                return Step::Moved;
            }
            Err(e) if e.code() == Some("6060") => {
                self.offer(reference, Event::CancelRefused).await;
                self.offer(reference, Event::Payment(Payment::Approved))
                    .await;
                return Step::Moved;
            }
            Err(e) if e.is_transient() => {
                tracing::warn!(%reference, error = %e, "cancel: will retry")
            }
            Err(e) => {
                // 6250 (mid-authorization) or a state error: look, then retry.
                tracing::info!(%reference, error = %e, "cancel refused; checking the payment");
                if let Ok(p) = self.inner.client.get_payment(reference).await {
                    if p.state != PaymentState::Created {
                        self.offer(reference, Event::Payment(payment(p.state)))
                            .await;
                        return Step::Moved;
                    }
                }
            }
        }
        Step::retry_in(CANCEL_RETRY.delay_after(record.attempts + 1))
    }
}

/// Whether a session is still worth showing: at least half a minute to scan.
pub(super) fn still_payable(record: &SessionRecord) -> bool {
    record.expires_at - OffsetDateTime::now_utc() > time::Duration::seconds(30)
}
