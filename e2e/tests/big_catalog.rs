//! A real machine's 60 selections, in the real page, at the three screen
//! shapes a kiosk comes in: every product is reached by touching the page
//! buttons, no tile or key reaches outside the window, one is bought by its
//! slot number on the keypad at every shape, and one by touch.

use anyhow::ensure;
use serde_json::{json, Value};
use vendscreen_e2e::{scenario, ServerOptions};

const SHAPES: [(u32, u32); 3] = [(1080, 1920), (1920, 1080), (800, 1280)];

/// The tiles shown now, and those reaching outside the window.
const LOOK: &str = r#"
    const w = innerWidth, h = innerHeight;
    const tiles = [...document.querySelectorAll('button.product, .page-btn, .keypad-btn, .keypad button')];
    return {
        ids: tiles.filter(t => t.matches('.product')).map(t => t.dataset.testid),
        clipped: tiles.filter(t => { const r = t.getBoundingClientRect();
            return r.left < 0 || r.top < 0 || r.right > w + 0.5 || r.bottom > h + 0.5
                || r.width < 48 || r.height < 48; }).map(t => t.dataset.testid),
        last: !document.querySelector('[data-testid=page-next][aria-disabled=false]'),
        page: (document.querySelector('[data-testid=page-indicator]') || {}).textContent || '',
    };"#;

/// What each how-to-pay step's pictogram (a CSS background) is served as.
const PICTOGRAMS: &str = r#"
    const done = arguments[arguments.length - 1];
    const urls = [...document.querySelectorAll('[data-testid=howto] li')].map(li =>
        getComputedStyle(li, '::before').backgroundImage.slice(5, -2));
    Promise.all(urls.map(u => fetch(u).then(r => r.ok ? r.headers.get('content-type') : r.status)))
        .then(done, e => done(String(e)));"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_products_are_all_reachable_and_unclipped_at_every_screen_shape() {
    let options = ServerOptions {
        config_toml: Some(vendscreen_e2e::server::sixty_products_toml()),
        ..Default::default()
    };
    scenario("big_catalog", options, async |kiosk| {
        let screen = kiosk.screen();
        for (w, h) in SHAPES {
            screen.client.set_window_size(w, h).await?;
            // The idle screen sizes its pages when it appears.
            screen.client.refresh().await?;
            screen.wait_for_screen("idle").await?;
            bought_by_slot(screen, w, h).await?;
            let mut seen = Vec::new();
            loop {
                let look: Value = screen.run(LOOK, vec![]).await?;
                ensure!(look["clipped"] == json!([]), "{w}x{h}: clipped {look}");
                seen.extend(
                    look["ids"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_str().unwrap().to_string()),
                );
                if look["last"] == json!(true) {
                    break;
                }
                screen
                    .run(
                        "document.querySelector('[data-testid=page-next]').click()",
                        vec![],
                    )
                    .await?;
                let before = look["page"].clone();
                vendscreen_e2e::wait::until(
                    "the next page",
                    std::time::Duration::from_secs(5),
                    async || {
                        let now: Value = screen.run(LOOK, vec![]).await?;
                        Ok((now["page"] != before).then_some(()))
                    },
                )
                .await?;
            }
            let all: Vec<String> = (0..60).map(|i| format!("product-p{i}")).collect();
            ensure!(seen == all, "{w}x{h}: saw {seen:?}");
        }
        // The last page: its last product (F10) is sold out and shown so;
        // the one before it is bought by touch.
        ensure!(screen.text_of("product-p59").await?.contains("Utsolgt"));
        screen.touch_product("p58").await?;
        screen.wait_for_screen("pay").await?;
        screen.press_cancel().await?;
        screen.wait_for_screen("cancelled").await?;
        Ok(())
    })
    .await;
}

/// Opens the keypad (every key inside the window), buys F9 by its number,
/// and gives it up again.
async fn bought_by_slot(screen: &vendscreen_e2e::Screen, w: u32, h: u32) -> anyhow::Result<()> {
    screen.touch("keypad-open").await?;
    screen.wait_until_shown("typed").await?;
    let look: Value = screen.run(LOOK, vec![]).await?;
    ensure!(
        look["clipped"] == json!([]),
        "{w}x{h}: keypad clipped {look}"
    );
    screen.type_slot("F9").await?;
    screen.wait_for_screen("pay").await?;
    let product = screen.text_of("pay-product").await?;
    ensure!(
        product == "Product number 58",
        "{w}x{h}: F9 showed {product}"
    );
    let pictograms: Value = screen.run_async(PICTOGRAMS, vec![]).await?;
    ensure!(
        pictograms == json!(["image/svg+xml", "image/svg+xml", "image/svg+xml"]),
        "{w}x{h}: the pay screen's pictograms: {pictograms}"
    );
    screen.press_cancel().await?;
    screen.wait_for_screen("idle").await
}
