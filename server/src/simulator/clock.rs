//! The simulator's clock: real time plus an offset tests can push forward, so
//! a 10-minute expiry takes no 10 minutes to test.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The longest single step `POST /sim/clock/advance` takes: 30 days outlasts
/// every timer the simulator keeps (10-minute payments, 1-hour tokens, a day
/// of webhook retries) and an authorization's 7-day life, with room to spare.
pub const MAX_STEP: Duration = Duration::from_secs(30 * 24 * 3600);

/// How far ahead of real time the clock may get in all: ten years keeps
/// every timestamp it stamps well inside what RFC 3339 and HTTP dates hold.
pub const MAX_OFFSET: Duration = Duration::from_secs(3650 * 24 * 3600);

/// Real time shifted by everything `advance` was given.
#[derive(Debug, Default)]
pub struct SimClock {
    offset: Mutex<Duration>,
}

impl SimClock {
    /// The simulator's "now".
    pub fn now(&self) -> SystemTime {
        let offset = *self.offset.lock().unwrap_or_else(|p| p.into_inner());
        let real = SystemTime::now();
        real.checked_add(offset).unwrap_or(real)
    }

    /// Moves the clock forward (never back), at most to [`MAX_OFFSET`].
    pub fn advance(&self, by: Duration) {
        let mut offset = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        *offset = offset.saturating_add(by).min(MAX_OFFSET);
    }

    /// Like `advance`, but refuses a step over [`MAX_STEP`] or one that would
    /// take the clock past [`MAX_OFFSET`], saying why.
    pub fn try_advance(&self, by: Duration) -> Result<(), String> {
        if by > MAX_STEP {
            return Err(format!("at most {} s at a time", MAX_STEP.as_secs()));
        }
        let mut offset = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        match offset.checked_add(by).filter(|o| *o <= MAX_OFFSET) {
            Some(next) => {
                *offset = next;
                Ok(())
            }
            None => Err(format!(
                "the clock may run at most {} s ahead of real time",
                MAX_OFFSET.as_secs()
            )),
        }
    }
}

/// RFC 3339 with milliseconds and `Z`, like `2025-01-14T10:15:29.812Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let t = OffsetDateTime::from(t);
    let t = t
        .replace_nanosecond(t.millisecond() as u32 * 1_000_000)
        .unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

/// Stamps a response with the simulator's own time (`Date`), as Vipps's
/// answers carry Vipps's: clients judge an approval's age on that clock, so a
/// test that advances this one sees what a late approval looks like.
pub async fn date_header(
    now: SystemTime,
    mut response: axum::response::Response,
) -> axum::response::Response {
    if let Ok(date) = axum::http::HeaderValue::from_str(&httpdate::fmt_http_date(now)) {
        response
            .headers_mut()
            .insert(axum::http::header::DATE, date);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward() {
        let clock = SimClock::default();
        let before = clock.now();
        clock.advance(Duration::from_secs(600));
        assert!(clock.now().duration_since(before).unwrap() >= Duration::from_secs(600));
    }

    #[test]
    fn absurd_steps_are_refused_and_now_never_overflows() {
        let clock = SimClock::default();
        assert!(clock.try_advance(Duration::from_secs(u64::MAX)).is_err());
        assert!(clock
            .try_advance(MAX_STEP + Duration::from_secs(1))
            .is_err());
        clock.advance(Duration::MAX);
        assert!(clock.try_advance(Duration::from_secs(1)).is_err());
        // Still a time every formatter takes.
        assert!(!rfc3339(clock.now()).is_empty());
    }

    #[test]
    fn timestamps_have_millisecond_precision() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_736_849_729_812);
        assert_eq!(rfc3339(t), "2025-01-14T10:15:29.812Z");
    }
}
