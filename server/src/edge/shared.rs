//! What every part of an edge shares: its hub client, mirror, journal and
//! dispenser, its timings, and its background work.

use super::hub_client::HubClient;
use super::journal::Journal;
use super::mirror::Mirror;
use crate::config::Config;
use crate::dispenser::Dispenser;
use crate::retry::RetryPolicy;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinSet;
use vendscreen_protocol::fleet::VendCommand;

/// The edge's timings. From the configuration (`hub.link_silence_ms`,
/// `hub.heartbeat_ms`); tests shorten them.
#[derive(Debug, Clone)]
pub struct EdgeSettings {
    /// Out of service (and the link opened again) after this much silence
    /// on the hub's stream: 35 s, two missed 15 s pings and some slack.
    pub link_silence: Duration,
    /// A heartbeat (with the dispenser's readiness) this often: 15 s.
    pub heartbeat_every: Duration,
    /// Waits between attempts to open the link.
    pub reconnect: RetryPolicy,
    /// Waits between attempts to send a vend's outcome (never gives up).
    pub result_retry: RetryPolicy,
}

impl EdgeSettings {
    pub fn from_config(config: &Config) -> EdgeSettings {
        EdgeSettings {
            link_silence: Duration::from_millis(config.hub.link_silence_ms),
            heartbeat_every: Duration::from_millis(config.hub.heartbeat_ms),
            reconnect: RetryPolicy::forever(Duration::from_millis(250), Duration::from_secs(10)),
            result_retry: RetryPolicy::forever(Duration::from_millis(250), Duration::from_secs(30)),
        }
    }
}

/// What every part of the edge shares.
pub struct Core {
    pub(super) hub: HubClient,
    pub(super) mirror: Mirror,
    pub(super) journal: Journal,
    pub(super) dispenser: Dispenser,
    pub(super) settings: EdgeSettings,
    /// The edge's background work, ended together when it stops.
    pub(super) tasks: Mutex<JoinSet<()>>,
    /// References whose vend runs now: one handshake per reference at a time.
    pub(super) in_flight: Mutex<HashSet<String>>,
}

/// A reference's place in `in_flight`, given back when dropped.
pub(super) struct Claim<'a> {
    core: &'a Core,
    reference: String,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        lock(&self.core.in_flight).remove(&self.reference);
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Core {
    pub(super) fn claim(&self, reference: &str) -> Option<Claim<'_>> {
        lock(&self.in_flight)
            .insert(reference.to_string())
            .then(|| Claim {
                core: self,
                reference: reference.to_string(),
            })
    }

    pub(super) fn spawn(&self, work: impl std::future::Future<Output = ()> + Send + 'static) {
        let mut tasks = lock(&self.tasks);
        // Finished work leaves the set here, so it does not grow for ever.
        while tasks.try_join_next().is_some() {}
        tasks.spawn(work);
    }

    pub(super) fn spawn_vend(self: &Arc<Self>, command: VendCommand) {
        let core = self.clone();
        self.spawn(async move {
            let reference = command.reference.clone();
            let answer = core.vend(command).await;
            tracing::info!(%reference, ?answer, "vend command handled");
        });
    }

    /// A heartbeat now (a new link: the hub learns the dispenser's state).
    pub(super) fn spawn_heartbeat_now(self: &Arc<Self>) {
        let core = self.clone();
        self.spawn(async move { core.heartbeat().await });
    }

    async fn heartbeat(&self) {
        let ready = self.dispenser.ready().await;
        self.mirror.set_dispenser_ready(ready);
        if let Err(e) = self.hub.heartbeat(ready).await {
            tracing::warn!(error = %e, "heartbeat to the hub failed");
        }
    }

    /// Heartbeats, and the watchdog that turns a silent link into "out of
    /// service" on the display even while nothing else happens.
    pub(super) async fn keep_alive(self: Arc<Self>) {
        let mut beat = tokio::time::interval(self.settings.heartbeat_every);
        let tick = (self.settings.link_silence / 8)
            .clamp(Duration::from_millis(50), Duration::from_secs(1));
        let mut watch = tokio::time::interval(tick);
        loop {
            tokio::select! {
                _ = beat.tick() => self.heartbeat().await,
                _ = watch.tick() => self.mirror.refresh(),
            }
        }
    }
}
