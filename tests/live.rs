#![cfg(target_arch = "wasm32")]
//! The pay screen as time passes and the connection fails: the QR, the
//! countdown (also on a kiosk whose clock is wrong), Cancel, the stale-stream
//! banner and the dimmed QR, and the real event hook against a dead stream.

mod common;

use common::*;
use leptos::prelude::*;
use vendscreen::clock::use_server_now;
use vendscreen::components::{ConnectionBanner, Countdown};
use vendscreen::connection::{Link, Timings};
use vendscreen::countdown::{parse_rfc3339_ms, ServerClock};
use vendscreen::events::{perf_now, use_machine_events};
use vendscreen::screens::PayScreen;
use vendscreen_protocol::{Catalog, Locale, Session, SessionState};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A server clock that says `server_time` right now.
fn server_clock(server_time: &str) -> Signal<Option<ServerClock>> {
    Signal::stored(Some(ServerClock::synced(
        parse_rfc3339_ms(server_time).unwrap(),
        perf_now(),
    )))
}

/// The pay screen for `s`, with a ticking server clock synced to its serverTime.
fn pay_screen(
    s: Session,
    link: RwSignal<Link>,
    cancelled: RwSignal<u32>,
    cancelling: RwSignal<bool>,
) -> impl IntoView {
    let on_cancel = Callback::new(move |()| cancelled.update(|n| *n += 1));
    pay_screen_in(s, None, Locale::En, link, cancelling, on_cancel)
}

/// The same with a catalog (pictures, names per language) and a language.
fn pay_screen_in(
    s: Session,
    catalog: Option<Catalog>,
    locale: Locale,
    link: RwSignal<Link>,
    cancelling: RwSignal<bool>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let now = use_server_now(server_clock(&s.server_time.clone()));
    view! { <PayScreen session=fixed(Some(s)) catalog=fixed(catalog) locale=fixed(locale) now=now link=link cancelling=cancelling on_cancel=on_cancel /> }
}

#[wasm_bindgen_test]
fn the_qr_is_one_crisp_svg_path_on_a_white_card() {
    let s = session(
        SessionState::AwaitingPayment,
        "2025-03-01T12:00:00Z",
        "2025-03-01T12:10:00Z",
    );
    let page = open(move || {
        pay_screen(
            s,
            RwSignal::new(Link::Live),
            RwSignal::new(0),
            RwSignal::new(false),
        )
    });
    assert!(page.sees("screen-pay"));
    let qr = page.find("qr").expect("a QR");
    assert_eq!(qr.tag_name().to_lowercase(), "svg");
    assert_eq!(page.count("qr-card", "svg path"), 1);
    assert_eq!(
        qr.get_attribute("shape-rendering").as_deref(),
        Some("crispEdges")
    );
    let view_box = qr.get_attribute("viewBox").unwrap();
    assert!(view_box.starts_with("0 0 "), "{view_box}");
    assert_eq!(page.text("price"), "NOK\u{a0}35.00");
    assert_eq!(page.text("pay-product"), "Cola Zero");
}

#[wasm_bindgen_test]
fn a_provider_rendered_qr_is_shown_as_an_image() {
    let mut s = session(
        SessionState::AwaitingPayment,
        "2025-03-01T12:00:00Z",
        "2025-03-01T12:10:00Z",
    );
    s.qr_url = None;
    s.qr_image = Some("data:image/svg+xml;base64,PHN2Zy8+".into());
    let page = open(move || {
        pay_screen(
            s,
            RwSignal::new(Link::Live),
            RwSignal::new(0),
            RwSignal::new(false),
        )
    });
    let qr = page.find("qr").unwrap();
    assert_eq!(qr.tag_name().to_lowercase(), "img");
    assert_eq!(
        qr.get_attribute("src").as_deref(),
        Some("data:image/svg+xml;base64,PHN2Zy8+"),
        "the provider's image, as the server sent it"
    );
    assert_eq!(
        qr.get_attribute("alt").as_deref(),
        Some("QR code for payment")
    );
}

#[wasm_bindgen_test]
async fn the_countdown_ticks_down_from_the_servers_clock() {
    let s = session(
        SessionState::AwaitingPayment,
        "2025-03-01T12:00:00Z",
        "2025-03-01T12:01:30Z",
    );
    let page = open(move || {
        pay_screen(
            s,
            RwSignal::new(Link::Live),
            RwSignal::new(0),
            RwSignal::new(false),
        )
    });
    let first = page.text("countdown");
    assert!(first == "01:30" || first == "01:29", "{first}");
    assert!(
        page.attr("countdown-box", "class")
            .unwrap()
            .contains("urgent"),
        "the last two minutes are prominent"
    );
    wait_until("the countdown moves on", 2_500, || {
        page.text("countdown") != first
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_kiosk_with_a_wrong_clock_still_counts_right() {
    // The server lives in 2031; the kiosk's wall clock does not matter at all.
    let s = session(
        SessionState::AwaitingPayment,
        "2031-06-01T10:00:00Z",
        "2031-06-01T10:05:00+00:00",
    );
    let page = open(move || {
        pay_screen(
            s,
            RwSignal::new(Link::Live),
            RwSignal::new(0),
            RwSignal::new(false),
        )
    });
    let text = page.text("countdown");
    assert!(text == "05:00" || text == "04:59", "{text}");
    assert!(page
        .attr("countdown-box", "class")
        .unwrap()
        .contains("calm"));
}

#[wasm_bindgen_test]
async fn at_zero_the_countdown_says_it_is_checking() {
    let page = open(|| {
        let now = use_server_now(server_clock("2025-03-01T12:00:00Z"));
        let deadline = Signal::stored(parse_rfc3339_ms("2025-03-01T12:00:01Z"));
        view! { <Countdown deadline=deadline now=now locale=fixed(Locale::Sv) /> }
    });
    wait_until("the countdown reaches zero", 2_500, || {
        page.text("countdown") == "Kontrollerar betalningen…"
    })
    .await;
    assert!(page
        .attr("countdown-box", "class")
        .unwrap()
        .contains("checking"));
}

#[wasm_bindgen_test]
async fn cancel_says_cancelling_and_never_swallows_a_press() {
    let (cancelled, cancelling) = (RwSignal::new(0), RwSignal::new(false));
    let s = session(
        SessionState::AwaitingPayment,
        "2025-03-01T12:00:00Z",
        "2025-03-01T12:10:00Z",
    );
    let page = open(move || pay_screen(s, RwSignal::new(Link::Live), cancelled, cancelling));
    assert_eq!(page.text("cancel"), "Cancel");
    page.tap("cancel");
    assert_eq!(cancelled.get_untracked(), 1);
    cancelling.set(true);
    wait_until("the button says cancelling", 1_000, || {
        page.text("cancel") == "Cancelling…"
    })
    .await;
    assert_eq!(
        page.attr("cancel", "aria-disabled").as_deref(),
        Some("true")
    );
    assert_eq!(
        page.attr("cancel", "disabled"),
        None,
        "a disabled button swallows presses"
    );
    // The state knows a cancel is under way and sends nothing more
    // (`State::press_cancel`); the button only passes the press on.
    page.tap("cancel");
    assert_eq!(cancelled.get_untracked(), 2);
}

#[wasm_bindgen_test]
async fn a_lost_stream_dims_the_qr_so_nobody_pays_blind() {
    let link = RwSignal::new(Link::Live);
    let s = session(
        SessionState::AwaitingPayment,
        "2025-03-01T12:00:00Z",
        "2025-03-01T12:10:00Z",
    );
    let page = open(move || {
        view! {
            <ConnectionBanner link=link locale=fixed(Locale::En) />
            {pay_screen(s, link, RwSignal::new(0), RwSignal::new(false))}
        }
    });
    assert!(!page.sees("connection-banner") && !page.sees("qr-notice"));
    link.set(Link::Stale);
    wait_until("the banner shows", 1_000, || page.sees("connection-banner")).await;
    assert!(
        !page.sees("qr-notice"),
        "a short silence only shows the banner"
    );
    link.set(Link::Lost);
    wait_until("the QR notice shows", 1_000, || page.sees("qr-notice")).await;
    assert!(page
        .text("qr-notice")
        .contains("Cannot confirm payment status"));
    let pane = page.find("qr-card").unwrap().parent_element().unwrap();
    assert!(pane.class_name().contains("dimmed"));
    link.set(Link::Live);
    wait_until("the banner goes away", 1_000, || {
        !page.sees("connection-banner")
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_event_hook_marks_a_dead_stream_stale() {
    // Nothing answers here: the stream errors, retries, and stays silent.
    let timings = Timings {
        stale_after_ms: 300,
        lost_after_ms: 600,
        reopen_after_ms: 400,
        min_backoff_ms: 50,
        max_backoff_ms: 200,
    };
    let page = open(move || {
        let events = use_machine_events("/no-such-stream", timings, |_| {});
        view! { <ConnectionBanner link=events.link locale=fixed(Locale::Da) /> }
    });
    assert!(!page.sees("connection-banner"));
    wait_until("the banner shows", 3_000, || page.sees("connection-banner")).await;
    assert!(page
        .text("connection-banner")
        .contains("Forbindelsen er tabt"));
}

#[wasm_bindgen_test]
fn a_clock_synced_between_ticks_is_read_at_once_not_a_tick_late() {
    let _owner = Owner::new();
    let clock = RwSignal::new(None::<ServerClock>);
    let now = use_server_now(clock.into());
    // Let local time move on without a tick (a busy wait, not a timer).
    let start = perf_now();
    while perf_now() - start < 40.0 {}
    clock.set(Some(ServerClock::synced(1_000_000, perf_now())));
    let read = now.get_untracked().expect("synced");
    assert!(
        read >= 1_000_000,
        "read {read}: behind the time just synced"
    );
}

#[wasm_bindgen_test]
fn the_pay_screen_shows_the_products_picture_its_name_in_the_customers_language_and_how_to_pay() {
    let s = session(
        SessionState::AwaitingPayment,
        "2025-03-01T12:00:00Z",
        "2025-03-01T12:10:00Z",
    );
    let mut c = catalog(Locale::Nb);
    c.products[0].image = Some("/images/cola.svg".into());
    c.products[0].names.fi = Some("Kola".into());
    let page = open(move || {
        pay_screen_in(
            s,
            Some(c),
            Locale::Fi,
            RwSignal::new(Link::Live),
            RwSignal::new(false),
            Callback::new(|()| ()),
        )
    });
    assert_eq!(page.text("pay-product"), "Kola");
    let picture = page.root.query_selector(".pay-info img.pic").unwrap();
    assert_eq!(
        picture.and_then(|p| p.get_attribute("src")).as_deref(),
        Some("/images/cola.svg")
    );
    assert_eq!(page.count("howto", "li"), 3);
    let steps = page.text("howto");
    for step in [
        "Avaa puhelimen kamera",
        "Skannaa koodi",
        "Hyväksy sovelluksessa",
    ] {
        assert!(steps.contains(step), "{step} in {steps}");
    }
}

#[wasm_bindgen_test]
fn a_product_without_a_picture_gets_none_on_the_pay_screen() {
    let s = session(
        SessionState::AwaitingPayment,
        "2025-03-01T12:00:00Z",
        "2025-03-01T12:10:00Z",
    );
    let page = open(move || {
        pay_screen(
            s,
            RwSignal::new(Link::Live),
            RwSignal::new(0),
            RwSignal::new(false),
        )
    });
    assert!(page.root.query_selector("img.pic").unwrap().is_none());
    assert_eq!(
        page.text("pay-product"),
        "Cola Zero",
        "the session's name without a catalog"
    );
}
