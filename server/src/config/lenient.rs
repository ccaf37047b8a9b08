//! Numbers and booleans that may arrive as strings: environment variables are
//! always text, and `VENDSCREEN_EPAYMENT_MSN=123456` must stay a string while
//! `VENDSCREEN_MACHINE_SESSION_TIMEOUT_S=300` must become a number.

use serde::{de::Error, Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum Text<T> {
    Value(T),
    Text(String),
}

fn parse<'de, D: Deserializer<'de>, T: std::str::FromStr + Deserialize<'de>>(
    d: D,
) -> Result<T, D::Error> {
    match Text::<T>::deserialize(d)? {
        Text::Value(v) => Ok(v),
        Text::Text(s) => s
            .trim()
            .parse()
            .map_err(|_| D::Error::custom(format!("{s:?} is not a valid value"))),
    }
}

pub fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    parse(d)
}

pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    parse(d)
}

pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    parse(d)
}

pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    parse(d).map(Some)
}
