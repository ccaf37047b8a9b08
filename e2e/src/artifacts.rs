//! What a failed test leaves behind in `artifacts/e2e/<test>/`: a screenshot
//! and the page source of every tab, the server's log and the failure.

use anyhow::Result;
use fantoccini::Client;
use std::path::PathBuf;

/// Where a test's artifacts go.
pub fn dir(test: &str) -> PathBuf {
    crate::workspace_root().join("artifacts/e2e").join(test)
}

/// Removes what an earlier run of this test left.
pub fn clear(test: &str) {
    let _ = std::fs::remove_dir_all(dir(test));
}

/// Saves everything that explains `failure`; returns the folder.
pub async fn save(test: &str, client: Option<&Client>, server_log: &str, failure: &str) -> PathBuf {
    let dir = dir(test);
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("failure.txt"), failure);
    let _ = std::fs::write(dir.join("server.log"), server_log);
    if let Some(client) = client {
        if let Err(e) = save_tabs(client, &dir).await {
            let _ = std::fs::write(dir.join("browser-error.txt"), format!("{e:#}"));
        }
    }
    dir
}

/// `tab-1.png` + `tab-1.html` (the screen), `tab-2.*` (the phone), …
async fn save_tabs(client: &Client, dir: &std::path::Path) -> Result<()> {
    for (i, handle) in client.windows().await?.into_iter().enumerate() {
        client.switch_to_window(handle).await?;
        std::fs::write(
            dir.join(format!("tab-{}.png", i + 1)),
            client.screenshot().await?,
        )?;
        std::fs::write(
            dir.join(format!("tab-{}.html", i + 1)),
            client.source().await?,
        )?;
    }
    Ok(())
}
