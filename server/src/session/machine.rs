//! Whether the machine can sell: the dispenser is ready and the payment service
//! answers. Checked before every purchase and watched in the background so the
//! idle screen can say "out of service" before anyone touches it.

use super::{Engine, EngineError, Update};
use crate::epayment::client::QrFormat;
use crate::epayment::EpaymentError;
use std::sync::atomic::Ordering;
use std::time::Duration;
use vendscreen_protocol::{self as wire, OutOfServiceReason};

/// The last known state of the machine's two dependencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MachineHealth {
    pub dispenser_ready: bool,
    pub payment_reachable: bool,
    /// The store takes writes: a purchase it cannot record is not started.
    pub store_writable: bool,
}

impl Default for MachineHealth {
    fn default() -> Self {
        MachineHealth {
            dispenser_ready: true,
            payment_reachable: true,
            store_writable: true,
        }
    }
}

impl MachineHealth {
    fn reason(self) -> Option<OutOfServiceReason> {
        if !self.dispenser_ready {
            Some(OutOfServiceReason::DispenserNotReady)
        } else if !self.store_writable {
            Some(OutOfServiceReason::StoreUnavailable)
        } else if !self.payment_reachable {
            Some(OutOfServiceReason::PaymentServiceUnreachable)
        } else {
            None
        }
    }
}

/// A reference no payment has: a GET for it answers 404 when Vipps is up.
const PROBE_REFERENCE: &str = "vendscreen-reachability-probe";

/// How long a usable answer from the payment service vouches for it.
const PROBE_FRESH: Duration = Duration::from_secs(45);

impl Engine {
    pub fn machine_status(&self) -> wire::MachineStatus {
        let health = *self.inner.machine.read().unwrap_or_else(|e| e.into_inner());
        wire::MachineStatus {
            in_service: health.reason().is_none(),
            reason: health.reason(),
            server_time: crate::store::rfc3339(time::OffsetDateTime::now_utc()),
        }
    }

    /// References of the flagged sessions nobody has resolved yet.
    pub async fn awaiting_operator(&self) -> Vec<String> {
        // A hub lists every machine's.
        let machine = Some(self.machine_id()).filter(|m| !m.is_empty());
        match self.inner.store.awaiting_operator(machine).await {
            Ok(records) => records.into_iter().map(|r| r.reference).collect(),
            Err(e) => {
                tracing::error!(error = %e, "could not read the sessions awaiting an operator");
                Vec::new()
            }
        }
    }

    /// Whether the payment service answered the last check.
    pub fn payment_reachable(&self) -> bool {
        self.inner
            .machine
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .payment_reachable
    }

    /// Refuses the purchase when either dependency is down. The dispenser is
    /// asked now; the payment service is probed again unless it answered within
    /// `PROBE_FRESH` (the health monitor keeps that true while it is up).
    pub(super) async fn ensure_in_service(&self, machine: &str) -> Result<(), EngineError> {
        if let Some(fleet) = self.fleet() {
            // A fleet machine's dispenser is as ready as its edge last said.
            let ready = fleet
                .machine(machine)
                .await?
                .is_some_and(|m| m.dispenser_ready);
            if !ready {
                return Err(EngineError::OutOfService(
                    OutOfServiceReason::DispenserNotReady,
                ));
            }
        }
        let fresh = self
            .inner
            .payment_seen_ok
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some_and(|t| t.elapsed() < PROBE_FRESH);
        let health = if fresh && self.payment_reachable() {
            let dispenser_ready = self.local_dispenser_ready().await;
            let health = MachineHealth {
                dispenser_ready,
                payment_reachable: true,
                store_writable: self.inner.store.check_writable().await,
            };
            self.set_health(health);
            health
        } else {
            self.check_health().await
        };
        match health.reason() {
            None => Ok(()),
            Some(reason) => Err(EngineError::OutOfService(reason)),
        }
    }

    /// Probes the dispenser and the payment service and publishes any change.
    pub async fn check_health(&self) -> MachineHealth {
        let dispenser_ready = self.local_dispenser_ready().await;
        let probe = self.inner.client.get_payment(PROBE_REFERENCE).await;
        // The expected answer is a 404; only an answer that lets us sell counts.
        let payment_reachable = !probe.is_err_and(|e| e.service_unusable());
        if payment_reachable {
            self.payment_answered();
        }
        let health = MachineHealth {
            dispenser_ready,
            payment_reachable,
            store_writable: self.inner.store.check_writable().await,
        };
        self.set_health(health);
        health
    }

    /// This machine's own dispenser (a hub has none: its machines' edges
    /// report theirs).
    async fn local_dispenser_ready(&self) -> bool {
        match &self.inner.vending {
            super::Vending::Local(dispenser) => dispenser.ready().await,
            super::Vending::Remote(_) => true,
        }
    }

    /// Why the store refuses writes right now, if it does (`/healthz`).
    pub fn store_write_error(&self) -> Option<String> {
        self.inner.store.write_error()
    }

    pub(super) fn note_reachability(&self, reachable: bool) {
        if reachable {
            self.payment_answered();
        }
        let mut health = *self.inner.machine.read().unwrap_or_else(|e| e.into_inner());
        health.payment_reachable = reachable;
        self.set_health(health);
    }

    /// Records that the payment service answered just now.
    fn payment_answered(&self) {
        *self
            .inner
            .payment_seen_ok
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(std::time::Instant::now());
    }

    fn set_health(&self, health: MachineHealth) {
        let changed = {
            let mut current = self
                .inner
                .machine
                .write()
                .unwrap_or_else(|e| e.into_inner());
            std::mem::replace(&mut *current, health) != health
        };
        if changed {
            tracing::info!(?health, "machine status changed");
            let id = self.inner.event_id.fetch_add(1, Ordering::SeqCst) + 1;
            let _ = self
                .inner
                .updates
                .send(Update::Machine(id, self.machine_status()));
        }
    }

    /// Re-checks health every `every` for as long as the server runs.
    pub fn spawn_health_monitor(&self, every: Duration) {
        let engine = self.clone();
        tokio::spawn(async move {
            loop {
                engine.check_health().await;
                tokio::time::sleep(every).await;
            }
        });
    }

    /// What the display shows for the provider's `redirectUrl`: the URL to
    /// encode, or the image Vipps rendered (an error when it cannot be had).
    pub(super) async fn qr_for(
        &self,
        url: String,
    ) -> Result<(Option<String>, Option<String>), EpaymentError> {
        match self.inner.settings.qr_format {
            QrFormat::TargetUrl => Ok((Some(url), None)),
            QrFormat::Svg => {
                let data_url = self.inner.client.fetch_qr_image(&url).await?;
                Ok((None, Some(data_url)))
            }
        }
    }

    /// Keeps the QR before the screen is told to show it; a store that
    /// refuses is tried again (a pay screen without its QR helps nobody).
    pub(super) async fn store_qr(&self, reference: &str, qr: (Option<String>, Option<String>)) {
        let (url, image) = (qr.0.as_deref(), qr.1.as_deref());
        let store = &self.inner.store;
        self.persist(reference, "store the QR", || {
            store.set_qr(reference, url, image)
        })
        .await;
    }
}
