//! The machine's status, the SSE snapshot, health and errors.

use crate::Session;
use serde::{Deserialize, Serialize};

/// Why the machine cannot sell right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OutOfServiceReason {
    /// The dispenser reports it is not ready.
    DispenserNotReady,
    /// The payment service cannot be reached.
    PaymentServiceUnreachable,
    /// An operator took the machine out of service.
    Maintenance,
    /// The machine cannot record a purchase (its store refuses writes).
    StoreUnavailable,
    /// Fleet mode: the machine has lost its link to the hub.
    HubUnreachable,
    /// A reason this version of the display does not know yet.
    #[serde(other)]
    Unknown,
}

/// Whether the machine can sell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineStatus {
    /// True when a purchase can start.
    pub in_service: bool,
    /// Why not, when `in_service` is false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<OutOfServiceReason>,
    /// The server's clock when this was sent (RFC 3339).
    pub server_time: String,
}

/// The first event of every `GET /api/events` connection: all the screen needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// The machine's status.
    pub machine: MachineStatus,
    /// The current (or most recently ended) session, if any.
    pub session: Option<Session>,
    /// The server's clock when this was sent (RFC 3339).
    pub server_time: String,
}

fn yes() -> bool {
    true
}

/// The answer to `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// `"ok"`, or `"degraded"` (with HTTP 503) while the store refuses writes:
    /// the machine cannot record a purchase then, so it sells nothing.
    pub status: String,
    /// Whether the payment service answered the last check.
    pub payment_service_reachable: bool,
    /// Whether the store took the last write (false: locked by another
    /// process, disk full, …; the engine keeps trying).
    #[serde(default = "yes")]
    pub store_writable: bool,
    /// References of purchases the machine could not settle by itself (a
    /// vend whose outcome is unknown after a crash: released, never
    /// captured), until a person resolves them with
    /// `vendscreen-server operator resolve`. Empty when all is well.
    #[serde(default)]
    pub needs_operator: Vec<String>,
    /// When the machine's screen last said it was alive (RFC 3339; the
    /// display reports every 15 s while its page works). Absent until it
    /// first does: a screen that never started, or a hub, which has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_last_alive: Option<String>,
}

/// An `application/problem+json` error body (RFC 9457).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What happened this time, in words the client can act on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Why the machine is out of service, for 503 answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<OutOfServiceReason>,
}
