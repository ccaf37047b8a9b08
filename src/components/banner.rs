//! `<ConnectionBanner/>`: over whatever is shown when the stream is stale;
//! offline is a banner, never a blank screen.

use crate::components::Alert;
use crate::connection::Link;
use crate::i18n::tr;
use leptos::prelude::*;
use vendscreen_protocol::Locale;

/// Shows while `link` is stale or lost.
#[component]
pub fn ConnectionBanner(
    #[prop(into)] link: Signal<Link>,
    #[prop(into)] locale: Memo<Locale>,
) -> impl IntoView {
    let down = Signal::derive(move || matches!(link.get(), Link::Stale | Link::Lost));
    let text = tr(locale, |s| s.stale);
    view! { <Alert when=down class="banner" testid="connection-banner" icon="⚠ " text=text /> }
}
