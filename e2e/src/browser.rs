//! Headless Chromium through chromedriver: one chromedriver per browser, on a
//! free port, with a fresh profile, sized like a portrait kiosk.

use crate::{server::free_port, wait};
use anyhow::{Context, Result};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Map, Value};
use std::process::Stdio;
use std::time::Duration;
use tempfile::TempDir;
use tokio::process::{Child, Command};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A chromedriver process and the one Chromium session it drives.
pub struct Browser {
    pub client: Client,
    _driver: Child,
    _profile: TempDir,
}

impl Browser {
    /// Starts chromedriver and a Chromium with the kiosk's flags.
    pub async fn launch(extra_args: &[&str]) -> Result<Browser> {
        let port = free_port()?;
        let driver =
            Command::new(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| CHROMEDRIVER.into()))
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .context("starting chromedriver")?;
        let url = format!("http://127.0.0.1:{port}");
        wait_for_driver(&url).await?;
        let profile = tempfile::Builder::new()
            .prefix("vendscreen-chromium-")
            .tempdir()?;
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities(&profile, extra_args))
            .connect(&url)
            .await
            .context("opening a Chromium session")?;
        Ok(Browser {
            client,
            _driver: driver,
            _profile: profile,
        })
    }

    /// Ends the Chromium session (chromedriver dies with `self`).
    pub async fn close(self) -> Result<()> {
        self.client.close().await?;
        Ok(())
    }
}

async fn wait_for_driver(url: &str) -> Result<()> {
    let http = reqwest::Client::new();
    let status = format!("{url}/status");
    wait::until(
        "chromedriver to listen",
        Duration::from_secs(20),
        async || {
            let ready = http
                .get(&status)
                .send()
                .await
                .map(|r| r.status().is_success());
            Ok(ready.unwrap_or(false).then_some(()))
        },
    )
    .await
}

fn capabilities(profile: &TempDir, extra_args: &[&str]) -> Map<String, Value> {
    let mut args: Vec<String> = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1080,1920",
        "--autoplay-policy=no-user-gesture-required",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!("--user-data-dir={}", profile.path().display()));
    args.extend(extra_args.iter().map(|s| s.to_string()));
    let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
    let mut caps = Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": binary, "args": args }),
    );
    caps
}
