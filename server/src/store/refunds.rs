//! Money given back after a purchase (`operator refund`): who asked, why,
//! how much, and whether the payment service took it. A refund is written
//! before it is asked for, under the Idempotency-Key it is asked with, so a
//! second run of the same command finds it and never refunds twice.

use time::OffsetDateTime;

/// One refund of a captured purchase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// The Idempotency-Key sent to the payment service: one per refund.
    pub key: String,
    pub reference: String,
    /// In the purchase's currency, minor units.
    pub amount: i64,
    pub reason: String,
    /// Who asked for it (the operator's name).
    pub operator: String,
    pub requested_at: OffsetDateTime,
    /// When the payment service took it; `None` while its answer is unknown.
    pub done_at: Option<OffsetDateTime>,
}

impl Refund {
    pub fn is_done(&self) -> bool {
        self.done_at.is_some()
    }
}

/// The sum of the refunds the payment service took.
pub fn refunded(refunds: &[Refund]) -> i64 {
    refunds
        .iter()
        .filter(|r| r.is_done())
        .map(|r| r.amount)
        .sum()
}
