//! The kiosk keeps itself alive (issue 12): the page reports to the server,
//! which shows it in `/healthz`, and a page that calls itself broken reloads,
//! but only once no customer is at the screen: never over a QR.

use anyhow::{ensure, Result};
use serde_json::Value;
use std::time::Duration;
use vendscreen_e2e::wait::{self, SCREEN_TIMEOUT};
use vendscreen_e2e::{scenario, Kiosk, ServerOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_page_tells_healthz_it_is_alive() {
    scenario("alive", ServerOptions::default(), async |kiosk| {
        // The first report goes at start, not after the first interval.
        let last = wait::until("healthz to know the screen", SCREEN_TIMEOUT, async || {
            let health: Value = serde_json::from_str(&kiosk.api.get("/healthz").await?.body)?;
            Ok(health["screenLastAlive"].as_str().map(String::from))
        })
        .await?;
        ensure!(last.ends_with('Z'), "RFC 3339 in UTC: {last}");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_page_reloads_only_after_the_customer_is_done() {
    scenario("heal_when_idle", ServerOptions::default(), async |kiosk| {
        let screen = kiosk.screen();
        screen.touch_product("cola").await?;
        screen.wait_for_screen("pay").await?;
        mark_page(kiosk).await?;
        screen
            .run("window.vendscreenBroken('test')", vec![])
            .await?;
        // The healer looks every 2 s: let it pass over the QR twice.
        wait::until("the healer to wait twice", SCREEN_TIMEOUT, async || {
            let waited = screen
                .run("return window.vendscreenHeal.waited", vec![])
                .await?;
            Ok((waited.as_u64() >= Some(2)).then_some(()))
        })
        .await?;
        ensure!(page_marked(kiosk).await?, "reloaded over the QR");
        screen.wait_for_screen("pay").await?;

        screen.press_cancel().await?;
        screen.wait_for_screen("cancelled").await?;
        wait::until("the page to reload", SCREEN_TIMEOUT, async || {
            Ok((!page_marked(kiosk).await.unwrap_or(true)).then_some(()))
        })
        .await?;
        screen
            .wait_for_screen_within("idle", Duration::from_secs(30))
            .await?;
        Ok(())
    })
    .await;
}

/// Leaves a mark in the page that a reload wipes.
async fn mark_page(kiosk: &Kiosk) -> Result<()> {
    kiosk
        .screen()
        .run("window.__notReloaded = true", vec![])
        .await?;
    Ok(())
}

async fn page_marked(kiosk: &Kiosk) -> Result<bool> {
    let mark = kiosk
        .screen()
        .run("return window.__notReloaded === true", vec![])
        .await?;
    Ok(mark == Value::Bool(true))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_error_on_the_idle_screen_reloads_the_page() {
    scenario(
        "heal_script_error",
        ServerOptions::default(),
        async |kiosk| {
            let screen = kiosk.screen();
            mark_page(kiosk).await?;
            // Thrown from a timer, as an uncaught error in the page would be.
            let throw = "setTimeout(() => { throw new Error('broken on purpose'); }, 0)";
            screen.run(throw, vec![]).await?;
            wait::until("the page to reload", SCREEN_TIMEOUT, async || {
                Ok((!page_marked(kiosk).await.unwrap_or(true)).then_some(()))
            })
            .await?;
            screen.wait_for_screen("idle").await?;
            Ok(())
        },
    )
    .await;
}
