//! `use_notice_timer()`: a notice ("another purchase is in progress") stays
//! six seconds, then clears.

use crate::screen::{Event, Notice};
use leptos::prelude::*;
use std::time::Duration;

/// How long a notice stays.
pub const NOTICE_FOR: Duration = Duration::from_secs(6);

/// Dispatches `NoticeDone` [`NOTICE_FOR`] after each new notice.
pub fn use_notice_timer(notice: Signal<Option<Notice>>, dispatch: impl Fn(Event) + Copy + 'static) {
    Effect::new(move |prev: Option<Option<Notice>>| {
        let now = notice.get();
        if now.is_some() && prev != Some(now) {
            set_timeout(move || dispatch(Event::NoticeDone), NOTICE_FOR);
        }
        now
    });
}
