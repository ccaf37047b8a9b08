//! The two ways the engine is set up: one machine with its own dispenser
//! (standalone), or a fleet's machines, whose edges vend (hub).

use super::{Engine, EngineError};
use crate::config::MachineCatalog;
use crate::dispenser::Dispenser;
use crate::store::PgStore;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How a machine is told to vend.
#[derive(Clone)]
pub enum Vending {
    /// The dispenser of the machine this process runs on.
    Local(Dispenser),
    /// The machine's edge, through its outbox (a hub).
    Remote(RemoteVend),
}

/// The vend handshake's deadlines (design.md, "Fleet mode").
#[derive(Debug, Clone, Copy)]
pub struct RemoteVend {
    /// The edge must acknowledge the vend within this; otherwise nothing
    /// was vended and the reservation is released.
    pub ack_within: Duration,
    /// After its acknowledgement, the vend's outcome must arrive within this;
    /// otherwise it is uncertain: released and flagged for a person.
    pub result_within: Duration,
    /// An open QR of a machine silent this long is cancelled.
    pub silence: Duration,
}

/// Where the engine learns what each machine sells.
#[derive(Clone)]
pub enum Machines {
    One(Arc<MachineCatalog>),
    Fleet(PgStore),
}

/// How long a fleet machine's catalog is reused before it is read again: a
/// new catalog reaches sales within this (edges hear of it at once).
const CATALOG_FRESH: Duration = Duration::from_secs(5);

/// Fleet machines' catalogs, each with the time it was read.
pub(super) type CatalogCache = Mutex<HashMap<String, (Instant, Arc<MachineCatalog>)>>;

impl Engine {
    /// What `machine` sells and how.
    pub(super) async fn catalog_of(
        &self,
        machine: &str,
    ) -> Result<Arc<MachineCatalog>, EngineError> {
        let store = match &self.inner.machines {
            Machines::One(catalog) if catalog.machine.pos_id == machine => {
                return Ok(catalog.clone())
            }
            Machines::One(_) => return Err(EngineError::UnknownMachine(machine.into())),
            Machines::Fleet(store) => store,
        };
        let cache = &self.inner.catalogs;
        if let Some((at, catalog)) = lock(cache).get(machine) {
            if at.elapsed() < CATALOG_FRESH {
                return Ok(catalog.clone());
            }
        }
        let found = store.machine(machine).await?;
        let found = found.ok_or_else(|| EngineError::UnknownMachine(machine.into()))?;
        let catalog = MachineCatalog::from_json(&found.catalog)
            .map_err(|e| EngineError::Conflict(format!("{machine}'s catalog: {e}")))?;
        let catalog = Arc::new(catalog);
        lock(cache).insert(machine.to_string(), (Instant::now(), catalog.clone()));
        Ok(catalog)
    }

    /// The hub's store of machines, when this is a hub.
    pub(super) fn fleet(&self) -> Option<&PgStore> {
        match &self.inner.machines {
            Machines::Fleet(store) => Some(store),
            Machines::One(_) => None,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
