//! The one way this server waits before trying again: exponential backoff
//! with jitter, capped, for a bounded number of tries (one HTTP call, where a
//! customer waits) or for as long as it takes (money that must be settled, a
//! transition that must be stored). What is worth retrying is decided where
//! the error is known (`EpaymentError::is_transient`); how long to wait, here.

use rand::Rng;
use std::time::Duration;

/// How hard to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in total, the first included; `None`: never give up.
    pub attempts: Option<u32>,
    /// The wait before the second try; it doubles per try.
    pub base_delay: Duration,
    /// No wait is longer than this (a server's `Retry-After` included).
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// One call to the payment service while a customer waits.
    pub const CALL: RetryPolicy = RetryPolicy {
        attempts: Some(5),
        base_delay: Duration::from_millis(200),
        max_delay: Duration::from_secs(5),
    };

    /// Work that must eventually happen (a capture, a stored transition).
    pub const fn forever(base_delay: Duration, max_delay: Duration) -> RetryPolicy {
        RetryPolicy {
            attempts: None,
            base_delay,
            max_delay,
        }
    }

    /// The wait after `tries` failed tries (1 = after the first): the base
    /// doubled per try, capped, with full jitter in the upper half (× 0.5–1),
    /// so retries from many machines after one outage do not arrive together.
    /// For work whose tries are counted elsewhere (a stored attempt count).
    pub fn delay_after(self, tries: u32) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(1 << tries.saturating_sub(1).min(16))
            .min(self.max_delay);
        ceiling.mul_f64(rand::rng().random_range(0.5..=1.0))
    }

    /// A fresh sequence of waits.
    pub fn backoff(self) -> Backoff {
        Backoff {
            policy: self,
            tries: 1,
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::CALL
    }
}

/// The waits of one retried piece of work.
#[derive(Debug, Clone)]
pub struct Backoff {
    policy: RetryPolicy,
    /// Tries made so far.
    tries: u32,
}

impl Backoff {
    /// The wait before the next try ([`RetryPolicy::delay_after`]), or
    /// `None` when the tries are used up; never shorter than `at_least` (a
    /// server's `Retry-After`) unless that exceeds the cap.
    pub fn next_delay(&mut self, at_least: Option<Duration>) -> Option<Duration> {
        if self.policy.attempts.is_some_and(|n| self.tries >= n) {
            return None;
        }
        let jittered = self.policy.delay_after(self.tries);
        self.tries = self.tries.saturating_add(1);
        let floor = at_least.unwrap_or_default().min(self.policy.max_delay);
        Some(jittered.max(floor))
    }

    /// Sleeps for the next delay; false (at once) when the tries are used up.
    pub async fn wait(&mut self) -> bool {
        match self.next_delay(None) {
            Some(d) => {
                tokio::time::sleep(d).await;
                true
            }
            None => false,
        }
    }

    /// Tries made so far.
    pub fn tries(&self) -> u32 {
        self.tries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn waits_double_within_jitter_up_to_the_cap() {
        let mut b = RetryPolicy::forever(100 * MS, 1000 * MS).backoff();
        for ceiling in [100, 200, 400, 800, 1000, 1000, 1000] {
            let d = b.next_delay(None).unwrap();
            assert!(
                d >= ceiling * MS / 2 && d <= ceiling * MS,
                "{d:?} vs {ceiling}"
            );
        }
    }

    #[test]
    fn a_bounded_policy_stops_after_its_tries() {
        let mut b = RetryPolicy::CALL.backoff();
        let waits = std::iter::from_fn(|| b.next_delay(None)).count();
        assert_eq!(waits, 4, "five tries: four waits between them");
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let mut b = RetryPolicy::CALL.backoff();
        assert_eq!(b.next_delay(Some(3000 * MS)), Some(3000 * MS));
        assert_eq!(b.next_delay(Some(60_000 * MS)), Some(5000 * MS));
    }

    #[test]
    fn forever_never_runs_out_and_never_overflows() {
        let mut b = RetryPolicy::forever(MS, Duration::from_secs(30)).backoff();
        for _ in 0..10_000 {
            assert!(b.next_delay(None).unwrap() <= Duration::from_secs(30));
        }
    }
}
