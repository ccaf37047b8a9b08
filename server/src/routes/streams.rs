//! Caps on `/api/events` (issue 10, item 6). A screen needs one stream, two
//! for a moment while it reconnects: a few per client is plenty, and a total
//! keeps streams from filling the connection budget.

use crate::error::AppError;
use crate::telemetry::metrics;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Streams one client (IP address) may hold at once.
pub const PER_CLIENT: usize = 4;
/// Streams all clients may hold at once (at most half the connections).
pub const TOTAL: usize = 32;

/// The open streams, counted per client.
#[derive(Clone)]
pub struct StreamSlots {
    open: Arc<Mutex<Open>>,
    total: usize,
}

#[derive(Default)]
struct Open {
    total: usize,
    by_client: HashMap<Option<IpAddr>, usize>,
}

/// One stream's place; dropping it (the stream ended) gives it back.
pub struct StreamSlot {
    slots: StreamSlots,
    client: Option<IpAddr>,
}

impl StreamSlots {
    /// Allows [`TOTAL`] streams, or half of `max_connections` if less.
    pub fn new(max_connections: usize) -> Self {
        StreamSlots {
            open: Arc::default(),
            total: TOTAL.min(max_connections / 2).max(1),
        }
    }

    /// A place for a stream of `client`, or 429.
    pub fn take(&self, client: Option<IpAddr>) -> Result<StreamSlot, AppError> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let mine = open.by_client.get(&client).copied().unwrap_or(0);
        if mine >= PER_CLIENT {
            return Err(AppError::TooMany(format!(
                "this client already has {PER_CLIENT} event streams open"
            )));
        }
        if open.total >= self.total {
            return Err(AppError::TooMany("too many event streams are open".into()));
        }
        open.total += 1;
        *open.by_client.entry(client).or_default() += 1;
        metrics::stream_opened();
        Ok(StreamSlot {
            slots: self.clone(),
            client,
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(|e| e.into_inner());
        open.total = open.total.saturating_sub(1);
        metrics::stream_closed();
        if let Some(n) = open.by_client.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                open.by_client.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_a_few_and_gives_them_back() {
        let slots = StreamSlots::new(1000);
        let me = Some(IpAddr::from([127, 0, 0, 1]));
        let held: Vec<_> = (0..PER_CLIENT).map(|_| slots.take(me).unwrap()).collect();
        assert!(slots.take(me).is_err());
        assert!(slots.take(Some(IpAddr::from([127, 0, 0, 2]))).is_ok());
        drop(held);
        assert!(slots.take(me).is_ok());
    }

    #[test]
    fn the_total_is_at_most_half_the_connections() {
        let slots = StreamSlots::new(4);
        let _a = slots.take(Some(IpAddr::from([10, 0, 0, 1]))).unwrap();
        let _b = slots.take(Some(IpAddr::from([10, 0, 0, 2]))).unwrap();
        assert!(slots.take(Some(IpAddr::from([10, 0, 0, 3]))).is_err());
    }
}
