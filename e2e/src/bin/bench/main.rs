//! `scripts/bench`: measures what the customer feels, in headless Chromium
//! against the real (release) server, and the server alone; rewrites
//! BENCHMARKS.md. Not a test: the goals are reported, not asserted.

mod endurance;
mod first_load;
mod goals;
mod in_page;
mod machine;
mod server_alone;
mod soak;
mod stats;

use anyhow::Result;
use std::time::Instant;
use vendscreen_e2e::{server, Api, Browser, Screen, Server, ServerOptions};

const COMMAND: &str = "scripts/bench";
const METHOD: &str = include_str!("method.md");

/// Quick endings and vends, so loops measure the screen, not the waiting.
fn bench_options() -> ServerOptions {
    ServerOptions {
        outcome_display_s: 0,
        dispenser_ms: 0,
        ..ServerOptions::default()
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    server::require_dist()?;
    let started = Instant::now();
    let server = Server::start(bench_options()).await?;
    let base = server.base_url();

    step("first load");
    let first_load = first_load::measure(&base).await?;
    step("touch → QR and approval → screen");
    let browser =
        Browser::launch(&["--enable-precise-memory-info", "--js-flags=--expose-gc"]).await?;
    let screen = Screen::open(browser.client.clone(), &base).await?;
    let in_page = in_page::measure(&screen).await?;
    step("1,000 purchases in one page");
    let endurance = endurance::measure(&screen).await?;
    browser.close().await?;
    drop(server);

    step("a long day at the kiosk (soak)");
    let mut server = Server::start(bench_options()).await?;
    let browser =
        Browser::launch(&["--enable-precise-memory-info", "--js-flags=--expose-gc"]).await?;
    let screen = Screen::open(browser.client.clone(), &server.base_url()).await?;
    let soak = soak::measure(&mut server, &screen).await?;
    browser.close().await?;
    drop(server);

    step("server alone");
    let server = Server::start(bench_options()).await?;
    let rate = server_alone::purchases_per_second(&Api::new(server.base_url())).await?;
    let (subscribers_md, subscribers) = server_alone::subscribers(&server.base_url()).await?;

    let figures = goals::Figures {
        first_load: &first_load,
        in_page: &in_page,
        endurance: &endurance,
        subscribers,
    };
    let report = [
        format!("# Benchmarks\n\n{}\n", machine::describe(COMMAND)),
        format!("## Against the goals of issue 6\n\n{}\n", goals::table(&figures)),
        format!("## First load\n\n{}\n", first_load.markdown),
        format!("## In the page ({} purchases)\n\n{}\n", in_page::PURCHASES, in_page.markdown),
        format!(
            "## {} purchases in one page, no reload\n\n{}\ntouch → QR in the DOM over these: {}\n\n",
            endurance::PURCHASES,
            endurance.markdown,
            stats::Summary::of(&endurance.touch_to_qr).line("ms")
        ),
        format!(
            "## A long day at the kiosk (soak: {} purchases, the server restarted every hour)\n\n{}\n\
             JS heap {:+} KiB in the first hour (the warm-up: code compiled, the browser's bindings \
             for each API the page first uses), then {:+} KiB from the first hour to the last; \
             DOM nodes {} → {}.\n\n",
            soak::PURCHASES,
            soak.markdown,
            (soak.first_hour.heap as i64 - soak.start.heap as i64) / 1024,
            (soak.end.heap as i64 - soak.first_hour.heap as i64) / 1024,
            soak.start.nodes,
            soak.end.nodes
        ),
        format!("## Server alone\n\n{rate}\n### Concurrent `/api/events` subscribers\n\n{subscribers_md}\n"),
        format!("{METHOD}\n_The run took {:.0} s._\n", started.elapsed().as_secs_f64()),
    ];
    let path = vendscreen_e2e::workspace_root().join("BENCHMARKS.md");
    std::fs::write(&path, report.concat())?;
    step(&format!("wrote {}", path.display()));
    Ok(())
}

fn step(what: &str) {
    eprintln!("[bench] {what}");
}
