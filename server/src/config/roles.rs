//! What each role needs to run (design.md, "Fleet mode").

use super::{Config, ConfigError, Role};

pub fn check(config: &Config) -> Result<(), ConfigError> {
    let bad = |m: &str| Err(ConfigError::Invalid(m.into()));
    match config.server.role {
        Role::Standalone => Ok(()),
        Role::Hub if config.store.url.is_none() => {
            bad("server.role = hub needs store.url (its PostgreSQL)")
        }
        Role::Hub if config.epayment.client_id.is_none() => bad(
            "server.role = hub needs epayment credentials (client_id, client_secret, \
             subscription_key, msn; base_url for a test environment or a simulator)",
        ),
        Role::Hub => Ok(()),
        Role::Edge if config.hub.url.is_none() || config.hub.token.is_none() => {
            bad("server.role = edge needs hub.url and hub.token")
        }
        // Vipps credentials stay off the machines: only the hub holds them.
        Role::Edge if config.epayment.client_id.is_some() || config.epayment.base_url.is_some() => {
            bad("server.role = edge holds no ePayment credentials: the hub pays")
        }
        // An edge serves /metrics beside its display, on loopback; a
        // listener of its own is not built for it (yet).
        Role::Edge if config.metrics.listen.is_some() => bad(
            "server.role = edge serves /metrics on server.listen; metrics.listen is for \
             standalone machines and hubs",
        ),
        Role::Edge => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    fn err(env: &[(&str, &str)]) -> String {
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        Config::from_sources("", env).unwrap_err().to_string()
    }

    #[test]
    fn each_role_says_what_it_is_missing() {
        assert!(err(&[("VENDSCREEN_SERVER_ROLE", "hub")]).contains("store.url"));
        assert!(err(&[("VENDSCREEN_SERVER_ROLE", "edge")]).contains("hub.token"));
        assert!(err(&[("VENDSCREEN_SERVER_ROLE", "router")]).contains("router"));
        let edge_with_keys = [
            ("VENDSCREEN_SERVER_ROLE", "edge"),
            ("VENDSCREEN_HUB_URL", "http://hub"),
            ("VENDSCREEN_HUB_TOKEN", "t"),
            ("VENDSCREEN_EPAYMENT_BASE_URL", "https://api.vipps.no"),
        ];
        assert!(err(&edge_with_keys).contains("no ePayment credentials"));
    }

    #[test]
    fn an_edge_needs_no_credentials_and_runs_no_simulator_beside_its_dispenser() {
        let env = [
            ("VENDSCREEN_SERVER_ROLE", "edge"),
            ("VENDSCREEN_HUB_URL", "http://hub"),
            ("VENDSCREEN_HUB_TOKEN", "t"),
            ("VENDSCREEN_DISPENSER_KIND", "command"),
            ("VENDSCREEN_DISPENSER_COMMAND", "/usr/local/bin/vend"),
        ];
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        let config = Config::from_sources("", env).unwrap();
        assert!(!config.uses_simulator());
    }

    #[test]
    fn the_store_url_and_the_token_never_print() {
        let env = [
            ("VENDSCREEN_SERVER_ROLE", "edge"),
            ("VENDSCREEN_HUB_URL", "http://hub"),
            ("VENDSCREEN_HUB_TOKEN", "t0ken"),
            ("VENDSCREEN_STORE_URL", "postgres://u:pw@db/v"),
        ];
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        let printed = format!("{:?}", Config::from_sources("", env).unwrap());
        assert!(
            !printed.contains("t0ken") && !printed.contains("pw@"),
            "{printed}"
        );
    }
}
