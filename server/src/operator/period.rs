//! The sales report's period: whole days in UTC, or instants (RFC 3339).

use time::{Date, OffsetDateTime, Time};

/// A period's end: a whole day or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Day(Date),
    At(OffsetDateTime),
}

impl Bound {
    pub fn parse(s: &str) -> Result<Bound, String> {
        let day = time::macros::format_description!("[year]-[month]-[day]");
        if let Ok(d) = Date::parse(s, &day) {
            return Ok(Bound::Day(d));
        }
        let rfc = time::format_description::well_known::Rfc3339;
        OffsetDateTime::parse(s, &rfc)
            .map(Bound::At)
            .map_err(|_| format!("expected a day YYYY-MM-DD or an RFC 3339 time, got `{s}`"))
    }

    pub fn start(self) -> OffsetDateTime {
        match self {
            Bound::Day(d) => d.with_time(Time::MIDNIGHT).assume_utc(),
            Bound::At(t) => t,
        }
    }

    /// A day ends where the next begins.
    pub fn end(self) -> OffsetDateTime {
        match self {
            Bound::Day(d) => Bound::Day(d.next_day().unwrap_or(d)).start(),
            Bound::At(t) => t,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_runs_from_its_midnight_to_the_next() {
        let day = Bound::parse("2026-12-01").unwrap();
        assert_eq!(crate::store::rfc3339(day.start()), "2026-12-01T00:00:00Z");
        assert_eq!(crate::store::rfc3339(day.end()), "2026-12-02T00:00:00Z");
        let at = Bound::parse("2026-12-01T06:00:00+01:00").unwrap();
        assert_eq!(at.end(), at.start());
        assert!(Bound::parse("1.12.2026")
            .unwrap_err()
            .contains("YYYY-MM-DD"));
    }
}
