//! `scripts/bench`: measures what the customer feels, in headless Chromium
//! against the real (release) server, and the server alone; rewrites
//! BENCHMARKS.md. Not a test: the goals are reported, not asserted.

mod endurance;
mod first_load;
mod in_page;
mod machine;
mod server_alone;
mod stats;

use anyhow::Result;
use std::time::Instant;
use vendscreen_e2e::{server, Api, Browser, Screen, Server, ServerOptions};

const COMMAND: &str = "scripts/bench";

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
    let mut report = format!("# Benchmarks\n\n{}\n", machine::describe(COMMAND));
    let server = Server::start(bench_options()).await?;
    let base = server.base_url();

    step("first load");
    report += &format!("## First load\n\n{}\n", first_load::measure(&base).await?);

    step("touch → QR and approval → screen");
    let browser =
        Browser::launch(&["--enable-precise-memory-info", "--js-flags=--expose-gc"]).await?;
    let screen = Screen::open(browser.client.clone(), &base).await?;
    report += &format!(
        "## In the page ({} purchases)\n\n{}\n",
        in_page::PURCHASES,
        in_page::measure(&screen).await?
    );

    step("1,000 purchases in one page");
    let (rows, touch) = endurance::measure(&screen).await?;
    report += &format!(
        "## {} purchases in one page, no reload\n\n{rows}\ntouch → QR in the DOM over these: {}\n\n",
        endurance::PURCHASES,
        stats::Summary::of(&touch).line("ms")
    );
    browser.close().await?;
    drop(server);

    step("server alone");
    let server = Server::start(bench_options()).await?;
    let api = Api::new(server.base_url());
    report += &format!(
        "## Server alone\n\n{}\n",
        server_alone::purchases_per_second(&api).await?
    );
    report += &format!(
        "### Concurrent `/api/events` subscribers\n\n{}\n",
        server_alone::subscribers(&server.base_url()).await?
    );

    report += &format!("_Took {:.0} s._\n", started.elapsed().as_secs_f64());
    let path = vendscreen_e2e::workspace_root().join("BENCHMARKS.md");
    std::fs::write(&path, report)?;
    step(&format!("wrote {}", path.display()));
    Ok(())
}

fn step(what: &str) {
    eprintln!("[bench] {what}");
}
