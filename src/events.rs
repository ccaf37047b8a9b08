//! `use_machine_events()`: the only place that touches `EventSource`.
//! Turns `snapshot` / `session` / `machine` events into `screen::Event`s,
//! keeps the server clock from every message's time (and `ping`s), reconnects
//! with backoff when the browser gives up, and runs a watchdog that marks the
//! stream stale, then lost, when the server goes quiet.

use crate::connection::{Link, Timings};
use crate::countdown::{parse_rfc3339_ms, ServerClock};
use crate::screen::Event;
use leptos::prelude::*;
use std::time::Duration;
use vendscreen_protocol as wire;
use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{EventSource, MessageEvent};

/// The server's keep-alive event: data is the server's time (RFC 3339).
/// SSE comments keep proxies awake but are invisible to `EventSource`, so the
/// watchdog needs a real event to know the server is there.
pub const PING: &str = "ping";

/// What the stream tells the screen besides the events themselves.
#[derive(Debug, Clone, Copy)]
pub struct MachineEvents {
    /// How healthy the stream is.
    pub link: Signal<Link>,
    /// The server's clock, once any message has told us its time.
    pub clock: Signal<Option<ServerClock>>,
}

/// A listener for one named event.
type Listener = (&'static str, Closure<dyn FnMut(MessageEvent)>);

struct Inner {
    url: String,
    source: Option<EventSource>,
    listeners: Vec<Listener>,
    on_error: Option<Closure<dyn FnMut(web_sys::Event)>>,
    last_id: Option<String>,
    heard: bool,
    last_heard: f64,
    opened_at: f64,
    attempt: u32,
    retry_pending: bool,
}

/// Opens `GET {url}` (normally `/api/events`) for the life of the calling
/// component, calling `on_event` for each screen event, in order.
pub fn use_machine_events(
    url: &str,
    timings: Timings,
    on_event: impl Fn(Event) + 'static,
) -> MachineEvents {
    let link = RwSignal::new(Link::Connecting);
    let clock = RwSignal::new(None::<ServerClock>);
    let now = perf_now();
    let inner = StoredValue::new_local(Inner {
        url: url.to_owned(),
        source: None,
        listeners: Vec::new(),
        on_error: None,
        last_id: None,
        heard: false,
        last_heard: now,
        opened_at: now,
        attempt: 0,
        retry_pending: false,
    });
    let on_event = std::rc::Rc::new(on_event);
    let names = [
        wire::event_names::SNAPSHOT,
        wire::event_names::SESSION,
        wire::event_names::MACHINE,
        PING,
    ];
    let listeners = names
        .into_iter()
        .map(|name| {
            let on_event = on_event.clone();
            let cb = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                heard(inner, link, clock, name, &e, &*on_event);
            });
            (name, cb)
        })
        .collect();
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| errored(inner, timings));
    inner.update_value(|i| {
        i.listeners = listeners;
        i.on_error = Some(on_error);
    });
    open(inner);
    let tick = (timings.stale_after_ms / 4).clamp(50, 1_000);
    let watchdog = set_interval_with_handle(
        move || watch(inner, link, timings),
        Duration::from_millis(tick.into()),
    )
    .ok();
    on_cleanup(move || {
        if let Some(w) = watchdog {
            w.clear();
        }
        inner.try_update_value(close);
    });
    MachineEvents {
        link: link.into(),
        clock: clock.into(),
    }
}

/// One message arrived: it proves the server is there, sets the clock, and
/// (unless it is a ping) moves the screen.
fn heard(
    inner: StoredValue<Inner, LocalStorage>,
    link: RwSignal<Link>,
    clock: RwSignal<Option<ServerClock>>,
    name: &str,
    e: &MessageEvent,
    on_event: &dyn Fn(Event),
) {
    let now = perf_now();
    let id = e.last_event_id();
    let alive = inner.try_update_value(|i| {
        i.heard = true;
        i.last_heard = now;
        i.attempt = 0;
        if !id.is_empty() {
            i.last_id = Some(id);
        }
    });
    if alive.is_none() {
        return;
    }
    if link.try_get_untracked() != Some(Link::Live) {
        link.try_set(Link::Live);
    }
    let data = e.data().as_string().unwrap_or_default();
    let Some((event, server_time)) = crate::sse::parse(name, &data) else {
        leptos::logging::warn!("ignoring unreadable `{name}` event");
        return;
    };
    if let Some(ms) = parse_rfc3339_ms(&server_time) {
        clock.try_set(Some(ServerClock::synced(ms, now)));
    }
    if let Some(event) = event {
        on_event(event);
    }
}

fn open(inner: StoredValue<Inner, LocalStorage>) {
    inner.try_update_value(|i| {
        close(i);
        // A manual reconnect cannot set the Last-Event-ID header; say it in the query.
        let url = match &i.last_id {
            Some(id) => format!("{}?lastEventId={}", i.url, crate::api::encode_segment(id)),
            None => i.url.clone(),
        };
        let Ok(source) = EventSource::new(&url) else {
            return;
        };
        for (name, cb) in &i.listeners {
            let _ = source.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
        }
        if let Some(cb) = &i.on_error {
            source.set_onerror(Some(cb.as_ref().unchecked_ref()));
        }
        i.source = Some(source);
        i.opened_at = perf_now();
        i.retry_pending = false;
    });
}

fn close(i: &mut Inner) {
    if let Some(s) = i.source.take() {
        s.set_onerror(None);
        s.close();
    }
}

/// The browser reconnects by itself while `readyState` is CONNECTING; once it
/// gives up (CLOSED, e.g. after an HTTP error) we retry, with backoff.
fn errored(inner: StoredValue<Inner, LocalStorage>, timings: Timings) {
    let delay = inner.try_update_value(|i| {
        let closed = i
            .source
            .as_ref()
            .is_none_or(|s| s.ready_state() == EventSource::CLOSED);
        if !closed || i.retry_pending {
            return None;
        }
        i.retry_pending = true;
        i.attempt += 1;
        Some(timings.backoff_ms(i.attempt - 1))
    });
    if let Some(Some(ms)) = delay {
        set_timeout(move || open(inner), Duration::from_millis(ms.into()));
    }
}

/// Every tick: update the link from the silence, and reopen a stream that
/// has been quiet too long (a half-open connection never errors).
fn watch(inner: StoredValue<Inner, LocalStorage>, link: RwSignal<Link>, timings: Timings) {
    let now = perf_now();
    let Some((heard, silence, since_open, pending)) = inner.try_with_value(|i| {
        (
            i.heard,
            now - i.last_heard,
            now - i.opened_at,
            i.retry_pending,
        )
    }) else {
        return;
    };
    let next = timings.link(heard, silence);
    if link.try_get_untracked().is_some_and(|l| l != next) {
        link.try_set(next);
    }
    let quiet = silence.min(since_open);
    if !pending && quiet >= f64::from(timings.reopen_after_ms) {
        open(inner);
    }
}

/// Local monotonic milliseconds: never jumps when someone sets the kiosk's clock.
pub fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}
