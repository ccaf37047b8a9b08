//! `<App/>`: owns the display's state, wires the stream and the API to it,
//! and picks the screen through a `Memo` so ticks never re-render a screen.

use crate::api::{self, spawn, use_catalog};
use crate::clock::use_server_now;
use crate::components::{Announcer, ConnectionBanner, LanguageChips};
use crate::connection::Timings;
use crate::events::use_machine_events;
use crate::screen::{idle_deadline, Event, Notice, Screen, State};
use crate::screens::*;
use crate::sound::{play, Tone};
use leptos::prelude::*;
use vendscreen_protocol::{Locale, SessionState};

/// The whole display.
#[component]
pub fn App() -> impl IntoView {
    let state = RwSignal::new(State::default());
    let dispatch = move |e: Event| state.update(|s| *s = std::mem::take(s).apply(e));
    let events = use_machine_events("/api/events", Timings::default(), dispatch);
    let now = use_server_now(events.clock);
    let cat = use_catalog();
    // Few memos on purpose: each distinct one costs ~1 KB of wasm. Only the
    // screen choice and the session need deduplication; the rest is derived.
    let locale = RwSignal::new(Locale::Nb);
    let screen = Memo::new(move |_| state.with(State::screen));
    let session = Memo::new(move |_| state.with(|s| s.live_session().cloned()));
    Effect::new(move |_| {
        let due = session.with(|s| {
            let s = s.as_ref().filter(|s| s.state.is_final())?;
            (now.get()? >= idle_deadline(s)?).then(|| s.reference.clone())
        });
        if let Some(reference) = due {
            dispatch(Event::IdleDue(reference));
        }
    });
    Effect::new(move |prev: Option<Screen>| on_screen_change(prev, screen.get(), cat.refresh));
    // Back on the catalog (and whenever the machine's default changes), speak its language.
    Effect::new(move |_| {
        let default = cat
            .catalog
            .with(|c| c.as_ref().map_or(Locale::Nb, |c| c.machine.locale));
        if matches!(screen.get(), Screen::Idle | Screen::Connecting) {
            locale.set(default);
        }
    });
    let on_pick = Callback::new(move |id: String| {
        dispatch(Event::CreateStarted);
        spawn(async move {
            dispatch(match api::create_session(id).await {
                Ok(s) => Event::Session(s),
                Err(e) => Event::CreateFailed(e.notice()),
            });
        });
    });
    let on_cancel = Callback::new(move |()| {
        let Some(reference) = session.with_untracked(|s| s.as_ref().map(|s| s.reference.clone()))
        else {
            return;
        };
        dispatch(Event::CancelRequested(reference.clone()));
        spawn(async move {
            if api::cancel_session(reference.clone()).await.is_err() {
                dispatch(Event::CancelFailed(reference));
            }
        });
    });
    let notice = Signal::derive(move || state.with(|s| s.notice));
    // A notice stays six seconds; scheduled once per new notice.
    Effect::new(move |prev: Option<Option<Notice>>| {
        let current = notice.get();
        if current.is_some() && prev != Some(current) {
            let done = move || dispatch(Event::NoticeDone);
            set_timeout(done, std::time::Duration::from_secs(6));
        }
        current
    });
    let cancelling = Signal::derive(move || state.with(State::cancelling));
    let announcement = Signal::derive(move || announce(screen.get(), locale.get()));
    let view_screen = move || {
        match screen.get() {
        Screen::Connecting => view! { <ConnectingScreen locale=locale /> }.into_any(),
        Screen::Idle => view! { <IdleScreen catalog=cat.catalog locale=locale notice=notice on_pick=on_pick /> }.into_any(),
        Screen::OutOfService(r) => view! { <OutOfServiceScreen reason=Signal::stored(r) locale=locale /> }.into_any(),
        Screen::Creating => view! { <CreatingScreen locale=locale /> }.into_any(),
        Screen::Pay => view! { <PayScreen session=session locale=locale now=now link=events.link cancelling=cancelling on_cancel=on_cancel /> }.into_any(),
        Screen::Authorized => view! { <AuthorizedScreen session=session locale=locale /> }.into_any(),
        Screen::Dispensing => view! { <DispensingScreen session=session locale=locale /> }.into_any(),
        Screen::Outcome(st) => view! { <OutcomeScreen state=st session=session locale=locale now=now /> }.into_any(),
    }
    };
    view! {
        <div class="app" lang=move || locale.get().tag()>
            <ConnectionBanner link=events.link locale=locale />
            <Announcer text=announcement />
            {view_screen}
            <LanguageChips locale=locale />
        </div>
    }
}

/// Side effects of a new screen: a sound for endings, a fresh catalog on idle.
fn on_screen_change(prev: Option<Screen>, next: Screen, refresh: Callback<()>) -> Screen {
    if prev.is_some_and(|p| p != next) {
        match next {
            Screen::Outcome(SessionState::Completed) => play(Tone::Success),
            // The customer's own Cancel needs no alarm; every other ending does.
            Screen::Outcome(SessionState::Cancelled) => {}
            Screen::Outcome(_) => play(Tone::Failure),
            Screen::Idle => refresh.run(()),
            _ => {}
        }
    }
    next
}

/// What the live region says for `screen`.
pub fn announce(screen: Screen, locale: Locale) -> String {
    let s = crate::i18n::t(locale);
    match screen {
        Screen::Connecting => s.connecting.to_owned(),
        Screen::Idle => s.choose.to_owned(),
        Screen::OutOfService(r) => {
            format!("{} {} {}", s.out_of_service, s.reason(r), s.no_money_taken)
        }
        Screen::Creating => s.creating.to_owned(),
        Screen::Pay => s.scan.to_owned(),
        Screen::Authorized => s.authorized.to_owned(),
        Screen::Dispensing => s.dispensing.to_owned(),
        Screen::Outcome(SessionState::Completed) => format!("{} {}", s.completed, s.take_item),
        Screen::Outcome(SessionState::VendFailed) => {
            format!("{} {}", s.vend_failed, s.not_charged_released)
        }
        Screen::Outcome(st) => format!("{} {}", s.ending(st), s.not_charged),
    }
}
