//! The session state machine: phases, events and one pure transition function.
//! The engine persists every accepted transition before acting on it, so the
//! phase alone tells a restarted server what was under way.

use vendscreen_protocol::{EndReason, SessionState};

/// Where the payment stands, as the payment service reports it (webhook,
/// poll, an answer to a cancel), in the engine's own words: the provider's
/// states are mapped to these at the edge (`session::news`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Payment {
    /// Nobody has approved or declined yet.
    Pending,
    /// The customer approved: the amount is reserved.
    Approved,
    /// The customer declined in the app.
    Declined,
    /// Nobody paid in time.
    Expired,
    /// Cancelled before anyone paid (our cancel, or the merchant's).
    Terminated,
}

/// Where a purchase stands, finer than the wire's [`SessionState`]: the extra
/// phases name the money operations in flight, which crash recovery must finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// The create call is (or may be) in flight.
    Creating,
    /// The QR is shown; nobody has paid yet.
    AwaitingPayment,
    /// Approved in the app; the vend has not been started.
    Authorized,
    /// The dispenser was told to vend; its answer is not recorded yet.
    Vending,
    /// Vend confirmed; the capture is (or may be) in flight.
    Capturing,
    /// Vend failed or uncertain; the reservation's cancel is (or may be) in flight.
    Releasing,
    Completed,
    VendFailed,
    Cancelled,
    Rejected,
    Expired,
    Failed,
}

impl Phase {
    /// All phases, in the order of the transition table.
    pub const ALL: [Phase; 12] = [
        Phase::Creating,
        Phase::AwaitingPayment,
        Phase::Authorized,
        Phase::Vending,
        Phase::Capturing,
        Phase::Releasing,
        Phase::Completed,
        Phase::VendFailed,
        Phase::Cancelled,
        Phase::Rejected,
        Phase::Expired,
        Phase::Failed,
    ];

    /// What the screen shows for this phase.
    pub fn wire(self) -> SessionState {
        match self {
            Phase::Creating => SessionState::Creating,
            Phase::AwaitingPayment => SessionState::AwaitingPayment,
            Phase::Authorized => SessionState::Authorized,
            Phase::Vending | Phase::Capturing | Phase::Releasing => SessionState::Dispensing,
            Phase::Completed => SessionState::Completed,
            Phase::VendFailed => SessionState::VendFailed,
            Phase::Cancelled => SessionState::Cancelled,
            Phase::Rejected => SessionState::Rejected,
            Phase::Expired => SessionState::Expired,
            Phase::Failed => SessionState::Failed,
        }
    }

    pub fn is_final(self) -> bool {
        self.wire().is_final()
    }

    /// Stable name for the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Creating => "creating",
            Phase::AwaitingPayment => "awaitingPayment",
            Phase::Authorized => "authorized",
            Phase::Vending => "vending",
            Phase::Capturing => "capturing",
            Phase::Releasing => "releasing",
            Phase::Completed => "completed",
            Phase::VendFailed => "vendFailed",
            Phase::Cancelled => "cancelled",
            Phase::Rejected => "rejected",
            Phase::Expired => "expired",
            Phase::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Something that happened to a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The provider accepted the create call; the QR can be shown.
    Created,
    /// The create call failed for good.
    CreateFailed(EndReason),
    /// The payment service reports this (webhook, poll, a cancel's answer).
    Payment(Payment),
    /// The customer or the session timeout asks to stop; the cancel call follows.
    CancelRequested(EndReason),
    /// The provider refused the cancel because the customer approved (6060).
    CancelRefused,
    /// We are about to tell the dispenser to vend.
    VendStarted,
    /// The dispenser confirmed the vend.
    VendSucceeded,
    /// The dispenser failed, timed out, or the outcome is unknown.
    VendFailed(EndReason),
    /// The capture succeeded.
    Captured,
    /// The reservation was released after a failed vend.
    Released,
    /// The provider has no such payment (e.g. the demo simulator restarted).
    PaymentMissing,
    /// The approved payment is not exactly this purchase's: end without
    /// vending and without touching the payment (it may be someone else's).
    PaymentMismatch,
}

/// The part of a session the state machine decides over. Its fields are
/// private so that only the transition table (and a checked read from the
/// store) makes one: a cancel under way exists only while unpaid, a reason
/// only once the purchase is ending, never "completed while cancelling".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    phase: Phase,
    /// Why it ended (or, while releasing, why the vend failed).
    reason: Option<EndReason>,
    /// Set while a cancel is being settled with the provider.
    cancelling: Option<EndReason>,
}

/// The result of offering an event to a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// The event moves the session: persist the new status, then act.
    To(Status),
    /// Already accounted for (a duplicate or late event): change nothing.
    Ignore,
}

impl Status {
    /// A phase as the engine enters it: no reason, no cancel under way.
    pub fn new(phase: Phase) -> Status {
        Status {
            phase,
            reason: None,
            cancelling: None,
        }
    }

    /// An unpaid purchase whose cancel (for `why`) is under way.
    pub fn cancel_requested(why: EndReason) -> Status {
        Status {
            cancelling: Some(why),
            ..Status::new(Phase::AwaitingPayment)
        }
    }

    /// A status read back from the store; `None` for a combination no
    /// transition makes (a cancel under way after payment, a reason on a
    /// purchase still under way).
    pub fn from_parts(
        phase: Phase,
        reason: Option<EndReason>,
        cancelling: Option<EndReason>,
    ) -> Option<Status> {
        let cancel_ok = cancelling.is_none() || phase == Phase::AwaitingPayment;
        let reason_ok = reason.is_none() || phase == Phase::Releasing || phase.is_final();
        (cancel_ok && reason_ok).then_some(Status {
            phase,
            reason,
            cancelling,
        })
    }

    pub fn phase(self) -> Phase {
        self.phase
    }

    /// Why it ended (or, while releasing, why the vend failed).
    pub fn reason(self) -> Option<EndReason> {
        self.reason
    }

    /// The reason of the cancel under way, if one is.
    pub fn cancelling(self) -> Option<EndReason> {
        self.cancelling
    }

    fn to(self, phase: Phase) -> Transition {
        Transition::To(Status { phase, ..self })
    }

    fn end(self, phase: Phase, reason: EndReason) -> Transition {
        Transition::To(Status {
            phase,
            reason: Some(reason),
            cancelling: None,
        })
    }

    /// The transition table. Every (phase, event) pair not named is ignored, which
    /// is what makes duplicate and reordered webhooks and polls harmless.
    pub fn apply(self, event: &Event) -> Transition {
        use Payment as P;
        use Phase::*;
        match (self.phase, event) {
            (Creating, Event::Created) => self.to(AwaitingPayment),
            (Creating, Event::CreateFailed(r)) => self.end(Failed, *r),
            (Creating | AwaitingPayment, Event::PaymentMissing) => {
                self.end(Failed, EndReason::Interrupted)
            }
            (Creating | AwaitingPayment, Event::Payment(P::Approved)) => Transition::To(Status {
                phase: Authorized,
                reason: None,
                cancelling: None,
            }),
            (Creating | AwaitingPayment, Event::Payment(P::Declined)) => {
                self.end(Rejected, EndReason::DeclinedInApp)
            }
            (Creating | AwaitingPayment, Event::Payment(P::Expired)) => {
                self.end(Expired, EndReason::PaymentExpired)
            }
            (Creating | AwaitingPayment, Event::Payment(P::Terminated)) => self.end(
                Cancelled,
                self.cancelling.unwrap_or(EndReason::CustomerCancelled),
            ),
            (AwaitingPayment, Event::CancelRequested(r)) if self.cancelling.is_none() => {
                Transition::To(Status {
                    cancelling: Some(*r),
                    ..self
                })
            }
            (AwaitingPayment, Event::CancelRefused) if self.cancelling.is_some() => {
                Transition::To(Status {
                    cancelling: None,
                    ..self
                })
            }
            (Authorized, Event::VendStarted) => self.to(Vending),
            (Authorized, Event::PaymentMismatch) => self.end(Failed, EndReason::PaymentMismatch),
            (Vending, Event::VendSucceeded) => self.to(Capturing),
            (Authorized | Vending, Event::VendFailed(r)) => Transition::To(Status {
                phase: Releasing,
                reason: Some(*r),
                cancelling: None,
            }),
            (Capturing, Event::Captured) => self.to(Completed),
            (Releasing, Event::Released) => self.to(VendFailed),
            _ => Transition::Ignore,
        }
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
