//! The machine is vending.

use crate::i18n::tr;
use leptos::prelude::*;
use vendscreen_protocol::{self as wire, Locale};

/// "Dispensing your item…".
#[component]
pub fn DispensingScreen(
    #[prop(into)] session: Signal<Option<wire::Session>>,
    #[prop(into)] locale: Signal<Locale>,
) -> impl IntoView {
    view! {
        <main class="screen progress" data-testid="screen-dispensing">
            <div class="spinner" aria-hidden="true"></div>
            <h1>{tr(locale, |s| s.dispensing)}</h1>
            <p class="product">{move || super::product_name(session.get().as_ref())}</p>
            <p>{tr(locale, |s| s.dispensing_body)}</p>
        </main>
    }
}
