//! Every ending, with its money sentence and a countdown back to the catalog.

use crate::components::BackToStart;
use crate::i18n::{t, tr};
use crate::money;
use crate::screen::idle_deadline;
use leptos::prelude::*;
use vendscreen_protocol::{self as wire, EndReason, Locale, SessionState};

/// The `data-testid` of the screen for a final `state` (`screen-vendFailed`…).
pub fn testid(state: SessionState) -> &'static str {
    match state {
        SessionState::Completed => "screen-completed",
        SessionState::VendFailed => "screen-vendFailed",
        SessionState::Rejected => "screen-rejected",
        SessionState::Expired => "screen-expired",
        SessionState::Failed => "screen-failed",
        _ => "screen-cancelled",
    }
}

/// Paid, or not charged and why.
#[component]
pub fn OutcomeScreen(
    /// The final state shown.
    state: SessionState,
    #[prop(into)] session: Signal<Option<wire::Session>>,
    #[prop(into)] locale: Signal<Locale>,
    #[prop(into)] now: Signal<Option<i64>>,
) -> impl IntoView {
    let paid = state == SessionState::Completed;
    let deadline = Memo::new(move |_| session.with(|s| s.as_ref().and_then(idle_deadline)));
    let title = move || {
        let s = t(locale.get());
        // A timeout cancels on the server; to the customer, time simply ran out.
        let timed_out =
            session.with(|x| x.as_ref().and_then(|x| x.reason)) == Some(EndReason::SessionTimeout);
        if state == SessionState::Cancelled && timed_out {
            s.expired
        } else {
            s.ending(state)
        }
    };
    let money_line = move || {
        let s = t(locale.get());
        match state {
            SessionState::Completed => session
                .with(|x| {
                    x.as_ref()
                        .map(|x| s.paid_amount(&money::format(x.amount, locale.get())))
                })
                .unwrap_or_default(),
            SessionState::VendFailed => s.not_charged_released.to_owned(),
            _ => s.not_charged.to_owned(),
        }
    };
    view! {
        <main class=if paid { "screen outcome good" } else { "screen outcome bad" } data-testid=testid(state)>
            <p class="icon big" aria-hidden="true">{if paid { "✓" } else { "✕" }}</p>
            <h1>{title}</h1>
            <p class="money" data-testid="money-line">{money_line}</p>
            {paid.then(|| view! { <p class="take">{tr(locale, |s| s.take_item)}</p> })}
            <BackToStart deadline=deadline now=now locale=locale />
        </main>
    }
}
