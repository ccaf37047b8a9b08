//! Short tones for success and failure. The synthesiser is ten lines of
//! WebAudio in `index.html` (`window.vendscreenTone`): the same in Rust through
//! web-sys cost ~1.3 KB brotli of the 100 KB first-load budget. Silent, never an
//! error, when the script is missing or the browser blocks autoplay: kiosks run
//! Chromium with `--autoplay-policy=no-user-gesture-required`.

use wasm_bindgen::JsValue;

/// Which sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Two rising notes: paid, take your item.
    Success,
    /// Two falling notes: it did not go through.
    Failure,
}

/// Plays `tone`, if the page and the browser let us.
pub fn play(tone: Tone) {
    crate::page::call("vendscreenTone", &JsValue::from_bool(tone == Tone::Success));
}
