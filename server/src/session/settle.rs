//! Ending an authorized payment: capture after a confirmed vend, release after
//! a failed one. Each step is one attempt with the same Idempotency-Key; a
//! transient failure comes back later, a definitive refusal is checked
//! against the payment and else listed for a person, and a session still
//! unsettled after a while is listed too (and still retried).

use super::worker::Step;
use super::Engine;
use crate::domain::{Event, OperatorReason, SessionRecord};
use crate::epayment::model::Amount;
use crate::epayment::EpaymentError;
use crate::retry::RetryPolicy;
use crate::store::Due;
use crate::telemetry::metrics;
use std::time::Duration;
use time::OffsetDateTime;

/// Settling retries for as long as it takes, the client's own quick retries
/// inside each attempt; up to 30 s apart keeps within Vipps's 5 money calls
/// per minute per reference.
const SETTLE_RETRY: RetryPolicy =
    RetryPolicy::forever(Duration::from_millis(500), Duration::from_secs(30));

/// The two money calls that end an authorized payment. The name is both the
/// log field and the Idempotency-Key suffix, so a retry after a restart
/// derives the same key.
#[derive(Debug, Clone, Copy)]
enum Settlement {
    Capture,
    Release,
}

impl Settlement {
    fn as_str(self) -> &'static str {
        match self {
            Settlement::Capture => "capture",
            Settlement::Release => "release",
        }
    }
}

impl Engine {
    /// Captures the full amount (never before the goods left).
    pub(super) async fn capture_step(&self, record: &SessionRecord) -> Step {
        let key = record.idempotency_key(Settlement::Capture.as_str());
        let amount = Amount::new(record.amount.currency, record.amount.value);
        let answer = self
            .inner
            .client
            .capture(&record.reference, amount, &key)
            .await;
        crate::failpoint::hit("capture-sent");
        let done = answer.map(|r| r.aggregate.captured_amount.value >= amount.value);
        self.settled(record, Settlement::Capture, done).await
    }

    /// Cancels what is left of an authorized payment after a failed vend.
    pub(super) async fn release_step(&self, record: &SessionRecord) -> Step {
        let key = record.idempotency_key(Settlement::Release.as_str());
        let answer = self
            .inner
            .client
            .cancel(&record.reference, false, &key)
            .await;
        self.settled(record, Settlement::Release, answer.map(|_| true))
            .await
    }

    /// What one attempt's answer means for the session.
    async fn settled(
        &self,
        record: &SessionRecord,
        settlement: Settlement,
        answer: Result<bool, EpaymentError>,
    ) -> Step {
        let (reference, what) = (&record.reference, settlement.as_str());
        let done = match answer {
            Ok(done) => done,
            Err(e) if e.is_transient() => {
                tracing::warn!(%reference, what, error = %e, "will retry");
                false
            }
            Err(_) if self.already_settled(reference, settlement).await => true,
            Err(e) => {
                metrics::settle_attempt(what, false);
                tracing::error!(%reference, what, error = %e, "refused; operator needed");
                self.flag_operator(reference, OperatorReason::SettlementRefused)
                    .await;
                return Step::wait(Due::Never);
            }
        };
        if done {
            if record
                .operator
                .is_some_and(OperatorReason::clears_when_settled)
            {
                self.unflag_operator(reference, what).await;
            }
            metrics::settle_attempt(what, true);
            let event = match settlement {
                Settlement::Capture => Event::Captured,
                Settlement::Release => Event::Released,
            };
            self.offer(reference, event).await;
            return Step::Moved;
        }
        metrics::settle_attempt(what, false);
        let since = record.phase_since.unwrap_or(record.created_at);
        let overdue = OffsetDateTime::now_utc() - since >= self.inner.settings.settle_flag_after;
        if overdue && !record.needs_operator() {
            self.flag_operator(reference, OperatorReason::SettlementOverdue)
                .await;
        }
        Step::retry_in(SETTLE_RETRY.delay_after(record.attempts + 1))
    }

    /// After a flag the overdue settlement set itself: done now, nothing
    /// left to look at.
    async fn unflag_operator(&self, reference: &str, what: &str) {
        let now = OffsetDateTime::now_utc();
        let store = &self.inner.store;
        let resolve = || store.resolve_operator(reference, now);
        if self.persist(reference, "resolve the flag", resolve).await {
            tracing::info!(%reference, what, "settled after all; operator flag resolved");
        }
    }

    /// After a refusal: did an earlier attempt already do it?
    async fn already_settled(&self, reference: &str, settlement: Settlement) -> bool {
        let Ok(p) = self.inner.client.get_payment(reference).await else {
            return false;
        };
        let a = p.aggregate;
        match settlement {
            Settlement::Capture => a.captured_amount.value >= p.amount.value,
            Settlement::Release => {
                a.captured_amount.value + a.cancelled_amount.value >= a.authorized_amount.value
            }
        }
    }
}
