//! Fleet mode: the contract between a machine's edge agent and the hub
//! (`/fleet/v1/…`, bearer token, JSON, problem+json errors). The display
//! never sees these; its edge speaks the display API above to it.

use crate::{Catalog, MachineStatus, ProductRef, Session};
use serde::{Deserialize, Serialize};

/// Names of the server-sent events on `GET /fleet/v1/stream`. Every event's
/// `id:` is the machine's outbox sequence (the snapshot's: the newest one
/// it covers); `Last-Event-ID` resumes after it.
pub mod event_names {
    /// First event on every connection: a [`super::FleetSnapshot`].
    pub const SNAPSHOT: &str = "snapshot";
    /// The machine's newest [`crate::Session`] changed.
    pub const SESSION: &str = "session";
    /// The machine's [`crate::MachineStatus`] changed.
    pub const MACHINE: &str = "machine";
    /// The machine's [`crate::Catalog`] changed.
    pub const CATALOG: &str = "catalog";
    /// The machine must vend: a [`super::VendCommand`].
    pub const VEND: &str = "vend";
}

/// Body of `POST /fleet/v1/sessions`: start a purchase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartPurchase {
    /// The product to buy.
    pub product_id: String,
    /// The edge's id for this request: the same id again finds the same
    /// purchase (a retry after a lost answer never starts a second one).
    pub request_id: String,
}

/// The hub tells the machine to vend (MDB's "vend approved").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VendCommand {
    /// The purchase.
    pub reference: String,
    /// Where the dispenser finds the product.
    pub slot: String,
    /// What is vended.
    pub product: ProductRef,
}

/// Body of `POST /fleet/v1/vends/{reference}/result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VendResult {
    /// What the dispenser reported.
    pub outcome: VendOutcome,
}

/// A vend's outcome, as the machine saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum VendOutcome {
    /// The product dropped.
    Vended,
    /// It did not.
    Failed,
}

/// Body of `POST /fleet/v1/heartbeat`, every 15 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Heartbeat {
    /// Whether the machine's dispenser can vend now.
    pub dispenser_ready: bool,
}

/// The first event of every `GET /fleet/v1/stream` connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetSnapshot {
    /// The machine's status as the hub sees it.
    pub machine: MachineStatus,
    /// The machine's current (or most recently ended) purchase, if any.
    pub session: Option<Session>,
    /// What the machine sells.
    pub catalog: Catalog,
    /// A vend the machine must still acknowledge, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vend: Option<VendCommand>,
    /// The hub's clock when this was sent (RFC 3339).
    pub server_time: String,
}
