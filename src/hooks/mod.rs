//! The App's side effects, one small named hook each, so the App is wiring
//! and each effect can be read alone; their decisions are pure functions
//! tested natively.

pub mod alive;
pub mod cancel;
pub mod catalog_refresh;
pub mod idle_return;
pub mod language;
pub mod notice_timer;
pub mod sound;

pub use alive::use_alive;
pub use cancel::use_cancel;
pub use catalog_refresh::use_catalog_refresh;
pub use idle_return::use_idle_return;
pub use language::use_language_reset;
pub use notice_timer::use_notice_timer;
pub use sound::use_sound;
