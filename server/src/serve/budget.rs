//! File descriptors: raise the soft limit to the hard one at start, and derive
//! how many connections may be open from it, keeping a reserve so the payment
//! calls, the store and the vend program never meet EMFILE.

use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};

/// Descriptors kept out of the connection budget: stdio, the runtime's own,
/// listeners, SQLite's three files, the connections to the payment service
/// and the dispenser, a vend program's pipes. About 20 are in use at rest.
pub const RESERVE: u64 = 64;

/// Where the hard limit is "unlimited", the soft one is raised this far.
const UNLIMITED_TARGET: u64 = 65_536;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit where allowed; returns
/// the soft limit in force afterwards.
pub fn raise_file_limit() -> u64 {
    let limit = getrlimit(Resource::Nofile);
    let target = limit.maximum.unwrap_or(UNLIMITED_TARGET);
    let current = limit.current.unwrap_or(u64::MAX);
    if current < target {
        let raised = Rlimit {
            current: Some(target),
            maximum: limit.maximum,
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => return target,
            Err(e) => tracing::warn!(error = %e, current, target, "could not raise the file limit"),
        }
    }
    current
}

/// Connections allowed with `nofile` descriptors: half of what the reserve
/// leaves, since a connection sending a file holds a second descriptor.
pub fn connection_budget(nofile: u64) -> usize {
    let budget = nofile.saturating_sub(RESERVE) / 2;
    usize::try_from(budget).unwrap_or(usize::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_keeps_the_reserve_and_room_for_a_file_per_connection() {
        assert_eq!(connection_budget(1024), 480);
        assert_eq!(connection_budget(128), 32);
        assert_eq!(connection_budget(10), 1);
    }
}
