//! STUB — the embedded stand-in for Vipps MobilePay (issue 2/3): access token,
//! ePayment, Webhooks API, signed delivery, the "phone" page and /sim/ controls.
//! Knows nothing of our sessions; the server talks to it over real HTTP.

use axum::Router;

/// Credentials the simulator accepts; start-up hands the same to the client.
#[derive(Debug, Clone)]
pub struct SimulatorCredentials {
    pub client_id: String,
    pub client_secret: String,
    pub subscription_key: String,
    pub msn: String,
}

impl Default for SimulatorCredentials {
    fn default() -> Self {
        SimulatorCredentials {
            client_id: "fb492b5e-7907-4d83-bc20-c7fb60ca35de".into(),
            client_secret: "Y8Kteew6GE3ZmeycEt6egg==".into(),
            subscription_key: "0f14ebcab0ec4b29ae0cb90d91b4a84a".into(),
            msn: "123456".into(),
        }
    }
}

/// How the simulator is set up.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// The base URL phones reach (QR target URLs start with it), e.g. `http://192.168.1.20:8080`.
    pub public_base_url: String,
    pub credentials: SimulatorCredentials,
}

/// The simulator; cheap to clone (shared state inside).
#[derive(Clone)]
pub struct Simulator {
    config: SimulatorConfig,
}

impl Simulator {
    pub fn new(config: SimulatorConfig) -> Self {
        Simulator { config }
    }

    /// Its routes: `/accesstoken/get`, `/epayment/v1/…`, `/webhooks/v1/…`, `/sim/…`.
    pub fn router(&self) -> Router {
        let _ = &self.config;
        Router::new()
    }
}
