//! Binding the listeners, the connection budget, and the stop signal.

use super::BoxError;
use crate::config::Config;
use crate::serve::{self, Limits};
use std::time::Duration;
use tokio::net::TcpListener;

pub async fn bind(address: &str, key: &str) -> Result<TcpListener, BoxError> {
    let listener = TcpListener::bind(address)
        .await
        .map_err(|e| format!("cannot listen on {address} ({key}): {e}"))?;
    tracing::info!(%key, address = %listener.local_addr()?, "listening");
    Ok(listener)
}

pub async fn bind_some(address: Option<&str>, key: &str) -> Result<Option<TcpListener>, BoxError> {
    match address {
        Some(address) => Ok(Some(bind(address, key).await?)),
        None => Ok(None),
    }
}

pub fn base_url_of(listener: &TcpListener) -> Result<String, BoxError> {
    Ok(format!("http://{}", listener.local_addr()?))
}

/// The connection budget from the file limit (raised first), unless the
/// configuration asks for fewer.
pub fn limits(config: &Config) -> Limits {
    let nofile = serve::raise_file_limit();
    let budget = serve::connection_budget(nofile);
    let max = config
        .server
        .max_connections
        .map(|m| usize::try_from(m).unwrap_or(usize::MAX).min(budget))
        .unwrap_or(budget);
    tracing::info!(
        max_connections = max,
        file_limit = nofile,
        "connection budget"
    );
    Limits::new(
        max,
        Duration::from_millis(config.server.header_timeout_ms),
        Duration::from_millis(config.server.idle_timeout_ms),
    )
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
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
