//! Fault runs of a fleet (issue 11; design.md "Fleet mode"): three hub
//! replica processes sharing one PostgreSQL, each killed at a crash point of
//! its own again and again (after the vend command's commit, before the
//! capture, after the capture before its commit) and started again; every
//! webhook delivered to two replicas at once; machines (real edges, each with
//! its journal, dispenser and a link that round-robins over the replicas)
//! whose links break on the ack, after it, or go down for a while; and
//! PostgreSQL restarted (`pg_ctl restart -m immediate`) mid-run. When all
//! has settled, the invariants hold at "Vipps", at every machine and in the
//! database.

#[path = "../support/edge.rs"]
#[allow(dead_code)] // the fault run never stops its edges
mod in_process;
#[path = "../support/ports.rs"]
mod ports;
#[path = "../support/vipps.rs"]
mod vipps;
#[path = "../support/wait.rs"]
mod wait;

mod customers;
mod fanout;
mod invariants;
mod link;
mod replicas;
mod world;

use customers::{purchase, Plan};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use world::World;

const MACHINES: usize = 50;
const ROUNDS: usize = 2;
/// Each replica dies at its crash point this many times.
const DEATHS_EACH: u32 = 2;
const CRASH_POINTS: [Option<&str>; 3] = [Some("vending"), Some("capturing"), Some("capture-sent")];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_fleet_keeps_every_money_invariant_through_kills_cuts_and_a_database_restart() {
    let world = Arc::new(World::start(MACHINES, &CRASH_POINTS, DEATHS_EACH).await);
    let two_open = watch_open_purchases(world.clone());
    let mut restarted_db = false;
    for round in 0..ROUNDS {
        // One task for all customers (no spawn: the waits are not Send).
        let ended = AtomicUsize::new(0);
        let customers = (0..MACHINES).map(|i| {
            let (world, ended) = (&world, &ended);
            async move {
                purchase(world, &world.machines[i], Plan::for_machine(i)).await;
                ended.fetch_add(1, Ordering::SeqCst);
            }
        });
        let database_fault = async {
            if round != ROUNDS - 1 {
                return;
            }
            // Mid-run: once a fifth of the last round's purchases ended.
            let what = "a fifth of the round's purchases to end";
            wait::wait_for(what, Duration::from_secs(240), async || {
                (ended.load(Ordering::SeqCst) >= MACHINES / 5).then_some(())
            })
            .await;
            world.cluster.restart_immediate().await;
            restarted_db = true;
        };
        tokio::join!(futures_util::future::join_all(customers), database_fault);
    }
    let tally = invariants::check(&world).await;
    two_open.stop.store(true, Ordering::SeqCst);
    let two_open = two_open.seen.lock().unwrap().clone();
    let acks_cut: u32 = world.machines.iter().map(|m| m.link.acks_cut()).sum();
    println!(
        "fault run: {} machines, {ROUNDS} rounds; faults: {} replica deaths, {acks_cut} acks cut, \
         {} webhooks to two replicas, PostgreSQL restarted: {restarted_db}; {} purchases, {} captures, \
         {} vends, {} released, {} for a person; {} violations",
        MACHINES,
        world.replicas.deaths(),
        world.fanout.delivered_twice(),
        tally.purchases,
        tally.captures,
        tally.vends,
        tally.released,
        tally.flagged,
        tally.violations.len() + two_open.len(),
    );
    let logs = world.replicas.log_tails();
    assert!(
        tally.violations.is_empty(),
        "{:#?}\n{logs}",
        tally.violations
    );
    assert!(
        two_open.is_empty(),
        "two open purchases at once on {two_open:?}"
    );
    // The faults happened: otherwise this run proved nothing.
    let deaths = world.replicas.deaths();
    assert!(deaths >= 3, "only {deaths} replica deaths");
    assert!(acks_cut >= 2 * ROUNDS as u32, "only {acks_cut} acks cut");
    assert!(
        world.fanout.delivered_twice() > 0,
        "no webhook reached two replicas"
    );
    assert!(tally.captures > 0 && tally.released > 0, "{tally:?}");
}

/// Samples the database for a machine with two open purchases, all run long.
struct OpenWatch {
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<String>>>,
}

fn watch_open_purchases(world: Arc<World>) -> OpenWatch {
    let watch = OpenWatch {
        stop: Arc::new(AtomicBool::new(false)),
        seen: Arc::new(Mutex::new(Vec::new())),
    };
    let (stop, seen) = (watch.stop.clone(), watch.seen.clone());
    tokio::spawn(async move {
        while !stop.load(Ordering::SeqCst) {
            let found = invariants::machines_with_two_open(&world).await;
            seen.lock().unwrap().extend(found);
            // A sampling period, not a synchronisation.
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    });
    watch
}
