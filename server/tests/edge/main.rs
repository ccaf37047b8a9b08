//! The real edge agent (fleet mode) against a real hub on its own PostgreSQL
//! database, paying at a simulator ("Vipps"): the display API on the edge,
//! the vend handshake with its journal and a simulated dispenser, and a
//! link through a proxy the tests can cut.

mod links;
mod machine;
mod purchase;
mod vends;

#[path = "../hub/edge.rs"]
#[allow(dead_code)]
mod edge;
#[path = "../hub/harness.rs"]
#[allow(dead_code)]
mod harness;
#[path = "../support/edge.rs"]
mod in_process;
#[path = "../support/proxy.rs"]
mod proxy;
#[path = "../support/vipps.rs"]
#[allow(dead_code)]
mod vipps;
#[path = "../support/wait.rs"]
#[allow(dead_code)]
mod wait;
