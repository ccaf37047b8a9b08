//! Countdown maths: the server's clock estimated from `serverTime` plus local
//! monotonic time, so a kiosk whose wall clock is wrong still counts right.
//! Pure: callers pass in `performance.now()` readings; nothing here reads a clock.

/// Milliseconds since the Unix epoch for an RFC 3339 timestamp
/// (`2025-01-31T12:00:00Z`, `…12:00:00.250+01:00`). `None` when malformed.
///
/// Hand-written so the wasm carries no date library: the server only ever
/// sends this one format.
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    // Bytes, not `str` slicing: nothing here can panic on a stray multi-byte
    // character (and the wasm needs no char-boundary panic message).
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (digits(b, 0, 4)?, digits(b, 5, 2)?, digits(b, 8, 2)?);
    let (hour, min, sec) = (digits(b, 11, 2)?, digits(b, 14, 2)?, digits(b, 17, 2)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut rest = b.get(19..)?;
    let mut millis = 0;
    if let [b'.', frac @ ..] = rest {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        // Keep millisecond precision: ".5" is 500 ms, ".123456" is 123 ms.
        millis = (0..3).fold(0, |ms, i| {
            ms * 10 + if i < n { i64::from(frac[i] - b'0') } else { 0 }
        });
        rest = frac.get(n..)?;
    }
    let offset_min = match rest {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let minutes = digits(rest, 1, 2)? * 60 + digits(rest, 4, 2)?;
            if *sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3_600 + min * 60 + sec - offset_min * 60;
    Some(secs * 1_000 + millis)
}

/// The `len` ASCII digits at `from` as a number; None if any is not a digit.
fn digits(b: &[u8], from: usize, len: usize) -> Option<i64> {
    b.get(from..from + len)?.iter().try_fold(0, |n, c| {
        c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
    })
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The server's clock, as far as the display can tell: the last `serverTime`
/// heard and the local monotonic instant it was heard at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServerClock {
    /// Server epoch-ms minus local monotonic ms at the last sync.
    offset_ms: f64,
}

impl ServerClock {
    /// A clock synced now: the server said `server_ms` when the local
    /// monotonic clock read `local_mono_ms`.
    pub fn synced(server_ms: i64, local_mono_ms: f64) -> Self {
        ServerClock {
            offset_ms: server_ms as f64 - local_mono_ms,
        }
    }

    /// The server's time at local monotonic instant `local_mono_ms`.
    pub fn now_ms(self, local_mono_ms: f64) -> i64 {
        (self.offset_ms + local_mono_ms).round() as i64
    }
}

/// Whole seconds left until `deadline_ms`, rounded up so "00:00" means gone.
pub fn seconds_left(deadline_ms: i64, server_now_ms: i64) -> u64 {
    let left = deadline_ms - server_now_ms;
    if left <= 0 {
        0
    } else {
        ((left + 999) / 1_000) as u64
    }
}

/// `mm:ss`, the way the pay screen shows time left.
pub fn mmss(secs: u64) -> String {
    format!("{:02}:{:02}", secs / 60, secs % 60)
}

/// How loudly the countdown speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// More than two minutes left: small and quiet.
    Calm,
    /// The last two minutes: big and coloured (and an icon, never colour alone).
    Urgent,
    /// Time is up; the server has not said how it ended yet.
    Checking,
}

impl Urgency {
    /// The urgency for `secs` seconds left.
    pub fn of(secs: u64) -> Self {
        match secs {
            0 => Urgency::Checking,
            1..=120 => Urgency::Urgent,
            _ => Urgency::Calm,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_and_offsets_to_the_same_instant() {
        let utc = parse_rfc3339_ms("2025-03-01T12:00:00Z").unwrap();
        assert_eq!(utc, 1_740_830_400_000);
        assert_eq!(parse_rfc3339_ms("2025-03-01T13:00:00+01:00"), Some(utc));
        assert_eq!(
            parse_rfc3339_ms("2025-03-01T11:30:00.5-00:30"),
            Some(utc + 500)
        );
        assert_eq!(
            parse_rfc3339_ms("1970-01-01T00:00:00.123456789Z"),
            Some(123)
        );
    }

    #[test]
    fn rejects_what_is_not_rfc3339() {
        for bad in [
            "",
            "2025-03-01",
            "2025-13-01T00:00:00Z",
            "2025-03-01T00:00:00",
            "2025-03-01T00:00:00.Z",
            "garbage-in-garbage-out",
        ] {
            assert_eq!(parse_rfc3339_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn counts_from_the_servers_clock_not_the_kiosks() {
        // The kiosk's wall clock is a year off; only the monotonic clock is used.
        let server_now = parse_rfc3339_ms("2031-06-01T10:00:00Z").unwrap();
        let expires = parse_rfc3339_ms("2031-06-01T10:05:00Z").unwrap();
        let clock = ServerClock::synced(server_now, 12_345.0);
        assert_eq!(seconds_left(expires, clock.now_ms(12_345.0)), 300);
        assert_eq!(
            seconds_left(expires, clock.now_ms(12_345.0 + 61_000.0)),
            239
        );
        assert_eq!(seconds_left(expires, clock.now_ms(12_345.0 + 300_000.0)), 0);
    }

    #[test]
    fn rounds_up_so_zero_means_expired() {
        assert_eq!(seconds_left(1_000, 1), 1);
        assert_eq!(seconds_left(1_000, 1_000), 0);
        assert_eq!(seconds_left(1_000, 5_000), 0);
        assert_eq!(mmss(599), "09:59");
        assert_eq!(mmss(0), "00:00");
    }

    #[test]
    fn is_calm_until_the_last_two_minutes() {
        assert_eq!(Urgency::of(121), Urgency::Calm);
        assert_eq!(Urgency::of(120), Urgency::Urgent);
        assert_eq!(Urgency::of(1), Urgency::Urgent);
        assert_eq!(Urgency::of(0), Urgency::Checking);
    }
}
