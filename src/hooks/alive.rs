//! `use_alive()`: the page tells the server it is alive (`POST
//! /api/display/alive`, shown in `/healthz`) at start and every
//! [`ALIVE_EVERY`], and asks the page to heal itself when the event stream
//! has been lost for long: `window.vendscreenBroken` (index.html) reloads
//! once no customer is at the screen and the server answers.

use crate::api::{self, spawn};
use crate::connection::Link;
use leptos::prelude::*;
use std::time::Duration;

/// How often the page reports.
pub const ALIVE_EVERY: Duration = Duration::from_secs(15);

/// Reports in a row with the stream lost before the page is called broken:
/// two minutes, well past the stream's own reconnects (backoff ≤ 30 s).
pub const LOST_REPORTS_BEFORE_RELOAD: u32 = 8;

/// Whether `lost_reports` reports in a row with the stream lost mean the
/// page should start afresh. Pure, for a native test.
pub fn stream_dead_for_long(lost_reports: u32) -> bool {
    lost_reports >= LOST_REPORTS_BEFORE_RELOAD
}

/// Reports now and every [`ALIVE_EVERY`] while the calling component lives.
pub fn use_alive(link: Signal<Link>) {
    let lost_reports = StoredValue::new(0u32);
    let report = move || {
        spawn(async {
            // A failed report is for the server's monitor to notice.
            let _ = api::report_alive().await;
        });
        let lost = link.get_untracked() == Link::Lost;
        lost_reports.update_value(|n| *n = if lost { n.saturating_add(1) } else { 0 });
        if stream_dead_for_long(lost_reports.get_value()) {
            crate::page::call("vendscreenBroken", &"stream lost".into());
        }
    };
    report();
    let handle = set_interval_with_handle(report, ALIVE_EVERY).ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_called_broken_after_two_minutes_of_lost_stream() {
        assert!(!stream_dead_for_long(0));
        assert!(!stream_dead_for_long(LOST_REPORTS_BEFORE_RELOAD - 1));
        assert!(stream_dead_for_long(LOST_REPORTS_BEFORE_RELOAD));
        assert_eq!(
            ALIVE_EVERY * LOST_REPORTS_BEFORE_RELOAD,
            Duration::from_secs(120)
        );
    }
}
