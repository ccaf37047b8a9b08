//! Comparing two JSON answers field by field: the same keys, the same JSON
//! types, enum spellings and amounts exactly, and the values that differ
//! per call (references, pspReferences, timestamps, keys, tokens, URLs)
//! by their shape.

use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Keys whose string values are enums or fixed words: compared exactly.
const EXACT: [&str; 8] = [
    "state",
    "name",
    "currency",
    "type",
    "token_type",
    "resource",
    "reason",
    "events",
];

/// What `value` looks like, with the varying parts replaced by their shape.
pub fn skeleton(value: &Value) -> Value {
    walk(value, None)
}

fn walk(value: &Value, key: Option<&str>) -> Value {
    match value {
        Value::Object(fields) => {
            let mut out = Map::new();
            for (k, v) in fields {
                out.insert(k.clone(), walk(v, Some(k)));
            }
            Value::Object(out)
        }
        // Elements keep their parent's key, so `events: [..]` stays exact.
        Value::Array(items) => Value::Array(items.iter().map(|v| walk(v, key)).collect()),
        Value::String(s) if key.is_some_and(|k| EXACT.contains(&k)) => json!(s),
        Value::String(s) => json!(format!("<{}>", kind(s))),
        other => other.clone(),
    }
}

/// The shape of a string that varies from call to call.
fn kind(s: &str) -> &'static str {
    let hex_groups: Vec<usize> = s.split('-').map(str::len).collect();
    let all_hex = s.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if all_hex && hex_groups == [8, 4, 4, 4, 12] {
        "guid"
    } else if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        "digits"
    } else if OffsetDateTime::parse(s, &Rfc3339).is_ok() {
        "timestamp"
    } else if s.starts_with("00-") && s.split('-').map(str::len).eq([2, 32, 16, 2]) {
        "traceparent"
    } else if s.starts_with("eyJ") && s.split('.').count() == 3 {
        "jwt"
    } else if s.starts_with("https://") || s.starts_with("http://") {
        "url"
    } else if s.starts_with('/') {
        "path"
    } else {
        "text"
    }
}

/// Fails with both skeletons when `actual` is not shaped like `golden`.
pub fn assert_same_shape(what: &str, golden: &Value, actual: &Value) {
    let (want, got) = (skeleton(golden), skeleton(actual));
    assert!(
        want == got,
        "{what}: the simulator's answer differs from the fixture\nfixture:   {}\nsimulator: {}\n(the answer itself: {actual})",
        serde_json::to_string_pretty(&want).unwrap(),
        serde_json::to_string_pretty(&got).unwrap(),
    );
}

#[test]
fn shapes_tell_the_varying_values_apart() {
    assert_eq!(kind("83b3fdb0-9547-4ec5-bdb7-5600ce70e792"), "guid");
    assert_eq!(kind("1304787731"), "digits");
    assert_eq!(kind("2023-03-27T10:51:44.5333258Z"), "timestamp");
    assert_eq!(
        kind("00-6614b5c7ea5c404b17e45c3a398c4754-5ca6de688e27022d-01"),
        "traceparent"
    );
    assert_eq!(kind("https://qr.vipps.no/c/abc123"), "url");
    assert_eq!(kind("/v1/payments/x/capture"), "path");
    assert_eq!(kind("vm-042-20250114-0001"), "text");
}

#[test]
fn a_misspelt_key_a_wrong_type_or_another_enum_word_is_a_difference() {
    let golden = json!({"state": "AUTHORIZED", "amount": {"currency": "NOK", "value": 6000}});
    for wrong in [
        json!({"State": "AUTHORIZED", "amount": {"currency": "NOK", "value": 6000}}),
        json!({"state": "Authorized", "amount": {"currency": "NOK", "value": 6000}}),
        json!({"state": "AUTHORIZED", "amount": {"currency": "NOK", "value": "6000"}}),
        json!({"state": "AUTHORIZED", "amount": {"currency": "NOK", "value": 6001}}),
        json!({"state": "AUTHORIZED", "amount": {"currency": "NOK"}}),
    ] {
        assert_ne!(skeleton(&golden), skeleton(&wrong), "{wrong}");
    }
    let other_call = json!({"state": "AUTHORIZED", "amount": {"value": 6000, "currency": "NOK"}});
    assert_eq!(skeleton(&golden), skeleton(&other_call));
}
