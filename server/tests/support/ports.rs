//! Ports for child server processes.

use std::sync::atomic::{AtomicU32, Ordering};

/// A port for a child server that nobody else is handed meanwhile. Not
/// `bind(0)`: the kernel may give that port to a parallel test's server
/// before our child binds it, and our health check then answers from theirs.
/// Below Linux's ephemeral range (32768+), where `bind(0)` and outgoing
/// connections never land; unique within this test binary; free right now.
pub fn free_port() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = std::process::id().wrapping_mul(97);
    loop {
        let n = start.wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed));
        let port = 20_000 + (n % 12_000) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}
