//! `use_machine_events()`: the only place that touches the browser's `EventSource`.
//! Turns `snapshot` / `session` / `machine` events into `screen::Event`s,
//! keeps the server clock from every message's time (and `ping`s), reconnects
//! with backoff when the browser gives up, and runs a watchdog that marks the
//! stream stale, then lost, when the server goes quiet.

use crate::connection::{Link, Timings};
use crate::countdown::{parse_rfc3339_ms, ServerClock};
use crate::screen::Event;
use leptos::prelude::*;
use std::rc::Rc;
use std::time::Duration;
use vendscreen_protocol as wire;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

/// The server's keep-alive event: data is the server's time (RFC 3339).
/// SSE comments keep proxies awake but are invisible to `EventSource`, so the
/// watchdog needs a real event to know the server is there.
pub const PING: &str = "ping";

/// The named events the display listens to.
const NAMES: [&str; 4] = [
    wire::event_names::SNAPSHOT,
    wire::event_names::SESSION,
    wire::event_names::MACHINE,
    PING,
];

/// What the stream tells the screen besides the events themselves.
#[derive(Debug, Clone, Copy)]
pub struct MachineEvents {
    /// How healthy the stream is.
    pub link: Signal<Link>,
    /// The server's clock, once any message has told us its time.
    pub clock: Signal<Option<ServerClock>>,
}

/// Everything one message needs to be handled; cheap to clone into each
/// subscription's task.
#[derive(Clone)]
struct Hook {
    inner: StoredValue<Inner, LocalStorage>,
    link: RwSignal<Link>,
    clock: RwSignal<Option<ServerClock>>,
    timings: Timings,
    on_event: Rc<dyn Fn(Event)>,
}

struct Inner {
    url: String,
    source: Option<Connection>,
    /// Bumped on every (re)open and on close: a subscription of an older
    /// connection (whose dropped source reports an error) ends quietly.
    generation: u32,
    heard: bool,
    last_heard: f64,
    opened_at: f64,
    attempt: u32,
    retry_pending: bool,
}

/// An open `EventSource` with the callbacks it calls. Plain callbacks rather
/// than a stream of futures: one handler for every named event, no channel
/// and no task per event name (that machinery cost ~2 KB of the download).
struct Connection {
    source: EventSource,
    on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Drop for Connection {
    /// Closed and unhooked before its callbacks are freed: a closed source
    /// dispatches nothing more, and nothing can call a freed callback.
    fn drop(&mut self) {
        self.source.close();
        for name in NAMES {
            let callback = self.on_message.as_ref().unchecked_ref();
            let _ = self
                .source
                .remove_event_listener_with_callback(name, callback);
        }
        self.source.set_onerror(None);
    }
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
        generation: 0,
        heard: false,
        last_heard: now,
        opened_at: now,
        attempt: 0,
        retry_pending: false,
    });
    let hook = Hook {
        inner,
        link,
        clock,
        timings,
        on_event: Rc::new(on_event),
    };
    open(&hook);
    let tick = (timings.stale_after_ms / 4).clamp(50, 1_000);
    let watchdog =
        set_interval_with_handle(move || watch(&hook), Duration::from_millis(tick.into())).ok();
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
fn heard(hook: &Hook, name: &str, e: &MessageEvent) {
    let now = perf_now();
    let alive = hook.inner.try_update_value(|i| {
        i.heard = true;
        i.last_heard = now;
        i.attempt = 0;
    });
    if alive.is_none() {
        return;
    }
    if hook.link.try_get_untracked() != Some(Link::Live) {
        hook.link.try_set(Link::Live);
    }
    let data = e.data().as_string().unwrap_or_default();
    let Some((event, server_time)) = crate::sse::parse(name, &data) else {
        leptos::logging::warn!("ignoring unreadable `{name}` event");
        return;
    };
    if let Some(ms) = parse_rfc3339_ms(&server_time) {
        hook.clock.try_set(Some(ServerClock::synced(ms, now)));
    }
    if let Some(event) = event {
        (hook.on_event)(event);
    }
}

/// Drops the current stream (if any) and opens a new one, its callbacks
/// tied to this connection's generation.
fn open(hook: &Hook) {
    hook.inner.try_update_value(|i| {
        close(i);
        // No `lastEventId`: the server answers every (re)connect with a fresh
        // snapshot, which supersedes whatever was missed (routes/events.rs),
        // so there is nothing to resume from.
        let url = i.url.clone();
        i.source = connect(hook, &url, i.generation);
        i.opened_at = perf_now();
        i.retry_pending = false;
    });
}

/// A new `EventSource` on `url` whose messages and errors reach `hook` for
/// as long as `generation` is the current one.
fn connect(hook: &Hook, url: &str, generation: u32) -> Option<Connection> {
    let source = EventSource::new(url).ok()?;
    let current = {
        let inner = hook.inner;
        move || inner.try_with_value(|i| i.generation == generation) == Some(true)
    };
    let on_message = {
        let hook = hook.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if current() {
                heard(&hook, &e.type_(), &e);
            }
        })
    };
    let on_error = {
        let hook = hook.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if current() {
                errored(&hook);
            }
        })
    };
    for name in NAMES {
        let callback = on_message.as_ref().unchecked_ref();
        source
            .add_event_listener_with_callback(name, callback)
            .ok()?;
    }
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Some(Connection {
        source,
        on_message,
        _on_error: on_error,
    })
}

/// Ends the current stream; its callbacks are unhooked with it.
fn close(i: &mut Inner) {
    i.generation = i.generation.wrapping_add(1);
    i.source = None;
}

/// An `error` event: if the browser has given up (CLOSED, e.g. after an
/// HTTP error; while CONNECTING it retries by itself) we retry, with backoff.
fn errored(hook: &Hook) {
    let timings = hook.timings;
    let delay = hook.inner.try_update_value(|i| {
        let closed = i
            .source
            .as_ref()
            .is_none_or(|c| c.source.ready_state() == EventSource::CLOSED);
        if !closed || i.retry_pending {
            return None;
        }
        i.retry_pending = true;
        i.attempt += 1;
        Some(timings.backoff_ms(i.attempt - 1))
    });
    if let Some(Some(ms)) = delay {
        let hook = hook.clone();
        set_timeout(move || open(&hook), Duration::from_millis(ms.into()));
    }
}

/// Every tick: update the link from the silence, and reopen a stream that
/// has been quiet too long (a half-open connection never errors).
fn watch(hook: &Hook) {
    let now = perf_now();
    let Some((heard, silence, since_open, pending)) = hook.inner.try_with_value(|i| {
        (
            i.heard,
            now - i.last_heard,
            now - i.opened_at,
            i.retry_pending,
        )
    }) else {
        return;
    };
    let timings = hook.timings;
    let next = timings.link(heard, silence);
    if hook.link.try_get_untracked().is_some_and(|l| l != next) {
        hook.link.try_set(next);
    }
    let quiet = silence.min(since_open);
    if !pending && quiet >= f64::from(timings.reopen_after_ms) {
        open(hook);
    }
}

/// Local monotonic milliseconds: never jumps when someone sets the kiosk's clock.
pub fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}
