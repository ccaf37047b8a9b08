//! `Application::build`: binds the listeners, opens the store, wires the client
//! (real Vipps or the in-process simulator), the dispenser and the engine;
//! `run_until_stopped` serves them all through the bounded serve loop.

pub(crate) mod listen;
pub(crate) mod routers;

use listen::{base_url_of, bind, bind_some, limits, shutdown_signal};

use crate::config::{Config, DispenserKind};
use crate::dispenser::Dispenser;
use crate::epayment::EpaymentClient;
use crate::routes::{self, AppState, StreamSlots};
use crate::serve::{self, Limits};
use crate::session::{Engine, EngineSettings};
use crate::simulator::{Simulator, SimulatorConfig};
use crate::startup;
use crate::store::{SqliteStore, Store};
use axum::Router;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::net::TcpListener;

/// One listener and what it carries.
struct Served {
    listener: TcpListener,
    router: Router,
}

/// A built server, bound but not yet serving.
pub struct Application {
    served: Vec<Served>,
    shutdown_tx: tokio::sync::watch::Sender<bool>,
    state: AppState,
    config: Config,
    limits: Limits,
    base_url: String,
    webhook_base_url: Option<String>,
    simulator_base_url: Option<String>,
    metrics_base_url: Option<String>,
    pub simulator: Option<Simulator>,
    pub dispenser: Dispenser,
    /// For the webhook registration's secret (a setting, not a session).
    store: Arc<dyn Store>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Application {
    pub async fn build(config: Config) -> Result<Application, BoxError> {
        let main = bind(&config.server.listen, "server.listen").await?;
        let webhook = bind_some(config.webhook.listen.as_deref(), "webhook.listen").await?;
        let phone = bind_some(config.simulator.listen.as_deref(), "simulator.listen").await?;
        let metrics = bind_some(config.metrics.listen.as_deref(), "metrics.listen").await?;
        crate::telemetry::metrics::install();
        let base_url = base_url_of(&main)?;
        if !config.server.expose_api && !main.local_addr()?.ip().is_loopback() {
            tracing::info!(
                "server.listen faces the network: peers there get the display's files, /healthz \
                 and the webhook; /api and /sim answer this machine only (server.expose_api)"
            );
        }
        let webhook_base_url = webhook.as_ref().map(base_url_of).transpose()?;
        let simulator_base_url = phone.as_ref().map(base_url_of).transpose()?;
        let metrics_base_url = metrics.as_ref().map(base_url_of).transpose()?;
        let store = SqliteStore::open(&config.store.path, &config.machine.pos_id).map_err(|e| {
            format!(
                "cannot open the store at {}: {e}",
                config.store.path.display()
            )
        })?;
        let store: Arc<dyn Store> = Arc::new(store);
        let client = EpaymentClient::new(startup::epayment_settings(&config, &base_url));
        let dispenser = Dispenser::from_config(&config.dispenser);
        warn_if_nothing_vends(&config);
        let limits = limits(&config);
        let catalog = crate::config::MachineCatalog {
            machine: config.machine.clone(),
            products: config.products.clone(),
        };
        let settings = EngineSettings::from_config(&config);
        let engine = Engine::new(store.clone(), client, dispenser.clone(), catalog, settings);
        let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
        let state = AppState {
            engine,
            catalog: Arc::new(startup::catalog(&config)),
            webhook: Arc::new(RwLock::new(None)),
            shutdown: shutdown_rx,
            streams: StreamSlots::new(limits.slots.available_permits()),
        };
        let simulator = config.uses_simulator().then(|| {
            let public = config
                .simulator
                .public_url
                .clone()
                .or_else(|| simulator_base_url.clone())
                .unwrap_or_else(|| base_url.clone());
            Simulator::new(SimulatorConfig::new(public))
        });
        let main_router = routers::main_router(
            &config,
            state.clone(),
            simulator.as_ref(),
            &dispenser,
            webhook.is_none(),
        );
        let metrics_here = routes::metrics_router(state.engine.clone());
        let (main_router, metrics) = match metrics {
            Some(listener) => (main_router, Some((listener, metrics_here))),
            None => (main_router.merge(metrics_here), None),
        };
        let mut served = vec![Served {
            router: main_router,
            listener: main,
        }];
        if let Some(listener) = webhook {
            let router = routes::webhook_router(state.clone());
            served.push(Served { listener, router });
        }
        if let (Some(listener), Some(sim)) = (phone, simulator.as_ref()) {
            let router = routers::phone_router(&config, sim);
            served.push(Served { listener, router });
        }
        if let Some((listener, router)) = metrics {
            let router = routers::metrics_only(router);
            served.push(Served { listener, router });
        }
        Ok(Application {
            served,
            shutdown_tx,
            state,
            config,
            limits,
            base_url,
            webhook_base_url,
            simulator_base_url,
            metrics_base_url,
            simulator,
            dispenser,
            store,
        })
    }

    pub fn port(&self) -> u16 {
        self.served[0]
            .listener
            .local_addr()
            .map(|a| a.port())
            .unwrap_or(0)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The webhook listener's base URL, when `webhook.listen` is set.
    pub fn webhook_base_url(&self) -> Option<&str> {
        self.webhook_base_url.as_deref()
    }

    /// The phone page's own listener's base URL, when `simulator.listen` is set.
    pub fn simulator_base_url(&self) -> Option<&str> {
        self.simulator_base_url.as_deref()
    }

    /// `metrics.listen`'s base URL, when it is set.
    pub fn metrics_base_url(&self) -> Option<&str> {
        self.metrics_base_url.as_deref()
    }

    pub fn engine(&self) -> &Engine {
        &self.state.engine
    }

    /// Serves, then registers the webhook and recovers unfinished sessions
    /// (both may call the in-process simulator, so serving comes first).
    pub async fn run_until_stopped(self) -> Result<(), BoxError> {
        let Application {
            served,
            shutdown_tx,
            state,
            config,
            limits,
            base_url,
            store,
            webhook_base_url,
            ..
        } = self;
        let mut serving = tokio::task::JoinSet::new();
        for Served { listener, router } in served {
            let shutdown = state.shutdown.clone();
            serving.spawn(serve::serve(listener, router, limits.clone(), shutdown));
        }
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutting down");
            let _ = shutdown_tx.send(true);
        });
        tracing::info!(
            "vendscreen serving on {base_url}{}",
            if config.uses_simulator() {
                " with the built-in ePayment simulator"
            } else {
                ""
            }
        );
        let webhook_base = webhook_base_url.unwrap_or_else(|| base_url.clone());
        tokio::spawn(after_start(state, store, config, webhook_base));
        while serving.join_next().await.is_some() {}
        Ok(())
    }
}

async fn after_start(state: AppState, store: Arc<dyn Store>, config: Config, webhook_base: String) {
    let url = config
        .webhook
        .public_url
        .clone()
        .filter(|_| config.webhook.enabled)
        .or_else(|| {
            // The simulator can reach us directly, so the demo gets webhooks too.
            (config.uses_simulator() && config.webhook.enabled)
                .then(|| format!("{webhook_base}/webhooks/epayment"))
        });
    if let Some(url) = url {
        match startup::register_webhook(state.engine.client(), store.as_ref(), &url).await {
            Ok(secret) => *state.webhook.write().unwrap_or_else(|e| e.into_inner()) = Some(secret),
            Err(e) => tracing::error!(error = %e, "webhook registration failed; polling only"),
        }
    }
    match state.engine.recover().await {
        Ok(n) if n > 0 => tracing::info!(sessions = n, "recovering unfinished sessions"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "recovery failed"),
    }
    state.engine.spawn_worker();
    state.engine.spawn_unsettled_check();
    // Every 30 s: often enough for the idle screen to say "out of service" soon,
    // rare enough to stay a whisper in Vipps's logs (each probe is a 404).
    state.engine.spawn_health_monitor(Duration::from_secs(30));
    let keep = Duration::from_secs(config.store.keep_days.saturating_mul(24 * 3600));
    crate::store::spawn_pruning(store, keep);
}

/// Real money with a pretend machine: allowed (a test bench against Vipps's
/// test environment), but never silently, since every "vend" is a lie.
fn warn_if_nothing_vends(config: &Config) {
    if !config.uses_simulator() && config.dispenser.kind == DispenserKind::Simulated {
        tracing::warn!(
            "payments are real but no machine vends: ePayment credentials are set and \
             dispenser.kind is `simulated`; set it to `http` or `command`"
        );
    }
}
