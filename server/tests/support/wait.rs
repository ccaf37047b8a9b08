//! `wait_until`: the one way the tests wait. A check is retried every few
//! milliseconds until it yields a value or the deadline passes; never a
//! fixed sleep standing in for "long enough". One file for every test
//! binary of the server and for the end-to-end harness (`e2e/src/wait.rs`
//! includes it), so there is one loop to read and to fix.

use std::fmt::Display;
use std::time::Duration;

/// Between two looks at the condition.
const POLL: Duration = Duration::from_millis(25);

/// The condition never held; says what was awaited and the last error seen.
#[derive(Debug)]
pub struct TimedOut(String);

impl Display for TimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TimedOut {}

/// Retries `check` until it returns `Ok(Some(_))`, failing after `timeout`
/// with `what` and the last error the check reported, if any.
pub async fn wait_until<T, E: Display>(
    what: &str,
    timeout: Duration,
    mut check: impl AsyncFnMut() -> Result<Option<T>, E>,
) -> Result<T, TimedOut> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut last_error = None;
    loop {
        match check().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(e) => last_error = Some(format!("{e:#}")),
        }
        if tokio::time::Instant::now() >= deadline {
            let last = last_error.map(|e| format!(" (last error: {e})"));
            return Err(TimedOut(format!(
                "timed out after {timeout:?} waiting for {what}{}",
                last.unwrap_or_default()
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// [`wait_until`] for a check that cannot fail; panics on time-out (a test).
#[allow(dead_code)]
pub async fn wait_for<T>(
    what: &str,
    timeout: Duration,
    mut check: impl AsyncFnMut() -> Option<T>,
) -> T {
    let found = wait_until(what, timeout, async || {
        Ok::<_, std::convert::Infallible>(check().await)
    });
    found.await.unwrap_or_else(|e| panic!("{e}"))
}
