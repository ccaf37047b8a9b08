//! `vendscreen-server [--config PATH]`: reads the configuration, starts tracing, runs.

use vendscreen_server::config::Config;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    vendscreen_server::telemetry::init();
    let path = std::env::args().skip_while(|a| a != "--config").nth(1);
    let config = match Config::load(path.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("vendscreen-server: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match vendscreen_server::run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vendscreen-server: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
