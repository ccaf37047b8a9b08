//! Approved in the app; the machine is about to vend.

use crate::components::{Line, Message};
use crate::i18n::tr;
use leptos::prelude::*;
use vendscreen_protocol::{self as wire, Locale};

/// "Payment approved — getting your item ready…".
#[component]
pub fn AuthorizedScreen(
    #[prop(into)] session: Memo<Option<wire::Session>>,
    #[prop(into)] locale: Memo<Locale>,
) -> impl IntoView {
    let lines = vec![
        Line::new("product", super::product_name(session)),
        Line::new("body", tr(locale, |s| s.authorized_body)),
    ];
    view! { <Message testid="screen-authorized" tone="good" icon="✓" title=tr(locale, |s| s.authorized) lines=lines /> }
}
