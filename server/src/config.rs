//! Typed configuration: a TOML file whose every key can be overridden by an
//! environment variable `VENDSCREEN_<SECTION>_<KEY>` (design.md). Read once at start.

use crate::epayment::QrFormat;
use serde::Deserialize;
use std::path::PathBuf;
use vendscreen_protocol as wire;

mod catalog;
mod checks;
mod defaults;
pub mod images;
mod lenient;
mod limits;
mod roles;
mod secret;

pub use catalog::MachineCatalog;
pub use defaults::EPAYMENT_BASE_URL;
pub use limits::description as payment_description;
pub use secret::Secret;

/// Everything the server can be told.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub machine: MachineConfig,
    pub epayment: EpaymentConfig,
    pub webhook: WebhookConfig,
    pub store: StoreConfig,
    pub dispenser: DispenserConfig,
    pub simulator: SimulatorSection,
    pub hub: HubConfig,
    pub metrics: MetricsConfig,
    pub products: Vec<ProductConfig>,
}

/// Which part this process plays (design.md, "Fleet mode").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// One machine, everything on it, SQLite (the default).
    #[default]
    Standalone,
    /// The engine for a fleet's machines, on PostgreSQL (`store.url`).
    Hub,
    /// On a machine of a fleet: the display API, the dispenser and the vend
    /// journal, relaying to the hub (`hub.url`, `hub.token`).
    Edge,
}

/// Where an edge finds its hub; a hub's vend handshake.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HubConfig {
    /// The hub's base URL, e.g. `https://vending.example.com`.
    pub url: Option<String>,
    /// This machine's token (printed once by `fleet machine add`).
    pub token: Option<Secret>,
    /// A hub: how long a machine's edge has to acknowledge a vend, in ms.
    #[serde(deserialize_with = "lenient::u64")]
    pub vend_ack_ms: u64,
    /// A hub: how long after its acknowledgement a vend's outcome may take, in ms.
    #[serde(deserialize_with = "lenient::u64")]
    pub vend_result_ms: u64,
    /// A hub: a machine silent this long has its open QR cancelled, in ms.
    #[serde(deserialize_with = "lenient::u64")]
    pub machine_silence_ms: u64,
    /// A hub: a `ping` on each machine's stream at least this often, in ms
    /// (tests shorten it along with `link_silence_ms`).
    #[serde(deserialize_with = "lenient::u64")]
    pub ping_ms: u64,
    /// An edge: out of service once its link has been silent this long, in
    /// ms (two missed pings and some slack).
    #[serde(deserialize_with = "lenient::u64")]
    pub link_silence_ms: u64,
    /// An edge: a heartbeat to the hub this often, in ms.
    #[serde(deserialize_with = "lenient::u64")]
    pub heartbeat_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// standalone (default), hub or edge.
    pub role: Role,
    /// Address to listen on; port 0 picks a free one (tests).
    pub listen: String,
    /// The Trunk output to serve at `/`.
    pub dist: PathBuf,
    /// True: `/api` and `/sim` answer peers on the network too (a display on
    /// another device). False (default): only this machine's own peers.
    #[serde(deserialize_with = "lenient::bool")]
    pub expose_api: bool,
    /// Most connections served at once; default (and ceiling) from the file limit.
    #[serde(deserialize_with = "lenient::opt_u64")]
    pub max_connections: Option<u64>,
    /// How long a client may take to send a request head, and how long a
    /// kept-alive connection may wait for its next one, in ms.
    #[serde(deserialize_with = "lenient::u64")]
    pub header_timeout_ms: u64,
    /// A connection that moves no byte for this long (no request being
    /// answered) is closed, in ms.
    #[serde(deserialize_with = "lenient::u64")]
    pub idle_timeout_ms: u64,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MachineConfig {
    pub pos_id: String,
    pub name: String,
    pub locale: wire::Locale,
    pub currency: wire::Currency,
    /// How long a QR stays on screen before the server cancels it (≤ 600).
    #[serde(deserialize_with = "lenient::u64")]
    pub session_timeout_s: u64,
    /// After a restart, how long after approval the customer is assumed to
    /// still stand at the machine, so vending is still right.
    #[serde(deserialize_with = "lenient::u64")]
    pub vend_window_s: u64,
    /// How long an ending stays on screen before the machine is idle again.
    #[serde(deserialize_with = "lenient::u64")]
    pub outcome_display_s: u64,
    /// Error correction of the QR the display draws: `L`, `M`, `Q` or `H`.
    pub qr_error_correction: wire::QrErrorCorrection,
    /// The directory of the products' pictures (`[[products]] image`),
    /// served at `/images/{file}`; unset: the built-in demo pictures only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EpaymentConfig {
    /// Unset: the in-process simulator.
    pub base_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub subscription_key: Option<Secret>,
    pub msn: Option<String>,
    /// `TEXT/TARGETURL` (we render the QR) or `IMAGE/SVG+XML` (Vipps renders
    /// it); anything else is refused at start.
    pub qr_format: QrFormat,
    /// Per-call timeout in seconds.
    #[serde(deserialize_with = "lenient::u64")]
    pub timeout_s: u64,
    /// First poll after create, in ms (Vipps advises 5000).
    #[serde(deserialize_with = "lenient::u64")]
    pub poll_first_ms: u64,
    /// Polls after that, in ms (Vipps advises 2000).
    #[serde(deserialize_with = "lenient::u64")]
    pub poll_interval_ms: u64,
    /// How long a capture or release may keep failing before the session is
    /// listed for an operator, in ms; the retries go on.
    #[serde(deserialize_with = "lenient::u64")]
    pub settle_flag_after_ms: u64,
    /// How long a purchase may stay approved but neither captured nor
    /// released before it is listed for an operator, in s (the card hold
    /// lapses after 7 days).
    #[serde(deserialize_with = "lenient::u64")]
    pub unsettled_flag_after_s: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookConfig {
    /// The public HTTPS URL Vipps posts to; unset means polling only
    /// (with the simulator: its own local URL).
    pub public_url: Option<String>,
    /// False: never register, learn outcomes by polling only.
    #[serde(deserialize_with = "lenient::bool")]
    pub enabled: bool,
    /// Set: `POST /webhooks/epayment` is served here only, on a listener of
    /// its own (the public side); unset: on `server.listen`.
    pub listen: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// SQLite: the standalone machine's store, or an edge's vend journal.
    pub path: PathBuf,
    /// The hub's PostgreSQL, e.g. `postgres://vendscreen@db/vendscreen`
    /// (it may hold a password: never printed).
    pub url: Option<Secret>,
    /// Webhook deliveries and transitions of finished purchases older than
    /// this many days are deleted (daily).
    #[serde(deserialize_with = "lenient::u64")]
    pub keep_days: u64,
}

/// How the machine is told to vend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DispenserKind {
    Simulated,
    Http,
    Command,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DispenserConfig {
    pub kind: DispenserKind,
    /// `http`: the machine controller's vend URL.
    pub url: Option<String>,
    /// `command`: the program to run with the product's slot as argument.
    pub command: Option<String>,
    /// Longest wait for a vend to be confirmed.
    #[serde(deserialize_with = "lenient::u64")]
    pub timeout_s: u64,
    /// `simulated`: how long a vend takes.
    #[serde(deserialize_with = "lenient::u64")]
    pub simulated_ms: u64,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SimulatorSection {
    /// Base URL a phone on the same network reaches this server at, for the
    /// QR's target; default: `http://` + `simulator.listen` (or `server.listen`).
    pub public_url: Option<String>,
    /// Set: the phone page (and its Approve / Decline) also has a listener of
    /// its own here, for phones on the network; the display API stays local.
    pub listen: Option<String>,
}

/// Where `GET /metrics` (Prometheus text) is served.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// Set: `/metrics` on a listener of its own here, and not on
    /// `server.listen` (e.g. `0.0.0.0:9464` for a fleet's Prometheus while
    /// `server.listen` stays on loopback); unset: on `server.listen`.
    pub listen: Option<String>,
}

/// One product on sale.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProductConfig {
    pub id: String,
    pub name: String,
    /// Price including tax, in minor units.
    #[serde(deserialize_with = "lenient::i64")]
    pub price: i64,
    /// VAT rate in hundredths of a percent (2500 = 25 %).
    #[serde(default = "defaults::tax_rate", deserialize_with = "lenient::i64")]
    pub tax_rate: i64,
    /// The dispenser slot the product sits in.
    pub slot: String,
    #[serde(default = "defaults::yes", deserialize_with = "lenient::bool")]
    pub available: bool,
    /// A picture's file name in `machine.images` ("cola.webp"); none: a
    /// name-only tile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// A group on the catalog screen ("Drinks"): a category's products are
    /// shown together, categories in the order they first appear.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The name in other languages (`names = { en = "…", fi = "…" }`): shown
    /// in the customer's language; the one in `machine.locale` is the payment's.
    #[serde(default, skip_serializing_if = "wire::Names::is_empty")]
    pub names: wire::Names,
}

impl ProductConfig {
    /// The name in `locale`: its `names` entry, else `name`.
    pub fn name_in(&self, locale: wire::Locale) -> &str {
        self.names.get(locale).unwrap_or(&self.name)
    }
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Reads `path` (if any), then the `VENDSCREEN_*` environment, then checks it.
    pub fn load(path: Option<&str>) -> Result<Config, ConfigError> {
        Config::from_sources(&read(path)?, std::env::vars())
    }

    /// Like `load`, without the checks a serving process needs: for commands
    /// that use one setting of it (the fleet commands read `store.url`, and
    /// run beside a hub whatever role the environment names).
    pub fn load_unchecked(path: Option<&str>) -> Result<Config, ConfigError> {
        Config::parse(&read(path)?, std::env::vars())
    }

    /// Builds a config from TOML text and environment pairs (tests pass their own).
    pub fn from_sources(
        toml_text: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let config = Config::parse(toml_text, env)?;
        config.validate()?;
        Ok(config)
    }

    fn parse(
        toml_text: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut table: toml::Table =
            toml::from_str(toml_text).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        for (name, value) in env {
            defaults::overlay_env(&mut table, &name, &value)?;
        }
        let mut config: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid(e.to_string()))?;
        if config.products.is_empty() {
            config.products = defaults::demo_products(config.machine.currency);
        }
        Ok(config)
    }

    /// True when no ePayment credentials are set: the simulator runs in-process.
    /// Only a standalone server runs one: a hub must pay at a real payment
    /// service (or a simulator of its own process), an edge pays nowhere.
    pub fn uses_simulator(&self) -> bool {
        self.server.role == Role::Standalone
            && self.epayment.client_id.is_none()
            && self.epayment.base_url.is_none()
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid(m));
        roles::check(self)?;
        if !(1..=600).contains(&self.machine.session_timeout_s) {
            return bad(
                "machine.session_timeout_s must be 1..=600 (the QR lives 10 minutes)".into(),
            );
        }
        if !self.uses_simulator() && self.server.role != Role::Edge {
            let e = &self.epayment;
            if e.client_id.is_none()
                || e.client_secret.is_none()
                || e.subscription_key.is_none()
                || e.msn.is_none()
            {
                return bad(
                    "epayment needs client_id, client_secret, subscription_key and msn together"
                        .into(),
                );
            }
        }
        match self.dispenser.kind {
            DispenserKind::Http if self.dispenser.url.is_none() => {
                bad("dispenser.kind = http needs dispenser.url".into())
            }
            DispenserKind::Command if self.dispenser.command.is_none() => {
                bad("dispenser.kind = command needs dispenser.command".into())
            }
            _ => {
                defaults::check_products(&self.products)?;
                if self.server.role == Role::Standalone {
                    let real_money = !self.uses_simulator();
                    limits::check_machine(&self.machine, &self.products, real_money)?;
                }
                images::check(self)?;
                checks::exposure(self)
            }
        }
    }
}

/// The configuration file's text; none without a path.
fn read(path: Option<&str>) -> Result<String, ConfigError> {
    match path {
        Some(p) => std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
            path: p.into(),
            source,
        }),
        None => Ok(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_give_a_demo_machine_on_the_simulator() {
        let c = Config::from_sources("", []).unwrap();
        assert_eq!(c.server.listen, "127.0.0.1:8080");
        assert_eq!(c.machine.session_timeout_s, 600);
        assert!(c.uses_simulator());
        assert!(c.products.len() >= 3);
    }

    #[test]
    fn environment_overrides_the_file_and_keeps_digit_strings_as_strings() {
        let toml = "[machine]\nsession_timeout_s = 300\npos_id = \"vm-1\"\n";
        let c = Config::from_sources(
            toml,
            env(&[
                ("VENDSCREEN_MACHINE_SESSION_TIMEOUT_S", "120"),
                ("VENDSCREEN_MACHINE_POS_ID", "4242"),
                ("VENDSCREEN_EPAYMENT_CLIENT_ID", "id"),
                ("VENDSCREEN_EPAYMENT_CLIENT_SECRET", "s3cret"),
                ("VENDSCREEN_EPAYMENT_SUBSCRIPTION_KEY", "key"),
                ("VENDSCREEN_EPAYMENT_MSN", "123456"),
                ("PATH", "/bin"),
            ]),
        )
        .unwrap();
        assert_eq!(c.machine.session_timeout_s, 120);
        assert_eq!(c.machine.pos_id, "4242");
        assert_eq!(c.epayment.msn.as_deref(), Some("123456"));
        assert_eq!(c.machine.qr_error_correction, wire::QrErrorCorrection::M);
        assert!(!c.uses_simulator());
    }

    #[test]
    fn the_qr_error_correction_is_a_machine_setting() {
        let file = "[machine]\nqr_error_correction = \"Q\"\n";
        let c = Config::from_sources(file, []).unwrap();
        assert_eq!(c.machine.qr_error_correction, wire::QrErrorCorrection::Q);
        let env = env(&[("VENDSCREEN_MACHINE_QR_ERROR_CORRECTION", "H")]);
        let c = Config::from_sources(file, env).unwrap();
        assert_eq!(c.machine.qr_error_correction, wire::QrErrorCorrection::H);
    }

    #[test]
    fn metrics_listen_and_the_unsettled_limit_are_settings() {
        let c = Config::from_sources("", []).unwrap();
        assert_eq!(
            (c.metrics.listen, c.epayment.unsettled_flag_after_s),
            (None, 3600)
        );
        let env = env(&[
            ("VENDSCREEN_METRICS_LISTEN", "0.0.0.0:9464"),
            ("VENDSCREEN_EPAYMENT_UNSETTLED_FLAG_AFTER_S", "7200"),
        ]);
        let c = Config::from_sources("", env).unwrap();
        assert_eq!(c.metrics.listen.as_deref(), Some("0.0.0.0:9464"));
        assert_eq!(c.epayment.unsettled_flag_after_s, 7200);
        let typo = Config::from_sources("[metrics]\nlisten_on = \"x\"\n", []);
        assert!(typo.unwrap_err().to_string().contains("listen_on"));
    }

    #[test]
    fn a_misspelt_qr_format_is_a_clear_startup_error() {
        let env = env(&[("VENDSCREEN_EPAYMENT_QR_FORMAT", "IMAGE/SVG")]);
        let e = Config::from_sources("", env).unwrap_err().to_string();
        assert!(
            e.contains("IMAGE/SVG") && e.contains("IMAGE/SVG+XML"),
            "{e}"
        );
        let file = "[epayment]\nqr_format = \"IMAGE/SVG+XML\"\n";
        let c = Config::from_sources(file, []).unwrap();
        assert_eq!(c.epayment.qr_format, QrFormat::Svg);
        let c = Config::from_sources("", []).unwrap();
        assert_eq!(c.epayment.qr_format, QrFormat::TargetUrl);
    }

    #[test]
    fn every_default_is_in_the_config_itself() {
        let c = Config::from_sources("", []).unwrap();
        let e = &c.epayment;
        let polls = (e.poll_first_ms, e.poll_interval_ms, e.settle_flag_after_ms);
        assert_eq!((e.timeout_s, polls), (10, (5_000, 2_000, 120_000)));
        assert_eq!(e.unsettled_flag_after_s, 3600);
        let h = &c.hub;
        let handshake = (h.vend_ack_ms, h.vend_result_ms, h.machine_silence_ms);
        assert_eq!(handshake, (10_000, 60_000, 45_000));
        let env = env(&[("VENDSCREEN_HUB_VEND_ACK_MS", "2500")]);
        assert_eq!(Config::from_sources("", env).unwrap().hub.vend_ack_ms, 2500);
    }

    #[test]
    fn secrets_never_print() {
        let c = Config::from_sources("[machine]\npos_id = \"vm-7\"\n[epayment]\nclient_id = \"id\"\nclient_secret = \"s3cret\"\nsubscription_key = \"k3y\"\nmsn = \"1234\"\n", []).unwrap();
        let printed = format!("{c:?}");
        assert!(
            !printed.contains("s3cret") && !printed.contains("k3y"),
            "{printed}"
        );
    }

    #[test]
    fn bad_settings_are_clear_errors() {
        let bad = |toml: &str, e: &[(&str, &str)]| {
            Config::from_sources(toml, env(e)).unwrap_err().to_string()
        };
        assert!(bad("", &[("VENDSCREEN_MACHINE_SESSION_TIMEOUT_S", "900")])
            .contains("session_timeout_s"));
        assert!(bad("", &[("VENDSCREEN_MACHINE_SESSION_TIMEOUT_S", "soon")]).contains("soon"));
        assert!(bad("", &[("VENDSCREEN_MACHINE_POSID", "1")]).contains("posid"));
        assert!(bad("", &[("VENDSCREEN_EPAYMENT_CLIENT_ID", "id")]).contains("together"));
        assert!(bad("", &[("VENDSCREEN_DISPENSER_KIND", "http")]).contains("dispenser.url"));
        assert!(bad("[server]\nport = 2\n", &[]).contains("port"));
        assert!(bad("", &[("VENDSCREEN_MACHINE_QR_ERROR_CORRECTION", "X")]).contains("`X`"));
        let dup = "[[products]]\nid=\"a\"\nname=\"A\"\nprice=100\nslot=\"1\"\n[[products]]\nid=\"a\"\nname=\"B\"\nprice=100\nslot=\"2\"\n";
        assert!(bad(dup, &[]).contains("duplicate"));
    }
}
