//! A string that never prints: Debug and Display show `[redacted]`.

use serde::Deserialize;

/// A secret value from the configuration (client secret, subscription key).
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for the one place that must use it (an HMAC key, a
    /// database URL, the store that keeps it).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value as an HTTP header, marked sensitive so that no HTTP layer
    /// prints it; `None` when it holds characters no header may carry.
    pub fn header_value(&self) -> Option<axum::http::HeaderValue> {
        let mut value = axum::http::HeaderValue::from_str(&self.0).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;
    use crate::epayment::EpaymentSettings;

    /// The client's settings hold the wrapper itself, not a copy of its text.
    fn settings(secret: &str) -> EpaymentSettings {
        EpaymentSettings {
            base_url: "https://api.vipps.no".into(),
            client_id: "id".into(),
            client_secret: Secret::new(secret),
            subscription_key: Secret::new("k3y"),
            msn: "123456".into(),
            timeout: std::time::Duration::from_secs(1),
        }
    }

    #[test]
    fn secrets_stay_wrapped_from_config_to_the_header() {
        let s = settings("s3cret");
        let printed = format!("{s:?}");
        assert!(
            !printed.contains("s3cret") && !printed.contains("k3y"),
            "{printed}"
        );
        let header = s.client_secret.header_value().unwrap();
        assert!(header.is_sensitive(), "HTTP layers must not print it");
        assert_eq!(header, "s3cret");
        assert!(!format!("{header:?}").contains("s3cret"));
    }

    #[test]
    fn a_secret_no_header_can_carry_is_refused_not_sent() {
        assert!(settings("bad\nvalue")
            .client_secret
            .header_value()
            .is_none());
    }
}
