//! One machine under test: the server, a browser showing its screen, and the
//! API beside them; `scenario` runs a test body on it and keeps artifacts of
//! any failure, whether the body returned an error or panicked.

use crate::wait::{self, SCREEN_TIMEOUT};
use crate::{
    api::Api, artifacts, browser::Browser, screen::Screen, server, server::Server, ServerOptions,
};
use crate::{sse, wire};
use anyhow::{Context, Result};
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;

/// A vending machine's screen and its backend, as a test sees them.
pub struct Kiosk {
    pub server: Server,
    /// The simulated Vipps, when it runs apart from the machine's server.
    pub vipps: Option<Server>,
    pub browser: Browser,
    pub api: Api,
    screen: Option<Screen>,
}

impl Kiosk {
    /// The display, opened and idle.
    pub fn screen(&self) -> &Screen {
        self.screen
            .as_ref()
            .expect("the screen is opened before any test body runs")
    }

    /// The purchase the machine is busy with, as a freshly connected
    /// display would be told in its snapshot.
    pub async fn current_session(&self) -> Result<wire::Session> {
        let snapshot = sse::snapshot(&self.server.base_url()).await?;
        snapshot.session.context("the machine has no session")
    }

    /// Waits until the server reports `state` for `reference`.
    pub async fn wait_for_state(&self, reference: &str, state: wire::SessionState) -> Result<()> {
        let what = format!("session {reference} to be {state:?}");
        wait::until(&what, SCREEN_TIMEOUT, async || {
            Ok((self.api.session(reference).await?.state == state).then_some(()))
        })
        .await
    }

    async fn start(setup: Setup) -> Result<Kiosk> {
        server::require_dist()?;
        let (server, vipps) = match setup {
            Setup::Machine(options) => (Server::start(options).await?, None),
            Setup::MachineAndVippsApart(options) => {
                let vipps = Server::start(ServerOptions {
                    webhook_enabled: false,
                    ..Default::default()
                })
                .await?;
                let options = ServerOptions {
                    vipps: Some(vipps.base_url()),
                    webhook_enabled: false,
                    ..options
                };
                (Server::start(options).await?, Some(vipps))
            }
        };
        let browser = Browser::launch(&[]).await?;
        let mut api = Api::new(server.base_url());
        if let Some(vipps) = &vipps {
            api = api.with_vipps_at(vipps.base_url());
        }
        Ok(Kiosk {
            server,
            vipps,
            browser,
            api,
            screen: None,
        })
    }

    async fn open_screen(&mut self) -> Result<()> {
        let screen = Screen::open(self.browser.client.clone(), &self.server.base_url()).await?;
        self.screen = Some(screen);
        Ok(())
    }

    async fn body<F>(&mut self, body: F) -> Result<()>
    where
        F: AsyncFnOnce(&mut Kiosk) -> Result<()>,
    {
        self.open_screen().await?;
        body(self).await
    }
}

/// How the machine under test is set up.
pub enum Setup {
    /// One server with its built-in simulator (the demo's set-up).
    Machine(ServerOptions),
    /// The machine's server talks over HTTP to a second server that plays
    /// Vipps, so payments survive when the machine's server is killed.
    MachineAndVippsApart(ServerOptions),
}

impl From<ServerOptions> for Setup {
    fn from(options: ServerOptions) -> Setup {
        Setup::Machine(options)
    }
}

/// Runs `body` against a fresh machine set up with `setup`. On failure the
/// screen, the phone and the server log are saved under `artifacts/e2e/<name>/`.
pub async fn scenario<F>(name: &str, setup: impl Into<Setup>, body: F)
where
    F: AsyncFnOnce(&mut Kiosk) -> Result<()>,
{
    artifacts::clear(name);
    let mut kiosk = match Kiosk::start(setup.into()).await {
        Ok(kiosk) => kiosk,
        Err(e) => panic!("{name}: the machine did not start: {e:#}"),
    };
    let outcome = AssertUnwindSafe(kiosk.body(body)).catch_unwind().await;
    let failure = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(format!("{e:#}")),
        Err(panic) => Some(panic_text(panic)),
    };
    if let Some(failure) = failure {
        let dir = artifacts::save(
            name,
            Some(&kiosk.browser.client),
            &kiosk.server.log(),
            &failure,
        )
        .await;
        let _ = kiosk.browser.close().await;
        panic!(
            "{name} failed: {failure}\n(screenshots, page sources and the server log are in {})",
            dir.display()
        );
    }
    let _ = kiosk.browser.close().await;
}

fn panic_text(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panicked".into())
}
