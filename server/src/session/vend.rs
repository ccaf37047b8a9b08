//! The vend: after the last look at the payment (`verify.rs`), "vending" is
//! recorded, then the dispenser is told. Only the step whose VendStarted
//! transition was accepted vends: at most once, ever.

use super::verify::Verdict;
use super::worker::Step;
use super::{Engine, Vending};
use crate::dispenser::VendOutcome;
use crate::domain::{Event, OperatorReason, SessionRecord};
use crate::retry::RetryPolicy;
use crate::telemetry::metrics;
use std::time::Duration;
use time::OffsetDateTime;
use vendscreen_protocol::EndReason;

/// The customer waits on the "approved" screen: look again soon.
const CHECK_RETRY: RetryPolicy =
    RetryPolicy::forever(Duration::from_millis(250), Duration::from_secs(5));

impl Engine {
    /// Authorized: check the approval, then vend.
    pub(super) async fn vend_step(&self, record: &SessionRecord) -> Step {
        let reference = &record.reference;
        match self.verify_approval(record).await {
            Some(Verdict::Vend) => {}
            Some(Verdict::TooLate) => {
                tracing::warn!(%reference, "approved too long ago to vend; releasing");
                let late = Event::VendFailed(EndReason::ApprovalTooLate);
                self.offer(reference, late).await;
                return Step::Moved;
            }
            Some(Verdict::NotOurs(why)) => {
                tracing::error!(%reference, why, "the payment is not this purchase's; not vending");
                self.flag_operator(reference, OperatorReason::PaymentMismatch)
                    .await;
                self.offer(reference, Event::PaymentMismatch).await;
                return Step::Moved;
            }
            None => return self.check_again(record).await,
        }
        let Some(record) = self.offer(reference, Event::VendStarted).await else {
            return Step::Moved;
        };
        let dispenser = match &self.inner.vending {
            Vending::Local(dispenser) => dispenser,
            // The vend command left with the transition; the edge takes it on.
            Vending::Remote(_) => return Step::Moved,
        };
        let started = std::time::Instant::now();
        let outcome = dispenser.vend(&record.slot, reference).await;
        metrics::vend_finished(outcome.as_str(), started.elapsed());
        let event = match outcome {
            VendOutcome::Vended => Event::VendSucceeded,
            VendOutcome::Failed => Event::VendFailed(EndReason::VendFailed),
            VendOutcome::TimedOut => Event::VendFailed(EndReason::VendTimeout),
        };
        if outcome == VendOutcome::TimedOut {
            // The product may have dropped: we release the money (never charge
            // for something unconfirmed) and ask a person to look.
            self.flag_operator(reference, OperatorReason::VendUncertain)
                .await;
        }
        self.offer(reference, event).await;
        Step::Moved
    }

    /// The approval could not be checked: again soon, unless the window
    /// since we learned of it has passed (then it is too late, whatever the
    /// service would say).
    async fn check_again(&self, record: &SessionRecord) -> Step {
        let window = self.vend_window(&record.machine).await;
        let learned = record.authorized_at.unwrap_or(record.created_at);
        if OffsetDateTime::now_utc() - learned > window {
            let late = Event::VendFailed(EndReason::ApprovalTooLate);
            self.offer(&record.reference, late).await;
            return Step::Moved;
        }
        Step::retry_in(CHECK_RETRY.delay_after(record.attempts + 1))
    }

    /// Vending, found by a worker. Here: the dispenser was told to vend and
    /// nobody heard back (the process stopped). Never capture on a guess:
    /// release the money and ask a person to look. On a hub: the vend's
    /// deadline passed (`fleet.rs`).
    pub(super) async fn vending_step(&self, record: &SessionRecord) -> Step {
        if let Vending::Remote(_) = self.inner.vending {
            return self.vend_deadline_passed(record).await;
        }
        let reference = &record.reference;
        self.flag_operator(reference, OperatorReason::VendUncertain)
            .await;
        self.offer(reference, Event::VendFailed(EndReason::Interrupted))
            .await;
        Step::Moved
    }
}
