//! A hub replica's background work besides sessions: the webhook
//! registration, done once per sales unit by whichever replica holds that
//! job's lease (Vipps allows 25 registrations per event per MSN: never one
//! per replica start), every replica's copy of its secret, and pruning.

use super::HubState;
use crate::config::Config;
use crate::routes::AppState;
use crate::startup;
use std::time::Duration;

/// How often a replica looks at the registration (and its secret).
const EVERY: Duration = Duration::from_secs(10);

/// A registration's lease: long enough for Vipps's three calls.
const LEASE: Duration = Duration::from_secs(60);

pub fn spawn(state: HubState, app: AppState, config: Config) {
    let keep = Duration::from_secs(config.store.keep_days.saturating_mul(24 * 3600));
    crate::store::spawn_pruning(std::sync::Arc::new(state.store.clone()), keep);
    let Some(url) = config.webhook.public_url.filter(|_| config.webhook.enabled) else {
        tracing::info!("no webhook.public_url: the hub learns outcomes by polling");
        return;
    };
    let owner = format!("{}-{}", std::process::id(), crate::store::fresh_tag());
    tokio::spawn(async move {
        loop {
            register_once(&state, &url, &owner).await;
            if let Some(secret) = startup::known_webhook(&state.store, &url).await {
                *app.webhook.write().unwrap_or_else(|e| e.into_inner()) = Some(secret);
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}

async fn register_once(state: &HubState, url: &str, owner: &str) {
    let job = format!("webhook:{url}");
    let store = &state.store;
    match store.job_done(&job).await {
        Ok(false) => {}
        Ok(true) => return,
        Err(e) => return tracing::warn!(error = %e, "cannot read the registration job"),
    }
    match store.claim_job(&job, owner, LEASE).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => return tracing::warn!(error = %e, "cannot claim the registration job"),
    }
    let client = state.engine.client();
    match startup::register_webhook(client, store, url).await {
        Ok(_) => {
            if let Err(e) = store.finish_job(&job, owner).await {
                tracing::warn!(error = %e, "registered, but the job is not marked done");
            }
        }
        Err(e) => tracing::error!(error = %e, "webhook registration failed; polling meanwhile"),
    }
}
