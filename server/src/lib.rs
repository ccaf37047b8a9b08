//! The vendscreen backend. `run(config)` serves the display, its API and SSE
//! stream, receives webhooks and drives each purchase; tests call
//! `Application::build` on port 0.

pub mod cli;
pub mod config;
pub mod dispenser;
pub mod domain;
pub mod edge;
pub mod epayment;
pub mod error;
pub mod failpoint;
pub mod hub;
pub mod operator;
pub mod retry;
pub mod routes;
pub mod serve;
pub mod session;
pub mod simulator;
pub mod startup;
pub mod store;
pub mod telemetry;

pub(crate) mod application;

/// The tests' one way to wait on a condition (shared with the test binaries).
#[cfg(test)]
#[path = "../tests/support/wait.rs"]
pub(crate) mod test_wait;

pub use application::Application;
use config::Config;

/// Builds the server for its role and serves until Ctrl-C / SIGTERM.
pub async fn run(config: Config) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    match config.server.role {
        config::Role::Hub => hub::Hub::build(config).await?.run_until_stopped().await,
        config::Role::Edge => edge::Edge::build(config).await?.run_until_stopped().await,
        config::Role::Standalone => Application::build(config).await?.run_until_stopped().await,
    }
}
