//! The hub (fleet mode) over real HTTP, on a real PostgreSQL database of its
//! own (pgtest), paying at a simulator of its own ("Vipps"). The tests play
//! the machines' edges with plain HTTP: the contract as the edge sees it.

#[path = "../support/cli.rs"]
mod cli;
mod edge;
mod fleet_cli;
mod handshake;
mod harness;
mod machines;
mod operator;

#[path = "../support/vipps.rs"]
#[allow(dead_code)]
mod vipps;
#[path = "../support/wait.rs"]
#[allow(dead_code)]
mod wait;
