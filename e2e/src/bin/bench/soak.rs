//! A long day at the kiosk, sped up (issue 12): thousands of purchases in
//! one page that is never reloaded — most given up at the machine, some paid
//! in "the app", some declined — while every "hour" the server is killed and
//! started again (the page's event stream cut with it) and the simulator's
//! clock moves on an hour. JS heap (after GC), wasm memory and DOM nodes at
//! the start and after each hour; the goal is flat.

use crate::endurance::{memory, row, Memory, CYCLES};
use anyhow::{bail, Context, Result};
use serde_json::json;
use vendscreen_e2e::{sse, Api, Screen, Server};
use vendscreen_protocol as wire;

pub const HOURS: usize = 6;
const GIVEN_UP_PER_HOUR: usize = 300;
const PAID_PER_HOUR: usize = 40;
const DECLINED_PER_HOUR: usize = 10;

pub const PURCHASES: usize = HOURS * (GIVEN_UP_PER_HOUR + PAID_PER_HOUR + DECLINED_PER_HOUR);

pub struct Soak {
    pub markdown: String,
    pub start: Memory,
    /// After the first hour: the warm-up is over (code compiled, the
    /// browser's bindings made for every API the page uses).
    pub first_hour: Memory,
    pub end: Memory,
}

pub async fn measure(server: &mut Server, screen: &Screen) -> Result<Soak> {
    let api = Api::new(server.base_url());
    let mut rows = String::from(
        "| hour | purchases | JS heap (after GC) | wasm memory | DOM nodes |\n\
         | ---: | ---: | ---: | ---: | ---: |\n",
    );
    screen.wait_for_screen("idle").await?;
    let start = memory(screen).await?;
    let (mut end, mut first_hour) = (start, start);
    rows.push_str(&format!("| 0 {}", row(0, &start)));
    let mut done = 0;
    for hour in 1..=HOURS {
        given_up(screen, GIVEN_UP_PER_HOUR).await?;
        for _ in 0..PAID_PER_HOUR {
            in_the_app(screen, &api, true).await?;
        }
        for _ in 0..DECLINED_PER_HOUR {
            in_the_app(screen, &api, false).await?;
        }
        done += GIVEN_UP_PER_HOUR + PAID_PER_HOUR + DECLINED_PER_HOUR;
        // The stream dies with the server; the page must find it again.
        server.restart().await?;
        api.advance_clock(3600).await?;
        screen.wait_for_screen("idle").await?;
        end = memory(screen).await?;
        if hour == 1 {
            first_hour = end;
        }
        eprintln!("[bench]   hour {hour}, {done} purchases: {end:?}");
        rows.push_str(&format!("| {hour} {}", row(done, &end)));
    }
    Ok(Soak {
        markdown: rows,
        start,
        first_hour,
        end,
    })
}

/// `n` purchases started and given up at the machine, inside the page.
async fn given_up(screen: &Screen, n: usize) -> Result<()> {
    let answer = screen.run_async(CYCLES, vec![json!(n)]).await?;
    if !answer.is_array() {
        bail!("giving up {n} purchases: {answer}");
    }
    Ok(())
}

/// One purchase the customer approves (or declines) in the app; the server
/// must end it so and the screen must come back to idle.
async fn in_the_app(screen: &Screen, api: &Api, approve: bool) -> Result<()> {
    screen.wait_for_screen("idle").await?;
    screen.touch_product("water").await?;
    screen.wait_until_shown("qr").await?;
    let snapshot = sse::snapshot(api.base_url()).await?;
    let session = snapshot.session.context("a QR on screen, no session")?;
    let reference = session.reference;
    if approve {
        api.approve(&reference).await?;
    } else {
        api.reject(&reference).await?;
    }
    screen.wait_for_screen("idle").await?;
    let ended = api.session(&reference).await?.state;
    let expected = if approve {
        wire::SessionState::Completed
    } else {
        wire::SessionState::Rejected
    };
    if ended != expected {
        bail!("{reference} ended {ended:?}, not {expected:?}");
    }
    Ok(())
}
