//! How the backend tells the machine to vend: `simulated`, `http` or `command`.
//! Each answers vended / failed within the configured timeout; a timeout is a failure
//! whose physical outcome is unknown, so the caller never captures on it.

mod command;
mod http;
mod simulated;

pub use simulated::SimulatedDispenser;

use crate::config::{DispenserConfig, DispenserKind};
use std::time::Duration;

/// What the machine reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VendOutcome {
    Vended,
    Failed,
    /// No answer in time: the product may or may not have dropped.
    TimedOut,
}

impl VendOutcome {
    /// Its name in logs and metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            VendOutcome::Vended => "vended",
            VendOutcome::Failed => "failed",
            VendOutcome::TimedOut => "timedOut",
        }
    }
}

/// The configured dispenser.
#[derive(Clone)]
pub enum Dispenser {
    Simulated(SimulatedDispenser),
    Http(http::HttpDispenser),
    Command(command::CommandDispenser),
}

impl Dispenser {
    pub fn from_config(config: &DispenserConfig) -> Dispenser {
        let timeout = Duration::from_secs(config.timeout_s);
        match config.kind {
            DispenserKind::Simulated => Dispenser::Simulated(SimulatedDispenser::new(
                Duration::from_millis(config.simulated_ms),
            )),
            DispenserKind::Http => Dispenser::Http(http::HttpDispenser::new(
                config.url.clone().unwrap_or_default(),
                timeout,
            )),
            DispenserKind::Command => Dispenser::Command(command::CommandDispenser::new(
                config.command.clone().unwrap_or_default(),
                timeout,
            )),
        }
    }

    /// Vends the product in `slot`; `reference` lets the machine deduplicate.
    pub async fn vend(&self, slot: &str, reference: &str) -> VendOutcome {
        let outcome = match self {
            Dispenser::Simulated(d) => d.vend(slot, reference).await,
            Dispenser::Http(d) => d.vend(slot, reference).await,
            Dispenser::Command(d) => d.vend(slot, reference).await,
        };
        tracing::info!(%reference, slot, ?outcome, "vend");
        outcome
    }

    /// Whether the machine can vend now (checked before a payment is created).
    pub async fn ready(&self) -> bool {
        match self {
            Dispenser::Simulated(d) => d.ready(),
            Dispenser::Http(d) => d.ready().await,
            Dispenser::Command(_) => true,
        }
    }
}
