//! The session engine: starts purchases, learns their outcome (webhook or
//! poll), vends, then captures or releases. It knows no HTTP: routes call it,
//! and it calls the store, the ePayment client and the dispenser.
//!
//! Every purchase moves by stored transitions (`drive.rs`); the work each
//! phase asks for is one *step* (create, poll, vend, capture, …) that a
//! worker claims with a lease when it is due (`worker.rs`), so a restarted
//! process — or, in a fleet, another replica — picks up where one stopped.

mod drive;
mod machine;
mod news;
mod purchase;
mod settle;
mod unpaid;
mod vend;
mod verify;
mod worker;

use crate::config::{MachineConfig, ProductConfig};
use crate::dispenser::Dispenser;
use crate::domain::SessionRecord;
use crate::epayment::client::QrFormat;
use crate::epayment::EpaymentClient;
use crate::store::{Store, StoreError};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::{broadcast, Notify};
use vendscreen_protocol as wire;

pub use machine::MachineHealth;

/// What the engine needs besides its parts.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    pub machine: MachineConfig,
    pub products: Vec<ProductConfig>,
    /// First poll after create (Vipps: 5 s), then every `poll_interval`.
    pub poll_first: Duration,
    pub poll_interval: Duration,
    /// A capture or release failing this long is flagged for an operator.
    pub settle_flag_after: Duration,
    pub qr_format: QrFormat,
}

/// A change the display must hear about, numbered for SSE `id:`.
#[derive(Debug, Clone)]
pub enum Update {
    Session(u64, Box<wire::Session>),
    Machine(u64, wire::MachineStatus),
}

/// Why the engine refused a request.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("no product {0:?}")]
    UnknownProduct(String),
    #[error("product {0:?} is sold out")]
    SoldOut(String),
    #[error("no session {0:?}")]
    UnknownSession(String),
    #[error("a purchase is already under way")]
    Busy,
    #[error("the session can no longer be cancelled")]
    NotCancellable,
    #[error("out of service: {0:?}")]
    OutOfService(wire::OutOfServiceReason),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The engine; cheap to clone.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    client: EpaymentClient,
    dispenser: Dispenser,
    settings: EngineSettings,
    updates: broadcast::Sender<Update>,
    machine: RwLock<MachineHealth>,
    /// When the payment service last answered usably (a 404 counts; a 5xx or
    /// an auth refusal does not).
    payment_seen_ok: Mutex<Option<std::time::Instant>>,
    event_id: AtomicU64,
    /// This process's name on the leases it takes.
    owner: String,
    /// Sessions whose step runs in this process now: never claimed twice.
    running: Mutex<HashSet<String>>,
    /// Wakes the worker when work became due now.
    wake: Notify,
}

impl Engine {
    pub fn new(
        store: Arc<dyn Store>,
        client: EpaymentClient,
        dispenser: Dispenser,
        settings: EngineSettings,
    ) -> Engine {
        let (updates, _) = broadcast::channel(256);
        Engine {
            inner: Arc::new(Inner {
                store,
                client,
                dispenser,
                settings,
                updates,
                machine: RwLock::new(MachineHealth::default()),
                payment_seen_ok: Mutex::new(None),
                event_id: AtomicU64::new(1),
                owner: format!("{}-{}", std::process::id(), crate::store::fresh_tag()),
                running: Mutex::default(),
                wake: Notify::new(),
            }),
        }
    }

    /// Changes from now on; pair with [`Engine::snapshot`] taken after subscribing.
    pub fn subscribe(&self) -> broadcast::Receiver<Update> {
        self.inner.updates.subscribe()
    }

    /// The id of the latest update sent (SSE `id:` of a snapshot).
    pub fn last_event_id(&self) -> u64 {
        self.inner.event_id.load(Ordering::SeqCst)
    }

    /// What a screen should show right now.
    pub async fn snapshot(&self) -> Result<wire::Snapshot, EngineError> {
        let now = OffsetDateTime::now_utc();
        let session = self
            .inner
            .store
            .latest(self.machine_id())
            .await?
            .filter(|r| {
                r.idle_at(self.outcome_display())
                    .is_none_or(|idle| now < idle)
            })
            .map(|r| self.wire(&r));
        Ok(wire::Snapshot {
            machine: self.machine_status(),
            session,
            server_time: crate::store::rfc3339(now),
        })
    }

    /// One session by reference.
    pub async fn session(&self, reference: &str) -> Result<wire::Session, EngineError> {
        Ok(self.wire(&self.record(reference).await?))
    }

    /// The ePayment client the engine uses.
    pub fn client(&self) -> &EpaymentClient {
        &self.inner.client
    }

    /// The machine this engine sells for (standalone: the configured one).
    fn machine_id(&self) -> &str {
        &self.inner.settings.machine.pos_id
    }

    async fn record(&self, reference: &str) -> Result<SessionRecord, EngineError> {
        self.inner
            .store
            .get(reference)
            .await?
            .ok_or_else(|| EngineError::UnknownSession(reference.into()))
    }

    fn wire(&self, record: &SessionRecord) -> wire::Session {
        record.to_wire(OffsetDateTime::now_utc(), self.outcome_display())
    }

    fn outcome_display(&self) -> time::Duration {
        time::Duration::seconds(self.inner.settings.machine.outcome_display_s as i64)
    }

    fn publish_session(&self, record: &SessionRecord) {
        let id = self.inner.event_id.fetch_add(1, Ordering::SeqCst) + 1;
        // No subscribers is fine: nobody is watching the screen.
        let _ = self
            .inner
            .updates
            .send(Update::Session(id, Box::new(self.wire(record))));
    }
}
