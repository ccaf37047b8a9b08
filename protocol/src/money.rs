//! Amounts of money as the wire carries them: integer minor units and a currency.

use serde::{Deserialize, Serialize};

/// A currency the ePayment API accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    /// Norwegian krone (minor unit: øre).
    #[serde(rename = "NOK")]
    Nok,
    /// Danish krone (minor unit: øre).
    #[serde(rename = "DKK")]
    Dkk,
    /// Euro (minor unit: cent).
    #[serde(rename = "EUR")]
    Eur,
}

impl Currency {
    /// The ISO 4217 code, as Vipps and the wire spell it.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Nok => "NOK",
            Currency::Dkk => "DKK",
            Currency::Eur => "EUR",
        }
    }
}

/// An amount in minor units (øre, cents), never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Minor units: 2500 NOK means 25,00 kr.
    pub value: i64,
    /// The currency of `value`.
    pub currency: Currency,
}

impl Money {
    /// An amount of `value` minor units in `currency`.
    pub fn new(value: i64, currency: Currency) -> Self {
        Money { value, currency }
    }
}
