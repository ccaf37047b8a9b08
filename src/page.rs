//! Calls into the few functions `index.html` defines for the display
//! (`vendscreenTone`, `vendscreenCrash`). They live in the page because they must
//! work when the wasm cannot (a crash), or cost far less there (WebAudio).

use wasm_bindgen::{JsCast, JsValue};

/// Calls `window[name](arg)`; does nothing when the page lacks it.
pub fn call(name: &str, arg: &JsValue) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let f = js_sys::Reflect::get(&window, &JsValue::from_str(name));
    if let Some(f) = f.ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
        let _ = f.call1(&JsValue::NULL, arg);
    }
}
