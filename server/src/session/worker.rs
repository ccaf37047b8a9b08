//! Running the steps. A worker claims due sessions with a lease (renewed
//! while a step runs) and runs each session's steps for as long as the next
//! one is due at once; then it schedules the next and gives the lease back.
//! A process that dies holding a lease loses it when the lease runs out.

use super::Engine;
use crate::domain::{Phase, SessionRecord};
use crate::store::Due;
use crate::telemetry::purchase_span;
use std::time::Duration;
use time::OffsetDateTime;
use tracing::Instrument;

/// How long a claim lasts without renewal: a dead worker's sessions are
/// taken over this soon after (renewed every third of it while alive).
pub(super) const LEASE: Duration = Duration::from_secs(15);

/// How often the worker looks for due work without being woken.
const TICK: Duration = Duration::from_millis(200);

/// What a step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// The session moved on; its new phase's step was scheduled with it.
    Moved,
    /// Nothing changed; try again then (the attempt counted when `retry`).
    Again { due: Due, retry: bool },
}

impl Step {
    pub(super) fn wait(due: Due) -> Step {
        Step::Again { due, retry: false }
    }

    pub(super) fn retry_in(delay: Duration) -> Step {
        Step::Again {
            due: Due::In(delay),
            retry: true,
        }
    }
}

impl Engine {
    /// Starts the worker: claims due work until the process ends.
    pub fn spawn_worker(&self) {
        let engine = self.clone();
        tokio::spawn(async move {
            loop {
                engine.claim_and_run().await;
                let woken = engine.inner.wake.notified();
                let _ = tokio::time::timeout(TICK, woken).await;
            }
        });
    }

    async fn claim_and_run(&self) {
        let store = &self.inner.store;
        match store.claim_due(&self.inner.owner, LEASE, 32).await {
            Ok(claimed) => {
                for record in claimed {
                    let engine = self.clone();
                    let span = purchase_span(&record.reference, &record.machine);
                    tokio::spawn(async move { engine.drive(record).await }.instrument(span));
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot look for due work"),
        }
    }

    /// A standalone server starting: every unfinished session gets its step
    /// again (whatever the previous process was doing when it stopped).
    pub async fn recover(&self) -> Result<usize, super::EngineError> {
        let count = self.inner.store.recover_all().await?;
        self.inner.wake.notify_one();
        Ok(count)
    }

    /// Runs `record`'s steps under this process's lease, for as long as the
    /// next is due at once, then schedules it and gives the lease back.
    pub(super) async fn drive(&self, record: SessionRecord) {
        let reference = record.reference.clone();
        if !self.lock_running(&reference) {
            // Claimed while this process still runs it (its lease had run
            // out): give the claim back, or the session waits a whole lease.
            self.give_back(&record, Due::Unchanged).await;
            return;
        }
        let renewal = self.renew_lease(&reference);
        let last = self.run_steps(record).await;
        // The running mark goes before the lease does: a worker that finds
        // the lease free (a cancel made the session due at once) must find
        // the mark gone too, or its claim could not run.
        self.unlock_running(&reference);
        if let Some((record, due)) = last {
            self.give_back(&record, due).await;
        }
        renewal.abort();
    }

    /// Runs the steps while the next is due at once; the record and when
    /// its next step is due, to schedule as the lease is given back (none
    /// when it cannot be read back: the lease then runs out).
    async fn run_steps(&self, mut record: SessionRecord) -> Option<(SessionRecord, Due)> {
        loop {
            let step = self.step(&record).await;
            let fresh = match (step, self.record(&record.reference).await) {
                (Step::Moved, Ok(fresh)) => fresh,
                (Step::Again { due, retry }, _) => {
                    record.attempts += u32::from(retry);
                    return Some((record, due));
                }
                (Step::Moved, Err(e)) => {
                    let reference = &record.reference;
                    tracing::error!(%reference, error = %e, "cannot read the session back");
                    return None;
                }
            };
            let due_now = fresh.due_at.is_some_and(|d| d <= OffsetDateTime::now_utc());
            if fresh.status.phase().is_final() || !due_now {
                return Some((fresh, Due::Unchanged));
            }
            record = fresh;
        }
    }

    /// Schedules `record`'s next step and gives its lease back.
    async fn give_back(&self, record: &SessionRecord, due: Due) {
        let (store, owner) = (&self.inner.store, &self.inner.owner);
        let write = || store.schedule(record, owner, due);
        self.persist(&record.reference, "schedule", write).await;
    }

    /// The step of `record`'s phase: one attempt at what the phase asks for.
    async fn step(&self, record: &SessionRecord) -> Step {
        match record.status.phase() {
            Phase::Creating => self.create_step(record, true).await,
            Phase::AwaitingPayment => self.unpaid_step(record).await,
            Phase::Authorized => self.vend_step(record).await,
            Phase::Vending => self.vending_step(record).await,
            Phase::Capturing => self.capture_step(record).await,
            Phase::Releasing => self.release_step(record).await,
            _ => Step::wait(Due::Never),
        }
    }

    /// Keeps the lease while the step runs (a vend may take its time).
    fn renew_lease(&self, reference: &str) -> tokio::task::JoinHandle<()> {
        let (engine, reference) = (self.clone(), reference.to_string());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(LEASE / 3).await;
                let store = &engine.inner.store;
                if let Err(e) = store.renew(&reference, &engine.inner.owner, LEASE).await {
                    tracing::warn!(%reference, error = %e, "lease not renewed");
                }
            }
        })
    }

    /// Marks a session as worked on here; false when it already is.
    fn lock_running(&self, reference: &str) -> bool {
        let mut running = self.inner.running.lock().unwrap_or_else(|e| e.into_inner());
        running.insert(reference.to_string())
    }

    fn unlock_running(&self, reference: &str) {
        let mut running = self.inner.running.lock().unwrap_or_else(|e| e.into_inner());
        running.remove(reference);
    }
}

#[cfg(test)]
#[path = "worker_tests.rs"]
mod tests;
