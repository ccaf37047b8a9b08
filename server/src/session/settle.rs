//! Ending an authorized payment: capture after a confirmed vend, release after
//! a failed one. Retried until Vipps confirms, with the same Idempotency-Key;
//! a session still unsettled after a while is listed for an operator.

use super::state::Event;
use super::Engine;
use crate::epayment::EpaymentError;
use crate::retry::RetryPolicy;
use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;
use time::OffsetDateTime;

/// Settling retries for as long as it takes, the client's own quick retries
/// inside each attempt; up to 30 s apart keeps within Vipps's 5 money calls
/// per minute per reference.
const SETTLE_RETRY: RetryPolicy =
    RetryPolicy::forever(Duration::from_millis(500), Duration::from_secs(30));

impl Engine {
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
    /// against the payment itself before the session is flagged. Failing for
    /// `settle_flag_after` also flags it (an operator should know money is
    /// unsettled), without giving up; a later success takes the flag back.
    async fn settle<F, Fut>(&self, reference: &str, settlement: Settlement, call: F) -> bool
    where
        F: Fn(crate::epayment::EpaymentClient) -> Fut,
        Fut: std::future::Future<Output = Result<bool, EpaymentError>>,
    {
        let what = settlement.as_str();
        let _settling = SettlingGuard::enter(self, reference);
        let mut backoff = SETTLE_RETRY.backoff();
        let since = std::time::Instant::now();
        // None until overdue; then whether this call set the operator flag.
        let mut overdue: Option<bool> = None;
        loop {
            match call(self.inner.client.clone()).await {
                Ok(true) => break,
                Ok(false) => {}
                Err(e) if e.is_transient() => {
                    tracing::warn!(%reference, what, error = %e, "will retry")
                }
                Err(_) if self.already_settled(reference, settlement).await => break,
                Err(e) => {
                    tracing::error!(%reference, what, error = %e, "refused; operator needed");
                    self.flag_operator(reference, what).await;
                    return false;
                }
            }
            if overdue.is_none() && since.elapsed() >= self.inner.settings.settle_flag_after {
                let why = format!("{what} still failing; retrying");
                overdue = Some(self.flag_operator(reference, &why).await);
            }
            backoff.wait().await;
        }
        if overdue == Some(true) {
            self.unflag_operator(reference, what);
        }
        true
    }

    /// After a flag this settlement set itself: done now, nothing left to look at.
    fn unflag_operator(&self, reference: &str, what: &str) {
        let now = OffsetDateTime::now_utc();
        match self.inner.store.resolve_operator(reference, now) {
            Ok(_) => tracing::info!(%reference, what, "settled after all; operator flag resolved"),
            Err(e) => {
                tracing::error!(%reference, error = %e, "could not resolve the operator flag")
            }
        }
    }

    /// Whether a capture or release of `reference` is being retried now.
    pub(super) fn settling(&self, reference: &str) -> bool {
        lock(&self.inner.settling).contains(reference)
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

/// Marks a reference as settling for as long as the guard lives.
struct SettlingGuard<'a> {
    set: &'a Mutex<HashSet<String>>,
    reference: String,
}

impl<'a> SettlingGuard<'a> {
    fn enter(engine: &'a Engine, reference: &str) -> Self {
        let set = &engine.inner.settling;
        lock(set).insert(reference.to_string());
        SettlingGuard {
            set,
            reference: reference.to_string(),
        }
    }
}

impl Drop for SettlingGuard<'_> {
    fn drop(&mut self) {
        lock(self.set).remove(&self.reference);
    }
}

fn lock(set: &Mutex<HashSet<String>>) -> std::sync::MutexGuard<'_, HashSet<String>> {
    set.lock().unwrap_or_else(|e| e.into_inner())
}
