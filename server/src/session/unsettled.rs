//! Money left reserved: a purchase approved but neither captured nor released
//! for longer than `epayment.unsettled_flag_after_s` is listed for a person,
//! whatever kept it there (a stuck step, a lost lease, a capture failing
//! quietly), long before the card hold lapses after 7 days. The same look
//! gives `/metrics` the oldest reservation's age.

use super::Engine;
use crate::domain::{OperatorReason, SessionRecord};
use crate::telemetry::metrics;
use std::time::Duration;
use time::OffsetDateTime;

/// The longest pause between two looks (shorter when the limit is short).
const LOOK_EVERY: Duration = Duration::from_secs(60);

impl Engine {
    /// Looks every minute (a quarter of the limit, if that is less).
    pub fn spawn_unsettled_check(&self) {
        let engine = self.clone();
        let every = LOOK_EVERY.min(self.inner.settings.unsettled_flag_after / 4);
        tokio::spawn(async move {
            loop {
                engine.check_unsettled().await;
                tokio::time::sleep(every.max(Duration::from_millis(100))).await;
            }
        });
    }

    /// The gauges `/metrics` reads from the store, read now.
    pub async fn refresh_metrics(&self) {
        metrics::awaiting_operator(self.awaiting_operator().await.len());
        self.check_unsettled().await;
    }

    /// Flags what has been unsettled too long; sets the oldest one's age.
    pub async fn check_unsettled(&self) {
        let machine = Some(self.machine_id()).filter(|m| !m.is_empty());
        let unsettled = match self.inner.store.unsettled(machine).await {
            Ok(records) => records,
            Err(e) => return tracing::error!(error = %e, "cannot list unsettled purchases"),
        };
        let now = OffsetDateTime::now_utc();
        let mut oldest = Duration::ZERO;
        for record in &unsettled {
            let age = unsettled_for(record, now);
            oldest = oldest.max(age);
            if age >= self.inner.settings.unsettled_flag_after && !record.needs_operator() {
                let reference = &record.reference;
                tracing::warn!(%reference, age_s = age.as_secs(), "approved, still unsettled");
                self.flag_operator(reference, OperatorReason::UnsettledTooLong)
                    .await;
            }
        }
        metrics::unsettled_oldest(oldest);
    }
}

/// Since the approval was learned (its creation, for a record without it).
fn unsettled_for(record: &SessionRecord, now: OffsetDateTime) -> Duration {
    let since = record.authorized_at.unwrap_or(record.created_at);
    (now - since).try_into().unwrap_or_default()
}
