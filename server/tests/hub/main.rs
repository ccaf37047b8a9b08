//! The hub (fleet mode) over real HTTP, on a real PostgreSQL database of its
//! own (pgtest), paying at a simulator of its own ("Vipps"). The tests play
//! the machines' edges with plain HTTP: the contract as the edge sees it.

mod cli;
mod edge;
mod handshake;
mod harness;
mod machines;

#[path = "../support/vipps.rs"]
#[allow(dead_code)]
mod vipps;
#[path = "../support/wait.rs"]
#[allow(dead_code)]
mod wait;
