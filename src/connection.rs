//! How healthy the event stream is, and how long to wait before reconnecting.
//! Pure: `events.rs` feeds it the time since the last message.

/// The stream's health, as the screen shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Not heard from the server yet.
    Connecting,
    /// A message (or `ping`) arrived recently.
    Live,
    /// Silent for longer than a ping interval and then some: show the banner.
    Stale,
    /// Silent for long: the screen cannot vouch for a payment's outcome, so
    /// the QR is dimmed and nobody pays into it.
    Lost,
}

/// The watchdog's thresholds. The server pings every 10 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timings {
    /// Silence after which the banner shows.
    pub stale_after_ms: u32,
    /// Further silence after which the QR is dimmed.
    pub lost_after_ms: u32,
    /// Silence after which the watchdog drops and reopens the stream, for a
    /// half-open TCP connection the browser would otherwise wait on forever.
    pub reopen_after_ms: u32,
    /// First reconnect delay; doubles per failure up to `max_backoff_ms`.
    pub min_backoff_ms: u32,
    /// Longest reconnect delay.
    pub max_backoff_ms: u32,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            stale_after_ms: 20_000,
            lost_after_ms: 50_000,
            reopen_after_ms: 25_000,
            min_backoff_ms: 1_000,
            max_backoff_ms: 30_000,
        }
    }
}

impl Timings {
    /// The link after `silence_ms` without a message; `heard` is false until
    /// the first message of this page's life.
    pub fn link(&self, heard: bool, silence_ms: f64) -> Link {
        if silence_ms >= f64::from(self.lost_after_ms) {
            Link::Lost
        } else if silence_ms >= f64::from(self.stale_after_ms) {
            Link::Stale
        } else if heard {
            Link::Live
        } else {
            Link::Connecting
        }
    }

    /// Delay before reconnect attempt number `attempt` (0-based).
    pub fn backoff_ms(&self, attempt: u32) -> u32 {
        let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
        self.min_backoff_ms
            .saturating_mul(factor)
            .min(self.max_backoff_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_goes_stale_after_twenty_seconds_and_lost_after_fifty() {
        let t = Timings::default();
        assert_eq!(t.link(false, 0.0), Link::Connecting);
        assert_eq!(t.link(true, 19_999.0), Link::Live);
        assert_eq!(t.link(true, 20_000.0), Link::Stale);
        assert_eq!(t.link(false, 20_000.0), Link::Stale);
        assert_eq!(t.link(true, 50_000.0), Link::Lost);
    }

    #[test]
    fn backoff_doubles_up_to_a_ceiling() {
        let t = Timings::default();
        let delays: Vec<u32> = (0..7).map(|a| t.backoff_ms(a)).collect();
        assert_eq!(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
        assert_eq!(t.backoff_ms(u32::MAX), 30_000);
    }
}
