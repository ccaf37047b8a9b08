//! `GET /api/catalog`: who this machine is and what it sells.

use crate::Money;
use serde::{Deserialize, Serialize};

/// The languages the display speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// Norwegian Bokmål.
    Nb,
    /// Danish.
    Da,
    /// Finnish.
    Fi,
    /// Swedish.
    Sv,
    /// English.
    En,
}

impl Locale {
    /// Every locale, in the order the display offers them.
    pub const ALL: [Locale; 5] = [Locale::Nb, Locale::Da, Locale::Fi, Locale::Sv, Locale::En];

    /// The BCP 47 tag (`nb`, `da`, …), as used in the `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::Nb => "nb",
            Locale::Da => "da",
            Locale::Fi => "fi",
            Locale::Sv => "sv",
            Locale::En => "en",
        }
    }
}

/// How much of the payment QR may be damaged and still scan (ISO/IEC 18004
/// error-correction level): L 7 %, M 15 %, Q 25 %, H 30 %. Higher levels make
/// a denser code; a scratched or dirty screen wants Q or H.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum QrErrorCorrection {
    /// About 7 % may be lost.
    L,
    /// About 15 % may be lost: the default.
    #[default]
    M,
    /// About 25 % may be lost.
    Q,
    /// About 30 % may be lost.
    H,
}

/// The machine the display belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Machine {
    /// The machine's id, sent to Vipps as the receipt's `posId`.
    pub pos_id: String,
    /// A human name ("Oslo S, platform 4").
    pub name: String,
    /// The language the screen starts in and returns to.
    pub locale: Locale,
    /// The currency every price is in.
    pub currency: crate::Currency,
    /// The error correction of the QR the display draws (`machine.qr_error_correction`).
    /// Absent from an older server: M.
    #[serde(default)]
    pub qr_error_correction: QrErrorCorrection,
}

/// One product on sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// Stable id, used in `POST /api/sessions`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Price including tax.
    pub price: Money,
    /// False when sold out: shown, but not for sale.
    pub available: bool,
    /// The slot the customer reads through the glass front ("A1"), shown on
    /// the tile and typed on the keypad. Absent from an older server: empty.
    #[serde(default)]
    pub slot: String,
    /// Where the product's picture is ("/images/cola.svg"); none: a tile
    /// with the name only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The name in other languages, shown when the customer picks one;
    /// `name` where none is given.
    #[serde(default, skip_serializing_if = "Names::is_empty")]
    pub names: Names,
}

/// A product's name per language (`names = { en = "Still water", fi = "Kivennäisvesi" }`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    /// Norwegian (bokmål).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nb: Option<String>,
    /// Danish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub da: Option<String>,
    /// Finnish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fi: Option<String>,
    /// Swedish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sv: Option<String>,
    /// English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Names {
    /// The name in `locale`, if given.
    pub fn get(&self, locale: Locale) -> Option<&str> {
        match locale {
            Locale::Nb => &self.nb,
            Locale::Da => &self.da,
            Locale::Fi => &self.fi,
            Locale::Sv => &self.sv,
            Locale::En => &self.en,
        }
        .as_deref()
    }

    /// No name in any other language.
    pub fn is_empty(&self) -> bool {
        Locale::ALL.iter().all(|l| self.get(*l).is_none())
    }
}

impl Product {
    /// The product's name in `locale`: its `names` entry, else `name`.
    pub fn name_in(&self, locale: Locale) -> &str {
        self.names.get(locale).unwrap_or(&self.name)
    }
}

/// The answer to `GET /api/catalog`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Catalog {
    /// This machine.
    pub machine: Machine,
    /// What it sells, in display order.
    pub products: Vec<Product>,
}
