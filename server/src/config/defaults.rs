//! Default values, the demo catalog and the environment overlay.

use super::{
    ConfigError, DispenserConfig, DispenserKind, MachineConfig, ProductConfig, ServerConfig,
    StoreConfig,
};
use vendscreen_protocol as wire;

/// The sections a `VENDSCREEN_<SECTION>_<KEY>` variable may name.
const SECTIONS: [&str; 9] = [
    "hub",
    "server",
    "machine",
    "epayment",
    "webhook",
    "store",
    "dispenser",
    "simulator",
    "metrics",
];

pub fn tax_rate() -> i64 {
    // Norwegian food VAT is 15 %; the operator sets the real rate per product.
    1500
}

pub fn yes() -> bool {
    true
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            role: super::Role::Standalone,
            listen: "127.0.0.1:8080".into(),
            dist: "dist".into(),
            expose_api: false,
            max_connections: None,
            // Ample for a request head on a LAN or from Vipps; short enough
            // that a socket left silent is given back quickly.
            header_timeout_ms: 10_000,
            idle_timeout_ms: 60_000,
        }
    }
}

/// The demo machine's posId: fine against the simulator, refused with real
/// credentials (every machine left on it would share its references' prefix).
pub const DEMO_POS_ID: &str = "vm-042";

impl Default for MachineConfig {
    fn default() -> Self {
        MachineConfig {
            pos_id: DEMO_POS_ID.into(),
            name: "Demo machine".into(),
            locale: wire::Locale::Nb,
            currency: wire::Currency::Nok,
            session_timeout_s: 600,
            vend_window_s: 120,
            outcome_display_s: 8,
            qr_error_correction: wire::QrErrorCorrection::M,
            images: None,
        }
    }
}

/// Where the real ePayment API is when only credentials are configured.
pub const EPAYMENT_BASE_URL: &str = "https://api.vipps.no";

impl Default for super::EpaymentConfig {
    fn default() -> Self {
        super::EpaymentConfig {
            base_url: None,
            client_id: None,
            client_secret: None,
            subscription_key: None,
            msn: None,
            qr_format: crate::epayment::QrFormat::TargetUrl,
            timeout_s: 10,
            // Vipps's advice for polling: 5 s first, then every 2 s.
            poll_first_ms: 5_000,
            poll_interval_ms: 2_000,
            // Time, not a count of attempts: one attempt lasts from
            // milliseconds to a minute (the client's own retries and
            // timeouts), and what matters is how long money has been left
            // unsettled. Two minutes outlasts the blips Vipps recovers from;
            // by then the customer is gone.
            settle_flag_after_ms: 120_000,
            // An hour: far longer than any working purchase takes (a vend
            // and a capture: seconds; settling retries: minutes), and days
            // before the card hold lapses.
            unsettled_flag_after_s: 3600,
        }
    }
}

impl Default for super::HubConfig {
    fn default() -> Self {
        super::HubConfig {
            url: None,
            token: None,
            // The vend handshake (design.md, "Fleet mode"): 10 s to
            // acknowledge, a minute for the outcome, 45 s of a machine's silence.
            vend_ack_ms: 10_000,
            vend_result_ms: 60_000,
            machine_silence_ms: 45_000,
            // The link: a ping every 15 s; an edge that hears nothing for
            // 35 s (two missed pings and some slack) takes no purchase; a
            // heartbeat with the dispenser's readiness every 15 s.
            ping_ms: 15_000,
            link_silence_ms: 35_000,
            heartbeat_ms: 15_000,
        }
    }
}

impl Default for super::WebhookConfig {
    fn default() -> Self {
        super::WebhookConfig {
            public_url: None,
            enabled: true,
            listen: None,
        }
    }
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            path: "vendscreen.db".into(),
            url: None,
            // A quarter: long enough to answer a customer's complaint.
            keep_days: 90,
        }
    }
}

impl Default for DispenserConfig {
    fn default() -> Self {
        DispenserConfig {
            kind: DispenserKind::Simulated,
            url: None,
            command: None,
            timeout_s: 30,
            // Long enough to see "dispensing", short enough that approval →
            // completed stays within a second on the demo.
            simulated_ms: 600,
        }
    }
}

/// A few things a demo machine sells.
pub fn demo_products(_currency: wire::Currency) -> Vec<ProductConfig> {
    let p = |id: &str, name: &str, price: i64, slot: &str| ProductConfig {
        id: id.into(),
        name: name.into(),
        price,
        tax_rate: tax_rate(),
        slot: slot.into(),
        available: true,
        // The built-in demo pictures (config/images.rs) are named after the ids.
        image: Some(format!("{id}.svg")),
        category: None,
        names: wire::Names::default(),
    };
    vec![
        p("cola", "Cola 0,5 l", 3500, "A1"),
        ProductConfig {
            names: wire::Names {
                nb: Some("Mineralvann 0,5 l".into()),
                fi: Some("Kivennäisvesi 0,5 l".into()),
                sv: Some("Mineralvatten 0,5 l".into()),
                da: Some("Mineralvand 0,5 l".into()),
                en: None,
            },
            ..p("water", "Mineral water 0,5 l", 2900, "A2")
        },
        p("chocolate", "Milk chocolate", 2500, "B1"),
        p("crisps", "Salted crisps", 3200, "B2"),
        p("coffee", "Cold brew coffee", 4200, "C1"),
        ProductConfig {
            available: false,
            ..p("sandwich", "Cheese sandwich", 5900, "C2")
        },
    ]
}

/// Puts `VENDSCREEN_SECTION_KEY=value` into the table; variables naming no
/// section are ignored, unknown keys in a section are errors (typos).
pub fn overlay_env(table: &mut toml::Table, name: &str, value: &str) -> Result<(), ConfigError> {
    let Some(rest) = name.strip_prefix("VENDSCREEN_") else {
        return Ok(());
    };
    let lower = rest.to_ascii_lowercase();
    let Some((section, key)) = lower.split_once('_') else {
        return Ok(());
    };
    if !SECTIONS.contains(&section) {
        // Other tools share the prefix (VENDSCREEN_KIOSK_PROFILE, VENDSCREEN_CRASH_AT).
        return Ok(());
    }
    let section = table
        .entry(section)
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let toml::Value::Table(section) = section else {
        return Err(ConfigError::Invalid(format!("{name}: not a table")));
    };
    section.insert(key.into(), toml::Value::String(value.into()));
    Ok(())
}

/// Products need unique ids and sensible prices and rates.
pub fn check_products(products: &[ProductConfig]) -> Result<(), ConfigError> {
    let mut seen = std::collections::HashSet::new();
    for p in products {
        if !seen.insert(p.id.as_str()) {
            return Err(ConfigError::Invalid(format!(
                "duplicate product id {:?}",
                p.id
            )));
        }
        if p.price < 100 || p.price > 65_000_000 {
            return Err(ConfigError::Invalid(format!(
                "product {:?}: price must be 100..=65000000 minor units",
                p.id
            )));
        }
        if !(0..=10_000).contains(&p.tax_rate) {
            return Err(ConfigError::Invalid(format!(
                "product {:?}: tax_rate must be 0..=10000",
                p.id
            )));
        }
    }
    Ok(())
}
