//! The customer touched a product; the payment is being created.

use crate::components::Message;
use crate::i18n::tr;
use leptos::prelude::*;
use vendscreen_protocol::Locale;

/// "Preparing your payment…".
#[component]
pub fn CreatingScreen(#[prop(into)] locale: Memo<Locale>) -> impl IntoView {
    view! { <Message testid="screen-creating" tone="progress" icon="" title=tr(locale, |s| s.creating) lines=vec![] /> }
}
