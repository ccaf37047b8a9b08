//! Crash points for the crash tests: when `VENDSCREEN_CRASH_AT` names a point,
//! the process aborts there, exactly as a power cut or SIGKILL would (no
//! destructors, no flushing). Unset in production, where this is one env lookup.

use std::sync::OnceLock;

/// Aborts the process if `point` is the configured crash point.
pub fn hit(point: &str) {
    static TARGET: OnceLock<Option<String>> = OnceLock::new();
    let target = TARGET.get_or_init(|| std::env::var("VENDSCREEN_CRASH_AT").ok());
    if target.as_deref() == Some(point) {
        eprintln!("vendscreen: crash point {point:?} reached; aborting");
        std::process::abort();
    }
}
