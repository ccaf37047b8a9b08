//! Applying events and carrying out what each new phase asks for: vend, capture,
//! release. Every transition is committed to the store before its action starts,
//! and only the task whose transition was accepted acts, so nothing runs twice.

use super::record::SessionRecord;
use super::state::{Event, Phase, Transition};
use super::{Engine, EngineError};
use crate::dispenser::VendOutcome;
use crate::epayment::EpaymentError;
use std::time::Duration;
use time::OffsetDateTime;
use vendscreen_protocol::EndReason;

impl Engine {
    /// Offers `event` to the session; on a transition, stores, publishes and acts.
    /// Returns the new record, or `None` when the event changed nothing.
    pub(super) async fn handle(
        &self,
        reference: &str,
        event: Event,
    ) -> Result<Option<SessionRecord>, EngineError> {
        let record = {
            let _serial = self.inner.transitions.lock().await;
            let Some(mut record) = self.inner.store.get(reference)? else {
                return Err(EngineError::UnknownSession(reference.into()));
            };
            let Transition::To(status) = record.status.apply(&event) else {
                tracing::debug!(%reference, ?event, phase = ?record.status.phase, "event ignored");
                return Ok(None);
            };
            let now = OffsetDateTime::now_utc();
            if status.phase == Phase::Authorized && record.authorized_at.is_none() {
                record.authorized_at = Some(now);
            }
            if status.phase.is_final() {
                record.ended_at = Some(now);
            }
            record.status = status;
            self.inner.store.update(&record)?;
            record
        };
        crate::failpoint::hit(record.status.phase.as_str());
        tracing::info!(%reference, ?event, phase = ?record.status.phase, "transition");
        self.publish_session(&record);
        self.act(&record, &event);
        Ok(Some(record))
    }

    /// Logs instead of failing: used by background tasks, which have nobody to tell.
    pub(super) async fn offer(&self, reference: &str, event: Event) -> Option<SessionRecord> {
        match self.handle(reference, event).await {
            Ok(record) => record,
            Err(e) => {
                tracing::error!(%reference, error = %e, "transition failed");
                None
            }
        }
    }

    /// Starts the work the new status asks for, in the background.
    fn act(&self, record: &SessionRecord, event: &Event) {
        let engine = self.clone();
        let reference = record.reference.clone();
        match (record.status.phase, event) {
            (Phase::AwaitingPayment, Event::Created) => engine.watch(reference),
            (Phase::AwaitingPayment, Event::CancelRequested(_)) => {
                tokio::spawn(async move { engine.cancel_unpaid(&reference).await });
            }
            (Phase::Authorized, _) => {
                tokio::spawn(async move { engine.vend(&reference).await });
            }
            (Phase::Capturing, _) => {
                tokio::spawn(async move { engine.capture(&reference).await });
            }
            (Phase::Releasing, _) => {
                tokio::spawn(async move { engine.release(&reference).await });
            }
            _ => {}
        }
    }

    /// Records "vend started", then tells the dispenser. Only the caller whose
    /// VendStarted transition was accepted vends: at most once, ever.
    pub(super) async fn vend(&self, reference: &str) {
        let Some(record) = self.offer(reference, Event::VendStarted).await else {
            return;
        };
        let outcome = self.inner.dispenser.vend(&record.slot, reference).await;
        let event = match outcome {
            VendOutcome::Vended => Event::VendSucceeded,
            VendOutcome::Failed => Event::VendFailed(EndReason::VendFailed),
            VendOutcome::TimedOut => Event::VendFailed(EndReason::VendTimeout),
        };
        if outcome == VendOutcome::TimedOut {
            // The product may have dropped: we release the money (never charge
            // for something unconfirmed) and ask a person to look.
            self.flag_operator(reference, "vend timed out").await;
        }
        self.offer(reference, event).await;
    }

    /// Captures the full amount, retrying with the same Idempotency-Key until
    /// the provider confirms; a definitive refusal is flagged for the operator.
    pub(super) async fn capture(&self, reference: &str) {
        let Ok(Some(record)) = self.inner.store.get(reference) else {
            return;
        };
        let key = record.idempotency_key(Settlement::Capture.as_str());
        let amount = crate::epayment::model::Amount {
            currency: record.amount.currency,
            value: record.amount.value,
        };
        let settled = self
            .settle(reference, Settlement::Capture, |c| {
                let key = key.clone();
                async move {
                    let captured = c.capture(reference, amount, &key).await;
                    crate::failpoint::hit("capture-sent");
                    captured.map(|r| r.aggregate.captured_amount.value >= amount.value)
                }
            })
            .await;
        if settled {
            self.offer(reference, Event::Captured).await;
        }
    }

    /// Cancels what is left of an authorized payment after a failed vend.
    pub(super) async fn release(&self, reference: &str) {
        let Ok(Some(record)) = self.inner.store.get(reference) else {
            return;
        };
        let key = record.idempotency_key(Settlement::Release.as_str());
        let settled = self
            .settle(reference, Settlement::Release, |c| {
                let key = key.clone();
                async move { c.cancel(reference, false, &key).await.map(|_| true) }
            })
            .await;
        if settled {
            self.offer(reference, Event::Released).await;
        }
    }

    /// Runs a money call until it succeeds. Transient failures (the client has
    /// already retried) wait and go again with the same key; a 4xx is checked
    /// against the payment itself before the session is flagged.
    async fn settle<F, Fut>(&self, reference: &str, settlement: Settlement, call: F) -> bool
    where
        F: Fn(crate::epayment::EpaymentClient) -> Fut,
        Fut: std::future::Future<Output = Result<bool, EpaymentError>>,
    {
        let what = settlement.as_str();
        let mut wait = Duration::from_millis(500);
        loop {
            match call(self.inner.client.clone()).await {
                Ok(true) => return true,
                Ok(false) => {}
                Err(EpaymentError::Unreachable(e)) => {
                    tracing::warn!(%reference, what, error = %e, "will retry")
                }
                Err(e @ EpaymentError::Api { status, .. })
                    if status >= 500 || status == 423 || status == 429 =>
                {
                    tracing::warn!(%reference, what, error = %e, "will retry")
                }
                Err(e) => {
                    if self.already_settled(reference, settlement).await {
                        return true;
                    }
                    tracing::error!(%reference, what, error = %e, "refused; operator needed");
                    self.flag_operator(reference, what).await;
                    return false;
                }
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(30));
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

    pub(super) async fn flag_operator(&self, reference: &str, why: &str) {
        let _serial = self.inner.transitions.lock().await;
        if let Ok(Some(mut record)) = self.inner.store.get(reference) {
            record.needs_operator = true;
            if let Err(e) = self.inner.store.update(&record) {
                tracing::error!(%reference, error = %e, "could not flag for operator");
            }
        }
        tracing::warn!(%reference, why, "flagged for the operator");
    }
}

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
