//! A dispenser that pretends: vends after a delay. Tests and the demo can make
//! the next vends fail or take it out of service.

use super::VendOutcome;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct SimulatedDispenser {
    delay: Duration,
    fail_next: Arc<AtomicU32>,
    out_of_order: Arc<AtomicBool>,
    /// Vends asked of the machine so far: tests count them at the dispenser,
    /// not in the engine's own records.
    started: Arc<AtomicU32>,
}

impl SimulatedDispenser {
    pub fn new(delay: Duration) -> Self {
        SimulatedDispenser {
            delay,
            fail_next: Arc::default(),
            out_of_order: Arc::default(),
            started: Arc::default(),
        }
    }

    pub async fn vend(&self, _slot: &str) -> VendOutcome {
        self.started.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        let failing = self
            .fail_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if failing {
            VendOutcome::Failed
        } else {
            VendOutcome::Vended
        }
    }

    pub fn ready(&self) -> bool {
        !self.out_of_order.load(Ordering::SeqCst)
    }

    /// How many vends the machine was asked for (failed ones included).
    pub fn vends_started(&self) -> u32 {
        self.started.load(Ordering::SeqCst)
    }

    /// The next `n` vends fail.
    pub fn fail_next(&self, n: u32) {
        self.fail_next.store(n, Ordering::SeqCst);
    }

    /// Marks the machine not ready (true) or ready again (false).
    pub fn set_out_of_order(&self, out: bool) {
        self.out_of_order.store(out, Ordering::SeqCst);
    }
}
