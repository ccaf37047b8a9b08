//! One purchase as the server keeps it, and its projection onto the wire.

use super::state::Status;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use vendscreen_protocol as wire;

/// A session: everything needed to finish the purchase after a restart or
/// on another replica.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub reference: String,
    /// The machine selling it: its posId.
    pub machine: String,
    /// The machine's sequence number of this purchase (the receipt number).
    pub seq: i64,
    /// Changes with every stored transition: a transition is written only
    /// over the version it was decided on (compare-and-set).
    pub version: i64,
    pub product_id: String,
    pub product_name: String,
    /// Where the dispenser finds the product.
    pub slot: String,
    pub amount: wire::Money,
    /// VAT in hundredths of a percent, for the receipt.
    pub tax_rate: i64,
    pub qr_url: Option<String>,
    pub qr_image: Option<String>,
    pub status: Status,
    /// Why the outcome could not be settled automatically; a person must look.
    pub operator: Option<OperatorReason>,
    pub created_at: OffsetDateTime,
    /// When the session stops being payable (QR lifetime or machine timeout).
    pub expires_at: OffsetDateTime,
    /// When we learned of the approval (the approval's own time is the
    /// payment service's, read before vending).
    pub authorized_at: Option<OffsetDateTime>,
    pub ended_at: Option<OffsetDateTime>,
    /// Fleet mode: the edge's id for the request that started it (idempotent).
    pub request_id: Option<String>,
    /// Fleet mode: when the machine acknowledged the vend command.
    pub vend_acked_at: Option<OffsetDateTime>,
    /// When the engine next works on it (the store's clock); `None`: only
    /// when something happens to it. Kept by the store.
    pub due_at: Option<OffsetDateTime>,
    /// When the current phase began (kept by the store; unknown for sessions
    /// stored before it was kept).
    pub phase_since: Option<OffsetDateTime>,
    /// Tries of the current phase's step so far (backoff, cancel keys);
    /// every transition starts again at 0. Kept by the store.
    pub attempts: u32,
}

/// Why a purchase waits for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperatorReason {
    /// The vend's outcome is unknown (a crash or a lost machine mid-vend, a
    /// dispenser that did not answer): released, never captured.
    VendUncertain,
    /// The payment service refused a capture or release for good.
    SettlementRefused,
    /// A capture or release has kept failing for a while; still retried.
    SettlementOverdue,
    /// The payment under this reference is not this purchase's.
    PaymentMismatch,
    /// Approved, but neither captured nor released for longer than
    /// `epayment.unsettled_flag_after_s`: a person looks well before the
    /// card hold lapses (7 days). Cleared when it settles after all.
    UnsettledTooLong,
}

impl OperatorReason {
    /// Whether the flag only said "not settled yet", so settling ends it.
    pub fn clears_when_settled(self) -> bool {
        matches!(
            self,
            OperatorReason::SettlementOverdue | OperatorReason::UnsettledTooLong
        )
    }

    /// What a person reads in `operator list`.
    pub fn explain(self) -> &'static str {
        match self {
            OperatorReason::VendUncertain => "vend outcome unknown; released, not charged",
            OperatorReason::SettlementRefused => "capture or release refused by Vipps",
            OperatorReason::SettlementOverdue => "capture or release still failing; retrying",
            OperatorReason::PaymentMismatch => "the payment found is not this purchase's",
            OperatorReason::UnsettledTooLong => "approved long ago, neither captured nor released",
        }
    }
}

impl SessionRecord {
    /// Whether a person has been asked to look.
    pub fn needs_operator(&self) -> bool {
        self.operator.is_some()
    }

    /// The session as the display sees it, stamped with `now`.
    pub fn to_wire(&self, now: OffsetDateTime, outcome_display: Duration) -> wire::Session {
        let phase = self.status.phase();
        wire::Session {
            reference: self.reference.clone(),
            product: wire::ProductRef {
                id: self.product_id.clone(),
                name: self.product_name.clone(),
            },
            amount: self.amount,
            qr_url: self.qr_url.clone(),
            qr_image: self.qr_image.clone(),
            state: phase.wire(),
            expires_at: rfc3339(self.expires_at),
            server_time: rfc3339(now),
            reason: self.status.reason().filter(|_| phase.is_final()),
            idle_at: self.idle_at(outcome_display).map(rfc3339),
            cancelling: self.status.cancelling().is_some(),
        }
    }

    /// For an ended session: when the machine is idle again.
    pub fn idle_at(&self, outcome_display: Duration) -> Option<OffsetDateTime> {
        self.ended_at.map(|t| t + outcome_display)
    }

    /// The price split as on the receipt: (excluding VAT, VAT). Prices
    /// include VAT: excluding = total / (1 + rate), rounded to the nearest
    /// minor unit; the VAT is the rest, so the two always add up.
    pub fn vat_split(&self) -> (i64, i64) {
        let (amount, rate) = (self.amount.value, self.tax_rate);
        let excluding = (amount * 10_000 + (10_000 + rate) / 2) / (10_000 + rate);
        (excluding, amount - excluding)
    }

    /// The Idempotency-Key for one money operation on this session. Derived,
    /// not random, so a retry after a restart (or on another replica) reuses
    /// it; at most 50 characters, the end kept.
    pub fn idempotency_key(&self, operation: &str) -> String {
        let key = format!("{}-{operation}", self.reference);
        let skip = key.chars().count().saturating_sub(50);
        key.chars().skip(skip).collect()
    }
}

/// RFC 3339, as the wire and the stores write times.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}
