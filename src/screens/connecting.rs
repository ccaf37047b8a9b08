//! Before the first snapshot: a calm "starting…", never a blank page.

use crate::components::Message;
use crate::i18n::tr;
use leptos::prelude::*;
use vendscreen_protocol::Locale;

/// Shown until the server has said what to show.
#[component]
pub fn ConnectingScreen(#[prop(into)] locale: Memo<Locale>) -> impl IntoView {
    view! { <Message testid="screen-connecting" tone="progress" icon="" title=tr(locale, |s| s.connecting) lines=vec![] /> }
}
