//! `<Countdown/>`: time left to pay. Each tick changes one text node; the rest
//! only when urgency changes.

use crate::countdown::{mmss, seconds_left, Urgency};
use crate::i18n::t;
use leptos::prelude::*;
use vendscreen_protocol::Locale;

/// Seconds to `deadline` on the server's clock, once both are known.
pub(crate) fn left(deadline: Signal<Option<i64>>, now: Signal<Option<i64>>) -> Memo<Option<u64>> {
    crate::memo::memo(move |_| Some(seconds_left(deadline.get()?, now.get()?)))
}

/// "Time left 04:59": calm, then prominent in the last two minutes, then
/// "checking…" at 00:00 until the server reports how it ended.
#[component]
pub fn Countdown(
    /// When the QR stops being payable (server epoch-ms).
    #[prop(into)]
    deadline: Signal<Option<i64>>,
    /// The server's time now (epoch-ms).
    #[prop(into)]
    now: Signal<Option<i64>>,
    #[prop(into)] locale: Memo<Locale>,
) -> impl IntoView {
    let secs = left(deadline, now);
    let urgency = move || secs.get().map_or(Urgency::Calm, Urgency::of);
    let text = crate::memo::memo(move |_| match secs.get() {
        Some(0) => t(locale.get()).checking.to_owned(),
        Some(s) => mmss(s),
        None => "--:--".to_owned(),
    });
    let (class, icon) = (
        Signal::derive(move || {
            match urgency() {
                Urgency::Calm => "countdown calm",
                Urgency::Urgent => "countdown urgent",
                Urgency::Checking => "countdown checking",
            }
            .to_owned()
        }),
        // Never colour alone: the icon changes with the urgency too.
        Signal::derive(move || {
            match urgency() {
                Urgency::Calm => "◔",
                Urgency::Urgent => "⚠",
                Urgency::Checking => "↻",
            }
            .to_owned()
        }),
    );
    // At 00:00 "Time left" would be wrong; the time slot says "checking…" alone.
    let label = Signal::derive(move || match secs.get() {
        Some(0) => String::new(),
        _ => t(locale.get()).time_left.to_owned(),
    });
    view! {
        <p class=class data-testid="countdown-box">
            <span class="icon" aria-hidden="true">{icon}</span>
            <span class="label">{label}</span>
            <span class="time" role="timer" data-testid="countdown">{text}</span>
        </p>
    }
}
