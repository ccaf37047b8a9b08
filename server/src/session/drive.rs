//! Applying events: the pure transition function decides, the store commits
//! (compare-and-set on the version the decision was made on), the screen is
//! told, and the new phase's step becomes due. Only a committed transition
//! leads anywhere, so two deciders never both act.

use super::{Engine, EngineError};
use crate::domain::{Event, OperatorReason, Phase, SessionRecord, Transition};
use crate::retry::RetryPolicy;
use crate::store::{Due, StoreError};
use crate::telemetry::metrics;
use std::time::Duration;
use time::OffsetDateTime;

/// Stored writes are retried for as long as the store refuses them.
pub(super) const STORE_RETRY: RetryPolicy =
    RetryPolicy::forever(Duration::from_millis(100), Duration::from_secs(5));

impl Engine {
    /// Offers `event` to the session; on a transition, stores and publishes it
    /// and makes the new phase's step due. Returns the new record, or `None`
    /// when the event changed nothing.
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
        loop {
            let before = self.record(reference).await?;
            let Transition::To(status) = before.status.apply(event) else {
                tracing::debug!(%reference, ?event, phase = ?before.status.phase(), "event ignored");
                return Ok(None);
            };
            let mut after = before.clone();
            let now = OffsetDateTime::now_utc();
            if status.phase() == Phase::Authorized && after.authorized_at.is_none() {
                after.authorized_at = Some(now);
            }
            if status.phase().is_final() {
                after.ended_at = Some(now);
            }
            after.status = status;
            let due = self.due_for(&after);
            // A fleet machine's vend command leaves with its "vending".
            let vend = status.phase() == Phase::Vending
                && matches!(self.inner.vending, super::Vending::Remote(_));
            // `None`: another writer moved it first; decide again on theirs.
            let Some(committed) = self.inner.store.transition(&after, due, vend).await? else {
                continue;
            };
            let record = committed.record;
            tracing::info!(%reference, ?event, phase = ?record.status.phase(), "transition");
            observe(&before, &record);
            // The screen shows the newest purchase only (as the snapshot does):
            // an older one settling late is for the store and the operator.
            if committed.outbox_seq.is_some() {
                self.publish_session(&record);
            }
            crate::failpoint::hit(record.status.phase().as_str());
            if due == Due::Now {
                self.inner.wake.notify_one();
            }
            return Ok(Some(record));
        }
    }

    /// Logs instead of failing: for steps, which have nobody to tell.
    pub(super) async fn offer(&self, reference: &str, event: Event) -> Option<SessionRecord> {
        match self.handle(reference, event).await {
            Ok(record) => record,
            Err(e) => {
                tracing::error!(%reference, error = %e, "transition failed");
                None
            }
        }
    }

    /// When the step of a session just moved to `record`'s phase is due.
    fn due_for(&self, record: &SessionRecord) -> Due {
        match record.status.phase() {
            _ if record.status.phase().is_final() => Due::Never,
            // The customer scans first; Vipps advises the first poll after 5 s
            // (sooner if the machine's timeout comes first).
            Phase::AwaitingPayment if record.status.cancelling().is_none() => {
                let left = record.expires_at - OffsetDateTime::now_utc();
                let left = left.try_into().unwrap_or(Duration::ZERO);
                Due::In(self.inner.settings.poll_first.min(left))
            }
            // A fleet machine's edge must acknowledge the vend by then.
            Phase::Vending => match &self.inner.vending {
                super::Vending::Remote(remote) => Due::In(remote.ack_within),
                super::Vending::Local(_) => Due::Now,
            },
            _ => Due::Now,
        }
    }

    /// Lists the session for a person; true when this call set the flag (it
    /// was not set already for another reason).
    pub(super) async fn flag_operator(&self, reference: &str, why: OperatorReason) -> bool {
        tracing::warn!(%reference, why = why.explain(), "flagged for the operator");
        let store = &self.inner.store;
        let set = self
            .persist(reference, "flag for the operator", || {
                store.flag_operator(reference, why)
            })
            .await;
        if set {
            metrics::operator_flagged(why);
        }
        set
    }

    /// Runs a store write until it lands (see `handle`).
    pub(super) async fn persist<T, F>(
        &self,
        reference: &str,
        what: &str,
        write: impl Fn() -> F,
    ) -> T
    where
        F: std::future::Future<Output = Result<T, StoreError>>,
    {
        let mut backoff = STORE_RETRY.backoff();
        loop {
            match write().await {
                Ok(done) => return done,
                Err(e) => tracing::error!(%reference, what, error = %e, "not stored; retrying"),
            }
            backoff.wait().await;
        }
    }
}

/// The series a committed transition moves: an approval learned, an ending.
fn observe(before: &SessionRecord, after: &SessionRecord) {
    let phase = after.status.phase();
    if phase == Phase::Authorized && before.status.phase() != Phase::Authorized {
        let waited = OffsetDateTime::now_utc() - after.created_at;
        metrics::approved_after(waited.try_into().unwrap_or_default());
    }
    if phase.is_final() {
        metrics::purchase_ended(phase);
    }
}
