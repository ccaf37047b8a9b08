//! Applying events and carrying out what each new phase asks for: vend, then
//! capture or release (`settle.rs`). Every transition is committed to the store
//! before its action starts, and only the task whose transition was accepted
//! acts, so nothing runs twice.

use super::record::SessionRecord;
use super::state::{Event, Phase, Transition};
use super::verify::Verdict;
use super::{Engine, EngineError};
use crate::dispenser::VendOutcome;
use crate::retry::RetryPolicy;
use std::time::Duration;
use time::OffsetDateTime;
use vendscreen_protocol::EndReason;

/// Stored transitions are retried for as long as the store refuses them.
pub(super) const STORE_RETRY: RetryPolicy =
    RetryPolicy::forever(Duration::from_millis(100), Duration::from_secs(5));

impl Engine {
    /// Offers `event` to the session; on a transition, stores, publishes and acts.
    /// Returns the new record, or `None` when the event changed nothing.
    ///
    /// A store that cannot commit (locked by another process, disk full) is
    /// tried again until it can: what happened (a vend, a capture) must be
    /// recorded before anything follows it, and dropping it would strand the
    /// purchase half-way. Each try decides afresh from what the store holds.
    pub(super) async fn handle(
        &self,
        reference: &str,
        event: Event,
    ) -> Result<Option<SessionRecord>, EngineError> {
        let mut backoff = STORE_RETRY.backoff();
        loop {
            match self.handle_once(reference, &event).await {
                Err(EngineError::Store(e)) => {
                    tracing::error!(%reference, ?event, error = %e, "transition not stored; retrying");
                    backoff.wait().await;
                }
                done => return done,
            }
        }
    }

    async fn handle_once(
        &self,
        reference: &str,
        event: &Event,
    ) -> Result<Option<SessionRecord>, EngineError> {
        let record = {
            let _serial = self.inner.transitions.lock().await;
            let Some(mut record) = self.inner.store.get(reference)? else {
                return Err(EngineError::UnknownSession(reference.into()));
            };
            let Transition::To(status) = record.status.apply(event) else {
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
            tracing::info!(%reference, ?event, phase = ?record.status.phase, "transition");
            // The screen shows the newest purchase only (as the snapshot does).
            // An older one can still settle late (a capture retried after a
            // restart, a release after a flag): that is for the store and the
            // operator, never a jump on the screen of the customer now in front.
            // Under the lock, so events leave in the order of the store's changes.
            if self.is_current(&record)? {
                self.publish_session(&record);
            }
            record
        };
        crate::failpoint::hit(record.status.phase.as_str());
        self.act(&record, event);
        Ok(Some(record))
    }

    /// Whether `record` is the newest purchase, the one the screen shows.
    fn is_current(&self, record: &SessionRecord) -> Result<bool, EngineError> {
        let latest = self.inner.store.latest()?;
        Ok(latest.is_some_and(|l| l.reference == record.reference))
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

    /// Checks the approval (`verify.rs`), records "vend started", then tells
    /// the dispenser. Only the caller whose VendStarted transition was
    /// accepted vends: at most once, ever.
    pub(super) async fn vend(&self, reference: &str) {
        let Ok(Some(record)) = self.inner.store.get(reference) else {
            return;
        };
        if record.status.phase != Phase::Authorized {
            return;
        }
        match self.verify_approval(&record).await {
            Verdict::Vend => {}
            Verdict::TooLate => {
                tracing::warn!(%reference, "approved too long ago to vend; releasing");
                let late = Event::VendFailed(EndReason::ApprovalTooLate);
                self.offer(reference, late).await;
                return;
            }
            Verdict::NotOurs(why) => {
                tracing::error!(%reference, why, "the payment is not this purchase's; not vending");
                self.flag_operator(reference, "payment does not match the purchase")
                    .await;
                self.offer(reference, Event::PaymentMismatch).await;
                return;
            }
        }
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

    /// Lists the session for a person; true when this call set the flag (it
    /// was not set already for another reason).
    pub(super) async fn flag_operator(&self, reference: &str, why: &str) -> bool {
        tracing::warn!(%reference, why, "flagged for the operator");
        let store = &self.inner.store;
        self.persist(reference, "flag for the operator", || {
            store.flag_operator(reference)
        })
        .await
    }
}
