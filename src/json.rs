//! JSON text ↔ the protocol's types, through serde.
//!
//! In the browser the text is parsed by the browser's own `JSON.parse` and the
//! resulting value is read by a small serde `Deserializer` over `JsValue`
//! (`js_value.rs`): the protocol's serde derives stay the one contract, but the
//! wasm carries no JSON parser and no error formatting — serde's error
//! messages alone pull float formatting (~15 KB) into the download. Natively
//! (unit tests, tools) serde_json reads the same text into the same types; the
//! browser tests check the two agree on every golden message.
//! Request bodies are small and go out through serde_json on both.
//!
//! Why not the well-kept `serde-wasm-bindgen` (issue 13 asked): measured on
//! 2026-12-07 with `scripts/build-display`, swapping `js_value::Value` for
//! `serde_wasm_bindgen::from_value` took the first load from 103,569 to
//! 117,242 bytes brotli (+13.7 KB, over the 110,000 budget): its errors
//! format serde's messages, which pulls in `core::fmt`'s float printing.

use serde::de::DeserializeOwned;
use serde::Serialize;

#[cfg(target_arch = "wasm32")]
#[path = "js_value.rs"]
pub mod js_value;

/// The value in `text`, or None when it is not JSON or not a `T`.
pub fn decode<T: DeserializeOwned>(text: &str) -> Option<T> {
    #[cfg(target_arch = "wasm32")]
    {
        let value = js_sys::JSON::parse(text).ok()?;
        T::deserialize(js_value::Value(value)).ok()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::from_str(text).ok()
    }
}

/// `value` as JSON text (a request body).
pub fn encode<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use vendscreen_protocol as wire;

    #[test]
    fn a_request_body_round_trips() {
        let body = wire::CreateSession {
            product_id: "cola".into(),
        };
        let text = encode(&body).unwrap();
        assert_eq!(text, r#"{"productId":"cola"}"#);
        let back: wire::CreateSession = decode(&text).unwrap();
        assert_eq!(back.product_id, "cola");
    }

    #[test]
    fn what_is_not_json_or_not_the_type_is_none() {
        assert!(decode::<wire::CreateSession>("{not json").is_none());
        assert!(decode::<wire::CreateSession>(r#"{"other":1}"#).is_none());
    }
}
