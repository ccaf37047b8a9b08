//! One simulated payment and its rules (vipps-api.md §5–6): the state machine,
//! the aggregate maths and the event log. Pure: the caller brings the time.

use super::clock::rfc3339;
use super::problem::SimError;
use super::wire::{EventName, PaymentState};
use std::time::SystemTime;

/// A payment as the simulator keeps it.
#[derive(Debug, Clone)]
pub struct Payment {
    pub reference: String,
    pub msn: String,
    /// `amount.currency` and `amount.value` (minor units) as created.
    pub currency: &'static str,
    pub value: i64,
    pub description: String,
    pub state: PaymentState,
    pub authorized: i64,
    pub captured: i64,
    pub cancelled: i64,
    pub refunded: i64,
    /// The payment's pspReference (a GUID), also the CREATED event's.
    pub psp_reference: String,
    pub expires_at: SystemTime,
    /// The create's Idempotency-Key. The docs' AUTHORIZED examples carry a
    /// key without saying whose; we give the create's (inferred).
    pub create_key: String,
    /// The token in the QR URL, so the URL does not reveal the reference.
    pub qr_token: String,
    pub events: Vec<Logged>,
}

/// One entry of the payment's event log (`wire::event` writes it).
#[derive(Debug, Clone)]
pub struct Logged {
    /// This event's own pspReference (differs per event by design).
    pub psp_reference: String,
    pub name: EventName,
    /// The amount of this event, in the payment's currency.
    pub value: i64,
    pub timestamp: String,
    pub idempotency_key: Option<String>,
    pub success: bool,
}

/// What a modification changed: the new event (for the log and webhooks).
pub type Outcome = Result<Logged, SimError>;

impl Payment {
    /// Appends an event with its own pspReference (the CREATED one reuses the payment's).
    pub fn record(
        &mut self,
        name: EventName,
        value: i64,
        key: Option<&str>,
        now: SystemTime,
    ) -> Logged {
        let psp_reference = match name {
            EventName::Created => self.psp_reference.clone(),
            _ => format!("{}", rand::random_range(1_000_000_000u64..10_000_000_000)),
        };
        let event = Logged {
            psp_reference,
            name,
            value,
            timestamp: rfc3339(now),
            idempotency_key: key.map(str::to_string),
            success: true,
        };
        self.events.push(event.clone());
        event
    }

    /// CREATED → EXPIRED once the QR's lifetime has passed; `None` otherwise.
    pub fn expire_if_due(&mut self, now: SystemTime) -> Option<Logged> {
        (self.state == PaymentState::Created && now >= self.expires_at).then(|| self.expire(now))
    }

    fn expire(&mut self, now: SystemTime) -> Logged {
        self.state = PaymentState::Expired;
        self.record(EventName::Expired, self.value, None, now)
    }

    /// The user acts in the app (approve / reject), or time runs out now.
    pub fn user_action(&mut self, action: UserAction, now: SystemTime) -> Outcome {
        if self.state != PaymentState::Created {
            return Err(SimError::Domain {
                status: axum::http::StatusCode::CONFLICT,
                code: "6230",
                title: "Payment is not awaiting the user",
            });
        }
        let value = self.value;
        Ok(match action {
            UserAction::Approve => {
                self.state = PaymentState::Authorized;
                self.authorized = value;
                let key = self.create_key.clone();
                self.record(EventName::Authorized, value, Some(&key), now)
            }
            UserAction::Reject => {
                self.state = PaymentState::Aborted;
                self.record(EventName::Aborted, value, None, now)
            }
            UserAction::Expire => self.expire(now),
        })
    }

    /// Capture: only when AUTHORIZED, never past the uncaptured, uncancelled rest.
    pub fn capture(&mut self, value: i64, key: &str, now: SystemTime) -> Outcome {
        match self.state {
            PaymentState::Created => {
                return Err(SimError::domain(
                    "6080",
                    "Cannot capture before reservation",
                ))
            }
            PaymentState::Authorized => {}
            _ => return Err(SimError::domain("6200", "Payment cannot be captured")),
        }
        if self.cancelled > 0 {
            return Err(SimError::domain("6070", "Cannot capture cancelled payment"));
        }
        if value > self.authorized - self.captured {
            return Err(SimError::domain("6090", "Capture amount too high"));
        }
        self.captured += value;
        Ok(self.record(EventName::Captured, value, Some(key), now))
    }

    /// Cancel: before authorization → TERMINATED; after → release the rest.
    pub fn cancel(&mut self, transaction_only: bool, key: &str, now: SystemTime) -> Outcome {
        match self.state {
            PaymentState::Created => {
                self.state = PaymentState::Terminated;
                self.cancelled = self.value;
                Ok(self.record(EventName::Terminated, self.value, Some(key), now))
            }
            PaymentState::Authorized if transaction_only => {
                Err(SimError::domain("6060", "Cannot cancel authorized payment"))
            }
            PaymentState::Authorized => self.cancel_rest(key, now),
            _ => Err(SimError::domain("6190", "Payment cannot be cancelled")),
        }
    }

    fn cancel_rest(&mut self, key: &str, now: SystemTime) -> Outcome {
        let rest = self.authorized - self.captured - self.cancelled;
        if rest <= 0 && self.cancelled == 0 {
            return Err(SimError::domain("6040", "Cannot cancel captured payment"));
        }
        if rest <= 0 {
            return Err(SimError::domain("6190", "Payment cannot be cancelled"));
        }
        self.cancelled += rest;
        Ok(self.record(EventName::Cancelled, rest, Some(key), now))
    }

    /// Refund: up to what was captured and not yet refunded.
    pub fn refund(&mut self, value: i64, key: &str, now: SystemTime) -> Outcome {
        match self.state {
            PaymentState::Created => {
                return Err(SimError::domain("6020", "Cannot refund before reservation"))
            }
            PaymentState::Authorized => {}
            _ => return Err(SimError::domain("6210", "Payment cannot be refunded")),
        }
        if value > self.captured - self.refunded {
            return Err(SimError::domain("6150", "Not enough refundable amount"));
        }
        self.refunded += value;
        Ok(self.record(EventName::Refunded, value, Some(key), now))
    }
}

/// What the customer (or time) does to a CREATED payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserAction {
    Approve,
    Reject,
    Expire,
}
