//! `<LanguageChips/>`: one chip per language, each named in its own language.

use crate::i18n::{t, tr};
use leptos::prelude::*;
use vendscreen_protocol::Locale;

/// Switches `locale`; the App resets it to the machine's default on idle.
#[component]
pub fn LanguageChips(locale: RwSignal<Locale>) -> impl IntoView {
    let chip = move |l: Locale| {
        view! {
            <button
                type="button"
                class="chip"
                lang=l.tag()
                data-testid=format!("lang-{}", l.tag())
                aria-pressed=Signal::derive(move || (locale.get() == l).to_string())
                on:click=move |_| locale.set(l)
            >
                {t(l).lang_name}
            </button>
        }
    };
    view! {
        <nav class="chips" aria-label=tr(crate::memo::relay(locale), |s| s.languages) data-testid="language-chips">
            {Locale::ALL.map(chip)}
        </nav>
    }
}
