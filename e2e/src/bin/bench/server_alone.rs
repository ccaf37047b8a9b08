//! The server without a browser: purchases per second through the HTTP API on
//! the simulator, and a new `/api/events` subscriber's snapshot time while the
//! streams the server allows are held. Since issue 10 a machine serves at most
//! 4 streams per client address and 32 in all (a screen needs one), so the
//! held streams come from several loopback addresses (127.0.0.1–7, 4 each)
//! and the probes from another (127.0.0.8).

use crate::stats::Summary;
use anyhow::{bail, Result};
use futures_util::future::join_all;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};
use vendscreen_e2e::sse::EventReader;
use vendscreen_e2e::wire::{Session, SessionState};
use vendscreen_e2e::Api;

pub const PURCHASES: usize = 300;
/// Streams held at each step: up to the server's total less the probes' 4.
const STEPS: [usize; 3] = [4, 16, 28];
/// Streams one client address may hold (the server's cap).
const PER_ADDRESS: usize = 4;
const PROBES: usize = 200;
const GOAL_MS: f64 = 50.0;

/// Create → approve → completed, one after another, as fast as it goes.
pub async fn purchases_per_second(api: &Api) -> Result<String> {
    let mut events = EventReader::open(&reqwest::Client::new(), api.base_url()).await?;
    let started = Instant::now();
    let mut latency = Vec::new();
    for _ in 0..PURCHASES {
        let t0 = Instant::now();
        let session = api.buy("cola").await?;
        api.approve(&session.reference).await?;
        wait_until_completed(&mut events, &session.reference).await?;
        latency.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    let rate = PURCHASES as f64 / started.elapsed().as_secs_f64();
    Ok(format!(
        "- {rate:.1} purchases per second, one at a time (create → approve in the simulator → webhook → vend (0 ms) → capture → `completed` on SSE)\n\
         - one purchase: {}\n",
        Summary::of(&latency).line("ms")
    ))
}

async fn wait_until_completed(events: &mut EventReader, reference: &str) -> Result<()> {
    loop {
        let event = tokio::time::timeout(Duration::from_secs(10), events.next()).await??;
        if event.name != "session" {
            continue;
        }
        let session: Session = serde_json::from_str(&event.data)?;
        if session.reference == reference && session.state.is_final() {
            if session.state != SessionState::Completed {
                bail!("purchase {reference} ended {:?}", session.state);
            }
            return Ok(());
        }
    }
}

/// A client whose connections come from 127.0.0.`n` (the server counts
/// streams per address).
fn client_from(n: u8) -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, n)))
        .build()?)
}

/// Holds ever more subscribers; at each step times fresh connections.
/// Returns the section and the most held with p99 under the goal.
pub async fn subscribers(base_url: &str) -> Result<(String, usize)> {
    let holders: Vec<reqwest::Client> = (1..=7).map(client_from).collect::<Result<_>>()?;
    let prober = client_from(8)?;
    let mut held: Vec<EventReader> = Vec::new();
    let mut rows = String::from("| held subscribers | connecting them: snapshot p50 / p99 | a new subscriber's snapshot p50 / p99 / max | p99 < 50 ms |\n| ---: | --- | --- | :---: |\n");
    let mut best = 0;
    for step in STEPS {
        let mut opening = Vec::new();
        while held.len() < step {
            let http = &holders[held.len() / PER_ADDRESS];
            let (reader, ms) = timed_snapshot(http, base_url).await?;
            held.push(reader);
            opening.push(ms);
        }
        let probes = probe(&prober, base_url).await?;
        let (o, p) = (Summary::of(&opening), Summary::of(&probes));
        let ok = p.p99 < GOAL_MS;
        if ok {
            best = step;
        }
        rows.push_str(&format!(
            "| {step} | {:.1} / {:.1} ms | {:.1} / {:.1} / {:.1} ms | {} |\n",
            o.p50,
            o.p99,
            p.p50,
            p.p99,
            p.max,
            if ok { "yes" } else { "no" }
        ));
    }
    let summary = format!(
        "Held at p99 < {GOAL_MS} ms for a new subscriber's snapshot: **{best}** subscribers."
    );
    Ok((format!("{rows}\n{summary}\n"), best))
}

/// `PROBES` fresh connections, four at a time (one address's share), each
/// closed after its snapshot.
async fn probe(http: &reqwest::Client, base_url: &str) -> Result<Vec<f64>> {
    let mut times = Vec::new();
    for _ in 0..PROBES / PER_ADDRESS {
        let four = (0..PER_ADDRESS).map(|_| probe_once(http, base_url));
        for result in join_all(four).await {
            times.push(result?.1);
        }
    }
    Ok(times)
}

async fn timed_snapshot(http: &reqwest::Client, base_url: &str) -> Result<(EventReader, f64)> {
    let t0 = Instant::now();
    let mut reader = EventReader::open(http, base_url).await?;
    let first = tokio::time::timeout(Duration::from_secs(30), reader.next()).await??;
    if first.name != "snapshot" {
        bail!("first event was {}", first.name);
    }
    Ok((reader, t0.elapsed().as_secs_f64() * 1000.0))
}

/// One probe. The previous batch's streams are closed by the client but
/// may not yet be given back by the server: a 429 then is tried again
/// (timed from the try that got in), never counted as a snapshot time.
async fn probe_once(http: &reqwest::Client, base_url: &str) -> Result<(EventReader, f64)> {
    for _ in 0..100 {
        match timed_snapshot(http, base_url).await {
            Err(e) if e.to_string().contains("429") => {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            other => return other,
        }
    }
    bail!("the server kept answering 429 to a probe")
}
