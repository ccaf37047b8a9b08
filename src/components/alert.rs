//! `<Alert/>`: a message that exists only while `when` holds (connection
//! banner, QR notice, idle notice). One component for all three so the
//! conditional-view code is compiled once.

use leptos::prelude::*;

/// `<p role="alert">` with an icon and `text`, present only while `when`.
#[component]
pub fn Alert(
    #[prop(into)] when: Signal<bool>,
    class: &'static str,
    testid: &'static str,
    icon: &'static str,
    #[prop(into)] text: Signal<String>,
) -> impl IntoView {
    move || {
        when.get().then(|| {
            view! {
                <p class=class role="alert" data-testid=testid>
                    <span class="icon" aria-hidden="true">{icon}</span>
                    {text}
                </p>
            }
        })
    }
}
