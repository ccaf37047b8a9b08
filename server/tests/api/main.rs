//! Integration tests: the real server on port 0, the simulator over real HTTP,
//! a real SQLite file. One binary, one module per concern.

mod bad_input;
mod boundary;
mod cancels;
#[path = "../support/cli.rs"]
mod cli;
mod credentials;
mod dispensers;
mod engine;
mod health;
mod helpers;
mod images;
mod limits;
mod listeners;
mod money_safety;
mod operator_cli;
mod problems;
mod purchase;
mod sent;
mod simulator_guard;
mod smaller;
mod store;
mod stream;
#[path = "../support/vipps.rs"]
mod vipps;
#[path = "../support/wait.rs"]
mod wait;
mod webhooks;
