//! The last line of defence: a panic logs, replaces the page with a calm
//! message and reloads, so a kiosk never sits on a blank or frozen screen.
//! The reload is plain JavaScript because the wasm instance is dead by then.

use wasm_bindgen::JsValue;

/// Seconds between a crash and the reload.
const RELOAD_AFTER_MS: i32 = 5_000;

/// Installs the hook. Call first thing in `main`.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let _ = show_and_reload();
    }));
}

fn show_and_reload() -> Result<(), JsValue> {
    let window = web_sys::window().ok_or(JsValue::NULL)?;
    if let Some(body) = window.document().and_then(|d| d.body()) {
        // Both the machine's likely languages and English: we cannot know which
        // one was on screen without touching state that may be what panicked.
        body.set_inner_html(
            r#"<main class="screen crash" data-testid="screen-crash" role="alert">
<p class="icon" aria-hidden="true">↻</p>
<h1>Et øyeblikk – starter på nytt…</h1><h1 lang="en">One moment — restarting…</h1>
<p>Ingen penger er trukket uten at du har godkjent i appen.</p>
<p lang="en">No money is taken unless you approved it in the app.</p></main>"#,
        );
    }
    let reload = js_sys::Function::new_no_args("location.reload()");
    window.set_timeout_with_callback_and_timeout_and_arguments_0(&reload, RELOAD_AFTER_MS)?;
    Ok(())
}
