//! A dispenser that pretends: vends after a delay. Tests and the demo can make
//! the next vends fail or take it out of service.

use super::VendOutcome;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone)]
pub struct SimulatedDispenser {
    delay: Duration,
    fail_next: Arc<AtomicU32>,
    out_of_order: Arc<AtomicBool>,
    /// Every reference a vend was started for, in order: what a real
    /// machine's own counter would tell (tests count vends here).
    started: Arc<Mutex<Vec<String>>>,
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

    pub async fn vend(&self, _slot: &str, reference: &str) -> VendOutcome {
        self.started
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(reference.to_string());
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

    /// The references vends were started for, oldest first.
    pub fn vends(&self) -> Vec<String> {
        self.started
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
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
