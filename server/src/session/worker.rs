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
    pub(super) async fn drive(&self, mut record: SessionRecord) {
        let reference = record.reference.clone();
        if !self.lock_running(&reference) {
            return;
        }
        let renewal = self.renew_lease(&reference);
        loop {
            let step = self.step(&record).await;
            let fresh = match (step, self.record(&reference).await) {
                (Step::Moved, Ok(fresh)) => fresh,
                (Step::Again { due, retry }, _) => {
                    record.attempts += u32::from(retry);
                    let store = &self.inner.store;
                    let owner = &self.inner.owner;
                    self.persist(&reference, "schedule", || {
                        store.schedule(&record, owner, due)
                    })
                    .await;
                    break;
                }
                (Step::Moved, Err(e)) => {
                    tracing::error!(%reference, error = %e, "cannot read the session back");
                    break;
                }
            };
            let due_now = fresh.due_at.is_some_and(|d| d <= OffsetDateTime::now_utc());
            if fresh.status.phase().is_final() || !due_now {
                let store = &self.inner.store;
                let owner = &self.inner.owner;
                let release = || store.schedule(&fresh, owner, Due::Unchanged);
                self.persist(&reference, "release", release).await;
                break;
            }
            record = fresh;
        }
        renewal.abort();
        self.unlock_running(&reference);
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
