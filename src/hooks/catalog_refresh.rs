//! `use_catalog_refresh()`: reloads the catalog when it may have changed:
//! back on idle after a purchase (sold-out marks), on a reconnect (the server
//! may have restarted with new prices), after a refused start (it may be sold
//! out). The first idle and snapshot need none: `use_catalog` is loading it.

use crate::screen::{Notice, Screen};
use leptos::prelude::*;

/// What the decision looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seen {
    pub screen: Screen,
    pub notice: Option<Notice>,
    pub snapshots: u32,
}

/// Whether going from `prev` to `now` calls for a fresh catalog.
pub fn needs_refresh(prev: Seen, now: Seen) -> bool {
    let back_idle = prev.screen != now.screen
        && now.screen == Screen::Idle
        && prev.screen != Screen::Connecting;
    let reconnected = prev.snapshots != now.snapshots && prev.snapshots > 0;
    let refused = now.notice.is_some()
        && prev.notice != now.notice
        && now.notice != Some(Notice::CancelFailed);
    back_idle || reconnected || refused
}

/// Calls `refresh` whenever `seen` changes in a way [`needs_refresh`] names.
pub fn use_catalog_refresh(seen: Memo<Seen>, refresh: Callback<()>) {
    Effect::new(move |prev: Option<Seen>| {
        let now = seen.get();
        if prev.is_some_and(|p| needs_refresh(p, now)) {
            refresh.run(());
        }
        now
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use vendscreen_protocol::SessionState;

    fn seen(screen: Screen, notice: Option<Notice>, snapshots: u32) -> Seen {
        Seen {
            screen,
            notice,
            snapshots,
        }
    }

    #[test]
    fn back_on_idle_after_a_purchase_but_not_after_starting() {
        let done = seen(Screen::Outcome(SessionState::Completed), None, 1);
        assert!(needs_refresh(done, seen(Screen::Idle, None, 1)));
        let start = seen(Screen::Connecting, None, 0);
        assert!(!needs_refresh(start, seen(Screen::Idle, None, 1)));
    }

    #[test]
    fn on_every_reconnect_and_after_a_refused_start_not_a_refused_cancel() {
        let idle = seen(Screen::Idle, None, 1);
        assert!(needs_refresh(idle, seen(Screen::Idle, None, 2)));
        assert!(needs_refresh(
            idle,
            seen(Screen::Idle, Some(Notice::Busy), 1)
        ));
        let pay = seen(Screen::Pay, None, 1);
        assert!(!needs_refresh(
            pay,
            seen(Screen::Pay, Some(Notice::CancelFailed), 1)
        ));
    }
}
