//! A hub's side of the engine: what a machine's edge asks for (purchases,
//! cancels, its stream's contents) and the vend handshake (MDB's: vend
//! request → approved → success or failure). On approval the vend step
//! records "vending" and queues a `vend` for the machine with a deadline; the
//! edge acknowledges before the deadline, vends, and reports the outcome.
//! No acknowledgement by the deadline: nothing was vended, release. An
//! acknowledgement but no outcome: uncertain, release and ask a person.

use super::worker::Step;
use super::{Engine, EngineError, Vending};
use crate::dispenser::VendOutcome as Dispensed;
use crate::domain::{Event, OperatorReason, Phase, SessionRecord};
use crate::store::{OutboxKind, OutboxRow, PgStore, VendAck};
use crate::telemetry::metrics;
use time::OffsetDateTime;
use vendscreen_protocol::fleet::{FleetSnapshot, VendCommand, VendOutcome};
use vendscreen_protocol::{self as wire, EndReason};

impl Engine {
    fn hub_store(&self) -> Result<&PgStore, EngineError> {
        self.fleet()
            .ok_or_else(|| EngineError::Conflict("not a hub".into()))
    }

    /// A machine's purchase, or `UnknownSession` (another machine's too: a
    /// token only ever reaches its own machine's sessions).
    async fn own_record(
        &self,
        machine: &str,
        reference: &str,
    ) -> Result<SessionRecord, EngineError> {
        match self.inner.store.get(reference).await? {
            Some(record) if record.machine == machine => Ok(record),
            _ => Err(EngineError::UnknownSession(reference.into())),
        }
    }

    /// An edge starts a purchase; the same request id again finds it.
    pub async fn fleet_purchase(
        &self,
        machine: &str,
        product_id: &str,
        request_id: &str,
    ) -> Result<wire::Session, EngineError> {
        self.purchase(machine, product_id, Some(request_id)).await
    }

    pub async fn fleet_session(
        &self,
        machine: &str,
        reference: &str,
    ) -> Result<wire::Session, EngineError> {
        self.wire(&self.own_record(machine, reference).await?).await
    }

    pub async fn fleet_cancel(
        &self,
        machine: &str,
        reference: &str,
    ) -> Result<wire::Session, EngineError> {
        self.own_record(machine, reference).await?;
        self.cancel(reference).await
    }

    /// The edge is about to vend: accepted only before the vend's deadline
    /// (on the database's clock), else `TooLateToVend` (do not vend).
    pub async fn vend_ack(
        &self,
        machine: &str,
        reference: &str,
    ) -> Result<VendCommand, EngineError> {
        let Vending::Remote(remote) = self.inner.vending else {
            return Err(EngineError::Conflict("not a hub".into()));
        };
        let ack = self
            .hub_store()?
            .ack_vend(machine, reference, remote.result_within);
        match ack.await? {
            VendAck::Accepted(record) | VendAck::Again(record) => {
                tracing::info!(%reference, machine, "vend acknowledged");
                Ok(vend_command(&record))
            }
            VendAck::Refused => Err(EngineError::TooLateToVend(reference.into())),
        }
    }

    /// The vend's outcome as the machine saw it. The same outcome again is
    /// fine; a different one than the session already went by is a conflict
    /// (and a vend reported after its reservation was released is listed for
    /// a person: the item may have dropped unpaid).
    pub async fn vend_result(
        &self,
        machine: &str,
        reference: &str,
        outcome: VendOutcome,
    ) -> Result<(), EngineError> {
        let record = self.own_record(machine, reference).await?;
        if record.status.phase() == Phase::Vending {
            let (event, name) = match outcome {
                VendOutcome::Vended => (Event::VendSucceeded, Dispensed::Vended),
                VendOutcome::Failed => {
                    (Event::VendFailed(EndReason::VendFailed), Dispensed::Failed)
                }
            };
            if self.handle(reference, event).await?.is_some() {
                // From the machine's acknowledgement to its outcome.
                let since = record.vend_acked_at.or(record.phase_since);
                let took = since.map(|t| OffsetDateTime::now_utc() - t);
                let took = took.and_then(|d| d.try_into().ok()).unwrap_or_default();
                metrics::vend_finished(name.as_str(), took);
                self.inner.wake.notify_one();
                return Ok(());
            }
        }
        let record = self.own_record(machine, reference).await?;
        if recorded_outcome(&record) == Some(outcome) {
            return Ok(());
        }
        if outcome == VendOutcome::Vended {
            self.flag_operator(reference, OperatorReason::VendUncertain)
                .await;
        }
        Err(EngineError::Conflict(format!(
            "{reference} went on as {:?}; the machine says {outcome:?}",
            record.status.phase()
        )))
    }

    /// The edge is alive; its dispenser is (not) ready.
    pub async fn heartbeat(
        &self,
        machine: &str,
        dispenser_ready: Option<bool>,
    ) -> Result<(), EngineError> {
        Ok(self
            .hub_store()?
            .heartbeat(machine, dispenser_ready)
            .await?)
    }

    /// The first event of a machine's stream, and the outbox sequence it covers.
    pub async fn fleet_snapshot(&self, machine: &str) -> Result<(i64, FleetSnapshot), EngineError> {
        let head = self.hub_store()?.outbox_head(machine).await?;
        let catalog = self.catalog_of(machine).await?;
        let latest = self.inner.store.latest(machine).await?;
        let vend = latest
            .as_ref()
            .filter(|r| r.status.phase() == Phase::Vending && r.vend_acked_at.is_none())
            .map(vend_command);
        let snapshot = FleetSnapshot {
            machine: self.fleet_status(machine).await?,
            session: self.current_session(machine).await?,
            catalog: catalog.wire(),
            vend,
            server_time: crate::store::rfc3339(OffsetDateTime::now_utc()),
        };
        Ok((head, snapshot))
    }

    /// A fleet machine's status, as the hub sees it (its edge adds its link).
    pub async fn fleet_status(&self, machine: &str) -> Result<wire::MachineStatus, EngineError> {
        let found = self.hub_store()?.machine(machine).await?;
        let dispenser = found
            .as_ref()
            .is_some_and(|m| m.dispenser_ready && m.enabled);
        let reason = if !dispenser {
            Some(wire::OutOfServiceReason::DispenserNotReady)
        } else if !self.payment_reachable() {
            Some(wire::OutOfServiceReason::PaymentServiceUnreachable)
        } else {
            None
        };
        Ok(wire::MachineStatus {
            in_service: reason.is_none(),
            reason,
            server_time: crate::store::rfc3339(OffsetDateTime::now_utc()),
        })
    }

    /// What an outbox row tells the machine's edge: an event name and its data.
    pub async fn fleet_event(
        &self,
        machine: &str,
        row: &OutboxRow,
    ) -> Result<(&'static str, serde_json::Value), EngineError> {
        use vendscreen_protocol::fleet::event_names as names;
        let record = |r: &OutboxRow| r.reference.clone().unwrap_or_default();
        Ok(match row.kind {
            OutboxKind::Session => {
                let session = self.fleet_session(machine, &record(row)).await?;
                (names::SESSION, to_json(&session))
            }
            OutboxKind::Vend => {
                let r = self.own_record(machine, &record(row)).await?;
                (names::VEND, to_json(&vend_command(&r)))
            }
            OutboxKind::Machine => (names::MACHINE, to_json(&self.fleet_status(machine).await?)),
            OutboxKind::Catalog => {
                let catalog = self.catalog_of(machine).await?.wire();
                (names::CATALOG, to_json(&catalog))
            }
        })
    }

    /// The machine's outbox after `after`.
    pub async fn outbox(
        &self,
        machine: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<OutboxRow>, EngineError> {
        Ok(self.inner.store.outbox_after(machine, after, limit).await?)
    }

    /// The vend's deadline passed without its outcome.
    pub(super) async fn vend_deadline_passed(&self, record: &SessionRecord) -> Step {
        let reference = &record.reference;
        if record.vend_acked_at.is_none() {
            tracing::warn!(%reference, "the machine never acknowledged the vend; releasing");
            let event = Event::VendFailed(EndReason::VendTimeout);
            self.offer(reference, event).await;
            return Step::Moved;
        }
        tracing::warn!(%reference, "acknowledged, but no outcome: uncertain");
        self.flag_operator(reference, OperatorReason::VendUncertain)
            .await;
        self.offer(reference, Event::VendFailed(EndReason::Interrupted))
            .await;
        Step::Moved
    }

    /// On a hub: whether a machine's edge has been silent too long to still
    /// show its QR (the customer sees a screen that cannot say what happens).
    pub(super) async fn machine_gone_silent(&self, machine: &str) -> bool {
        let (Some(fleet), Vending::Remote(remote)) = (self.fleet(), &self.inner.vending) else {
            return false;
        };
        match fleet.silent_for(machine).await {
            Ok(Some(silent)) => silent > remote.silence,
            Ok(None) => true,
            Err(_) => false,
        }
    }
}

fn vend_command(record: &SessionRecord) -> VendCommand {
    VendCommand {
        reference: record.reference.clone(),
        slot: record.slot.clone(),
        product: wire::ProductRef {
            id: record.product_id.clone(),
            name: record.product_name.clone(),
        },
    }
}

/// The outcome a session has already gone by, if it went by one.
fn recorded_outcome(record: &SessionRecord) -> Option<VendOutcome> {
    match (record.status.phase(), record.status.reason()) {
        (Phase::Capturing | Phase::Completed, _) => Some(VendOutcome::Vended),
        (Phase::Releasing | Phase::VendFailed, Some(EndReason::VendFailed)) => {
            Some(VendOutcome::Failed)
        }
        _ => None,
    }
}

fn to_json(value: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}
