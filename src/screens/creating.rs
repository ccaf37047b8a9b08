//! The customer touched a product; the payment is being created.

use crate::i18n::tr;
use leptos::prelude::*;
use vendscreen_protocol::Locale;

/// "Preparing your payment…".
#[component]
pub fn CreatingScreen(#[prop(into)] locale: Signal<Locale>) -> impl IntoView {
    view! {
        <main class="screen progress" data-testid="screen-creating">
            <div class="spinner" aria-hidden="true"></div>
            <h1>{tr(locale, |s| s.creating)}</h1>
        </main>
    }
}
