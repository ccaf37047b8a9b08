//! `use_server_now()`: the server's time, ticking, for countdowns. The only
//! timer the screens depend on; one per App, shared through props.

use crate::countdown::ServerClock;
use crate::events::perf_now;
use leptos::prelude::*;
use std::time::Duration;

/// How often the local clock is read. Four times a second keeps each displayed
/// second within a quarter second of the truth; texts only change once a second
/// because the countdowns are memos.
pub const TICK: Duration = Duration::from_millis(250);

/// The server's epoch-ms now, or `None` until `clock` has been synced.
pub fn use_server_now(clock: Signal<Option<ServerClock>>) -> Signal<Option<i64>> {
    let local = RwSignal::new(perf_now());
    let handle = set_interval_with_handle(move || local.set(perf_now()), TICK).ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });
    // The tick only says "read again"; the reading is taken now, so a clock
    // synced between ticks never shows the server's time a tick late (an
    // ending's "back in 6 s" would flash "7 s").
    let now = Memo::new(move |_| {
        local.track();
        clock.get().map(|c| c.now_ms(perf_now()))
    });
    now.into()
}
