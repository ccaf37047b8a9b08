//! The end-to-end harness: the real `vendscreen-server` binary with its
//! built-in simulator, the Trunk-built display in headless Chromium driven
//! through chromedriver, and helpers that read like what a customer does.

pub mod anchored;
pub mod api;
pub mod artifacts;
pub mod browser;
pub mod kiosk;
pub mod phone;
pub mod qr;
pub mod screen;
pub mod server;
pub mod sse;
pub mod wait;

pub use api::Api;
pub use browser::Browser;
pub use kiosk::{scenario, Kiosk, Setup};
pub use phone::Phone;
pub use screen::Screen;
pub use server::{Server, ServerOptions};
pub use vendscreen_protocol as wire;

use std::path::PathBuf;

/// The workspace root (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}
