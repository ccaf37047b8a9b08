//! A serde `Deserializer` over a `JsValue` that came from `JSON.parse`.
//!
//! JSON has six kinds of value and the protocol's types need all of them:
//! null (an absent `Option`), booleans, numbers (integers: money is in minor
//! units), strings (and unit enum variants), arrays and objects (structs).
//! Everything else serde's derives ask for is answered by `deserialize_any`.
//!
//! Kept over `serde-wasm-bindgen` because that crate cost 13.7 KB brotli more
//! of the first load, past its budget (measured: see `json.rs`).

use js_sys::{Array, Object, Reflect};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};

/// Why a value could not be read. Deliberately carries no text: building
/// serde's messages would put `core::fmt`'s float printing into the wasm,
/// and all the display does with a bad message is ignore it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid;

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not the expected JSON")
    }
}

impl std::error::Error for Invalid {}

// Every constructor is overridden: the defaults would format their arguments.
impl de::Error for Invalid {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Invalid
    }
    fn invalid_type(_: de::Unexpected, _: &dyn de::Expected) -> Self {
        Invalid
    }
    fn invalid_value(_: de::Unexpected, _: &dyn de::Expected) -> Self {
        Invalid
    }
    fn invalid_length(_: usize, _: &dyn de::Expected) -> Self {
        Invalid
    }
    fn unknown_variant(_: &str, _: &'static [&'static str]) -> Self {
        Invalid
    }
    fn unknown_field(_: &str, _: &'static [&'static str]) -> Self {
        Invalid
    }
    fn missing_field(_: &'static str) -> Self {
        Invalid
    }
    fn duplicate_field(_: &'static str) -> Self {
        Invalid
    }
}

/// A parsed JSON value, ready to be read into a `T: Deserialize`.
pub struct Value(pub JsValue);

/// Integers up to 2^53 are exact in a JS number; anything else stays a float
/// (which no protocol field accepts, so it is rejected, never rounded).
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

impl<'de> de::Deserializer<'de> for Value {
    type Error = Invalid;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        match Kind::of(self.0).ok_or(Invalid)? {
            Kind::Null => visitor.visit_unit(),
            Kind::Bool(b) => visitor.visit_bool(b),
            Kind::Unsigned(n) => visitor.visit_u64(n),
            Kind::Signed(n) => visitor.visit_i64(n),
            Kind::Float(n) => visitor.visit_f64(n),
            Kind::String(s) => visitor.visit_string(s),
            Kind::Array(array) => visitor.visit_seq(Items { array, next: 0 }),
            Kind::Object(object, keys) => visitor.visit_map(Entries {
                object,
                keys,
                next: 0,
                value: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    /// Unit variants only: the protocol's enums are plain strings.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        let name = self.0.as_string().ok_or(Invalid)?;
        visitor.visit_enum(IntoDeserializer::<Invalid>::into_deserializer(name))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Invalid> {
        visitor.visit_newtype_struct(self)
    }

    /// Unknown fields are skipped without being walked.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Invalid> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

/// What a JSON value is, worked out once and outside the generic code:
/// `deserialize_any` is instantiated for every visitor the derives make.
enum Kind {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    String(String),
    Array(Array),
    Object(JsValue, Array),
}

impl Kind {
    #[inline(never)]
    fn of(v: JsValue) -> Option<Kind> {
        Some(if v.is_null() || v.is_undefined() {
            Kind::Null
        } else if let Some(b) = v.as_bool() {
            Kind::Bool(b)
        } else if let Some(n) = v.as_f64() {
            if n.fract() != 0.0 || n.abs() > MAX_EXACT {
                Kind::Float(n)
            } else if n < 0.0 {
                Kind::Signed(n as i64)
            } else {
                Kind::Unsigned(n as u64)
            }
        } else if let Some(s) = v.as_string() {
            Kind::String(s)
        } else if Array::is_array(&v) {
            Kind::Array(v.unchecked_into())
        } else if v.is_object() {
            let keys = Object::keys(v.unchecked_ref::<Object>());
            Kind::Object(v, keys)
        } else {
            return None;
        })
    }
}

/// The elements of an array, in order.
struct Items {
    array: Array,
    next: u32,
}

impl<'de> de::SeqAccess<'de> for Items {
    type Error = Invalid;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Invalid> {
        if self.next >= self.array.length() {
            return Ok(None);
        }
        let item = self.array.get(self.next);
        self.next += 1;
        seed.deserialize(Value(item)).map(Some)
    }
}

/// An object's own keys (JSON order) and their values.
struct Entries {
    object: JsValue,
    keys: Array,
    next: u32,
    value: Option<JsValue>,
}

impl<'de> de::MapAccess<'de> for Entries {
    type Error = Invalid;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Invalid> {
        if self.next >= self.keys.length() {
            return Ok(None);
        }
        let key = self.keys.get(self.next);
        self.next += 1;
        self.value = Some(Reflect::get(&self.object, &key).map_err(|_| Invalid)?);
        seed.deserialize(Value(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Invalid> {
        seed.deserialize(Value(self.value.take().ok_or(Invalid)?))
    }
}
