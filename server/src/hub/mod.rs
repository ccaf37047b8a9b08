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

use crate::application::listen::{base_url_of, bind, limits, shutdown_signal};
use crate::config::Config;
use crate::epayment::EpaymentClient;
use crate::routes::{self as display_routes, AppState, StreamSlots};
use crate::serve;
use crate::session::{Engine, EngineSettings, RemoteVend};
use crate::startup;
use crate::store::PgStore;
use axum::Router;
use notify::Notice;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{broadcast, watch};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the `/fleet/v1` handlers reach.
#[derive(Clone)]
pub struct HubState {
    pub engine: Engine,
    pub store: PgStore,
    notices: broadcast::Sender<Notice>,
    shutdown: watch::Receiver<bool>,
}

/// A built hub replica, bound but not yet serving.
pub struct Hub {
    listener: TcpListener,
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
        let (notices, _) = broadcast::channel(1024);
        notify::spawn(store.pool().clone(), notices.clone());
        let state = HubState {
            engine: engine.clone(),
            store,
            notices,
            shutdown: shutdown.clone(),
        };
        let app = AppState {
            engine,
            // A hub has no display of its own: its machines' edges serve theirs.
            catalog: Arc::new(empty_catalog(&config)),
            webhook: Arc::new(RwLock::new(None)),
            shutdown,
            streams: StreamSlots::new(0),
            screen_alive: Default::default(),
        };
        let router = Router::new()
            .merge(routes::router().with_state(state.clone()))
            .merge(display_routes::public_router(app.clone(), true))
            .route(
                "/readyz",
                axum::routing::get(readyz).with_state(state.clone()),
            );
        Ok(Hub {
            listener,
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
            router,
            state,
            app,
            config,
            base_url,
            shutdown_tx,
        } = self;
        let limits = limits(&config);
        let serving = serve::serve(listener, router, limits, state.shutdown.clone());
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutting down");
            let _ = shutdown_tx.send(true);
        });
        tracing::info!("vendscreen hub serving on {base_url}");
        state.engine.spawn_worker();
        state.engine.spawn_health_monitor(Duration::from_secs(30));
        jobs::spawn(state.clone(), app, config);
        serving.await;
        Ok(())
    }
}

/// The vend handshake's deadlines: the configured ones, or 10 s to
/// acknowledge, a minute for the outcome, 45 s of a machine's silence.
fn remote_vend(config: &Config) -> RemoteVend {
    let ms = |v: Option<u64>, default: u64| Duration::from_millis(v.unwrap_or(default));
    RemoteVend {
        ack_within: ms(config.hub.vend_ack_ms, 10_000),
        result_within: ms(config.hub.vend_result_ms, 60_000),
        silence: ms(config.hub.machine_silence_ms, 45_000),
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
