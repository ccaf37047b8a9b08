//! `use_idle_return()`: an ending stays until the server's `idleAt` (by the
//! server's clock), then the catalog returns.

use crate::screen::{idle_deadline, Event};
use leptos::prelude::*;
use vendscreen_protocol::Session;

/// The reference whose ending is due to give way at `now` (server epoch-ms).
pub fn due(session: Option<&Session>, now: Option<i64>) -> Option<String> {
    let s = session.filter(|s| s.state.is_final())?;
    (now? >= idle_deadline(s)?).then(|| s.reference.clone())
}

/// Dispatches `IdleDue` once the session on screen has ended long enough.
pub fn use_idle_return(
    session: Memo<Option<Session>>,
    now: Signal<Option<i64>>,
    dispatch: impl Fn(Event) + 'static,
) {
    Effect::new(move |_| {
        if let Some(reference) = session.with(|s| due(s.as_ref(), now.get())) {
            dispatch(Event::IdleDue(reference));
        }
    });
}
