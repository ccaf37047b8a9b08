//! `<Announcer/>`: a visually hidden live region that reads each state change
//! aloud, for customers who cannot see the screen well.

use leptos::prelude::*;

/// Announces `text` whenever it changes.
#[component]
pub fn Announcer(#[prop(into)] text: Signal<String>) -> impl IntoView {
    view! {
        <div class="sr-only" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
            {text}
        </div>
    }
}
