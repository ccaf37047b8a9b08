//! A purchase, from the product touch to its ending.

use crate::Money;
use serde::{Deserialize, Serialize};

/// Body of `POST /api/sessions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSession {
    /// The [`crate::Product::id`] to buy.
    pub product_id: String,
}

/// The product a session sells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductRef {
    /// The product's id.
    pub id: String,
    /// The product's name at the time of purchase.
    pub name: String,
}

/// Where a purchase stands, in our own words (never the payment provider's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SessionState {
    /// The payment is being created.
    Creating,
    /// The QR is shown and the countdown runs.
    AwaitingPayment,
    /// Approved in the app; about to vend.
    Authorized,
    /// The machine is vending.
    Dispensing,
    /// Vended and captured: the customer paid.
    Completed,
    /// The vend failed and the reservation was released: not charged.
    VendFailed,
    /// Cancelled at the machine or by the session timeout: not charged.
    Cancelled,
    /// The customer declined in the app: not charged.
    Rejected,
    /// Nobody paid in time: not charged.
    Expired,
    /// The payment service could not be reached or refused: not charged.
    Failed,
}

impl SessionState {
    /// True for the states a session never leaves.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            SessionState::Completed
                | SessionState::VendFailed
                | SessionState::Cancelled
                | SessionState::Rejected
                | SessionState::Expired
                | SessionState::Failed
        )
    }
}

/// Why a session ended the way it did, so the screen can say it precisely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum EndReason {
    /// The customer pressed Cancel on the screen.
    CustomerCancelled,
    /// The machine's session timeout ran out before anyone paid.
    SessionTimeout,
    /// The customer declined in the app.
    DeclinedInApp,
    /// The QR's lifetime passed without payment.
    PaymentExpired,
    /// The machine reported that it could not vend.
    VendFailed,
    /// The machine did not confirm the vend in time.
    VendTimeout,
    /// The payment service could not be reached.
    PaymentServiceUnreachable,
    /// The payment service refused the payment.
    PaymentServiceRefused,
    /// The server restarted and could not safely finish this purchase.
    Interrupted,
    /// The customer approved too long ago to still be at the machine (the
    /// approval reached us late): nothing was vended, the reservation is released.
    ApprovalTooLate,
    /// The payment found under this purchase's reference is not exactly this
    /// purchase's: nothing was vended, and the payment was left alone.
    PaymentMismatch,
    /// A reason this version of the display does not know yet.
    #[serde(other)]
    Unknown,
}

/// One purchase, as the display sees it. Sent whole on every change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The payment reference, also shown to the customer in the app.
    pub reference: String,
    /// What is being bought.
    pub product: ProductRef,
    /// The price to pay.
    pub amount: Money,
    /// The URL the QR encodes; absent while `creating` and in QR-image mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_url: Option<String>,
    /// A `data:image/svg+xml;base64,…` URL of a provider-rendered QR, when the
    /// server runs in QR-image mode; shown as an `<img>`, never as markup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_image: Option<String>,
    /// Where the purchase stands.
    pub state: SessionState,
    /// When the QR stops being payable (RFC 3339, server clock).
    pub expires_at: String,
    /// The server's clock when this object was sent (RFC 3339).
    pub server_time: String,
    /// Why it ended, for final states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<EndReason>,
    /// For final states: when the screen returns to idle (RFC 3339, server clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_at: Option<String>,
    /// True while the customer's Cancel is being settled with the provider.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancelling: bool,
}
