//! The machine cannot sell; say why, and that no money was taken.

use crate::components::{Line, Message};
use crate::i18n::{t, tr};
use leptos::prelude::*;
use vendscreen_protocol::{Locale, OutOfServiceReason};

/// "Out of service. No money has been taken."
#[component]
pub fn OutOfServiceScreen(
    /// A plain value: a new reason is a new `Screen`, so the App builds a
    /// new screen for it.
    reason: Option<OutOfServiceReason>,
    #[prop(into)] locale: Memo<Locale>,
) -> impl IntoView {
    let why = Signal::derive(move || t(locale.get()).reason(reason).to_owned());
    let lines = vec![
        Line::new("reason", why),
        Line::new("money", tr(locale, |s| s.no_money_taken)),
    ];
    view! { <Message testid="screen-out-of-service" tone="bad" icon="⊘" title=tr(locale, |s| s.out_of_service) lines=lines /> }
}
