//! The simulator's shared state and the operations on it that more than one
//! route needs: payment lookup with lazy expiry, event emission, faults, the
//! idempotency store and the rate-limit windows.

use super::auth::IssuedToken;
use super::delivery::Delivery;
use super::delivery::Queues;
use super::faults::Fault;
use super::payment::{Logged, Outcome, Payment, UserAction};
use super::problem::SimError;
use super::webhooks::Registration;
use super::wire::{self, EventName};
use super::{clock::SimClock, SimulatorConfig};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

/// A stored answer for an Idempotency-Key.
#[derive(Debug, Clone)]
pub struct Stored {
    pub fingerprint: String,
    pub status: u16,
    pub body: Vec<u8>,
}

pub struct Shared {
    pub config: SimulatorConfig,
    pub clock: SimClock,
    pub http: reqwest::Client,
    pub queues: Queues,
    payments: Mutex<HashMap<String, Payment>>,
    tokens: Mutex<HashMap<String, IssuedToken>>,
    pub idempotency: Mutex<HashMap<String, Stored>>,
    pub limits: Mutex<HashMap<(String, bool), VecDeque<SystemTime>>>,
    faults: Mutex<Vec<Fault>>,
    pub webhooks: Mutex<Vec<Registration>>,
    /// Every money call, for `GET /sim/log`.
    pub log: super::log::RequestLog,
    /// The newest create call per reference, for `GET /sim/payments/{r}/create`.
    pub creates: super::inspect::CreateCalls,
    ticker_started: AtomicBool,
}

/// Locks, shrugging off poisoning: a panicked handler must not wedge the simulator.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub fn new(config: SimulatorConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(config.webhook_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Shared {
            config,
            clock: SimClock::default(),
            http,
            queues: Queues::default(),
            payments: Mutex::default(),
            tokens: Mutex::default(),
            idempotency: Mutex::default(),
            limits: Mutex::default(),
            faults: Mutex::default(),
            webhooks: Mutex::default(),
            log: Default::default(),
            creates: Default::default(),
            ticker_started: AtomicBool::new(false),
        }
    }

    pub fn lock_tokens(&self) -> MutexGuard<'_, HashMap<String, IssuedToken>> {
        lock(&self.tokens)
    }

    pub fn payment_count(&self) -> usize {
        lock(&self.payments).len()
    }

    /// Stores a new payment; 4150 (409) when the reference is taken.
    pub fn insert(self: &Arc<Self>, mut payment: Payment, key: &str) -> Result<Payment, SimError> {
        let mut payments = lock(&self.payments);
        if payments.contains_key(&payment.reference) {
            return Err(SimError::Domain {
                status: axum::http::StatusCode::CONFLICT,
                code: "4150",
                title: "Reference already exists",
            });
        }
        let value = payment.value;
        let event = payment.record(EventName::Created, value, Some(key), self.clock.now());
        self.emit(&payment, &event);
        payments.insert(payment.reference.clone(), payment.clone());
        Ok(payment)
    }

    /// A copy of the payment, after applying any due expiry.
    pub fn read(self: &Arc<Self>, reference: &str) -> Result<Payment, SimError> {
        self.modify(reference, |_, _| Ok(None))
    }

    /// Finds by QR token (phone page, QR image).
    pub fn by_token(self: &Arc<Self>, token: &str) -> Option<Payment> {
        let reference = lock(&self.payments)
            .values()
            .find(|p| p.qr_token == token)?
            .reference
            .clone();
        self.read(&reference).ok()
    }

    /// Runs `f` on the payment (404 / 5090 if unknown), emitting what it records.
    pub fn modify(
        self: &Arc<Self>,
        reference: &str,
        f: impl FnOnce(&mut Payment, SystemTime) -> Result<Option<Logged>, SimError>,
    ) -> Result<Payment, SimError> {
        let now = self.clock.now();
        let mut payments = lock(&self.payments);
        let payment = payments
            .get_mut(reference)
            .ok_or_else(SimError::reference_not_found)?;
        if let Some(expired) = payment.expire_if_due(now) {
            self.emit(payment, &expired);
        }
        if let Some(event) = f(payment, now)? {
            self.emit(payment, &event);
        }
        Ok(payment.clone())
    }

    /// `modify` for the transitions that always record an event.
    pub fn apply(
        self: &Arc<Self>,
        reference: &str,
        f: impl FnOnce(&mut Payment, SystemTime) -> Outcome,
    ) -> Result<Payment, SimError> {
        self.modify(reference, |p, now| f(p, now).map(Some))
    }

    pub fn user_action(
        self: &Arc<Self>,
        reference: &str,
        action: UserAction,
    ) -> Result<Payment, SimError> {
        self.apply(reference, |p, now| p.user_action(action, now))
    }

    /// Expires every payment that is due (the ticker and `advance_clock`).
    pub fn sweep(self: &Arc<Self>) {
        let now = self.clock.now();
        let mut payments = lock(&self.payments);
        for payment in payments.values_mut() {
            if let Some(event) = payment.expire_if_due(now) {
                self.emit(payment, &event);
            }
        }
    }

    /// Queues the webhook for an event; called under the payments lock so
    /// events of one payment enter its queue in the order they happened.
    fn emit(self: &Arc<Self>, payment: &Payment, e: &Logged) {
        let delivery = Delivery {
            reference: payment.reference.clone(),
            kind: e.name.webhook_type(),
            body: wire::webhook(payment, e).to_string().into_bytes(),
        };
        super::delivery::enqueue(self, delivery);
    }

    pub fn add_fault(&self, fault: Fault) {
        if fault.times > 0 {
            lock(&self.faults).push(fault);
        }
    }

    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    /// The next fault for `endpoint`, counting it down.
    pub fn take_fault(&self, endpoint: &str) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let i = faults.iter().position(|f| f.endpoint == endpoint)?;
        faults[i].times -= 1;
        let fault = faults[i].clone();
        if faults[i].times == 0 {
            faults.remove(i);
        }
        Some(fault)
    }
}

/// Starts the background expiry sweep once, if a runtime is there. It holds
/// only a weak reference, so it ends when the simulator is dropped.
pub fn start_ticker(shared: &Arc<Shared>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    if shared.ticker_started.swap(true, Ordering::SeqCst) {
        return;
    }
    let weak = Arc::downgrade(shared);
    let every = shared.config.expiry_tick.max(Duration::from_millis(10));
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let Some(shared) = weak.upgrade() else { return };
            shared.sweep();
        }
    });
}
