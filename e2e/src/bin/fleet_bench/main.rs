//! `scripts/bench`'s fleet section (issue 11): on this machine, PostgreSQL and
//! two hub replicas; ever more connected edges (streams + heartbeats), and at
//! each step the time from a customer's approval to their machine's edge
//! hearing of it; then purchases per second across the fleet. Appends its
//! section to BENCHMARKS.md. A report, not a test.

mod edges;
mod fleet;

use anyhow::Result;
use edges::Edge;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Connected edges at each step; the goal is 10,000.
const STEPS: [usize; 5] = [100, 1_000, 2_500, 5_000, 10_000];
/// Purchases timed at each step.
const PROBES: usize = 40;
/// Machines that purchase (not held idle).
const BUYERS: usize = 100;
/// How long purchases are counted for the throughput.
const THROUGHPUT_FOR: Duration = Duration::from_secs(30);
const GOAL_MS: f64 = 100.0;

#[tokio::main]
async fn main() -> Result<()> {
    let started = Instant::now();
    let fleet = fleet::Fleet::start(2).await?;
    // FLEET_BENCH_MAX_EDGES=100: a quick look at the harness, not a figure.
    let cap: usize = std::env::var("FLEET_BENCH_MAX_EDGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    let steps: Vec<usize> = STEPS.into_iter().filter(|s| *s <= cap).collect();
    let most = *steps.last().unwrap_or(&0);
    fleet.add_machines(most + BUYERS).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let edge = |i: usize| Edge {
        hub: fleet.hubs[i % fleet.hubs.len()].clone(),
        token: fleet::token(i),
        http: http.clone(),
    };
    // The buyers' streams: events come to them.
    let mut buyers = Vec::new();
    for i in most..most + BUYERS {
        let (tx, rx) = mpsc::unbounded_channel();
        edge(i).hold(Some(tx)).await?;
        buyers.push((edge(i), rx));
    }
    let mut rows = Vec::new();
    let mut held = 0;
    let mut best = 0;
    for step in steps {
        eprintln!("[fleet-bench] {step} edges");
        while held < step {
            let batch: Vec<_> = (held..step.min(held + 200)).map(&edge).collect();
            let holds = batch.iter().map(|e| e.hold(None));
            for done in futures_util::future::join_all(holds).await {
                done?;
            }
            held = step.min(held + 200);
        }
        let mut seen = Vec::new();
        for k in 0..PROBES {
            let (edge, rx) = &mut buyers[k % BUYERS];
            let request = format!("probe-{step}-{k}");
            seen.push(edges::purchase(edge, rx, &fleet.vipps, &request).await?);
        }
        let summary = Summary::of(&seen);
        rows.push(format!("| {step} | {} |", summary.line()));
        if summary.p99 <= GOAL_MS {
            best = step;
        }
    }
    eprintln!("[fleet-bench] throughput");
    let (before, _) = fleet.pg_stats().await?;
    let (done, seconds) = throughput(&mut buyers, &fleet.vipps).await;
    let (after, _) = fleet.pg_stats().await?;
    let rate = done as f64 / seconds;
    let commits = (after - before) as f64 / seconds;
    let section = format!(
        "## Fleet (issue 11)\n\n\
         Two hub replicas and PostgreSQL on this machine, the simulator as Vipps (its own process), \
         edges simulated by one process (each holds `/fleet/v1/stream` and heartbeats every 15 s). \
         Approval → edge: from the simulator's approve call to the session's change arriving on \
         the machine's stream (webhook → inbox → the replica's worker reads the payment → \
         transition + outbox + NOTIFY → the stream's replica re-reads the outbox).\n\n\
         | connected edges | approval → edge ({PROBES} purchases) |\n| ---: | --- |\n{}\n\n\
         - most edges with p99 ≤ {GOAL_MS} ms: **{best}** (goal 10,000)\n\
         - purchases per second across the fleet: **{rate:.1}** ({BUYERS} machines buying at once \
         for {seconds:.0} s, start → approve → vend → `completed`; goal 100) — {commits:.0} database \
         commits per second\n\n\
         _Fleet section took {:.0} s._\n",
        rows.join("\n"),
        started.elapsed().as_secs_f64()
    );
    let path = vendscreen_e2e::workspace_root().join("BENCHMARKS.md");
    let mut report = std::fs::read_to_string(&path).unwrap_or_default();
    if let Some(at) = report.find("## Fleet (issue 11)") {
        report.truncate(at);
    }
    report.push_str(&section);
    std::fs::write(&path, report)?;
    eprintln!("[fleet-bench] wrote {}", path.display());
    Ok(())
}

/// Every buyer purchases over and over for `THROUGHPUT_FOR`.
async fn throughput(
    buyers: &mut [(Edge, mpsc::UnboundedReceiver<edges::Received>)],
    vipps: &str,
) -> (usize, f64) {
    let until = Instant::now() + THROUGHPUT_FOR;
    let started = Instant::now();
    let runs = buyers
        .iter_mut()
        .enumerate()
        .map(|(b, (edge, rx))| async move {
            let mut done = 0;
            while Instant::now() < until {
                let request = format!("load-{b}-{done}");
                match edges::purchase(edge, rx, vipps, &request).await {
                    Ok(_) => done += 1,
                    Err(e) => {
                        eprintln!("[fleet-bench] buyer {b}: {e}");
                        break;
                    }
                }
            }
            done
        });
    let done: usize = futures_util::future::join_all(runs).await.into_iter().sum();
    (done, started.elapsed().as_secs_f64())
}

/// Nearest-rank percentiles.
struct Summary {
    p50: f64,
    p99: f64,
    max: f64,
}

impl Summary {
    fn of(samples: &[f64]) -> Summary {
        let mut s = samples.to_vec();
        s.sort_by(f64::total_cmp);
        let at = |p: f64| {
            let rank = ((p / 100.0) * s.len() as f64).ceil() as usize;
            s.get(rank.clamp(1, s.len().max(1)) - 1)
                .copied()
                .unwrap_or(f64::NAN)
        };
        Summary {
            p50: at(50.0),
            p99: at(99.0),
            max: at(100.0),
        }
    }

    fn line(&self) -> String {
        format!(
            "p50 {:.1} · p99 {:.1} · max {:.1} ms",
            self.p50, self.p99, self.max
        )
    }
}
