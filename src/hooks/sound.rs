//! `use_sound()`: a tone when a purchase ends: two rising notes when paid,
//! two falling ones when it did not go through. The customer's own Cancel
//! needs no alarm.

use crate::screen::Screen;
use crate::sound::{play, Tone};
use leptos::prelude::*;
use vendscreen_protocol::SessionState;

/// The tone for arriving at `screen`, if any.
pub fn tone_for(screen: Screen) -> Option<Tone> {
    match screen {
        Screen::Outcome(SessionState::Completed) => Some(Tone::Success),
        Screen::Outcome(SessionState::Cancelled) => None,
        Screen::Outcome(_) => Some(Tone::Failure),
        _ => None,
    }
}

/// Plays on every change of `screen` (not for the screen the page opens on).
pub fn use_sound(screen: Memo<Screen>) {
    Effect::new(move |prev: Option<Screen>| {
        let now = screen.get();
        if prev.is_some_and(|p| p != now) {
            if let Some(tone) = tone_for(now) {
                play(tone);
            }
        }
        now
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paid_sounds_good_a_customers_cancel_is_silent_other_endings_alarm() {
        assert_eq!(
            tone_for(Screen::Outcome(SessionState::Completed)),
            Some(Tone::Success)
        );
        assert_eq!(tone_for(Screen::Outcome(SessionState::Cancelled)), None);
        for st in [
            SessionState::VendFailed,
            SessionState::Rejected,
            SessionState::Expired,
            SessionState::Failed,
        ] {
            assert_eq!(tone_for(Screen::Outcome(st)), Some(Tone::Failure), "{st:?}");
        }
        assert_eq!(tone_for(Screen::Pay), None);
    }
}
