//! A fleet's hub replica (`server.role = "hub"`): the session engine for
//! every machine of the fleet on PostgreSQL (`store.url`), the ePayment
//! client, webhooks and polling, and `/fleet/v1/…` for the machines' edges.
//! Replicas keep nothing only in memory: any number run behind a load
//! balancer, and a killed one's work is taken over when its leases end.

mod auth;
mod jobs;
mod notify;
mod routes;
mod stream;
pub mod token;

use crate::application::listen::{base_url_of, bind, bind_some, limits, shutdown_signal};
use crate::application::routers::metrics_only;
use crate::config::Config;
use crate::epayment::EpaymentClient;
use crate::routes::{self as display_routes, AppState, StreamSlots};
use crate::serve;
use crate::session::{Engine, EngineSettings, RemoteVend};
use crate::startup;
use crate::store::PgStore;
use axum::Router;
use notify::Wakers;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the `/fleet/v1` handlers reach.
#[derive(Clone)]
pub struct HubState {
    pub engine: Engine,
    pub store: PgStore,
    wakers: Arc<Wakers>,
    shutdown: watch::Receiver<bool>,
    /// How often each machine's stream carries a `ping` (`hub.ping_ms`).
    ping_every: Duration,
}

/// A built hub replica, bound but not yet serving.
pub struct Hub {
    listener: TcpListener,
    /// `metrics.listen` and its router, when set.
    metrics: Option<(TcpListener, Router)>,
    router: Router,
    state: HubState,
    app: AppState,
    config: Config,
    base_url: String,
    shutdown_tx: watch::Sender<bool>,
}

impl Hub {
    pub async fn build(config: Config) -> Result<Hub, BoxError> {
        let listener = bind(&config.server.listen, "server.listen").await?;
        let metrics = bind_some(config.metrics.listen.as_deref(), "metrics.listen").await?;
        crate::telemetry::metrics::install();
        let base_url = base_url_of(&listener)?;
        let url = config.store.url.as_ref().ok_or("store.url is required")?;
        let store = PgStore::connect(url.expose(), 16)
            .await
            .map_err(|e| format!("cannot open the hub's database: {e}"))?;
        let client = EpaymentClient::new(startup::epayment_settings(&config, &base_url));
        let engine = Engine::hub(
            store.clone(),
            client,
            remote_vend(&config),
            EngineSettings::from_config(&config),
        );
        let (shutdown_tx, shutdown) = watch::channel(false);
        let wakers = Arc::new(Wakers::default());
        notify::spawn(store.pool().clone(), wakers.clone());
        let state = HubState {
            engine: engine.clone(),
            store,
            wakers,
            shutdown: shutdown.clone(),
            ping_every: Duration::from_millis(config.hub.ping_ms),
        };
        let app = AppState {
            engine,
            // A hub has no display of its own: its machines' edges serve theirs.
            catalog: Arc::new(empty_catalog(&config)),
            webhook: Arc::new(RwLock::new(None)),
            shutdown,
            streams: StreamSlots::new(0),
        };
        let router = Router::new()
            .merge(routes::router().with_state(state.clone()))
            .merge(display_routes::public_router(app.clone(), true))
            .route(
                "/readyz",
                axum::routing::get(readyz).with_state(state.clone()),
            );
        let metrics_here = display_routes::metrics_router(state.engine.clone());
        let (router, metrics) = match metrics {
            Some(listener) => (router, Some((listener, metrics_only(metrics_here)))),
            None => (router.merge(metrics_here), None),
        };
        Ok(Hub {
            listener,
            metrics,
            router,
            state,
            app,
            config,
            base_url,
            shutdown_tx,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn engine(&self) -> &Engine {
        &self.state.engine
    }

    /// Serves until Ctrl-C / SIGTERM, with the replica's background work.
    pub async fn run_until_stopped(self) -> Result<(), BoxError> {
        let Hub {
            listener,
            metrics,
            router,
            state,
            app,
            config,
            base_url,
            shutdown_tx,
        } = self;
        let limits = limits(&config);
        if let Some((listener, router)) = metrics {
            let shutdown = state.shutdown.clone();
            tokio::spawn(serve::serve(listener, router, limits.clone(), shutdown));
        }
        let serving = serve::serve(listener, router, limits, state.shutdown.clone());
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutting down");
            let _ = shutdown_tx.send(true);
        });
        tracing::info!("vendscreen hub serving on {base_url}");
        state.engine.spawn_worker();
        state.engine.spawn_unsettled_check();
        state.engine.spawn_health_monitor(Duration::from_secs(30));
        jobs::spawn(state.clone(), app, config);
        serving.await;
        Ok(())
    }
}

/// The vend handshake's deadlines, as configured.
fn remote_vend(config: &Config) -> RemoteVend {
    RemoteVend {
        ack_within: Duration::from_millis(config.hub.vend_ack_ms),
        result_within: Duration::from_millis(config.hub.vend_result_ms),
        silence: Duration::from_millis(config.hub.machine_silence_ms),
    }
}

fn empty_catalog(config: &Config) -> vendscreen_protocol::Catalog {
    let mut catalog = startup::catalog(config);
    catalog.products.clear();
    catalog
}

/// Ready when the database answers: a load balancer sends no traffic before.
async fn readyz(
    axum::extract::State(state): axum::extract::State<HubState>,
) -> axum::http::StatusCode {
    match sqlx::query("SELECT 1").execute(state.store.pool()).await {
        Ok(_) => axum::http::StatusCode::OK,
        Err(e) => {
            tracing::warn!(error = %e, "not ready: the database does not answer");
            axum::http::StatusCode::SERVICE_UNAVAILABLE
        }
    }
}
