//! What each listener carries (README, "What listens where"):
//! - `server.listen`: the display's files, `/healthz`, the webhook (unless it
//!   has `webhook.listen`), and, behind the [`Boundary`], the display API and
//!   the simulator (this machine's peers only, unless `server.expose_api`);
//! - `webhook.listen`: `POST /webhooks/epayment` and nothing else;
//! - `simulator.listen`: the phone page, its QR image and Approve / Decline.

use crate::config::Config;
use crate::dispenser::Dispenser;
use crate::routes::{self, AppState, Boundary};
use crate::simulator::Simulator;
use axum::middleware::from_fn_with_state;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// The names of this machine a `Host` header may carry, besides `localhost`
/// and IP literals: the hosts of the configured listen address and public URLs.
pub fn our_names(config: &Config) -> Vec<String> {
    let listen = config
        .server
        .listen
        .rsplit_once(':')
        .map(|(h, _)| h.to_string());
    let url_host = |u: &Option<String>| {
        u.as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(String::from))
    };
    [
        listen,
        url_host(&config.simulator.public_url),
        url_host(&config.webhook.public_url),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The router of `server.listen`.
pub fn main_router(
    config: &Config,
    state: AppState,
    simulator: Option<&Simulator>,
    dispenser: &Dispenser,
    webhook_here: bool,
) -> Router {
    let mut guarded = routes::display_router(state.clone());
    match simulator {
        Some(sim) => {
            guarded = guarded.merge(sim.router());
            // Unauthenticated like the simulator's controls, so only beside them.
            if let Dispenser::Simulated(d) = dispenser {
                guarded = guarded.merge(routes::sim_dispenser_router(
                    d.clone(),
                    state.engine.clone(),
                ));
            }
        }
        // With real credentials no `/sim/` route exists; say so plainly rather
        // than let the display's file server answer 405 to a POST.
        None => guarded = guarded.merge(routes::sim_absent_router()),
    }
    with_files(config, guarded, routes::public_router(state, webhook_here))
}

/// `guarded` behind the [`Boundary`], `public` as it is, and the display's
/// files for everything else: `server.listen` of a standalone machine or an edge.
pub fn with_files(config: &Config, guarded: Router, public: Router) -> Router {
    let boundary = Boundary::new(config.server.expose_api, our_names(config));
    let guarded = guarded.layer(from_fn_with_state(boundary, routes::guard));
    // `/` and `/index.html` are the display; a missing file is a plain 404
    // (a favicon request must not download the page again).
    // `scripts/build-display` leaves `.br` / `.gz` copies at the highest
    // levels beside each file; those are sent as they are.
    let files = ServeDir::new(&config.server.dist)
        .append_index_html_on_directories(true)
        .precompressed_br()
        .precompressed_gzip();
    // Anything without a copy is compressed on the fly, brotli or gzip as the
    // browser asks; responses already encoded are left alone. (The layer's
    // default predicate leaves `text/event-stream` alone too.)
    let files = ServiceBuilder::new()
        .layer(CompressionLayer::new())
        .service(files);
    // Anything not an API route is the display (a single-page app).
    Router::new()
        .fallback_service(files)
        .merge(guarded)
        .merge(public)
        .merge(routes::images_router(config.machine.images.clone()))
}

/// The router of `metrics.listen`: `/metrics`, and 404 for the rest.
pub fn metrics_only(metrics: Router) -> Router {
    metrics.merge(routes::not_found_router())
}

/// The router of `simulator.listen`: what a phone on the network needs.
pub fn phone_router(config: &Config, simulator: &Simulator) -> Router {
    let boundary = Boundary::new(true, our_names(config));
    simulator
        .phone_router()
        .layer(from_fn_with_state(boundary, routes::guard))
        .merge(routes::not_found_router())
}
