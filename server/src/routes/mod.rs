//! The HTTP surface: one module per resource, merged in `router`.

mod catalog;
mod events;
mod extract;
mod health;
mod sessions;
mod sim_dispenser;
mod webhooks;

use crate::session::Engine;
use axum::Router;
use std::sync::{Arc, RwLock};
use vendscreen_protocol as wire;

pub use sim_dispenser::router as sim_dispenser_router;
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
}

/// The display API, SSE, webhooks and health; no static files, no simulator.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(catalog::router())
        .merge(sessions::router())
        .merge(events::router())
        .merge(webhooks::router())
        .merge(health::router())
        .route("/api/{*rest}", axum::routing::any(extract::not_found))
        // Last, so it reaches every route above.
        .method_not_allowed_fallback(extract::method_not_allowed)
        .with_state(state)
}

/// `/sim/…` when the simulator does not run: 404 for every method.
pub fn sim_absent_router() -> Router {
    Router::new().route("/sim/{*rest}", axum::routing::any(extract::not_found))
}
