//! The session engine: starts purchases, learns their outcome (webhook or poll),
//! vends, then captures or releases. It knows no HTTP: routes call it, and it
//! calls the store, the ePayment client and the dispenser.

mod drive;
mod machine;
mod poll;
mod purchase;
pub mod record;
mod recovery;
mod settle;
pub mod state;
mod verify;

use crate::config::{MachineConfig, ProductConfig};
use crate::dispenser::Dispenser;
use crate::epayment::client::QrFormat;
use crate::epayment::EpaymentClient;
use crate::store::{Store, StoreError};
use record::SessionRecord;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::{broadcast, Mutex};
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
    store: Store,
    client: EpaymentClient,
    dispenser: Dispenser,
    settings: EngineSettings,
    updates: broadcast::Sender<Update>,
    /// Serialises transitions: one machine, one purchase, so one lock is enough.
    transitions: Mutex<()>,
    machine: RwLock<MachineHealth>,
    /// When the payment service last answered usably (a 404 counts; a 5xx or
    /// an auth refusal does not).
    payment_seen_ok: std::sync::Mutex<Option<std::time::Instant>>,
    event_id: AtomicU64,
    /// Sessions whose capture or release is being retried right now: they
    /// keep the machine busy even once flagged for an operator.
    settling: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Engine {
    pub fn new(
        store: Store,
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
                transitions: Mutex::new(()),
                machine: RwLock::new(MachineHealth::default()),
                payment_seen_ok: std::sync::Mutex::new(None),
                event_id: AtomicU64::new(1),
                settling: Default::default(),
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
    pub fn snapshot(&self) -> Result<wire::Snapshot, EngineError> {
        let now = OffsetDateTime::now_utc();
        let session = self
            .inner
            .store
            .latest()?
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
    pub fn session(&self, reference: &str) -> Result<wire::Session, EngineError> {
        let record = self.inner.store.get(reference)?;
        let record = record.ok_or_else(|| EngineError::UnknownSession(reference.into()))?;
        Ok(self.wire(&record))
    }

    /// The store, for the webhook route's deduplication and the operator.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The ePayment client the engine uses.
    pub fn client(&self) -> &EpaymentClient {
        &self.inner.client
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
