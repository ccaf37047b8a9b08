//! Waiting on conditions with a deadline, never on fixed sleeps: a check is
//! retried every few milliseconds until it yields a value or time runs out.

use anyhow::{bail, Result};
use std::time::{Duration, Instant};

/// How long the tests wait for anything the customer would notice.
pub const SCREEN_TIMEOUT: Duration = Duration::from_secs(15);

/// Between two looks at the condition.
const POLL: Duration = Duration::from_millis(25);

/// Retries `check` until it returns `Some`, failing after `timeout` with
/// `what` and the last error the check reported, if any.
pub async fn until<T>(
    what: &str,
    timeout: Duration,
    mut check: impl AsyncFnMut() -> Result<Option<T>>,
) -> Result<T> {
    let deadline = Instant::now() + timeout;
    let mut last_error = None;
    loop {
        match check().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(e) => last_error = Some(e),
        }
        if Instant::now() >= deadline {
            match last_error {
                Some(e) => {
                    bail!("timed out after {timeout:?} waiting for {what} (last error: {e:#})")
                }
                None => bail!("timed out after {timeout:?} waiting for {what}"),
            }
        }
        tokio::time::sleep(POLL).await;
    }
}
