//! The session engine: starts purchases, learns their outcome (webhook or
//! poll), vends, then captures or releases. It knows no HTTP: routes call it,
//! and it calls the store, the ePayment client and the dispenser.
//!
//! Every purchase moves by stored transitions (`drive.rs`); the work each
//! phase asks for is one *step* (create, poll, vend, capture, …) that a
//! worker claims with a lease when it is due (`worker.rs`), so a restarted
//! process — or, in a fleet, another replica — picks up where one stopped.

mod drive;
mod fleet;
mod machine;
mod machines;
mod news;
mod purchase;
mod settle;
mod unpaid;
mod unsettled;
mod vend;
mod verify;
mod worker;

use crate::config::MachineCatalog;
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
pub use machines::{Machines, RemoteVend, Vending};

/// What the engine needs besides its parts.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// First poll after create (Vipps: 5 s), then every `poll_interval`.
    pub poll_first: Duration,
    pub poll_interval: Duration,
    /// A capture or release failing this long is flagged for an operator.
    pub settle_flag_after: Duration,
    /// Approved and neither captured nor released this long: listed for a
    /// person (`unsettled.rs`).
    pub unsettled_flag_after: Duration,
    pub qr_format: QrFormat,
}

impl EngineSettings {
    pub fn from_config(config: &crate::config::Config) -> EngineSettings {
        let e = &config.epayment;
        EngineSettings {
            poll_first: Duration::from_millis(e.poll_first_ms),
            poll_interval: Duration::from_millis(e.poll_interval_ms),
            settle_flag_after: Duration::from_millis(e.settle_flag_after_ms),
            unsettled_flag_after: Duration::from_secs(e.unsettled_flag_after_s),
            qr_format: e.qr_format,
        }
    }
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
    #[error("no machine {0:?}")]
    UnknownMachine(String),
    #[error("too late to vend {0:?}: do not vend")]
    TooLateToVend(String),
    #[error("{0}")]
    Conflict(String),
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
    /// How the machine is told to vend: its own dispenser, or (a hub) the
    /// machine's edge through its outbox.
    vending: Vending,
    /// What each machine sells: one configured machine, or a fleet's.
    machines: Machines,
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
    catalogs: machines::CatalogCache,
}

impl Engine {
    /// A standalone machine's engine: its own dispenser, one catalog.
    pub fn new(
        store: Arc<dyn Store>,
        client: EpaymentClient,
        dispenser: Dispenser,
        catalog: MachineCatalog,
        settings: EngineSettings,
    ) -> Engine {
        let machines = Machines::One(Arc::new(catalog));
        Engine::with(store, client, Vending::Local(dispenser), machines, settings)
    }

    /// The engine of a fleet's hub replica: machines and their catalogs in
    /// PostgreSQL, vends carried out by each machine's edge.
    pub fn hub(
        store: crate::store::PgStore,
        client: EpaymentClient,
        remote: RemoteVend,
        settings: EngineSettings,
    ) -> Engine {
        let machines = Machines::Fleet(store.clone());
        let vending = Vending::Remote(remote);
        Engine::with(Arc::new(store), client, vending, machines, settings)
    }

    fn with(
        store: Arc<dyn Store>,
        client: EpaymentClient,
        vending: Vending,
        machines: Machines,
        settings: EngineSettings,
    ) -> Engine {
        let (updates, _) = broadcast::channel(256);
        Engine {
            inner: Arc::new(Inner {
                store,
                client,
                vending,
                machines,
                settings,
                updates,
                machine: RwLock::new(MachineHealth::default()),
                payment_seen_ok: Mutex::new(None),
                event_id: AtomicU64::new(1),
                owner: format!("{}-{}", std::process::id(), crate::store::fresh_tag()),
                running: Mutex::default(),
                wake: Notify::new(),
                catalogs: Mutex::default(),
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

    /// What the standalone machine's screen should show right now.
    pub async fn snapshot(&self) -> Result<wire::Snapshot, EngineError> {
        let machine = self.machine_id().to_string();
        let session = self.current_session(&machine).await?;
        Ok(wire::Snapshot {
            machine: self.machine_status(),
            session,
            server_time: crate::store::rfc3339(OffsetDateTime::now_utc()),
        })
    }

    /// The session a machine's screen shows now: its newest, unless that one
    /// ended longer ago than its ending stays on screen.
    pub async fn current_session(
        &self,
        machine: &str,
    ) -> Result<Option<wire::Session>, EngineError> {
        let Some(latest) = self.inner.store.latest(machine).await? else {
            return Ok(None);
        };
        let shown = self.wire(&latest).await?;
        let over = latest
            .idle_at(self.outcome_display(&latest.machine).await?)
            .is_some_and(|idle| OffsetDateTime::now_utc() >= idle);
        Ok((!over).then_some(shown))
    }

    /// One session by reference.
    pub async fn session(&self, reference: &str) -> Result<wire::Session, EngineError> {
        self.wire(&self.record(reference).await?).await
    }

    /// The ePayment client the engine uses.
    pub fn client(&self) -> &EpaymentClient {
        &self.inner.client
    }

    /// The standalone machine's posId (a hub has no machine of its own).
    fn machine_id(&self) -> &str {
        match &self.inner.machines {
            Machines::One(catalog) => &catalog.machine.pos_id,
            Machines::Fleet(_) => "",
        }
    }

    async fn record(&self, reference: &str) -> Result<SessionRecord, EngineError> {
        self.inner
            .store
            .get(reference)
            .await?
            .ok_or_else(|| EngineError::UnknownSession(reference.into()))
    }

    async fn wire(&self, record: &SessionRecord) -> Result<wire::Session, EngineError> {
        let display = self.outcome_display(&record.machine).await?;
        Ok(record.to_wire(OffsetDateTime::now_utc(), display))
    }

    async fn outcome_display(&self, machine: &str) -> Result<time::Duration, EngineError> {
        let catalog = self.catalog_of(machine).await?;
        Ok(time::Duration::seconds(
            catalog.machine.outcome_display_s as i64,
        ))
    }

    /// Tells this process's screens (a standalone machine's display) about a
    /// change; a hub's streams read the machine's outbox instead.
    fn publish_session(&self, record: &SessionRecord) {
        let Machines::One(catalog) = &self.inner.machines else {
            return;
        };
        let display = time::Duration::seconds(catalog.machine.outcome_display_s as i64);
        let session = record.to_wire(OffsetDateTime::now_utc(), display);
        let id = self.inner.event_id.fetch_add(1, Ordering::SeqCst) + 1;
        // No subscribers is fine: nobody is watching the screen.
        let _ = self
            .inner
            .updates
            .send(Update::Session(id, Box::new(session)));
    }
}
