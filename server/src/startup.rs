//! Wiring at start: the ePayment settings (real or simulator), the webhook
//! registration, and the catalog the display is served.

use crate::config::{Config, Secret, EPAYMENT_BASE_URL};
use crate::epayment::model::EPAYMENT_WEBHOOK_EVENTS;
use crate::epayment::{EpaymentClient, EpaymentError, EpaymentSettings};
use crate::routes::WebhookSecret;
use crate::simulator::SimulatorCredentials;
use crate::store::Store;
use std::time::Duration;
use vendscreen_protocol as wire;

const WEBHOOK_SETTING: &str = "webhook";

/// Client settings: the configured credentials, or the simulator's at `local_base`.
pub fn epayment_settings(config: &Config, local_base: &str) -> EpaymentSettings {
    let e = &config.epayment;
    let timeout = Duration::from_secs(e.timeout_s);
    if config.uses_simulator() {
        let sim = SimulatorCredentials::default();
        // The simulator's published test credentials: nothing to hide.
        return EpaymentSettings {
            base_url: local_base.into(),
            client_id: sim.client_id,
            client_secret: Secret::new(sim.client_secret),
            subscription_key: Secret::new(sim.subscription_key),
            msn: sim.msn,
            timeout,
        };
    }
    // `validate` made sure all four are set.
    let secret = |s: &Option<Secret>| s.clone().unwrap_or_else(|| Secret::new(""));
    EpaymentSettings {
        base_url: e
            .base_url
            .clone()
            .unwrap_or_else(|| EPAYMENT_BASE_URL.into()),
        client_id: e.client_id.clone().unwrap_or_default(),
        client_secret: secret(&e.client_secret),
        subscription_key: secret(&e.subscription_key),
        msn: e.msn.clone().unwrap_or_default(),
        timeout,
    }
}

/// The catalog as the display sees it.
pub fn catalog(config: &Config) -> wire::Catalog {
    crate::config::MachineCatalog {
        machine: config.machine.clone(),
        products: config.products.clone(),
    }
    .wire()
}

/// The registration as the store keeps it: the one place the webhook
/// secret is written out.
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    id: String,
    url: String,
    #[serde(serialize_with = "write_secret")]
    secret: Secret,
}

fn write_secret<S: serde::Serializer>(secret: &Secret, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose())
}

/// The registration this store keeps for `url`, if any (a hub replica that
/// did not register it itself reads it here).
pub async fn known_webhook(store: &dyn Store, url: &str) -> Option<WebhookSecret> {
    let stored = store.setting(WEBHOOK_SETTING).await.ok().flatten()?;
    let stored: Stored = serde_json::from_str(&stored).ok()?;
    (stored.url == url).then_some(WebhookSecret {
        url: stored.url,
        secret: stored.secret,
    })
}

/// Registers `url` for the ePayment events, reusing a registration this store
/// knows the secret of. A registration for the same URL whose secret was lost
/// is replaced. The secret stays in the store; it is never logged.
pub async fn register_webhook(
    client: &EpaymentClient,
    store: &dyn Store,
    url: &str,
) -> Result<WebhookSecret, EpaymentError> {
    let known: Option<Stored> = store
        .setting(WEBHOOK_SETTING)
        .await
        .ok()
        .flatten()
        .and_then(|s| serde_json::from_str(&s).ok());
    let existing = client.list_webhooks().await?;
    if let Some(k) = known.filter(|k| k.url == url && existing.iter().any(|w| w.id == k.id)) {
        tracing::info!(id = %k.id, "reusing webhook registration");
        return Ok(WebhookSecret {
            url: k.url,
            secret: k.secret,
        });
    }
    for stale in existing.iter().filter(|w| w.url == url) {
        client.delete_webhook(&stale.id).await?;
    }
    let reg = client
        .register_webhook(url, &EPAYMENT_WEBHOOK_EVENTS)
        .await?;
    let stored = Stored {
        id: reg.id.clone(),
        url: url.into(),
        secret: reg.secret.clone(),
    };
    if let Err(e) = store
        .set_setting(
            WEBHOOK_SETTING,
            &serde_json::to_string(&stored).unwrap_or_default(),
        )
        .await
    {
        tracing::error!(error = %e, "could not store the webhook secret");
    }
    tracing::info!(id = %reg.id, %url, "webhook registered");
    Ok(WebhookSecret {
        url: url.into(),
        secret: reg.secret,
    })
}
