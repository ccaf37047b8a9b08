//! One server-sent event's data → the screen event and the server time it
//! carries, decoded by serde into the protocol's types (`json.rs`). Pure, so it is tested natively; `events.rs` does the I/O.

use crate::screen::Event;
use vendscreen_protocol as wire;

/// The screen event in an SSE message, and the server time it carries.
pub fn parse(name: &str, data: &str) -> Option<(Option<Event>, String)> {
    let (time, event) = match name {
        wire::event_names::SNAPSHOT => {
            let s: wire::Snapshot = crate::json::decode(data)?;
            (s.server_time.clone(), Event::Snapshot(s))
        }
        wire::event_names::SESSION => {
            let s: wire::Session = crate::json::decode(data)?;
            (s.server_time.clone(), Event::Session(s))
        }
        wire::event_names::MACHINE => {
            let m: wire::MachineStatus = crate::json::decode(data)?;
            (m.server_time.clone(), Event::Machine(m))
        }
        // Accept the time bare or as a JSON string.
        _ => return Some((None, data.trim().trim_matches('"').to_owned())),
    };
    Some((Some(event), time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ping_carries_only_the_servers_time() {
        assert_eq!(
            parse("ping", "2025-03-01T12:00:00Z"),
            Some((None, "2025-03-01T12:00:00Z".into()))
        );
        assert_eq!(
            parse("ping", "\"2025-03-01T12:00:00Z\""),
            Some((None, "2025-03-01T12:00:00Z".into()))
        );
    }

    #[test]
    fn a_machine_event_becomes_a_screen_event() {
        let (event, time) = parse(
            "machine",
            r#"{"inService":true,"serverTime":"2025-03-01T12:00:00Z"}"#,
        )
        .unwrap();
        assert!(matches!(event, Some(Event::Machine(m)) if m.in_service));
        assert_eq!(time, "2025-03-01T12:00:00Z");
    }

    #[test]
    fn garbage_is_ignored_not_unwrapped() {
        assert_eq!(parse("session", "{not json"), None);
    }
}
