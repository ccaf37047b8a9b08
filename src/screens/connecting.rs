//! Before the first snapshot: a calm "starting…", never a blank page.

use crate::i18n::tr;
use leptos::prelude::*;
use vendscreen_protocol::Locale;

/// Shown until the server has said what to show.
#[component]
pub fn ConnectingScreen(#[prop(into)] locale: Signal<Locale>) -> impl IntoView {
    view! {
        <main class="screen progress" data-testid="screen-connecting">
            <div class="spinner" aria-hidden="true"></div>
            <h1>{tr(locale, |s| s.connecting)}</h1>
        </main>
    }
}
