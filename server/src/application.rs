//! `Application::build`: binds the listener, opens the store, wires the client
//! (real Vipps or the in-process simulator), the dispenser and the engine.

use crate::config::{Config, DispenserKind};
use crate::dispenser::Dispenser;
use crate::epayment::client::QrFormat;
use crate::epayment::EpaymentClient;
use crate::routes::{self, AppState};
use crate::session::{Engine, EngineSettings};
use crate::simulator::{Simulator, SimulatorConfig};
use crate::startup;
use crate::store::{SqliteStore, Store};
use axum::Router;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// A built server, bound but not yet serving.
pub struct Application {
    listener: TcpListener,
    shutdown_tx: tokio::sync::watch::Sender<bool>,
    router: Router,
    state: AppState,
    config: Config,
    base_url: String,
    pub simulator: Option<Simulator>,
    pub dispenser: Dispenser,
    /// For the webhook registration's secret (a setting, not a session).
    store: Arc<dyn Store>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Application {
    pub async fn build(config: Config) -> Result<Application, BoxError> {
        let listener = TcpListener::bind(&config.server.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.server.listen))?;
        let addr: SocketAddr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
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
        let engine = Engine::new(
            store.clone(),
            client,
            dispenser.clone(),
            engine_settings(&config),
        );
        let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
        let state = AppState {
            engine,
            catalog: Arc::new(startup::catalog(&config)),
            webhook: Arc::new(RwLock::new(None)),
            shutdown: shutdown_rx,
        };
        let simulator = config.uses_simulator().then(|| {
            let public = config
                .simulator
                .public_url
                .clone()
                .unwrap_or_else(|| base_url.clone());
            Simulator::new(SimulatorConfig::new(public))
        });
        let router = full_router(&config, state.clone(), simulator.as_ref(), &dispenser);
        Ok(Application {
            listener,
            shutdown_tx,
            router,
            state,
            config,
            base_url,
            simulator,
            dispenser,
            store,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn engine(&self) -> &Engine {
        &self.state.engine
    }

    /// Serves, then registers the webhook and recovers unfinished sessions
    /// (both may call the in-process simulator, so serving comes first).
    pub async fn run_until_stopped(self) -> Result<(), BoxError> {
        let Application {
            listener,
            shutdown_tx,
            router,
            state,
            config,
            base_url,
            store,
            ..
        } = self;
        let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
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
        tokio::spawn(after_start(state, store, config, base_url));
        serve.await?;
        Ok(())
    }
}

async fn after_start(state: AppState, store: Arc<dyn Store>, config: Config, base_url: String) {
    let url = config
        .webhook
        .public_url
        .clone()
        .filter(|_| config.webhook.enabled)
        .or_else(|| {
            // The simulator can reach us directly, so the demo gets webhooks too.
            (config.uses_simulator() && config.webhook.enabled)
                .then(|| format!("{base_url}/webhooks/epayment"))
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
    // Every 30 s: often enough for the idle screen to say "out of service" soon,
    // rare enough to stay a whisper in Vipps's logs (each probe is a 404).
    state.engine.spawn_health_monitor(Duration::from_secs(30));
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

fn engine_settings(config: &Config) -> EngineSettings {
    let qr_format = match config.epayment.qr_format.as_deref() {
        Some("IMAGE/SVG+XML") => QrFormat::Svg,
        _ => QrFormat::TargetUrl,
    };
    EngineSettings {
        machine: config.machine.clone(),
        products: config.products.clone(),
        poll_first: Duration::from_millis(config.epayment.poll_first_ms.unwrap_or(5_000)),
        poll_interval: Duration::from_millis(config.epayment.poll_interval_ms.unwrap_or(2_000)),
        // Time, not a count of attempts: one attempt lasts from milliseconds to
        // a minute (the client's own retries and timeouts), and what matters is
        // how long money has been left unsettled. Two minutes outlasts the
        // blips Vipps recovers from by itself; by then the customer is gone.
        settle_flag_after: Duration::from_millis(
            config.epayment.settle_flag_after_ms.unwrap_or(120_000),
        ),
        qr_format,
    }
}

fn full_router(
    config: &Config,
    state: AppState,
    simulator: Option<&Simulator>,
    dispenser: &Dispenser,
) -> Router {
    let dist = &config.server.dist;
    // `/` and `/index.html` are the display; a missing file is a plain 404
    // (a favicon request must not download the page again).
    // `scripts/build-display` leaves `.br` / `.gz` copies at the highest
    // levels beside each file; those are sent as they are.
    let files = ServeDir::new(dist)
        .append_index_html_on_directories(true)
        .precompressed_br()
        .precompressed_gzip();
    // Anything without a copy is compressed on the fly, brotli or gzip as the
    // browser asks; responses already encoded are left alone. (The layer's
    // default predicate leaves `text/event-stream` alone too.)
    let files = ServiceBuilder::new()
        .layer(CompressionLayer::new())
        .service(files);
    let mut router = routes::router(state.clone());
    match simulator {
        Some(sim) => {
            router = router.merge(sim.router());
            // Unauthenticated like the simulator's controls, so only beside them.
            if let Dispenser::Simulated(d) = dispenser {
                router = router.merge(routes::sim_dispenser_router(
                    d.clone(),
                    state.engine.clone(),
                ));
            }
        }
        // With real credentials no `/sim/` route exists; say so plainly rather
        // than let the display's file server answer 405 to a POST.
        None => router = router.merge(routes::sim_absent_router()),
    }
    // Anything not an API route is the display (a single-page app).
    Router::new().fallback_service(files).merge(router)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
