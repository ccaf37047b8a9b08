//! What the screen shows, as a pure function of what the server streamed and
//! what the customer just did. `State::apply` is the only way it changes;
//! `State::screen` picks the screen. Both are tested natively, row by row.

use crate::countdown::parse_rfc3339_ms;
use vendscreen_protocol as wire;
use wire::{OutOfServiceReason, SessionState};

mod cancel;
pub use cancel::CancelIntent;

/// Which screen is up. Small and `Eq` so the App can hold it in a `Memo`: a
/// session update that keeps the screen (a new `serverTime`) renders nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// No snapshot yet: the stream has not told us anything.
    Connecting,
    /// The catalog: pick a product.
    Idle,
    /// The machine cannot sell.
    OutOfService(Option<OutOfServiceReason>),
    /// The customer touched a product; the payment is being created.
    Creating,
    /// QR, price and countdown.
    Pay,
    /// Approved in the app.
    Authorized,
    /// The machine is vending.
    Dispensing,
    /// A final state, until `idleAt`.
    Outcome(SessionState),
}

/// Why a purchase could not start, as the idle screen explains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// 409: another purchase is unresolved.
    Busy,
    /// 503 or no answer: the machine cannot sell right now.
    Unavailable,
    /// 404/400: that product cannot be bought.
    NotForSale,
    /// Cancel was refused or not delivered; the purchase goes on.
    CancelFailed,
}

/// Everything that moves the screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `snapshot`: on every (re)connect, the whole truth.
    Snapshot(wire::Snapshot),
    /// `session`: the whole session, whenever it changes.
    Session(wire::Session),
    /// `machine`: the machine's status changed.
    Machine(wire::MachineStatus),
    /// The customer touched a product; the POST is on its way.
    CreateStarted,
    /// The answer to the POST of start number `.0` (`State::create_seq`).
    Created(u32, wire::Session),
    /// The POST of start number `.0` failed; nothing is being bought.
    CreateFailed(u32, Notice),
    /// The customer pressed Cancel (on the pay or the "preparing" screen).
    CancelPressed,
    /// The cancel POST for this reference is on its way.
    CancelSent(String),
    /// The cancel POST failed.
    CancelFailed(String),
    /// `idleAt` of this reference has passed: back to the catalog.
    IdleDue(String),
    /// The idle screen's notice has been read long enough.
    NoticeDone,
}

/// The display's whole state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    /// None until the first snapshot.
    pub machine: Option<wire::MachineStatus>,
    /// The current or most recently ended session.
    pub session: Option<wire::Session>,
    /// A POST /api/sessions is in flight.
    pub creating: bool,
    /// The ended session whose outcome has been shown long enough.
    pub dismissed: Option<String>,
    /// The customer's Cancel, from the press until the server has it.
    pub cancel: Option<CancelIntent>,
    /// Purchases started from this screen: an answer to an older start
    /// (arriving late, after its purchase ended and another began) is stale.
    pub create_seq: u32,
    /// Shown on the idle screen after a failed start.
    pub notice: Option<Notice>,
    /// Snapshots received: one per (re)connect. After a reconnect the server
    /// may have restarted with other prices, so the App reloads the catalog.
    pub snapshots: u32,
}

impl State {
    /// The state after `event`.
    pub fn apply(mut self, event: Event) -> Self {
        match event {
            Event::Snapshot(snap) => {
                self.snapshots = self.snapshots.wrapping_add(1);
                self.machine = Some(snap.machine);
                self.session = None;
                if let Some(s) = snap.session {
                    self.take_session(s);
                }
            }
            Event::Session(s) => self.take_session(s),
            Event::Machine(m) => self.machine = Some(m),
            Event::CreateStarted => {
                self.creating = true;
                self.notice = None;
                self.cancel = None;
                self.create_seq = self.create_seq.wrapping_add(1);
            }
            Event::Created(seq, s) if self.answers_current_start(seq, &s.reference) => {
                self.take_session(s)
            }
            Event::Created(..) => {}
            Event::CreateFailed(seq, n) if seq == self.create_seq && self.creating => {
                self.creating = false;
                self.cancel = None;
                self.notice = Some(n);
            }
            Event::CreateFailed(..) => {}
            Event::CancelPressed => self.press_cancel(),
            Event::CancelSent(r) => {
                if self.cancel == Some(CancelIntent::Due(r.clone())) {
                    self.cancel = Some(CancelIntent::Sent(r));
                }
            }
            Event::CancelFailed(r) if self.cancel.as_ref().is_some_and(|c| c.is_for(&r)) => {
                self.cancel = None;
                self.notice = Some(Notice::CancelFailed);
            }
            Event::CancelFailed(_) => {}
            Event::IdleDue(r) => {
                if self
                    .session
                    .as_ref()
                    .is_some_and(|s| s.reference == r && s.state.is_final())
                {
                    self.dismissed = Some(r);
                }
            }
            Event::NoticeDone => self.notice = None,
        }
        self
    }

    /// Takes a session unless it is older than the one we hold: the POST's
    /// answer and the stream race, and the screen must never step backwards.
    fn take_session(&mut self, new: wire::Session) {
        if let Some(old) = &self.session {
            let same = old.reference == new.reference;
            let older = parse_rfc3339_ms(&new.server_time) < parse_rfc3339_ms(&old.server_time);
            if same && (older || (old.state.is_final() && !new.state.is_final())) {
                return;
            }
        }
        if !new.state.is_final() || Some(&new.reference) != self.dismissed.as_ref() {
            self.creating = false;
        }
        match new.state {
            // A press made while the payment was being created is sent now.
            SessionState::AwaitingPayment if self.cancel == Some(CancelIntent::Waiting) => {
                self.cancel = Some(CancelIntent::Due(new.reference.clone()));
            }
            SessionState::AwaitingPayment | SessionState::Creating => {}
            _ => {
                self.cancel = None;
                // "Could not cancel yet" is moot once the purchase has moved on.
                if self.notice == Some(Notice::CancelFailed) {
                    self.notice = None;
                }
            }
        }
        self.session = Some(new);
    }

    /// Whether the answer to start number `seq` (for `reference`) is still
    /// news: it is the latest start, and no other purchase has come since.
    fn answers_current_start(&self, seq: u32, reference: &str) -> bool {
        let other = self
            .live_session()
            .is_some_and(|s| s.reference != reference);
        seq == self.create_seq && (self.creating || !other)
    }

    /// The session still on screen: not yet dismissed after its ending.
    pub fn live_session(&self) -> Option<&wire::Session> {
        self.session
            .as_ref()
            .filter(|s| !(s.state.is_final() && self.dismissed.as_ref() == Some(&s.reference)))
    }

    /// The screen to show. A purchase under way wins over everything: its
    /// customer must see how it ends, even if the machine just went down.
    pub fn screen(&self) -> Screen {
        let Some(machine) = &self.machine else {
            return Screen::Connecting;
        };
        if let Some(s) = self.live_session() {
            return match s.state {
                SessionState::Creating => Screen::Creating,
                SessionState::AwaitingPayment => Screen::Pay,
                SessionState::Authorized => Screen::Authorized,
                SessionState::Dispensing => Screen::Dispensing,
                done => Screen::Outcome(done),
            };
        }
        if !machine.in_service {
            Screen::OutOfService(machine.reason)
        } else if self.creating {
            Screen::Creating
        } else {
            Screen::Idle
        }
    }
}

/// How long an outcome stays when the server did not say (`idleAt` absent).
pub const OUTCOME_FALLBACK_MS: i64 = 10_000;

/// When an ended session's screen gives way to the catalog (server epoch-ms).
pub fn idle_deadline(s: &wire::Session) -> Option<i64> {
    let fallback = || parse_rfc3339_ms(&s.server_time).map(|t| t + OUTCOME_FALLBACK_MS);
    s.idle_at
        .as_deref()
        .and_then(parse_rfc3339_ms)
        .or_else(fallback)
}

#[cfg(test)]
#[path = "screen_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "screen_cancel_tests.rs"]
mod cancel_tests;
