//! The HTTP surface: one module per resource. `display_router` is what the
//! display (and only this machine, by default) may call; `public_router` is
//! what the network may reach; `boundary` guards the former.

mod alive;
mod boundary;
mod catalog;
mod display;
mod events;
mod extract;
mod health;
mod images;
mod metrics;
mod sessions;
mod sim_dispenser;
mod streams;
mod webhooks;

use crate::session::Engine;
use axum::Router;
use std::sync::{Arc, RwLock};
use vendscreen_protocol as wire;

pub use alive::ScreenAlive;
pub use boundary::{guard, Boundary};
pub use display::{DisplayApi, DisplayState, EngineDisplay};
pub use extract::ApiJson;
pub use images::router as images_router;
pub use metrics::{edge_router as edge_metrics_router, router as metrics_router};
pub use sim_dispenser::router as sim_dispenser_router;
pub use streams::StreamSlots;
pub use webhooks::WebhookSecret;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub catalog: Arc<wire::Catalog>,
    /// The registered webhook (URL + secret), once registration succeeded.
    pub webhook: Arc<RwLock<Option<WebhookSecret>>>,
    /// Turns true when the server shuts down, so endless SSE streams end
    /// (and screens reconnect) instead of holding the shutdown open.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// The open `/api/events` streams, capped per client and in total.
    pub streams: StreamSlots,
    /// When this machine's screen last said it was alive.
    pub screen_alive: ScreenAlive,
}

impl AppState {
    /// What the display's routes see of a standalone machine.
    pub fn display(&self) -> DisplayState {
        let api = EngineDisplay {
            engine: self.engine.clone(),
            catalog: self.catalog.clone(),
        };
        DisplayState {
            api: Arc::new(api),
            shutdown: self.shutdown.clone(),
            streams: self.streams.clone(),
            screen_alive: self.screen_alive.clone(),
        }
    }
}

/// The display API and SSE of a standalone machine.
pub fn display_router(state: AppState) -> Router {
    display_router_for(state.display())
}

/// The display API and SSE: catalog, sessions, events, and `/api`'s 404s,
/// answered by whichever role serves the display.
pub fn display_router_for(state: DisplayState) -> Router {
    Router::new()
        .merge(catalog::router())
        .merge(sessions::router())
        .merge(events::router())
        .merge(alive::router())
        .route("/api/{*rest}", axum::routing::any(extract::not_found))
        // Last, so it reaches every route above.
        .method_not_allowed_fallback(extract::method_not_allowed)
        .with_state(state)
}

/// `/healthz`, and `POST /webhooks/epayment` when `with_webhook` (no
/// `webhook.listen` of its own).
pub fn public_router(state: AppState, with_webhook: bool) -> Router {
    let mut router = Router::new().merge(health::router());
    router = match with_webhook {
        true => router.merge(webhooks::router()),
        // On its own listener: here, a plain 404 (not the file server's 405).
        false => router.route("/webhooks/epayment", axum::routing::any(extract::not_found)),
    };
    router
        .method_not_allowed_fallback(extract::method_not_allowed)
        .with_state(state)
}

/// The webhook listener's whole surface: the webhook, and 404 for the rest.
pub fn webhook_router(state: AppState) -> Router {
    Router::new()
        .merge(webhooks::router())
        .method_not_allowed_fallback(extract::method_not_allowed)
        .fallback(extract::not_found)
        .with_state(state)
}

/// `/sim/…` when the simulator does not run: 404 for every method.
pub fn sim_absent_router() -> Router {
    Router::new().route("/sim/{*rest}", axum::routing::any(extract::not_found))
}

/// A listener's own 404 problem for everything it does not carry.
pub fn not_found_router() -> Router {
    Router::new().fallback(extract::not_found)
}
