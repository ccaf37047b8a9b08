//! An edge agent run inside the test process, as the edge tests and the fault
//! run both use one: its own port, its journal file (the display's files
//! served from the journal's folder) and a simulated dispenser.

use std::path::Path;
use vendscreen_server::config::Config;
use vendscreen_server::edge::{Edge, EdgeHandle};

/// A running edge.
pub struct InProcess {
    pub base: String,
    pub handle: EdgeHandle,
    /// Ends when the edge has stopped and all its work has ended.
    pub running: tokio::task::JoinHandle<()>,
}

/// Starts an edge speaking to `hub` with `token`, its journal at `journal`,
/// the dispenser taking `vend_ms` per vend; `timing` sets how it watches its
/// link (`VENDSCREEN_HUB_LINK_SILENCE_MS`, `VENDSCREEN_HUB_HEARTBEAT_MS`).
pub async fn start_edge(
    hub: &str,
    token: &str,
    journal: &Path,
    vend_ms: u64,
    timing: &[(&str, &str)],
) -> InProcess {
    let dist = journal.parent().unwrap().display().to_string();
    let mut env = vec![
        ("VENDSCREEN_SERVER_ROLE", "edge".to_string()),
        ("VENDSCREEN_SERVER_LISTEN", "127.0.0.1:0".to_string()),
        ("VENDSCREEN_SERVER_DIST", dist),
        ("VENDSCREEN_HUB_URL", hub.to_string()),
        ("VENDSCREEN_HUB_TOKEN", token.to_string()),
        ("VENDSCREEN_STORE_PATH", journal.display().to_string()),
        ("VENDSCREEN_DISPENSER_SIMULATED_MS", vend_ms.to_string()),
    ];
    env.extend(timing.iter().map(|(k, v)| (*k, v.to_string())));
    let env = env.into_iter().map(|(k, v)| (k.to_string(), v));
    let edge = Edge::build(Config::from_sources("", env).unwrap())
        .await
        .expect("edge");
    let base = edge.base_url().to_string();
    let handle = edge.handle();
    let running = tokio::spawn(async move { edge.run_until_stopped().await.unwrap() });
    InProcess {
        base,
        handle,
        running,
    }
}
