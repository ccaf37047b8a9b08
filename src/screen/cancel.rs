//! The customer's Cancel in the display's state: kept from the press until
//! the server has it, so no press is lost to a screen a step ahead of (or
//! behind) the state, and sent once the purchase has a reference.

use super::State;
use vendscreen_protocol::SessionState;

/// A Cancel the customer pressed, kept until the server has it: a press is
/// never dropped because the screen was a step ahead of (or behind) the state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelIntent {
    /// Pressed while the payment was being created: sent as soon as the
    /// purchase's reference is known and it can be cancelled.
    Waiting,
    /// To be sent for this reference.
    Due(String),
    /// Sent for this reference; the stream tells how it ends.
    Sent(String),
}

impl CancelIntent {
    pub(super) fn is_for(&self, reference: &str) -> bool {
        matches!(self, CancelIntent::Due(r) | CancelIntent::Sent(r) if r == reference)
    }
}

impl State {
    /// The customer pressed Cancel: the purchase on screen is to be
    /// cancelled, now or as soon as it has a reference. A press with no
    /// purchase under way (it just ended) has nothing left to cancel.
    pub(super) fn press_cancel(&mut self) {
        match self.live_session() {
            Some(s) if s.state == SessionState::AwaitingPayment => {
                let pressed = self.cancel.as_ref().is_some_and(|c| c.is_for(&s.reference));
                if !pressed && !s.cancelling {
                    self.cancel = Some(CancelIntent::Due(s.reference.clone()));
                }
            }
            Some(s) if s.state == SessionState::Creating => {
                self.cancel = Some(CancelIntent::Waiting)
            }
            None if self.creating => self.cancel = Some(CancelIntent::Waiting),
            _ => {}
        }
    }

    /// The reference whose cancel is to be sent now, if any.
    pub fn cancel_due(&self) -> Option<&str> {
        match (&self.cancel, self.live_session()) {
            (Some(CancelIntent::Due(r)), Some(s)) if *r == s.reference => Some(r),
            _ => None,
        }
    }

    /// True while Cancel is being settled (the server's flag or our own press).
    pub fn cancelling(&self) -> bool {
        match (self.live_session(), &self.cancel) {
            (Some(s), _) if s.cancelling => true,
            (Some(s), Some(c)) => c.is_for(&s.reference) || *c == CancelIntent::Waiting,
            (None, Some(CancelIntent::Waiting)) => self.creating,
            _ => false,
        }
    }
}
