//! A fleet machine's catalog: the standalone configuration's `[machine]` and
//! `[[products]]` tables, in a file of its own (`fleet machine add --catalog
//! FILE`), checked as strictly as a standalone configuration, and kept by
//! the hub as JSON.

use super::{defaults, limits, ConfigError, MachineConfig, ProductConfig};
use serde::{Deserialize, Serialize};
use vendscreen_protocol as wire;

/// What one machine sells, and how it sells it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineCatalog {
    #[serde(default)]
    pub machine: MachineConfig,
    #[serde(default)]
    pub products: Vec<ProductConfig>,
}

impl MachineCatalog {
    /// Reads a catalog file for machine `pos_id` (its posId is the hub's,
    /// whatever the file says) and checks it against the payment API's limits.
    pub fn from_toml(text: &str, pos_id: &str) -> Result<MachineCatalog, ConfigError> {
        let mut catalog: MachineCatalog =
            toml::from_str(text).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        catalog.machine.pos_id = pos_id.to_string();
        catalog.check()?;
        Ok(catalog)
    }

    /// The checks a standalone machine's configuration gets, real money assumed.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.products.is_empty() {
            return Err(ConfigError::Invalid("a catalog needs [[products]]".into()));
        }
        if !(1..=600).contains(&self.machine.session_timeout_s) {
            return Err(ConfigError::Invalid(
                "machine.session_timeout_s must be 1..=600 (the QR lives 10 minutes)".into(),
            ));
        }
        defaults::check_products(&self.products)?;
        limits::check_machine(&self.machine, &self.products, false)
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    pub fn from_json(value: &serde_json::Value) -> Result<MachineCatalog, ConfigError> {
        serde_json::from_value(value.clone()).map_err(|e| ConfigError::Invalid(e.to_string()))
    }

    /// The catalog as the display sees it.
    pub fn wire(&self) -> wire::Catalog {
        let m = &self.machine;
        wire::Catalog {
            machine: wire::Machine {
                pos_id: m.pos_id.clone(),
                name: m.name.clone(),
                locale: m.locale,
                currency: m.currency,
                qr_error_correction: m.qr_error_correction,
            },
            products: by_category(&self.products)
                .into_iter()
                .map(|p| wire::Product {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    price: wire::Money::new(p.price, m.currency),
                    available: p.available,
                    slot: p.slot.clone(),
                    image: p.image.as_ref().map(|f| format!("/images/{f}")),
                    names: p.names.clone(),
                })
                .collect(),
        }
    }
}

/// The products with each category's together, categories in the order
/// they first appear and products in theirs; without categories, as listed.
fn by_category(products: &[ProductConfig]) -> Vec<&ProductConfig> {
    let mut order: Vec<Option<&str>> = Vec::new();
    for p in products {
        if !order.contains(&p.category.as_deref()) {
            order.push(p.category.as_deref());
        }
    }
    order
        .into_iter()
        .flat_map(|c| products.iter().filter(move |p| p.category.as_deref() == c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
        [machine]
        pos_id = "whatever-the-file-says"
        name = "Oslo S, platform 4"
        currency = "NOK"
        [[products]]
        id = "cola"
        name = "Cola 0,5 l"
        price = 3500
        slot = "A1"
    "#;

    #[test]
    fn a_catalog_file_reads_as_the_hubs_machine_and_survives_json() {
        let c = MachineCatalog::from_toml(FILE, "vm-042").unwrap();
        assert_eq!(c.machine.pos_id, "vm-042");
        let back = MachineCatalog::from_json(&c.to_json()).unwrap();
        assert_eq!(back.wire(), c.wire());
        assert_eq!(back.wire().products[0].price.value, 3500);
        assert_eq!(
            back.wire().products[0].slot,
            "A1",
            "the display shows the slot"
        );
    }

    #[test]
    fn a_bad_catalog_is_a_clear_error() {
        assert!(MachineCatalog::from_toml("", "vm-1")
            .unwrap_err()
            .to_string()
            .contains("[[products]]"));
        let cheap = FILE.replace("3500", "1");
        assert!(MachineCatalog::from_toml(&cheap, "vm-1")
            .unwrap_err()
            .to_string()
            .contains("price"));
        let typo = format!("{FILE}\ncolour = \"red\"\n");
        assert!(MachineCatalog::from_toml(&typo, "vm-1").is_err());
    }

    #[test]
    fn a_categorys_products_are_shown_together_in_first_appearance_order() {
        let product =
            |id: &str, category: Option<&str>| {
                format!(
                "[[products]]\nid = \"{id}\"\nname = \"{id}\"\nprice = 3500\nslot = \"{id}\"\n{}",
                category.map(|c| format!("category = \"{c}\"\n")).unwrap_or_default()
            )
            };
        let file: String = [
            product("A1", Some("Drinks")),
            product("A2", Some("Snacks")),
            product("B1", Some("Drinks")),
            product("B2", None),
            product("C1", Some("Snacks")),
        ]
        .concat();
        let ids: Vec<String> = MachineCatalog::from_toml(&file, "vm-1")
            .unwrap()
            .wire()
            .products
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, ["A1", "B1", "A2", "C1", "B2"]);
        let plain = [product("A2", None), product("A1", None)].concat();
        let c = MachineCatalog::from_toml(&plain, "vm-1").unwrap();
        assert_eq!(c.wire().products[0].id, "A2", "no categories: as listed");
    }
}
