//! The payment service's words, turned into the engine's at the edge: the
//! transition table never sees a provider state.

use crate::domain::Payment;
use crate::epayment::model::PaymentState;

/// What a payment's state means for the purchase.
pub(super) fn payment(state: PaymentState) -> Payment {
    match state {
        PaymentState::Created => Payment::Pending,
        PaymentState::Authorized => Payment::Approved,
        PaymentState::Aborted => Payment::Declined,
        PaymentState::Expired => Payment::Expired,
        PaymentState::Terminated => Payment::Terminated,
    }
}
