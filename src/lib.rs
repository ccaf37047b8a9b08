//! The vendscreen display: a projection of the machine's state streamed by
//! the server. Pure logic (screen, countdown, money, qr, connection, i18n) is
//! tested natively; components and hooks in the browser (`tests/`).

/// Single-threaded wasm: talc, smaller than the default dlmalloc.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub mod api;
pub mod app;
pub mod clock;
pub mod components;
pub mod connection;
pub mod countdown;
pub mod events;
pub mod hooks;
pub mod i18n;
pub mod json;
pub mod layout;
pub mod memo;
pub mod money;
pub mod page;
pub mod panic;
pub mod qr;
pub mod screen;
pub mod screens;
pub mod sound;
pub mod sse;

pub use app::App;
