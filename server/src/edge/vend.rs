//! The vend handshake on the machine's side (design.md): journal the
//! command, acknowledge it, vend only after a 2xx acknowledgement, journal
//! the outcome, and send it until the hub has it. A command seen before gets
//! the recorded answer again: the dispenser never runs twice for one
//! reference, not even across a restart.

use super::hub_client::HubError;
use super::journal::{Sent, Stage};
use super::Core;
use crate::dispenser::VendOutcome as Dropped;
use crate::retry::RetryPolicy;
use std::sync::Arc;
use vendscreen_protocol::fleet::{VendCommand, VendOutcome};

/// What became of one vend command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendAnswer {
    /// The dispenser reported this (now, or the first time).
    Outcome(VendOutcome),
    /// The hub refused the acknowledgement: nothing vended.
    Refused,
    /// The acknowledgement got no answer: nothing vended; the hub may send
    /// the command again before its deadline.
    Unacknowledged,
    /// Acknowledged, but the outcome is unknown: never vended again.
    Uncertain,
    /// This command is being carried out already.
    InFlight,
    /// The journal could not record a step: nothing (more) was done.
    JournalFailed,
}

/// Acknowledgement tries: the hub's deadline is seconds, so a few quick ones.
const ACK: RetryPolicy = RetryPolicy {
    attempts: Some(4),
    base_delay: std::time::Duration::from_millis(200),
    max_delay: std::time::Duration::from_secs(2),
};

impl Core {
    /// Carries out (or answers again) one `vend` command from the hub.
    pub async fn vend(self: &Arc<Self>, command: VendCommand) -> VendAnswer {
        let reference = command.reference.clone();
        let Some(_claim) = self.claim(&reference) else {
            return VendAnswer::InFlight;
        };
        let journalled = match self.journal.get(&reference).await {
            Ok(entry) => entry,
            Err(e) => return journal_failed(&reference, e),
        };
        match journalled.map(|e| e.stage) {
            None => {
                if let Err(e) = self.journal.receive(&reference, &command.slot).await {
                    return journal_failed(&reference, e);
                }
                self.ack_then_vend(&command).await
            }
            // Never acknowledged: the hub decides again (before its deadline).
            Some(Stage::Received) => self.ack_then_vend(&command).await,
            Some(Stage::Refused) => VendAnswer::Refused,
            Some(Stage::Vended) => self.report(&reference, VendOutcome::Vended).await,
            Some(Stage::Failed) => self.report(&reference, VendOutcome::Failed).await,
            Some(Stage::Acked | Stage::Uncertain) => {
                tracing::error!(%reference, "vend acknowledged earlier without a known outcome: not vending again");
                let _ = self.journal.set_stage(&reference, Stage::Uncertain).await;
                VendAnswer::Uncertain
            }
        }
    }

    async fn ack_then_vend(self: &Arc<Self>, command: &VendCommand) -> VendAnswer {
        let reference = &command.reference;
        if let Some(answer) = self.acknowledge(reference).await {
            return answer;
        }
        // The go-ahead is journalled before the dispenser runs: a restart
        // from here on never runs it again.
        if let Err(e) = self.journal.set_stage(reference, Stage::Acked).await {
            return journal_failed(reference, e);
        }
        let started = std::time::Instant::now();
        let (stage, outcome) = match self.dispenser.vend(&command.slot, reference).await {
            Dropped::Vended => (Stage::Vended, "vended"),
            Dropped::Failed => (Stage::Failed, "failed"),
            // It may have dropped: say nothing, so the hub releases the
            // money and asks a person ("ack but no result").
            Dropped::TimedOut => (Stage::Uncertain, "timedOut"),
        };
        crate::telemetry::metrics::vend_finished(outcome, started.elapsed());
        if let Err(e) = self.journal.set_stage(reference, stage).await {
            return journal_failed(reference, e);
        }
        match stage {
            Stage::Vended => self.report(reference, VendOutcome::Vended).await,
            Stage::Failed => self.report(reference, VendOutcome::Failed).await,
            _ => VendAnswer::Uncertain,
        }
    }

    /// `None`: the hub said go. Otherwise why not (journalled where final).
    async fn acknowledge(&self, reference: &str) -> Option<VendAnswer> {
        let mut backoff = ACK.backoff();
        loop {
            match self.hub.ack(reference).await {
                Ok(()) => return None,
                Err(HubError::Status(409, _)) => {
                    tracing::warn!(%reference, "the hub refused the vend (too late): not vending");
                    let _ = self.journal.set_stage(reference, Stage::Refused).await;
                    return Some(VendAnswer::Refused);
                }
                Err(e) if e.is_transient() && backoff.wait().await => {
                    tracing::warn!(%reference, error = %e, "acknowledging the vend; trying again");
                }
                Err(e) => {
                    tracing::warn!(%reference, error = %e, "the vend was not acknowledged: not vending");
                    return Some(VendAnswer::Unacknowledged);
                }
            }
        }
    }

    /// Sends the outcome until the hub has it (a 409: it holds another
    /// answer, and a person must look; sending more would not help).
    pub(super) async fn report(&self, reference: &str, outcome: VendOutcome) -> VendAnswer {
        let mut backoff = self.settings.result_retry.backoff();
        loop {
            match self.hub.result(reference, outcome).await {
                Ok(()) => {
                    let _ = self.journal.set_sent(reference, Sent::Yes).await;
                    return VendAnswer::Outcome(outcome);
                }
                Err(HubError::Status(status @ (404 | 409), _)) => {
                    tracing::error!(%reference, ?outcome, status, "the hub holds another answer for this vend: a person must look");
                    let _ = self.journal.set_sent(reference, Sent::Conflict).await;
                    return VendAnswer::Outcome(outcome);
                }
                Err(e) => {
                    tracing::warn!(%reference, error = %e, "the vend's outcome did not reach the hub; sending again");
                    backoff.wait().await;
                }
            }
        }
    }

    /// At start: outcomes the hub may not have are sent again; vends that
    /// were acknowledged without an outcome are uncertain for good.
    pub(super) async fn resume_journal(self: &Arc<Self>) {
        let entries = match self.journal.all().await {
            Ok(entries) => entries,
            Err(e) => return tracing::error!(error = %e, "cannot read the vend journal"),
        };
        for entry in entries {
            let reference = entry.reference.clone();
            match (entry.stage, entry.sent) {
                (Stage::Vended, Sent::No) => self.spawn_report(reference, VendOutcome::Vended),
                (Stage::Failed, Sent::No) => self.spawn_report(reference, VendOutcome::Failed),
                (Stage::Acked, _) => {
                    tracing::error!(%reference, "the edge stopped mid-vend: outcome unknown, never vended again");
                    let _ = self.journal.set_stage(&reference, Stage::Uncertain).await;
                }
                _ => {}
            }
        }
    }

    fn spawn_report(self: &Arc<Self>, reference: String, outcome: VendOutcome) {
        let core = self.clone();
        self.spawn(async move {
            if let Some(_claim) = core.claim(&reference) {
                core.report(&reference, outcome).await;
            }
        });
    }
}

fn journal_failed(reference: &str, e: super::journal::JournalError) -> VendAnswer {
    tracing::error!(%reference, error = %e, "the vend journal refuses writes: not vending");
    VendAnswer::JournalFailed
}
