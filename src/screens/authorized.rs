//! Approved in the app; the machine is about to vend.

use crate::i18n::tr;
use leptos::prelude::*;
use vendscreen_protocol::{self as wire, Locale};

/// "Payment approved — getting your item ready…".
#[component]
pub fn AuthorizedScreen(
    #[prop(into)] session: Signal<Option<wire::Session>>,
    #[prop(into)] locale: Signal<Locale>,
) -> impl IntoView {
    view! {
        <main class="screen good" data-testid="screen-authorized">
            <p class="icon big" aria-hidden="true">"✓"</p>
            <h1>{tr(locale, |s| s.authorized)}</h1>
            <p class="product">{move || super::product_name(session.get().as_ref())}</p>
            <p>{tr(locale, |s| s.authorized_body)}</p>
        </main>
    }
}
