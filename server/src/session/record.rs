//! One purchase as the server keeps it, and its projection onto the wire.

use super::state::Status;
use crate::store::rfc3339;
use time::{Duration, OffsetDateTime};
use vendscreen_protocol as wire;

/// A session row: everything needed to finish the purchase after a restart.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub reference: String,
    pub seq: i64,
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
    /// The outcome could not be settled automatically; an operator must look.
    pub needs_operator: bool,
    pub created_at: OffsetDateTime,
    /// When the session stops being payable (QR lifetime or machine timeout).
    pub expires_at: OffsetDateTime,
    pub authorized_at: Option<OffsetDateTime>,
    pub ended_at: Option<OffsetDateTime>,
}

impl SessionRecord {
    /// The session as the display sees it, stamped with `now`.
    pub fn to_wire(&self, now: OffsetDateTime, outcome_display: Duration) -> wire::Session {
        let phase = self.status.phase;
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
            reason: self.status.reason.filter(|_| phase.is_final()),
            idle_at: self.idle_at(outcome_display).map(rfc3339),
            cancelling: self.status.cancelling.is_some(),
        }
    }

    /// For an ended session: when the machine is idle again.
    pub fn idle_at(&self, outcome_display: Duration) -> Option<OffsetDateTime> {
        self.ended_at.map(|t| t + outcome_display)
    }

    /// The Idempotency-Key for one money operation on this session. Derived,
    /// not random, so a retry after a restart reuses it (≤ 50 chars).
    pub fn idempotency_key(&self, operation: &str) -> String {
        let key = format!("{}-{operation}", self.reference);
        key.chars()
            .rev()
            .take(50)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect()
    }
}
