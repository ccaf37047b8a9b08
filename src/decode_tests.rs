//! The hand-written decoders agree with the protocol's serde derives on every
//! golden file, and fail (never panic) on what serde would refuse.

use super::*;
use std::fs;

fn golden(name: &str) -> String {
    let path = format!(
        "{}/protocol/tests/golden/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_golden_file_decodes_as_serde_does() {
    let dir = format!("{}/protocol/tests/golden", env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for entry in fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let text = golden(&name);
        match name.as_str() {
            n if n.starts_with("session") => {
                assert_eq!(session(&text), serde_json::from_str(&text).ok(), "{n}")
            }
            n if n.starts_with("snapshot") => {
                assert_eq!(snapshot(&text), serde_json::from_str(&text).ok(), "{n}")
            }
            n if n.starts_with("machine") => {
                assert_eq!(machine(&text), serde_json::from_str(&text).ok(), "{n}")
            }
            n if n.starts_with("catalog") => {
                assert_eq!(catalog(&text), serde_json::from_str(&text).ok(), "{n}")
            }
            n if n.starts_with("problem") => {
                assert_eq!(problem(&text), serde_json::from_str(&text).ok(), "{n}")
            }
            // Sent by the display or read by others: not decoded here.
            _ => continue,
        }
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} golden files checked");
}

#[test]
fn golden_files_decode_to_something() {
    assert!(session(&golden("session_awaiting.json")).is_some());
    assert!(catalog(&golden("catalog.json")).is_some_and(|c| !c.products.is_empty()));
    assert!(snapshot(&golden("snapshot_idle.json")).is_some());
}

#[test]
fn unknown_reasons_and_fields_are_tolerated_like_serde() {
    let text = r#"{"inService":false,"reason":"alienInvasion","serverTime":"2025-03-01T12:00:00Z","extra":[1,{"a":null}]}"#;
    let ours = machine(text).unwrap();
    assert_eq!(ours.reason, Some(OutOfServiceReason::Unknown));
    assert_eq!(Some(ours), serde_json::from_str(text).ok());
}

#[test]
fn malformed_input_is_refused_like_serde() {
    let base = golden("session_awaiting.json");
    let broken = [
        base.replace("\"awaitingPayment\"", "\"teleporting\""),
        base.replace("\"NOK\"", "\"SEK\"")
            .replace("\"DKK\"", "\"SEK\"")
            .replace("\"EUR\"", "\"SEK\""),
        base.replace("\"reference\"", "\"ref\""),
        "{}".to_owned(),
        "[]".to_owned(),
        "not json".to_owned(),
    ];
    for text in broken {
        let serde: Option<wire::Session> = serde_json::from_str(&text).ok();
        assert_eq!(session(&text), serde, "{text}");
        assert_eq!(session(&text), None, "{text}");
    }
}
