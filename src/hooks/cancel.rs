//! `use_cancel()`: sends the customer's Cancel as soon as the state knows
//! which purchase it is for (`State::cancel_due`), and tells the state when
//! the server refused it, so the screen can say so.

use crate::api::{self, spawn};
use crate::screen::{Event, State};
use leptos::prelude::*;

/// Watches `state` for a cancel to send; `dispatch` applies events to it.
pub fn use_cancel(state: RwSignal<State>, dispatch: impl Fn(Event) + Copy + 'static) {
    let due = Memo::new(move |_| state.with(|s| s.cancel_due().map(str::to_owned)));
    Effect::new(move |_| {
        let Some(reference) = due.get() else {
            return;
        };
        dispatch(Event::CancelSent(reference.clone()));
        spawn(async move {
            if api::cancel_session(reference.clone()).await.is_err() {
                dispatch(Event::CancelFailed(reference));
            }
        });
    });
}
