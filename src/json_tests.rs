//! The JSON reader against hand-written documents; decode_tests.rs checks it
//! against serde_json on the golden files.

use super::*;

#[test]
fn reads_every_kind_of_value() {
    let v = parse(r#" {"a": [1, -2.5e1, true, false, null], "b": {"c": "x"}} "#).unwrap();
    let a = v.get("a").unwrap();
    assert_eq!(
        *a,
        Value::Arr(vec![
            Value::Int(1),
            Value::Frac,
            Value::Bool(true),
            Value::Bool(false),
            Value::Null
        ])
    );
    assert_eq!(
        v.get("b").and_then(|b| b.get("c")).and_then(Value::str),
        Some("x")
    );
}

#[test]
fn reads_escapes_and_unicode() {
    let v = parse(r#""a\"b\\c\/\n\u00e6\ud83d\ude00 ø""#).unwrap();
    assert_eq!(v.str(), Some("a\"b\\c/\næ😀 ø"));
}

#[test]
fn rejects_what_is_not_json() {
    for bad in [
        "",
        "{",
        "{\"a\" 1}",
        "[1,]",
        "\"open",
        "tru",
        "{} x",
        "\"\u{1}\"",
    ] {
        assert_eq!(parse(bad), None, "{bad:?}");
    }
    let deep = "[".repeat(100) + &"]".repeat(100);
    assert_eq!(parse(&deep), None);
}

#[test]
fn quotes_strings_back() {
    let s = "a\"b\\c\n";
    assert_eq!(parse(&quote(s)).unwrap().str(), Some(s));
}
