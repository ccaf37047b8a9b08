#![cfg(target_arch = "wasm32")]
//! The display's JSON decoding in the browser (`JSON.parse` + the `JsValue`
//! deserializer) must read every protocol message exactly as serde_json does
//! natively, and refuse what serde_json refuses.

use serde::de::DeserializeOwned;
use std::fmt::Debug;
use vendscreen::json::decode;
use vendscreen_protocol as wire;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Decodes `text` both ways and demands the same, successful, answer.
fn agrees<T: DeserializeOwned + PartialEq + Debug>(text: &str) -> T {
    let reference: T = serde_json::from_str(text).expect("serde_json reads the golden file");
    let ours: Option<T> = decode(text);
    assert_eq!(ours.as_ref(), Some(&reference), "decoding {text}");
    reference
}

macro_rules! golden {
    ($file:literal) => {
        include_str!(concat!("../protocol/tests/golden/", $file))
    };
}

#[wasm_bindgen_test]
fn every_golden_message_decodes_as_serde_json_does() {
    let catalog: wire::Catalog = agrees(golden!("catalog.json"));
    assert!(!catalog.products.is_empty());
    agrees::<wire::CreateSession>(golden!("create_session.json"));
    agrees::<wire::Health>(golden!("health.json"));
    agrees::<wire::MachineStatus>(golden!("machine_out_of_service.json"));
    agrees::<wire::Problem>(golden!("problem.json"));
    agrees::<wire::Session>(golden!("session_awaiting.json"));
    agrees::<wire::Session>(golden!("session_cancelling.json"));
    let ended: wire::Session = agrees(golden!("session_ended.json"));
    assert_eq!(ended.amount.value, 4250);
    agrees::<wire::Snapshot>(golden!("snapshot_idle.json"));
}

#[wasm_bindgen_test]
fn unknown_fields_and_states_from_a_newer_server_are_tolerated() {
    let text =
        r#"{"inService":true,"serverTime":"2026-11-24T10:00:00Z","futureField":[1,{"a":null}]}"#;
    let status: wire::MachineStatus = agrees(text);
    assert!(status.in_service);
}

#[wasm_bindgen_test]
fn what_serde_json_refuses_is_refused() {
    let bad = [
        "{not json",
        "",
        "null",
        "[]",
        // amount must be a whole number of minor units, never a float or a string
        r#"{"value":12.5,"currency":"NOK"}"#,
        r#"{"value":"100","currency":"NOK"}"#,
        // a currency we do not know
        r#"{"value":100,"currency":"SEK"}"#,
        // a required field missing
        r#"{"currency":"NOK"}"#,
    ];
    for text in bad {
        assert!(serde_json::from_str::<wire::Money>(text).is_err(), "{text}");
        assert_eq!(decode::<wire::Money>(text), None, "{text}");
    }
}
