//! How long the harness makes a test wait: a throwaway cluster's start, and
//! a test database (copy of a migrated template, plus its pool's first
//! connection), median of 20, on a throwaway cluster and on the shared
//! server when VENDSCREEN_TEST_DATABASE_URL is set.
//!
//! `cargo run -p vendscreen-pgtest --example timings`

use std::future::Future;
use std::time::{Duration, Instant};
use vendscreen_pgtest::{Cluster, TestDatabase, DATABASE_URL_VAR};

const WIDGETS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/migrations/widgets");
const RUNS: usize = 20;

#[tokio::main]
async fn main() {
    let mut starts = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        drop(Cluster::throwaway().await);
        starts.push(started.elapsed());
    }
    println!("throwaway cluster start (initdb + pg_ctl start), 3 runs: {starts:?}");

    let cluster = Cluster::throwaway().await;
    report("throwaway cluster", || cluster.database(WIDGETS)).await;
    if std::env::var_os(DATABASE_URL_VAR).is_some() {
        report("shared server", || vendscreen_pgtest::database(WIDGETS)).await;
    }
}

/// The first database (the template made and migrated too), then the
/// median and spread of RUNS more.
async fn report<F, Fut>(server: &str, mut make: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = TestDatabase>,
{
    let started = Instant::now();
    drop(make().await);
    let first = started.elapsed();
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        drop(make().await);
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "{server}: first database (template + migrations) {first:?}; then median {:?}, min {:?}, max {:?} of {RUNS}",
        times[RUNS / 2],
        times[0],
        times[RUNS - 1]
    );
}
