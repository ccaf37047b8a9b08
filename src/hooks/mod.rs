//! The App's side effects, one small named hook each, so the App is wiring
//! and each effect can be read (and tested) alone.

pub mod cancel;

pub use cancel::use_cancel;
