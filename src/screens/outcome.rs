//! Every ending, with its money sentence and a countdown back to the catalog.

use crate::components::{Line, Message};
use crate::i18n::{t, tr};
use crate::money;
use crate::screen::idle_deadline;
use leptos::prelude::*;
use vendscreen_protocol::{self as wire, Locale, SessionState};

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
    #[prop(into)] session: Memo<Option<wire::Session>>,
    #[prop(into)] locale: Memo<Locale>,
    #[prop(into)] now: Signal<Option<i64>>,
) -> impl IntoView {
    let paid = state == SessionState::Completed;
    let reason = move || session.with(|x| x.as_ref().and_then(|x| x.reason));
    let title = Signal::derive(move || t(locale.get()).ending_title(state, reason()).to_owned());
    let money_line = Signal::derive(move || {
        let (s, l) = (t(locale.get()), locale.get());
        match state {
            SessionState::Completed => session.with(|x| {
                x.as_ref()
                    .map(|x| s.paid_amount(&money::format(x.amount, l)))
            }),
            SessionState::VendFailed => Some(s.not_charged_released.to_owned()),
            _ => Some(s.not_charged.to_owned()),
        }
        .unwrap_or_default()
    });
    let deadline = Signal::derive(move || session.with(|s| s.as_ref().and_then(idle_deadline)));
    let secs = crate::components::countdown::left(deadline, now);
    let back = crate::memo::memo(move |_| {
        secs.get()
            .map(|n| t(locale.get()).back_in_secs(n))
            .unwrap_or_default()
    });
    let mut lines = vec![Line::tested("money", "money-line", money_line)];
    if paid {
        lines.push(Line::new("take", tr(locale, |s| s.take_item)));
        // Small, so a complaint can name the purchase.
        let reference = Signal::derive(move || {
            let r = session.with(|x| x.as_ref().map(|x| x.reference.clone()));
            r.map(|r| t(locale.get()).reference_of(&r))
                .unwrap_or_default()
        });
        lines.push(Line::tested("reference", "reference", reference));
    } else {
        lines.push(Line::tested(
            "hold",
            "bank-hold",
            tr(locale, |s| s.bank_hold),
        ));
    }
    lines.push(Line::tested("back-to-start", "idle-countdown", back.into()));
    let (tone, icon) = if paid {
        ("outcome good", "✓")
    } else {
        ("outcome bad", "✕")
    };
    view! { <Message testid=testid(state) tone=tone icon=icon title=title lines=lines /> }
}
