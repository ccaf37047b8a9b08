//! Waiting on conditions with a deadline, never on fixed sleeps: the
//! server's tests' `wait_until` (one loop for every test), and the time the
//! tests give anything a customer would notice.

#[path = "../../server/tests/support/wait.rs"]
mod shared;

pub use shared::{wait_until, TimedOut};
use std::time::Duration;

/// How long the tests wait for anything the customer would notice.
pub const SCREEN_TIMEOUT: Duration = Duration::from_secs(15);

/// [`wait_until`] for checks written with `anyhow` (the harness's error type).
pub async fn until<T>(
    what: &str,
    timeout: Duration,
    check: impl AsyncFnMut() -> anyhow::Result<Option<T>>,
) -> anyhow::Result<T> {
    Ok(wait_until(what, timeout, check).await?)
}
