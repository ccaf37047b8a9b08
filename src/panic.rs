//! The last line of defence: a panic is logged, then the page's
//! `vendscreenCrash()` (index.html) replaces the screen with a calm message and
//! reloads a few seconds later, so a kiosk never sits on a blank or frozen
//! screen. That part is JavaScript because the wasm instance is dead by then.

/// Installs the hook. Call first thing in `main`.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        crate::page::call("vendscreenCrash", &wasm_bindgen::JsValue::UNDEFINED);
    }));
}
