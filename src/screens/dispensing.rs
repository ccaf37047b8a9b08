//! The machine is vending.

use crate::components::{Line, Message};
use crate::i18n::tr;
use leptos::prelude::*;
use vendscreen_protocol::{self as wire, Locale};

/// "Dispensing your item…".
#[component]
pub fn DispensingScreen(
    #[prop(into)] session: Memo<Option<wire::Session>>,
    #[prop(into)] locale: Memo<Locale>,
) -> impl IntoView {
    let lines = vec![
        Line::new("product", super::product_name(session)),
        Line::new("body", tr(locale, |s| s.dispensing_body)),
    ];
    view! { <Message testid="screen-dispensing" tone="progress" icon="" title=tr(locale, |s| s.dispensing) lines=lines /> }
}
