//! `memo()`: a `Memo` for views that come and go (a screen, its countdown).
//!
//! Leptos 0.8 disposes a memo with its owner but leaves it subscribed to its
//! sources, and a long-lived source (the App's `session`, `now`, `locale`)
//! keeps every dead memo's allocation in its subscriber set: ~4 KiB of wasm
//! memory per purchase, for the life of the page. This one unsubscribes itself
//! when its owner is cleaned up. Effects have the same flaw and no hook, so a
//! screen reads the App's signals through `relay`s that die with it.
//!
//! This module is the whole workaround: the App builds each screen's relays
//! in one place (`app.rs`, `view_screen`), and views that come and go use
//! `memo()`. Upstream: no leptos issue for this was found when this was
//! written (the `tests/app.rs` memory test shows it); once one is filed or
//! fixed, link it here and drop the module when leptos cleans up itself.

use leptos::prelude::*;
use leptos::reactive::graph::{Subscriber, ToAnySubscriber};

/// Like `Memo::new`, but drops its subscriptions when the owner is cleaned up.
pub fn memo<T>(fun: impl Fn(Option<&T>) -> T + Send + Sync + 'static) -> Memo<T>
where
    T: PartialEq + Send + Sync + 'static,
{
    let memo = ArcMemo::new(fun);
    let mine = memo.clone();
    on_cleanup(move || mine.clear_sources(&mine.to_any_subscriber()));
    memo.into()
}

/// `source`, seen through a memo of the caller's own: views that come and go
/// read long-lived signals through one, so their dead effects die with it.
pub fn relay<T>(source: impl Get<Value = T> + Send + Sync + 'static) -> Memo<T>
where
    T: PartialEq + Send + Sync + 'static,
{
    memo(move |_| source.get())
}
