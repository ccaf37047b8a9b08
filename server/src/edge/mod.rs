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
mod shared;
mod sse;
mod vend;

pub use journal::{Entry, Journal, Sent, Stage};
pub use shared::{Core, EdgeSettings};
pub use vend::VendAnswer;

use crate::application::listen::{base_url_of, bind, limits, shutdown_signal};
use crate::application::routers::with_files;
use crate::config::Config;
use crate::dispenser::Dispenser;
use crate::routes::{self, DisplayState, ScreenAlive, StreamSlots};
use crate::serve::{self, Limits};
use axum::Router;
use hub_client::HubClient;
use mirror::Mirror;
use shared::lock;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use vendscreen_protocol::fleet::VendCommand;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

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
            screen_alive: ScreenAlive::default(),
        };
        let screen = display.screen_alive.clone();
        let guarded = routes::display_router_for(display).merge(routes::sim_absent_router());
        crate::telemetry::metrics::install();
        let public =
            display::health_router(core.clone(), screen).merge(routes::edge_metrics_router());
        let router = with_files(&config, guarded, public);
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
