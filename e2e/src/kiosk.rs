//! One machine under test: the server, a browser showing its screen, and the
//! API beside them; `scenario` runs a test body on it and keeps artifacts of
//! any failure, whether the body returned an error or panicked.

use crate::{
    api::Api, artifacts, browser::Browser, screen::Screen, server, server::Server, ServerOptions,
};
use anyhow::Result;
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;

/// A vending machine's screen and its backend, as a test sees them.
pub struct Kiosk {
    pub server: Server,
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

    async fn start(options: ServerOptions) -> Result<Kiosk> {
        server::require_dist()?;
        let server = Server::start(options).await?;
        let browser = Browser::launch(&[]).await?;
        let api = Api::new(server.base_url());
        Ok(Kiosk {
            server,
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

/// Runs `body` against a fresh machine set up with `options`. On failure the
/// screen, the phone and the server log are saved under `artifacts/e2e/<name>/`.
pub async fn scenario<F>(name: &str, options: ServerOptions, body: F)
where
    F: AsyncFnOnce(&mut Kiosk) -> Result<()>,
{
    artifacts::clear(name);
    let mut kiosk = match Kiosk::start(options).await {
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
