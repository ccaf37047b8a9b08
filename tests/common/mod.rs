//! Helpers that make the browser tests read like a story: mount a view into
//! its own element, find things by `data-testid`, wait for a condition with a
//! deadline (never a fixed sleep), and build wire fixtures.
#![allow(dead_code)] // each test binary uses a different subset

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::tachys::view::Mountable;
use vendscreen_protocol as wire;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// A view mounted into a fresh `<div>`; unmounted and removed on drop.
pub struct Page<M: Mountable> {
    pub root: HtmlElement,
    _handle: leptos::mount::UnmountHandle<M>,
}

/// Mounts `view` into its own element, so tests never see each other's DOM.
pub fn open<F, N>(view: F) -> Page<N::State>
where
    F: FnOnce() -> N + 'static,
    N: IntoView,
{
    let document = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let handle = mount_to(root.clone(), view);
    Page {
        root,
        _handle: handle,
    }
}

impl<M: Mountable> Drop for Page<M> {
    fn drop(&mut self) {
        self.root.remove();
    }
}

impl<M: Mountable> Page<M> {
    /// The element with this `data-testid`, if shown.
    pub fn find(&self, testid: &str) -> Option<Element> {
        self.root
            .query_selector(&format!("[data-testid='{testid}']"))
            .unwrap()
    }

    /// True when an element with this `data-testid` is on the page.
    pub fn sees(&self, testid: &str) -> bool {
        self.find(testid).is_some()
    }

    /// The text of the element with this `data-testid` (panics if absent).
    pub fn text(&self, testid: &str) -> String {
        let el = self
            .find(testid)
            .unwrap_or_else(|| panic!("no [data-testid={testid}] in {}", self.root.inner_html()));
        el.text_content().unwrap_or_default()
    }

    /// An attribute of the element with this `data-testid`.
    pub fn attr(&self, testid: &str, name: &str) -> Option<String> {
        self.find(testid)?.get_attribute(name)
    }

    /// Taps the element with this `data-testid`.
    pub fn tap(&self, testid: &str) {
        let el: HtmlElement = self
            .find(testid)
            .unwrap_or_else(|| panic!("no [data-testid={testid}]"))
            .unchecked_into();
        el.click();
    }

    /// All elements matching a CSS selector under the element with `testid`.
    pub fn count(&self, testid: &str, selector: &str) -> u32 {
        self.find(testid)
            .map_or(0, |el| el.query_selector_all(selector).unwrap().length())
    }
}

/// Waits until `cond` holds, polling; fails the test with `what` after `ms`.
pub async fn wait_until(what: &str, ms: u32, mut cond: impl FnMut() -> bool) {
    let start = now();
    let mut looks = 0;
    while !cond() {
        if now() - start > f64::from(ms) {
            panic!("timed out after {ms} ms waiting until {what}");
        }
        // Most conditions hold after a tick (effects run then): look again
        // at once a few times before polling at a gentler pace.
        looks += 1;
        sleep(if looks < 5 { 0 } else { 20 }).await;
    }
}

/// Lets the browser run timers and effects for `ms`.
pub async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

/// A session in `state`, 35,00 kr, server time `server_time`, payable until `expires_at`.
pub fn session(state: wire::SessionState, server_time: &str, expires_at: &str) -> wire::Session {
    wire::Session {
        reference: "vend-0001".into(),
        product: wire::ProductRef {
            id: "cola".into(),
            name: "Cola Zero".into(),
        },
        amount: wire::Money::new(3500, wire::Currency::Nok),
        qr_url: Some("https://qr.example/pay/vend-0001".into()),
        qr_image: None,
        state,
        expires_at: expires_at.into(),
        server_time: server_time.into(),
        reason: None,
        idle_at: None,
        cancelling: false,
    }
}

/// A small catalog: two products for sale, one sold out.
pub fn catalog(locale: wire::Locale) -> wire::Catalog {
    let product = |id: &str, name: &str, price, available| wire::Product {
        id: id.into(),
        name: name.into(),
        price: wire::Money::new(price, wire::Currency::Nok),
        available,
        slot: format!("A{}", id.len()),
        image: None,
        names: wire::Names::default(),
    };
    wire::Catalog {
        machine: wire::Machine {
            pos_id: "vm-1".into(),
            name: "Oslo S".into(),
            locale,
            currency: wire::Currency::Nok,
            qr_error_correction: wire::QrErrorCorrection::M,
        },
        products: vec![
            product("cola", "Cola Zero", 3500, true),
            product("water", "Water", 2500, true),
            product("chips", "Chips", 4000, false),
        ],
    }
}

/// A fixed value as the `Memo` a screen takes (the App hands screens relays).
pub fn fixed<T: Clone + PartialEq + Send + Sync + 'static>(value: T) -> Memo<T> {
    Memo::new(move |_| value.clone())
}
