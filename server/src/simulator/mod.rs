//! The embedded stand-in for Vipps MobilePay (issues 2/3): access token,
//! ePayment, Webhooks API, signed delivery, the "phone" page and /sim/ controls.
//! Knows nothing of our sessions; the server talks to it over real HTTP.
//!
//! It is a witness, not an echo (issue 13): it writes and reads Vipps's JSON
//! on its own (`wire.rs`, from the API description) and signs webhooks with
//! its own code (`signing.rs`), sharing no type, name or signing code with
//! the client (`server/src/epayment/`); `tests/simulator_independence.rs` fails
//! if it ever does, and `tests/vipps_fixtures.rs` holds both sides to
//! hand-written golden fixtures.
//!
//! Controls, unauthenticated, under `/sim/` (tests, tools and the demo):
//!
//! | call | what |
//! | --- | --- |
//! | `GET {qrUrl}` (`/sim/c/{token}`) | the "phone" page: Approve / Decline |
//! | `GET /sim/qr-image/{token}` | the QR image for `IMAGE/SVG+XML`; 404 once the payment no longer waits |
//! | `POST /sim/payments/{reference}/approve` · `/reject` · `/expire` | the customer acts in the app, or time runs out now; 200 with the payment as `GET /payments/{reference}` shows it, 404 unknown, 409 no longer waiting |
//! | `POST /sim/clock/advance` `{"seconds": N}` | moves the simulator's clock on; due expiries fire at once |
//! | `POST /sim/faults` (see [`Fault`]) · `DELETE /sim/faults` | injects a fault into the next calls of an endpoint · clears them |
//! | `GET /sim/payments/{reference}` | the payment as `GET /epayment/v1/payments/{reference}` answers it, without a token or rate limit |
//! | `GET /sim/payments/{reference}/create` | the newest create call for the reference as it arrived: `{"headers": {...}, "body": {...}}`, the `Vipps-System-*`, `Merchant-Serial-Number` and `Idempotency-Key` headers (lower-case names; never the token or the subscription key) and the body as sent (the receipt's VAT split, `bottomLine`); 404 when none is kept; the last 1,000 references are kept |
//! | `GET /sim/log[?reference=R]` | the request log: every money call (create, capture, cancel, refund), oldest first, as `{"entries": [{seq, time, reference, operation, idempotencyKey, amount, status, errorCode, refused, replayed, injected}]}`; `status` is what the caller received (`null`: connection cut), `refused` that the simulator's rules answered 4xx, `replayed` that the Idempotency-Key store answered, `injected` an injected fault (`"status 503"`, `"dropped"`). The last 10,000 calls are kept; a gap in `seq` shows that older ones went |

mod api;
mod auth;
mod clock;
mod controls;
mod delivery;
mod faults;
mod gate;
mod inspect;
mod log;
mod payment;
mod phone;
mod problem;
mod signing;
mod state;
mod validate;
mod webhooks;
mod wire;

pub use clock::SimClock;
pub use faults::Fault;
pub use payment::UserAction;

use axum::Router;
use state::Shared;
use std::sync::Arc;
use std::time::Duration;

/// Credentials the simulator accepts; start-up hands the same to the client.
#[derive(Clone)]
pub struct SimulatorCredentials {
    pub client_id: String,
    pub client_secret: String,
    pub subscription_key: String,
    pub msn: String,
}

impl std::fmt::Debug for SimulatorCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimulatorCredentials")
            .field("msn", &self.msn)
            .finish_non_exhaustive()
    }
}

impl Default for SimulatorCredentials {
    fn default() -> Self {
        SimulatorCredentials {
            client_id: "fb492b5e-7907-4d83-bc20-c7fb60ca35de".into(),
            client_secret: "Y8Kteew6GE3ZmeycEt6egg==".into(),
            subscription_key: "0f14ebcab0ec4b29ae0cb90d91b4a84a".into(),
            msn: "123456".into(),
        }
    }
}

/// Per-reference limits (vipps-api.md §7); `None` in the config turns them off.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    /// Create, capture, cancel, refund per reference per minute (Vipps: 5).
    pub modify_per_minute: usize,
    /// Get payment and get events per reference per minute (Vipps: 120).
    pub read_per_minute: usize,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            modify_per_minute: 5,
            read_per_minute: 120,
        }
    }
}

/// How the simulator is set up. `SimulatorConfig::new` gives Vipps's numbers.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// The base URL phones reach (QR target URLs start with it), e.g. `http://192.168.1.20:8080`.
    pub public_base_url: String,
    pub credentials: SimulatorCredentials,
    /// Shown on the phone page as the merchant.
    pub merchant_name: String,
    /// How long a payment waits in CREATED before EXPIRED (10 minutes).
    pub payment_ttl: Duration,
    /// Access token lifetime (1 hour, as in the test environment).
    pub token_ttl: Duration,
    /// `None`: no 429s (handy for tests that poll fast).
    pub rate_limits: Option<RateLimits>,
    /// First webhook retry delay; doubles per try up to `webhook_retry_max`.
    pub webhook_retry_base: Duration,
    pub webhook_retry_max: Duration,
    /// Tries per event and registration before giving up on it.
    pub webhook_attempts: u32,
    /// A receiver slower than this counts as failed (Vipps: 10 s).
    pub webhook_timeout: Duration,
    /// How often the background ticker looks for expired payments.
    pub expiry_tick: Duration,
}

impl SimulatorConfig {
    pub fn new(public_base_url: impl Into<String>) -> Self {
        SimulatorConfig {
            public_base_url: public_base_url.into().trim_end_matches('/').to_string(),
            credentials: SimulatorCredentials::default(),
            merchant_name: "vendscreen demo".into(),
            payment_ttl: Duration::from_secs(600),
            token_ttl: auth::TEST_TOKEN_TTL,
            rate_limits: Some(RateLimits::default()),
            webhook_retry_base: Duration::from_secs(2),
            webhook_retry_max: Duration::from_secs(3600),
            webhook_attempts: 30,
            webhook_timeout: Duration::from_secs(10),
            expiry_tick: Duration::from_secs(1),
        }
    }
}

/// The simulator; cheap to clone (shared state inside).
#[derive(Clone)]
pub struct Simulator {
    shared: Arc<Shared>,
}

impl Simulator {
    pub fn new(config: SimulatorConfig) -> Self {
        Simulator {
            shared: Arc::new(Shared::new(config)),
        }
    }

    /// Its routes: `/accesstoken/get`, `/epayment/v1/…`, `/webhooks/v1/…`, `/sim/…`.
    /// Also starts the expiry ticker (once) when called inside a tokio runtime.
    pub fn router(&self) -> Router {
        state::start_ticker(&self.shared);
        let shared = self.shared.clone();
        api::router(self.shared.clone())
            .merge(webhooks::router(self.shared.clone()))
            .merge(controls::router(self.shared.clone()))
            .merge(inspect::router(self.shared.clone()))
            .merge(phone::router(self.shared.clone()))
            .layer(axum::middleware::map_response(move |r| {
                clock::date_header(shared.clock.now(), r)
            }))
    }

    /// What a phone on the network needs, alone: the page the QR opens, its
    /// image, and Approve / Decline (served on `simulator.listen`).
    pub fn phone_router(&self) -> Router {
        phone::router(self.shared.clone()).merge(controls::phone_router(self.shared.clone()))
    }

    /// The simulator's clock.
    pub fn clock(&self) -> &SimClock {
        &self.shared.clock
    }

    /// Moves the clock on and applies what became due (expiries, webhooks).
    pub fn advance_clock(&self, by: Duration) {
        self.shared.clock.advance(by);
        self.shared.sweep();
    }

    /// Injects a fault (see [`Fault`]).
    pub fn inject_fault(&self, fault: Fault) {
        self.shared.add_fault(fault);
    }

    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// The customer approves / rejects in the app, or time runs out now.
    pub fn user_action(&self, reference: &str, action: UserAction) -> Result<(), String> {
        self.shared
            .user_action(reference, action)
            .map(|_| ())
            .map_err(|e| format!("{e:?}"))
    }

    /// A payment as `GET /epayment/v1/payments/{reference}` would answer, if it exists.
    pub fn payment(&self, reference: &str) -> Option<serde_json::Value> {
        self.shared.read(reference).ok().map(|p| wire::payment(&p))
    }

    /// The request log's entries (see `GET /sim/log`), only `reference`'s when given.
    pub fn request_log(&self, reference: Option<&str>) -> Vec<serde_json::Value> {
        self.shared.log.entries(reference)
    }

    /// How many access tokens were issued (tests check the client's cache).
    pub fn tokens_issued(&self) -> usize {
        self.shared.lock_tokens().len()
    }

    /// How many payments exist (tests check that a retry made no second one).
    pub fn payment_count(&self) -> usize {
        self.shared.payment_count()
    }
}
