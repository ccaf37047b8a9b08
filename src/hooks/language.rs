//! `use_language_reset()`: when the customer is gone (or the machine's
//! default changes), the screen speaks the machine's language again.

use crate::screen::Screen;
use leptos::prelude::*;
use vendscreen_protocol::Locale;

/// Screens no customer is using: the machine's own language belongs there.
pub fn nobody_here(screen: Screen) -> bool {
    matches!(
        screen,
        Screen::Idle | Screen::Connecting | Screen::OutOfService(_)
    )
}

/// Sets `locale` to `default` on arriving at a screen nobody uses, and
/// whenever `default` changes there.
pub fn use_language_reset(screen: Memo<Screen>, default: Memo<Locale>, locale: RwSignal<Locale>) {
    Effect::new(move |prev: Option<(Screen, Locale)>| {
        let now = (screen.get(), default.get());
        if prev != Some(now) && nobody_here(now.0) {
            locale.set(now.1);
        }
        now
    });
}
