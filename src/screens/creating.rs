//! The customer touched a product; the payment is being created. Cancel is
//! offered already: a press here is kept and sent as soon as the purchase
//! has a reference (`screen::CancelIntent::Waiting`).

use crate::components::{CancelButton, Message};
use crate::i18n::tr;
use leptos::prelude::*;
use vendscreen_protocol::Locale;

/// "Preparing your payment…", with Cancel when `on_cancel` is given.
#[component]
pub fn CreatingScreen(
    #[prop(into)] locale: Memo<Locale>,
    /// Cancel pressed and not yet settled.
    #[prop(optional, into)]
    cancelling: Option<Signal<bool>>,
    #[prop(optional)] on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let title = tr(locale, |s| s.creating);
    match (on_cancel, cancelling) {
        (Some(on_cancel), Some(cancelling)) => view! {
            <Message testid="screen-creating" tone="progress" icon="" title=title lines=vec![]>
                <CancelButton locale=locale cancelling=cancelling on_cancel=on_cancel />
            </Message>
        }
        .into_any(),
        _ => view! { <Message testid="screen-creating" tone="progress" icon="" title=title lines=vec![] /> }
            .into_any(),
    }
}
