//! The App's side effects, one small named hook each, so the App is wiring
//! and each effect can be read (and tested) alone.

pub mod alive;
pub mod cancel;

pub use alive::use_alive;
pub use cancel::use_cancel;
