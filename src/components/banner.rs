//! `<ConnectionBanner/>`: over whatever is shown when the stream is stale;
//! offline is a banner, never a blank screen.

use crate::connection::Link;
use crate::i18n::tr;
use leptos::prelude::*;
use vendscreen_protocol::Locale;

/// Shows while `link` is stale or lost.
#[component]
pub fn ConnectionBanner(
    #[prop(into)] link: Signal<Link>,
    #[prop(into)] locale: Signal<Locale>,
) -> impl IntoView {
    let down = Signal::derive(move || matches!(link.get(), Link::Stale | Link::Lost));
    view! {
        <Show when=move || down.get()>
            <div class="banner" role="alert" data-testid="connection-banner">
                <span class="icon" aria-hidden="true">"⚠"</span>
                <span>{tr(locale, |s| s.stale)}</span>
            </div>
        </Show>
    }
}
