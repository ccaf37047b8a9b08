//! The vendscreen backend. `run(config)` serves the display, its API and SSE
//! stream, receives webhooks and drives each purchase; tests call `Application::build`.

pub mod config;
pub mod epayment;
pub mod simulator;
pub mod telemetry;

use config::Config;

/// Runs the server until Ctrl-C / SIGTERM.
pub async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let _ = config;
    Ok(())
}
