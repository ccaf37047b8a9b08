//! The last look before the machine vends. The payment must be this
//! purchase's — exactly its amount authorized, nothing captured, cancelled or
//! refunded — and the customer must have approved within `vend_window_s`, by
//! the payment's own log and on the payment service's clock. Anything else
//! vends to nobody: an approval learned late (an outage, a restart, a cancel
//! answered 6060) is for a customer who may have walked away, and a payment
//! that is not exactly ours (a reference reused by another machine or after a
//! lost store) was never paid for this purchase.

use super::Engine;
use crate::domain::SessionRecord;
use crate::epayment::model::{EventName, PaymentDetails, PaymentEvent, PaymentState};
use crate::epayment::EpaymentError;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// What the look found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Approved just now, for exactly this purchase: vend.
    Vend,
    /// Approved, but longer ago than the vend window (or we could not find
    /// out in time): release the reservation, vend nothing.
    TooLate,
    /// Not this purchase's payment: touch neither it nor the machine.
    NotOurs(String),
}

/// Judges a payment read at `service_now` (the service's clock). Pure.
pub(super) fn judge(
    record: &SessionRecord,
    payment: &PaymentDetails,
    events: &[PaymentEvent],
    service_now: OffsetDateTime,
    window: time::Duration,
) -> Verdict {
    let amount = record.amount.value;
    let a = &payment.aggregate;
    let exact = payment.reference == record.reference
        && payment.state == PaymentState::Authorized
        && payment.amount.value == amount
        && payment.amount.currency == record.amount.currency
        && a.authorized_amount.value == amount
        && a.captured_amount.value == 0
        && a.cancelled_amount.value == 0
        && a.refunded_amount.value == 0;
    if !exact {
        return Verdict::NotOurs(format!(
            "payment {:?} {} of {}: authorized {}, captured {}, cancelled {}, refunded {}; \
             this purchase is {amount}",
            payment.state,
            payment.reference,
            payment.amount.value,
            a.authorized_amount.value,
            a.captured_amount.value,
            a.cancelled_amount.value,
            a.refunded_amount.value,
        ));
    }
    let approvals: Vec<OffsetDateTime> = events
        .iter()
        .filter(|e| e.name == EventName::Authorized && e.success)
        .filter_map(|e| OffsetDateTime::parse(&e.timestamp, &Rfc3339).ok())
        .collect();
    match approvals.as_slice() {
        [approved] if service_now - *approved <= window => Verdict::Vend,
        [_] => Verdict::TooLate,
        [] => Verdict::NotOurs("the payment's log has no readable approval".into()),
        _ => Verdict::NotOurs("the payment's log has more than one approval".into()),
    }
}

impl Engine {
    /// How soon after the approval a vend is still right (the machine's
    /// `vend_window_s`; 2 minutes if its catalog cannot be read).
    pub(super) async fn vend_window(&self, machine: &str) -> time::Duration {
        let seconds = match self.catalog_of(machine).await {
            Ok(catalog) => catalog.machine.vend_window_s,
            Err(e) => {
                tracing::warn!(machine, error = %e, "no catalog; the default vend window");
                120
            }
        };
        time::Duration::seconds(seconds as i64)
    }

    /// Reads the payment and its log and judges them; `None` when the
    /// payment service could not answer (the caller decides how long to
    /// keep trying).
    pub(super) async fn verify_approval(&self, record: &SessionRecord) -> Option<Verdict> {
        match self.read_for_vend(record).await {
            Ok(verdict) => Some(verdict),
            Err(e) => {
                tracing::warn!(reference = %record.reference, error = %e, "cannot check the approval yet");
                None
            }
        }
    }

    async fn read_for_vend(&self, record: &SessionRecord) -> Result<Verdict, EpaymentError> {
        let client = &self.inner.client;
        let reference = record.reference.as_str();
        let (payment, events) = tokio::join!(
            client.get_payment(reference),
            client.dated_events(reference)
        );
        let (payment, events) = match (payment, events) {
            (Ok(p), Ok(e)) => (p, e),
            (Err(e), _) | (_, Err(e)) if e.status() == Some(404) => {
                return Ok(Verdict::NotOurs(
                    "the payment service does not know it".into(),
                ))
            }
            (Err(e), _) | (_, Err(e)) => return Err(e),
        };
        // Without the service's own time (it always sends one), ours is all we have.
        let service_now = events.served_at.unwrap_or_else(OffsetDateTime::now_utc);
        let window = self.vend_window(&record.machine).await;
        Ok(judge(record, &payment, &events.value, service_now, window))
    }
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
