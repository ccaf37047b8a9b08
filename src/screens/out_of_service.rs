//! The machine cannot sell; say why, and that no money was taken.

use crate::i18n::{t, tr};
use leptos::prelude::*;
use vendscreen_protocol::{Locale, OutOfServiceReason};

/// "Out of service. No money has been taken."
#[component]
pub fn OutOfServiceScreen(
    #[prop(into)] reason: Signal<Option<OutOfServiceReason>>,
    #[prop(into)] locale: Signal<Locale>,
) -> impl IntoView {
    view! {
        <main class="screen bad" data-testid="screen-out-of-service">
            <p class="icon big" aria-hidden="true">"⛔"</p>
            <h1>{tr(locale, |s| s.out_of_service)}</h1>
            <p class="reason">{move || t(locale.get()).reason(reason.get())}</p>
            <p class="money">{tr(locale, |s| s.no_money_taken)}</p>
        </main>
    }
}
