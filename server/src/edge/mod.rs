//! A fleet machine's edge agent (`server.role = "edge"`): serves `dist/` and
//! the same display API and event stream as a standalone machine, relays
//! purchases to the hub (`hub.url`, `hub.token`), follows the hub's stream
//! for this machine, and runs the vend handshake against its journal
//! (`store.path`) and its local dispenser. It holds no Vipps credentials and
//! never starts the simulator.

mod display;
mod hub_client;
pub mod journal;
mod link;
mod mirror;
mod sse;
mod vend;

pub use journal::{Entry, Journal, Sent, Stage};
pub use vend::VendAnswer;

use crate::application::listen::{base_url_of, bind, limits, shutdown_signal};
use crate::application::routers::with_files;
use crate::config::Config;
use crate::dispenser::Dispenser;
use crate::retry::RetryPolicy;
use crate::routes::{self, DisplayState, StreamSlots};
use crate::serve::{self, Limits};
use axum::Router;
use hub_client::HubClient;
use mirror::Mirror;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use vendscreen_protocol::fleet::VendCommand;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The edge's timings. From the configuration (`hub.link_silence_ms`,
/// `hub.heartbeat_ms`); tests shorten them.
#[derive(Debug, Clone)]
pub struct EdgeSettings {
    /// Out of service (and the link opened again) after this much silence
    /// on the hub's stream: 35 s, two missed 15 s pings and some slack.
    pub link_silence: Duration,
    /// A heartbeat (with the dispenser's readiness) this often: 15 s.
    pub heartbeat_every: Duration,
    /// Waits between attempts to open the link.
    pub reconnect: RetryPolicy,
    /// Waits between attempts to send a vend's outcome (never gives up).
    pub result_retry: RetryPolicy,
}

impl EdgeSettings {
    pub fn from_config(config: &Config) -> EdgeSettings {
        let ms = |v: Option<u64>, default: u64| Duration::from_millis(v.unwrap_or(default));
        EdgeSettings {
            link_silence: ms(config.hub.link_silence_ms, 35_000),
            heartbeat_every: ms(config.hub.heartbeat_ms, 15_000),
            reconnect: RetryPolicy::forever(Duration::from_millis(250), Duration::from_secs(10)),
            result_retry: RetryPolicy::forever(Duration::from_millis(250), Duration::from_secs(30)),
        }
    }
}

/// What every part of the edge shares.
pub struct Core {
    hub: HubClient,
    mirror: Mirror,
    journal: Journal,
    dispenser: Dispenser,
    settings: EdgeSettings,
    /// The edge's background work, ended together when it stops.
    tasks: Mutex<JoinSet<()>>,
    /// References whose vend runs now: one handshake per reference at a time.
    in_flight: Mutex<HashSet<String>>,
}

/// A reference's place in `in_flight`, given back when dropped.
struct Claim<'a> {
    core: &'a Core,
    reference: String,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        lock(&self.core.in_flight).remove(&self.reference);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Core {
    fn claim(&self, reference: &str) -> Option<Claim<'_>> {
        lock(&self.in_flight)
            .insert(reference.to_string())
            .then(|| Claim {
                core: self,
                reference: reference.to_string(),
            })
    }

    fn spawn(&self, work: impl std::future::Future<Output = ()> + Send + 'static) {
        let mut tasks = lock(&self.tasks);
        // Finished work leaves the set here, so it does not grow for ever.
        while tasks.try_join_next().is_some() {}
        tasks.spawn(work);
    }

    fn spawn_vend(self: &Arc<Self>, command: VendCommand) {
        let core = self.clone();
        self.spawn(async move {
            let reference = command.reference.clone();
            let answer = core.vend(command).await;
            tracing::info!(%reference, ?answer, "vend command handled");
        });
    }

    /// A heartbeat now (a new link: the hub learns the dispenser's state).
    fn spawn_heartbeat_now(self: &Arc<Self>) {
        let core = self.clone();
        self.spawn(async move { core.heartbeat().await });
    }

    async fn heartbeat(&self) {
        let ready = self.dispenser.ready().await;
        self.mirror.set_dispenser_ready(ready);
        if let Err(e) = self.hub.heartbeat(ready).await {
            tracing::warn!(error = %e, "heartbeat to the hub failed");
        }
    }

    /// Heartbeats, and the watchdog that turns a silent link into "out of
    /// service" on the display even while nothing else happens.
    async fn keep_alive(self: Arc<Self>) {
        let mut beat = tokio::time::interval(self.settings.heartbeat_every);
        let tick = (self.settings.link_silence / 8)
            .clamp(Duration::from_millis(50), Duration::from_secs(1));
        let mut watch = tokio::time::interval(tick);
        loop {
            tokio::select! {
                _ = beat.tick() => self.heartbeat().await,
                _ = watch.tick() => self.mirror.refresh(),
            }
        }
    }
}

/// A built edge, bound but not yet serving.
pub struct Edge {
    listener: TcpListener,
    router: Router,
    limits: Limits,
    base_url: String,
    handle: EdgeHandle,
    shutdown: watch::Receiver<bool>,
}

/// Reaches a running edge: its dispenser and journal, its vend handshake,
/// and its stop; cheap to clone.
#[derive(Clone)]
pub struct EdgeHandle {
    core: Arc<Core>,
    stop: Arc<watch::Sender<bool>>,
}

impl EdgeHandle {
    pub fn dispenser(&self) -> &Dispenser {
        &self.core.dispenser
    }

    pub fn journal(&self) -> &Journal {
        &self.core.journal
    }

    /// Carries out one `vend` command as if the link had delivered it.
    pub async fn vend(&self, command: VendCommand) -> VendAnswer {
        self.core.vend(command).await
    }

    /// What the display's stream would show now.
    pub fn status(&self) -> vendscreen_protocol::MachineStatus {
        self.core.mirror.status()
    }

    /// Stops the edge: `run_until_stopped` ends once its work has.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }
}

impl Edge {
    pub async fn build(config: Config) -> Result<Edge, BoxError> {
        let listener = bind(&config.server.listen, "server.listen").await?;
        let base_url = base_url_of(&listener)?;
        let url = config.hub.url.as_deref().ok_or("hub.url is required")?;
        let token = config.hub.token.clone().ok_or("hub.token is required")?;
        let journal = Journal::open(&config.store.path).map_err(|e| {
            format!(
                "cannot open the vend journal at {}: {e}",
                config.store.path.display()
            )
        })?;
        let settings = EdgeSettings::from_config(&config);
        let mut catalog = crate::startup::catalog(&config);
        // Nothing is for sale before the hub says what is.
        catalog.products.clear();
        let outcome_display = Duration::from_secs(config.machine.outcome_display_s);
        let core = Arc::new(Core {
            hub: HubClient::new(url, token),
            mirror: Mirror::new(catalog, settings.link_silence, outcome_display),
            journal,
            dispenser: Dispenser::from_config(&config.dispenser),
            settings,
            tasks: Mutex::default(),
            in_flight: Mutex::default(),
        });
        let limits = limits(&config);
        let (stop, shutdown) = watch::channel(false);
        let display = DisplayState {
            api: Arc::new(display::EdgeDisplay(core.clone())),
            shutdown: shutdown.clone(),
            streams: StreamSlots::new(limits.slots.available_permits()),
        };
        let guarded = routes::display_router_for(display).merge(routes::sim_absent_router());
        let router = with_files(&config, guarded, display::health_router(core.clone()));
        let handle = EdgeHandle {
            core,
            stop: Arc::new(stop),
        };
        Ok(Edge {
            listener,
            router,
            limits,
            base_url,
            handle,
            shutdown,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn handle(&self) -> EdgeHandle {
        self.handle.clone()
    }

    /// Serves the display and follows the hub until Ctrl-C / SIGTERM (or
    /// [`EdgeHandle::stop`]); then ends all its work before returning.
    pub async fn run_until_stopped(self) -> Result<(), BoxError> {
        let Edge {
            listener,
            router,
            limits,
            base_url,
            handle,
            mut shutdown,
        } = self;
        let serving = tokio::spawn(serve::serve(listener, router, limits, shutdown.clone()));
        let core = handle.core.clone();
        core.resume_journal().await;
        core.spawn(link::run(core.clone()));
        core.spawn(core.clone().keep_alive());
        tracing::info!("vendscreen edge serving on {base_url}");
        tokio::select! {
            _ = shutdown_signal() => tracing::info!("shutting down"),
            _ = shutdown.wait_for(|stopping| *stopping) => {}
        }
        handle.stop();
        let mut tasks = std::mem::take(&mut *lock(&core.tasks));
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
        let _ = serving.await;
        Ok(())
    }
}
