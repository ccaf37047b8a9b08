//! Crash recovery at start: every unfinished session is reconciled with the
//! payment as Vipps knows it. The rules never charge without a confirmed vend,
//! never vend twice, and leave no reservation open.

use super::machine::still_payable;
use super::record::SessionRecord;
use super::state::{Event, Phase};
use super::Engine;
use crate::epayment::model::PaymentState;
use vendscreen_protocol::EndReason;

impl Engine {
    /// Reconciles every unfinished session; call once at start, before serving.
    pub async fn recover(&self) -> Result<usize, super::EngineError> {
        let unfinished = self.inner.store.unfinished()?;
        let count = unfinished.len();
        for record in unfinished {
            tracing::info!(reference = %record.reference, phase = ?record.status.phase, "recovering");
            let engine = self.clone();
            // In the background: a session waiting on an unreachable Vipps must
            // not keep the server (and its health endpoint) from starting.
            tokio::spawn(async move { engine.recover_one(record).await });
        }
        Ok(count)
    }

    async fn recover_one(&self, record: SessionRecord) {
        let reference = record.reference.as_str();
        match record.status.phase {
            // Replaying create with its key returns the same QR (or creates it
            // now, if the first call never arrived).
            Phase::Creating if still_payable(&record) => self.create_payment(&record).await,
            Phase::Creating => {
                self.create_payment(&record).await;
                self.offer(reference, Event::CancelRequested(EndReason::Interrupted))
                    .await;
            }
            Phase::AwaitingPayment => self.recover_unpaid(&record).await,
            // Approved before the crash, never vended: the vend's own check
            // (`verify.rs`) releases it unless the customer can still be there.
            Phase::Authorized => self.vend(reference).await,
            // The dispenser was told to vend and we never heard back: never
            // capture on a guess. Release the money and ask a person to look.
            Phase::Vending => {
                self.flag_operator(reference, "restarted mid-vend").await;
                self.offer(reference, Event::VendFailed(EndReason::Interrupted))
                    .await;
            }
            Phase::Capturing => self.capture(reference).await,
            Phase::Releasing => self.release(reference).await,
            _ => {}
        }
    }

    async fn recover_unpaid(&self, record: &SessionRecord) {
        let reference = record.reference.as_str();
        let state = self.refresh(reference).await;
        if state.is_some_and(|s| s != PaymentState::Created) {
            return;
        }
        if record.status.cancelling.is_some() {
            return self.cancel_unpaid(reference).await;
        }
        if still_payable(record) {
            self.watch(record.reference.clone());
        } else {
            self.offer(reference, Event::CancelRequested(EndReason::SessionTimeout))
                .await;
        }
    }
}
