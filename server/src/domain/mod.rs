//! The purchase as every role sees it: the record, its phases and the one
//! pure transition function. The engine (`session`) and the stores (`store`)
//! both build on this module and never on each other.

pub mod record;
pub mod state;

pub use record::{OperatorReason, SessionRecord};
pub use state::{Event, Payment, Phase, Status, Transition};

#[cfg(test)]
mod state_props;
