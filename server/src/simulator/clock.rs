//! The simulator's clock: real time plus an offset tests can push forward, so
//! a 10-minute expiry takes no 10 minutes to test.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Real time shifted by everything `advance` was given.
#[derive(Debug, Default)]
pub struct SimClock {
    offset: Mutex<Duration>,
}

impl SimClock {
    /// The simulator's "now".
    pub fn now(&self) -> SystemTime {
        SystemTime::now() + *self.offset.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves the clock forward; it never goes back.
    pub fn advance(&self, by: Duration) {
        *self.offset.lock().unwrap_or_else(|p| p.into_inner()) += by;
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
    fn timestamps_have_millisecond_precision() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_millis(1_736_849_729_812);
        assert_eq!(rfc3339(t), "2025-01-14T10:15:29.812Z");
    }
}
