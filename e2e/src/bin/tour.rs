//! `scripts/tour`: walks the real display through every screen a customer can
//! meet and saves a screenshot and the visible text of each under
//! `artifacts/tour/` (with an index, `artifacts/tour/README.md`), for people
//! reviewing wording and layout. A tool, not a test: the e2e tests assert.

use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;
use vendscreen_e2e::{Api, Browser, Screen, Server, ServerOptions};

/// What a customer reads: the banner (if any), the screen and the language
/// chips, without the screen reader's copy in the live region.
const VISIBLE_TEXT: &str = r#"
const parts = ['[data-testid="connection-banner"]', '[data-testid^="screen-"]', '[data-testid="language-chips"]']
  .map(css => document.querySelector(css))
  .filter(el => el)
  .map(el => el.innerText);
return parts.join(' · ');
"#;

/// Where the pictures go, and what has been written about them so far.
struct Tour {
    dir: PathBuf,
    index: String,
    shots: u32,
}

impl Tour {
    fn new() -> Result<Tour> {
        let dir = vendscreen_e2e::workspace_root().join("artifacts/tour");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let index = String::from(
            "# The display, screen by screen\n\n\
             Made by `scripts/tour` (headless Chromium, 540×960, the built-in simulator).\n\n",
        );
        Ok(Tour {
            dir,
            index,
            shots: 0,
        })
    }

    /// Saves the window as `NN-name.png` and its text in the index.
    async fn shot(&mut self, screen: &Screen, name: &str) -> Result<()> {
        self.shots += 1;
        let file = format!("{:02}-{name}.png", self.shots);
        std::fs::write(self.dir.join(&file), screen.screenshot().await?)?;
        let text = screen.run(VISIBLE_TEXT, vec![]).await?;
        let text = text.as_str().unwrap_or_default();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        writeln!(self.index, "## {name}\n\n![{name}]({file})\n\n> {text}\n")?;
        println!("tour: {file}: {text}");
        Ok(())
    }

    fn finish(self) -> Result<PathBuf> {
        let path = self.dir.join("README.md");
        std::fs::write(&path, self.index)?;
        Ok(path)
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    vendscreen_e2e::server::require_dist()?;
    let mut server = Server::start(ServerOptions {
        // Long enough to photograph an ending, short enough for a quick tour.
        outcome_display_s: 6,
        dispenser_ms: 4_000,
        ..Default::default()
    })
    .await?;
    let api = Api::new(server.base_url());
    let browser = Browser::launch(&[]).await?;
    let screen = Screen::open(browser.client.clone(), &server.base_url()).await?;
    let mut tour = Tour::new()?;
    let mut result = walk(&mut tour, &screen, &api, &mut server).await;
    if result.is_ok() {
        result = shapes(&mut tour, &screen, "6").await;
    }
    if result.is_ok() {
        result = sixty(&mut tour, &browser).await;
    }
    let index = tour.finish()?;
    browser.close().await?;
    result.with_context(|| format!("the server's log:\n{}", server.log()))?;
    println!("tour: {}", index.display());
    Ok(())
}

async fn walk(tour: &mut Tour, screen: &Screen, api: &Api, server: &mut Server) -> Result<()> {
    screen.wait_for_screen("idle").await?;
    tour.shot(screen, "idle").await?;
    refused_touch(tour, screen).await?;
    pay_in_every_language(tour, screen).await?;
    paid(tour, screen, api).await?;
    endings(tour, screen, api).await?;
    api.set_out_of_order(true).await?;
    screen.wait_for_screen("out-of-service").await?;
    tour.shot(screen, "out-of-service").await?;
    api.set_out_of_order(false).await?;
    screen.wait_for_screen("idle").await?;
    connection_lost(tour, screen, server).await?;
    screen.run("window.vendscreenCrash()", vec![]).await?;
    screen.wait_for_screen("crash").await?;
    tour.shot(screen, "crash (a panic in the display; reloads itself)")
        .await
}

/// A touch the server refuses, staged: the page's own `fetch` answers the
/// next purchase with 409 (another purchase unresolved), so the notice shows
/// above the catalog as it would.
async fn refused_touch(tour: &mut Tour, screen: &Screen) -> Result<()> {
    const REFUSE_NEXT_START: &str = r#"
        const real = window.fetch;
        window.fetch = (req, init) => {
            if (!String(req.url || req).endsWith("/api/sessions")) return real(req, init);
            window.fetch = real;
            return Promise.resolve(new Response(null, { status: 409 }));
        };"#;
    screen.run(REFUSE_NEXT_START, vec![]).await?;
    screen.touch_product("cola").await?;
    screen.wait_until_shown("notice").await?;
    tour.shot(screen, "notice: a touch the server refused (busy)")
        .await?;
    screen
        .wait_until_gone_within("notice", Duration::from_secs(10))
        .await
}

/// The pay screen in each language, then the customer's own Cancel.
async fn pay_in_every_language(tour: &mut Tour, screen: &Screen) -> Result<()> {
    screen.touch_product("cola").await?;
    screen.wait_for_screen("pay").await?;
    for tag in ["nb", "da", "fi", "sv", "en"] {
        screen.choose_language(tag).await?;
        screen.wait_until_shown("qr").await?;
        tour.shot(screen, &format!("pay ({tag})")).await?;
    }
    screen.press_cancel().await?;
    screen.wait_for_screen("cancelled").await?;
    tour.shot(screen, "cancelled by the customer (en)").await?;
    back_to_idle(screen).await
}

/// Approved on the phone: dispensing, then paid.
async fn paid(tour: &mut Tour, screen: &Screen, api: &Api) -> Result<()> {
    screen.touch_product("cola").await?;
    screen.wait_for_screen("pay").await?;
    let reference = current_reference(api).await?;
    api.approve(&reference).await?;
    screen.wait_for_screen("dispensing").await?;
    tour.shot(screen, "dispensing").await?;
    screen.wait_for_screen("completed").await?;
    tour.shot(screen, "completed").await?;
    back_to_idle(screen).await
}

/// Every way a purchase ends without a charge.
async fn endings(tour: &mut Tour, screen: &Screen, api: &Api) -> Result<()> {
    for ending in ["rejected", "expired", "vendFailed"] {
        screen.touch_product("cola").await?;
        screen.wait_for_screen("pay").await?;
        let reference = current_reference(api).await?;
        match ending {
            "rejected" => api.reject(&reference).await?,
            "expired" => api.expire(&reference).await?,
            _ => {
                api.fail_next_vends(1).await?;
                api.approve(&reference).await?;
            }
        }
        screen.wait_for_screen(ending).await?;
        tour.shot(screen, ending).await?;
        back_to_idle(screen).await?;
    }
    Ok(())
}

/// The server goes away under an open page, and comes back. (The
/// "connecting" screen lasts only from page load to the first event, and with
/// the server down there is no page to load: the browser tests check it, the
/// tour does not picture it.)
async fn connection_lost(tour: &mut Tour, screen: &Screen, server: &mut Server) -> Result<()> {
    server.kill().await?;
    screen
        .wait_until_shown_within("connection-banner", Duration::from_secs(30))
        .await?;
    tour.shot(screen, "connection lost (banner over the idle screen)")
        .await?;
    server.restart().await?;
    screen
        .wait_until_gone_within("connection-banner", Duration::from_secs(30))
        .await?;
    screen.wait_for_screen("idle").await
}

/// The outcome stays `outcome_display_s`; then the catalog is back.
async fn back_to_idle(screen: &Screen) -> Result<()> {
    screen
        .wait_for_screen_within("idle", Duration::from_secs(20))
        .await
}

/// The purchase on screen, as the server's stream tells a new display.
async fn current_reference(api: &Api) -> Result<String> {
    let snapshot = vendscreen_e2e::sse::snapshot(api.base_url()).await?;
    Ok(snapshot
        .session
        .context("no purchase in progress")?
        .reference)
}

/// The kiosk shapes: portrait, landscape and a small panel.
const SHAPES: [(u32, u32); 3] = [(1080, 1920), (1920, 1080), (800, 1280)];

/// Idle and pay at each shape, with the catalog `screen` shows (`n` products).
async fn shapes(tour: &mut Tour, screen: &Screen, n: &str) -> Result<()> {
    for (w, h) in SHAPES {
        screen.client.set_window_size(w, h).await?;
        // The idle screen sizes its pages when it appears.
        screen.client.refresh().await?;
        screen.wait_for_screen("idle").await?;
        tour.shot(screen, &format!("idle, {n} products, {w}×{h}"))
            .await?;
        if n == "60" {
            // The keypad, after a number that is sold out (F10).
            screen.touch("keypad-open").await?;
            screen.type_slot("F10").await?;
            tour.shot(screen, &format!("keypad: a sold-out number, {w}×{h}"))
                .await?;
            screen.touch("keypad-close").await?;
        }
        let first = screen
            .run(
                "return document.querySelector('button.product:enabled').dataset.testid",
                vec![],
            )
            .await?;
        let id = first
            .as_str()
            .unwrap_or_default()
            .trim_start_matches("product-")
            .to_string();
        screen.touch_product(&id).await?;
        screen.wait_until_shown("qr").await?;
        tour.shot(screen, &format!("pay, {n} products, {w}×{h}"))
            .await?;
        screen.press_cancel().await?;
        screen.wait_for_screen("cancelled").await?;
        back_to_idle(screen).await?;
    }
    Ok(())
}

/// A machine of 60 selections, photographed at each shape.
async fn sixty(tour: &mut Tour, browser: &Browser) -> Result<()> {
    let server = Server::start(ServerOptions {
        outcome_display_s: 1,
        config_toml: Some(vendscreen_e2e::server::sixty_products_toml()),
        ..Default::default()
    })
    .await?;
    let screen = Screen::open(browser.client.clone(), &server.base_url()).await?;
    shapes(tour, &screen, "60").await
}
