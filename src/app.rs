//! `<App/>`: owns the display's state, wires the stream and the API to it,
//! and picks the screen through a `Memo` so ticks never re-render a screen.

use crate::api::{self, spawn, use_catalog};
use crate::clock::use_server_now;
use crate::components::{keypad, Announcer, ConnectionBanner, LanguageChips, NoticeBar};
use crate::connection::Timings;
use crate::events::use_machine_events;
use crate::hooks;
use crate::memo::relay;
use crate::screen::{Event, Screen, State};
use crate::screens::*;
use leptos::prelude::*;
use vendscreen_protocol::{Locale, Session, SessionState};

/// Applies `event` to the state. Not inlined: it is called from a dozen
/// places, and a copy of `State::apply` at each would cost kilobytes of wasm.
#[inline(never)]
fn dispatch(state: RwSignal<State>, event: Event) {
    state.update(|s| *s = std::mem::take(s).apply(event));
}

/// The whole display.
#[component]
pub fn App() -> impl IntoView {
    let state = RwSignal::new(State::default());
    let dispatch = move |e: Event| dispatch(state, e);
    let events = use_machine_events("/api/events", Timings::default(), dispatch);
    let now = use_server_now(events.clock);
    let cat = use_catalog();
    // The screen choice and the session are memos: a clock tick or a session
    // update that keeps the screen renders nothing new.
    let locale = RwSignal::new(Locale::Nb);
    let screen = Memo::new(move |_| state.with(State::screen));
    let session = Memo::new(move |_| state.with(|s| s.live_session().cloned()));
    let notice = Signal::derive(move || state.with(|s| s.notice));
    let default_locale = Memo::new(move |_| {
        cat.catalog
            .with(|c| c.as_ref().map_or(Locale::Nb, |c| c.machine.locale))
    });
    let seen = Memo::new(move |_| hooks::catalog_refresh::Seen {
        screen: screen.get(),
        notice: notice.get(),
        snapshots: state.with(|s| s.snapshots),
    });
    hooks::use_idle_return(session, now, dispatch);
    hooks::use_sound(screen);
    hooks::use_catalog_refresh(seen, cat.refresh);
    hooks::use_language_reset(screen, default_locale, locale);
    hooks::use_notice_timer(notice, dispatch);
    hooks::use_alive(events.link);
    let on_pick = Callback::new(move |id: String| {
        dispatch(Event::CreateStarted);
        let start = state.with_untracked(|s| s.create_seq);
        spawn(async move {
            dispatch(match api::create_session(id).await {
                Ok(s) => Event::Created(start, s),
                Err(e) => Event::CreateFailed(start, e.notice()),
            });
        });
    });
    // A press is handed to the state, which keeps it until it can be sent.
    let on_cancel = Callback::new(move |()| dispatch(Event::CancelPressed));
    hooks::use_cancel(state, dispatch);
    let cancelling = Signal::derive(move || state.with(State::cancelling));
    // A session update that keeps the screen yields the same text, which
    // leaves the live region's text node untouched: nothing is re-announced.
    let announcement =
        Signal::derive(move || session.with(|s| announce(screen.get(), s.as_ref(), locale.get())));
    let view_screen = move || {
        // A screen reads the App's signals only through relays of its own,
        // which unsubscribe when it goes (see `memo.rs`): leptos 0.8 keeps a
        // dead effect in its sources' subscriber sets, so a screen reading
        // `session` or `locale` directly leaves its effects behind each time.
        let (session, now) = (relay(session), relay(now));
        let (locale, link) = (relay(locale), relay(events.link));
        let cancelling = relay(cancelling);
        let catalog = relay(cat.catalog);
        match screen.get() {
            Screen::Connecting => view! { <ConnectingScreen locale=locale /> }.into_any(),
            Screen::Idle => {
                view! { <IdleScreen catalog=catalog locale=locale on_pick=on_pick /> }.into_any()
            }
            Screen::OutOfService(r) => {
                view! { <OutOfServiceScreen reason=r locale=locale /> }.into_any()
            }
            Screen::Creating => {
                view! { <CreatingScreen locale=locale cancelling=cancelling on_cancel=on_cancel /> }
                    .into_any()
            }
            Screen::Pay => {
                // The machine's setting as the screen opens; a changed setting
                // applies to the next purchase.
                let ec = cat
                    .catalog
                    .with_untracked(|c| c.as_ref().map(|c| c.machine.qr_error_correction));
                let ec = crate::qr::ec_level(ec.unwrap_or_default());
                view! { <PayScreen session=session catalog=catalog locale=locale now=now link=link cancelling=cancelling on_cancel=on_cancel ec=ec /> }.into_any()
            }
            Screen::Authorized => {
                view! { <AuthorizedScreen session=session locale=locale /> }.into_any()
            }
            Screen::Dispensing => {
                view! { <DispensingScreen session=session locale=locale /> }.into_any()
            }
            Screen::Outcome(st) => {
                view! { <OutcomeScreen state=st session=session locale=locale now=now /> }
                    .into_any()
            }
        }
    };
    view! {
        // Every click passes the keypad's handler: it acts on keys only.
        <div
            class="app"
            lang=Signal::derive(move || locale.get().tag().to_owned())
            on:click=keypad::on_key(cat.catalog, locale, on_pick)
        >
            <ConnectionBanner link=events.link locale=relay(locale) />
            <Announcer text=announcement />
            <NoticeBar notice=notice locale=relay(locale) />
            {view_screen}
            {keypad::pad()}
            <LanguageChips locale=locale />
        </div>
    }
}

/// What the live region says for `screen`: the screen's heading and its
/// money sentence, as the screen itself words them.
pub fn announce(screen: Screen, session: Option<&Session>, locale: Locale) -> String {
    let s = crate::i18n::t(locale);
    match screen {
        Screen::Connecting => s.connecting.to_owned(),
        Screen::Idle => s.choose.to_owned(),
        Screen::OutOfService(r) => {
            format!("{} {} {}", s.out_of_service, s.reason(r), s.no_money_taken)
        }
        Screen::Creating => s.creating.to_owned(),
        Screen::Pay => format!("{} — {} — {}", s.step_open, s.step_scan, s.step_approve),
        Screen::Authorized => s.authorized.to_owned(),
        Screen::Dispensing => s.dispensing.to_owned(),
        Screen::Outcome(SessionState::Completed) => {
            let paid = session.map(|x| s.paid_amount(&crate::money::format(x.amount, locale)));
            format!(
                "{} {} {}",
                s.completed,
                paid.unwrap_or_default(),
                s.take_item
            )
        }
        Screen::Outcome(SessionState::VendFailed) => {
            format!(
                "{} {} {}",
                s.vend_failed, s.not_charged_released, s.bank_hold
            )
        }
        Screen::Outcome(st) => {
            let title = s.ending_title(st, session.and_then(|x| x.reason));
            format!("{title} {} {}", s.not_charged, s.bank_hold)
        }
    }
}
