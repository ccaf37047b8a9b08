//! The wire types between the vendscreen display and its server.
//!
//! This crate is the contract: JSON in camelCase, serde only, no I/O, no clocks,
//! no randomness. Both sides import it under a role name
//! (`use vendscreen_protocol as wire;`) so wire types never mix with domain types.
//! Every type here has a golden JSON file in `tests/golden/`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod catalog;
mod events;
pub mod fleet;
mod money;
mod session;

pub use catalog::{Catalog, Locale, Machine, Names, Product, QrErrorCorrection};
pub use events::{Health, MachineStatus, OutOfServiceReason, Problem, Snapshot};
pub use money::{Currency, Money};
pub use session::{CreateSession, EndReason, ProductRef, Session, SessionState};

/// Names of the server-sent events on `GET /api/events`.
pub mod event_names {
    /// First event on every connection: a [`crate::Snapshot`].
    pub const SNAPSHOT: &str = "snapshot";
    /// The whole [`crate::Session`] whenever it changes.
    pub const SESSION: &str = "session";
    /// A [`crate::MachineStatus`] whenever the machine's status changes.
    pub const MACHINE: &str = "machine";
}
