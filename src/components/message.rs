//! `<Message/>`: the one layout of every screen that only informs (progress,
//! approval, endings, out of service). Sharing it keeps the wasm small: each
//! distinct view shape is compiled separately, so six screens cost one.

use leptos::prelude::*;

/// One paragraph under the heading.
pub struct Line {
    /// CSS class (`money`, `product`, …).
    pub class: &'static str,
    /// `data-testid`, for the lines tests and operators look for.
    pub testid: Option<&'static str>,
    /// The text, in the current language.
    pub text: Signal<String>,
}

impl Line {
    /// A line with a class and no test id.
    pub fn new(class: &'static str, text: Signal<String>) -> Self {
        Line {
            class,
            testid: None,
            text,
        }
    }

    /// A line tests can find by `testid`.
    pub fn tested(class: &'static str, testid: &'static str, text: Signal<String>) -> Self {
        Line {
            class,
            testid: Some(testid),
            text,
        }
    }
}

/// A screen: icon (or a spinner when `icon` is empty), heading, lines.
#[component]
pub fn Message(
    /// The screen's `data-testid` (`screen-…`).
    testid: &'static str,
    /// `progress`, `good` or `bad`: colours the icon (never the only signal).
    tone: &'static str,
    icon: &'static str,
    title: Signal<String>,
    lines: Vec<Line>,
    /// What the customer can do here (the "preparing" screen's Cancel).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let lines = lines
        .into_iter()
        .map(|l| view! { <p class=l.class data-testid=l.testid>{l.text}</p> })
        .collect_view();
    let icon_class = if icon.is_empty() {
        "spinner"
    } else {
        "icon big"
    };
    view! {
        <main class=format!("screen {tone}") data-testid=testid>
            <p class=icon_class aria-hidden="true">{icon}</p>
            <h1>{title}</h1>
            {lines}
            {children.map(|c| c())}
        </main>
    }
}
