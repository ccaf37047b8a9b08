//! `<CancelButton/>`: the customer's way out, on the pay screen and while the
//! payment is being prepared. Never `disabled`: a disabled button swallows a
//! press without a word, so a press while cancelling is merely repeated to the
//! state, which knows it already has one (`State::press_cancel`).

use crate::i18n::t;
use leptos::prelude::*;
use vendscreen_protocol::Locale;

/// "Cancel", or "Cancelling…" once pressed.
#[component]
pub fn CancelButton(
    #[prop(into)] locale: Memo<Locale>,
    /// Cancel pressed and not yet settled.
    #[prop(into)]
    cancelling: Signal<bool>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let label = Signal::derive(move || {
        let s = t(locale.get());
        (if cancelling.get() {
            s.cancelling
        } else {
            s.cancel
        })
        .to_owned()
    });
    // "true"/"false" as a string signal, the type every text uses: one
    // render path less in the wasm than a closure of its own.
    let busy = Signal::derive(move || cancelling.get().to_string());
    view! {
        <button
            type="button"
            class="cancel"
            data-testid="cancel"
            aria-disabled=busy
            aria-busy=busy
            on:click=move |_| on_cancel.run(())
        >
            {label}
        </button>
    }
}
