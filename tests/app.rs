#![cfg(target_arch = "wasm32")]
//! The whole `<App/>` in one page, as a kiosk runs it: the machine's settings
//! from the catalog reach the screens, and many purchases leave wasm memory
//! flat. The page's `EventSource` and `fetch` are replaced by fakes the test
//! drives, so the real hook, API and screens run.

mod common;

use common::*;
use vendscreen::i18n::t;
use vendscreen::qr::EcLevel;
use vendscreen_protocol::{self as wire, SessionState};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fake `EventSource` (the last one opened is `window.fakeStream`, and
/// `fakeEmit(name, data)` dispatches on it) and a `fetch` that answers the
/// catalog with `window.fakeCatalog`, a new purchase with `window.fakeSession`
/// and a cancel with `window.fakeCancelStatus` (default 202).
const FAKES: &str = r#"
window.fakeStream = null;
class FakeStream extends EventTarget {
  constructor(url) { super(); this.url = url; this.readyState = 1; window.fakeStream = this; }
  close() { this.readyState = 2; }
}
FakeStream.CONNECTING = 0; FakeStream.OPEN = 1; FakeStream.CLOSED = 2;
window.EventSource = FakeStream;
window.fakeEmit = (name, data) =>
  window.fakeStream.dispatchEvent(new MessageEvent(name, { data, lastEventId: "1" }));
window.fetch = async (req) => {
  const url = typeof req === "string" ? req : req.url;
  const json = (body, status) => new Response(body, { status, headers: { "content-type": "application/json" } });
  if (url.endsWith("/api/catalog")) return json(window.fakeCatalog, 200);
  if (url.endsWith("/api/sessions")) return json(window.fakeSession, 201);
  if (url.endsWith("/cancel")) return new Response(null, { status: window.fakeCancelStatus || 202 });
  return new Response(null, { status: 202 });
};
"#;

fn js(code: &str) -> JsValue {
    js_sys::Function::new_no_args(code)
        .call0(&JsValue::NULL)
        .unwrap()
}

fn set_global(name: &str, value: &str) {
    let window = web_sys::window().unwrap();
    js_sys::Reflect::set(&window, &name.into(), &value.into()).unwrap();
}

fn emit(name: &str, data: &str) {
    let emit: js_sys::Function =
        js_sys::Reflect::get(&web_sys::window().unwrap(), &"fakeEmit".into())
            .unwrap()
            .unchecked_into();
    emit.call2(&JsValue::NULL, &name.into(), &data.into())
        .unwrap();
}

fn memory_bytes() -> u32 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length()
}

/// An idle machine, no session.
fn idle_snapshot(time: &str) -> String {
    serde_json::to_string(&wire::Snapshot {
        machine: wire::MachineStatus {
            in_service: true,
            reason: None,
            server_time: time.into(),
        },
        session: None,
        server_time: time.into(),
    })
    .unwrap()
}

/// RFC 3339 time `secs` seconds after 12:00:00.
fn at(secs: u32) -> String {
    format!(
        "2025-03-01T{:02}:{:02}:{:02}Z",
        12 + secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// One purchase as the customer and the server make it: touch, QR, approval,
/// vend, completed, back to the catalog.
async fn purchase<M: leptos::tachys::view::Mountable>(page: &Page<M>, n: u32) {
    let t = n * 10;
    let mut s = session(SessionState::Creating, &at(t), &at(t + 300));
    s.reference = format!("vend-{n}");
    set_global("fakeSession", &serde_json::to_string(&s).unwrap());
    page.tap("product-cola");
    let shows = |testid: &'static str| move || page.sees(testid);
    wait_until(
        &format!("purchase {n}: creating"),
        2_000,
        shows("screen-creating"),
    )
    .await;
    for (i, (state, screen)) in [
        (SessionState::AwaitingPayment, "screen-pay"),
        (SessionState::Authorized, "screen-authorized"),
        (SessionState::Dispensing, "screen-dispensing"),
        (SessionState::Completed, "screen-completed"),
    ]
    .into_iter()
    .enumerate()
    {
        s.state = state;
        s.server_time = at(t + 1 + i as u32);
        emit("session", &serde_json::to_string(&s).unwrap());
        wait_until(&format!("purchase {n}: {screen}"), 2_000, shows(screen)).await;
    }
    emit("snapshot", &idle_snapshot(&at(t + 6)));
    wait_until(&format!("purchase {n}: idle"), 2_000, shows("screen-idle")).await;
}

/// The whole App, mounted, once its stream (the fake) is open.
async fn open_app() -> Page<impl leptos::tachys::view::Mountable> {
    let page = open(vendscreen::App);
    wait_until("the App opens its stream", 2_000, || {
        js("return window.fakeStream").is_truthy()
    })
    .await;
    page
}

#[wasm_bindgen_test]
async fn two_hundred_purchases_in_one_page_do_not_grow_wasm_memory() {
    js(FAKES);
    set_global(
        "fakeCatalog",
        &serde_json::to_string(&catalog(wire::Locale::En)).unwrap(),
    );
    let page = open_app().await;
    emit("snapshot", &idle_snapshot(&at(0)));
    wait_until("the catalog shows", 2_000, || page.sees("product-cola")).await;
    // Warm up: the allocator and the arenas reach their working size.
    for n in 0..50 {
        purchase(&page, n).await;
    }
    let before = memory_bytes();
    for n in 50..250 {
        purchase(&page, n).await;
    }
    let grown = memory_bytes().saturating_sub(before);
    // Before the relays (src/memo.rs) this grew ~960 KiB: ~4.8 KiB a purchase.
    assert!(
        grown <= 128 * 1024,
        "wasm memory grew {grown} bytes over 200 purchases"
    );
}

#[wasm_bindgen_test]
async fn the_qr_uses_the_error_correction_the_machine_is_configured_with() {
    js(FAKES);
    let mut machine = catalog(wire::Locale::En);
    machine.machine.qr_error_correction = wire::QrErrorCorrection::H;
    set_global("fakeCatalog", &serde_json::to_string(&machine).unwrap());
    let page = open_app().await;
    emit("snapshot", &idle_snapshot(&at(0)));
    wait_until("the catalog shows", 2_000, || page.sees("product-cola")).await;
    let mut s = session(SessionState::Creating, &at(1), &at(300));
    set_global("fakeSession", &serde_json::to_string(&s).unwrap());
    page.tap("product-cola");
    wait_until("the purchase starts", 2_000, || {
        page.sees("screen-creating")
    })
    .await;
    s.state = SessionState::AwaitingPayment;
    s.server_time = at(2);
    emit("session", &serde_json::to_string(&s).unwrap());
    wait_until("the QR shows", 2_000, || page.sees("qr")).await;
    let url = s.qr_url.clone().unwrap();
    let size = |ec| vendscreen::qr::encode(&url, ec).unwrap().size;
    let (high, default) = (size(EcLevel::H), size(vendscreen::qr::DEFAULT_EC));
    assert_ne!(high, default, "the fixture URL must tell the levels apart");
    assert_eq!(
        page.attr("qr", "viewBox"),
        Some(format!("0 0 {high} {high}"))
    );
}

/// The App on the idle screen with `machine` as its catalog, in English.
async fn idle_app(machine: &wire::Catalog) -> Page<impl leptos::tachys::view::Mountable> {
    js(FAKES);
    set_global("fakeCatalog", &serde_json::to_string(machine).unwrap());
    set_global("fakeCancelStatus", "");
    let page = open_app().await;
    emit("snapshot", &idle_snapshot(&at(0)));
    wait_until("the catalog shows", 2_000, || page.sees("product-cola")).await;
    page
}

/// Emits `s` in `state` at `at(secs)`.
fn emit_session(s: &mut wire::Session, state: SessionState, secs: u32) {
    s.state = state;
    s.server_time = at(secs);
    emit("session", &serde_json::to_string(s).unwrap());
}

#[wasm_bindgen_test]
async fn a_reconnect_reloads_the_catalog_the_restarted_server_may_have_changed() {
    let mut machine = catalog(wire::Locale::En);
    let page = idle_app(&machine).await;
    assert!(!page
        .text("product-cola")
        .contains(t(wire::Locale::En).sold_out));
    // The operator marks cola sold out and restarts the server; the stream
    // reconnects and the screen was idle all along.
    machine.products[0].available = false;
    set_global("fakeCatalog", &serde_json::to_string(&machine).unwrap());
    emit("snapshot", &idle_snapshot(&at(60)));
    wait_until("cola shows sold out", 2_000, || {
        page.text("product-cola")
            .contains(t(wire::Locale::En).sold_out)
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_refused_cancel_is_said_on_the_pay_screen_and_the_purchase_goes_on() {
    let page = idle_app(&catalog(wire::Locale::En)).await;
    let mut s = session(SessionState::Creating, &at(1), &at(300));
    set_global("fakeSession", &serde_json::to_string(&s).unwrap());
    page.tap("product-cola");
    emit_session(&mut s, SessionState::AwaitingPayment, 2);
    wait_until("the QR shows", 2_000, || page.sees("qr")).await;
    assert!(!page.sees("notice"));
    set_global("fakeCancelStatus", "409");
    page.tap("cancel");
    wait_until("the refusal shows", 2_000, || page.sees("notice")).await;
    assert!(page.sees("screen-pay"), "the purchase goes on");
    assert_eq!(
        page.text("cancel"),
        t(wire::Locale::En).cancel,
        "Cancel can be pressed again"
    );
    assert!(page
        .text("notice")
        .contains(t(wire::Locale::En).notice_cancel_failed));
}

#[wasm_bindgen_test]
async fn the_live_region_says_what_the_ending_screen_says() {
    let page = idle_app(&catalog(wire::Locale::En)).await;
    let en = t(wire::Locale::En);
    let mut s = session(SessionState::Creating, &at(1), &at(300));
    set_global("fakeSession", &serde_json::to_string(&s).unwrap());
    page.tap("product-cola");
    s.reason = Some(wire::EndReason::SessionTimeout);
    emit_session(&mut s, SessionState::Cancelled, 2);
    wait_until("the ending shows", 2_000, || page.sees("screen-cancelled")).await;
    let said = page.text("announcer");
    assert!(said.starts_with(en.expired), "a timeout: {said}");
    emit("snapshot", &idle_snapshot(&at(20)));
    wait_until("idle again", 2_000, || page.sees("screen-idle")).await;

    let mut s = session(SessionState::Creating, &at(21), &at(300));
    s.reference = "vend-0002".into();
    set_global("fakeSession", &serde_json::to_string(&s).unwrap());
    page.tap("product-cola");
    emit_session(&mut s, SessionState::Completed, 22);
    wait_until("paid", 2_000, || page.sees("screen-completed")).await;
    let said = page.text("announcer");
    let paid = en.paid_amount(&vendscreen::money::format(s.amount, wire::Locale::En));
    assert!(said.contains(&paid), "the amount paid: {said}");
}

#[wasm_bindgen_test]
async fn a_reconnect_asks_for_the_stream_afresh_without_a_last_event_id() {
    // The server answers every connect with a snapshot that supersedes what
    // was missed, so the display names no event to resume from.
    let _page = idle_app(&catalog(wire::Locale::En)).await;
    js("window.firstStream = window.fakeStream; \
        window.fakeStream.readyState = 2; \
        window.fakeStream.onerror(new Event('error'));");
    wait_until("the display reconnects", 5_000, || {
        js("return window.fakeStream !== window.firstStream").is_truthy()
    })
    .await;
    let url = js("return window.fakeStream.url").as_string().unwrap();
    assert_eq!(url, "/api/events");
}
