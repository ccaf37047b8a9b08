#![cfg(target_arch = "wasm32")]
//! A real machine's catalog (60 selections) with the display's own
//! stylesheet: every product is reached and bought through touches alone,
//! page by page, and no tile reaches outside the window.

mod common;

use common::*;
use leptos::prelude::*;
use vendscreen::components::keypad;
use vendscreen::screens::IdleScreen;
use vendscreen_protocol::{self as wire, Locale};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

/// 60 products; every seventh is sold out.
fn big_catalog() -> wire::Catalog {
    let mut c = catalog(Locale::En);
    c.products = (0..60)
        .map(|i| wire::Product {
            id: format!("p{i}"),
            name: format!("Product number {i} with a long name"),
            price: wire::Money::new(1000 + i, wire::Currency::Nok),
            available: i % 7 != 3,
            slot: slot(i),
            // Half with a picture (none loads here: the box must hold anyway).
            image: (i % 2 == 0).then(|| format!("/images/p{i}.svg")),
            names: wire::Names::default(),
        })
        .collect();
    c
}

/// Slots as on a 6-row, 10-column machine: A1 … F10.
fn slot(i: i64) -> String {
    format!("{}{}", char::from(b'A' + (i / 10) as u8), i % 10 + 1)
}

/// The display's stylesheet, so layout is the kiosk's, not the browser's default.
fn with_style() -> Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let style = doc.create_element("style").unwrap();
    style.set_text_content(Some(include_str!("../style/main.css")));
    doc.head().unwrap().append_child(&style).unwrap();
    style
}

/// Every tile on the page lies wholly inside the window.
fn assert_unclipped(root: &Element) {
    let win = web_sys::window().unwrap();
    let (w, h) = (
        win.inner_width().unwrap().as_f64().unwrap(),
        win.inner_height().unwrap().as_f64().unwrap(),
    );
    let tiles = root
        .query_selector_all("button.product, .page-btn, .keypad-btn, .keypad button")
        .unwrap();
    for i in 0..tiles.length() {
        let el: Element = tiles.item(i).unwrap().unchecked_into();
        let r = el.get_bounding_client_rect();
        assert!(
            r.left() >= 0.0 && r.top() >= 0.0 && r.right() <= w + 0.5 && r.bottom() <= h + 0.5,
            "{} is clipped: {:?} in {w}x{h}",
            el.get_attribute("data-testid").unwrap_or_default(),
            (r.left(), r.top(), r.right(), r.bottom())
        );
        assert!(
            r.height() >= 48.0 && r.width() >= 48.0,
            "a touch target under 48 px"
        );
    }
}

#[wasm_bindgen_test]
async fn every_product_of_sixty_is_reached_and_bought_by_touch_alone() {
    let style = with_style();
    let picked = RwSignal::new(Vec::<String>::new());
    let page = open(move || {
        let on_pick = Callback::new(move |id| picked.update(|p| p.push(id)));
        view! {
            <div class="app">
                <IdleScreen catalog=fixed(Some(big_catalog())) locale=fixed(Locale::En) on_pick=on_pick />
            </div>
        }
    });
    let mut seen = Vec::new();
    let mut turns = 0;
    loop {
        assert_unclipped(&page.root);
        let tiles = page.root.query_selector_all("button.product").unwrap();
        for i in 0..tiles.length() {
            let el: Element = tiles.item(i).unwrap().unchecked_into();
            let id = el.get_attribute("data-testid").unwrap();
            let n: i64 = id["product-p".len()..].parse().unwrap();
            let text = el.text_content().unwrap();
            assert!(text.starts_with(&slot(n)), "{id} shows its slot: {text}");
            page.tap(&id);
            seen.push(id);
        }
        if page.attr("page-next", "aria-disabled").as_deref() != Some("false") {
            break;
        }
        let before = page.text("page-indicator");
        page.tap("page-next");
        turns += 1;
        wait_until("the next page shows", 1_000, || {
            page.text("page-indicator") != before
        })
        .await;
    }
    assert!(turns > 0, "60 products need more than one page");
    let all: Vec<String> = (0..60).map(|i| format!("product-p{i}")).collect();
    assert_eq!(seen, all, "every product once, in catalog order");
    let bought: Vec<String> = (0..60)
        .filter(|i| i % 7 != 3)
        .map(|i| format!("p{i}"))
        .collect();
    assert_eq!(
        picked.get_untracked(),
        bought,
        "every available product, none sold out"
    );
    page.tap("page-prev");
    wait_until("previous goes back", 1_000, || {
        page.attr("page-next", "aria-disabled").as_deref() == Some("false")
    })
    .await;
    style.remove();
}

#[wasm_bindgen_test]
fn a_small_catalog_needs_no_pages() {
    let page = open(move || {
        view! { <IdleScreen catalog=fixed(Some(catalog(Locale::En))) locale=fixed(Locale::En) on_pick=Callback::new(|_| ()) /> }
    });
    assert_eq!(page.count("catalog", "button.product"), 3);
    assert!(!page.sees("page-next"), "one page: no pager");
}

#[wasm_bindgen_test]
fn a_product_is_named_in_the_customers_language_where_it_has_a_name_in_it() {
    let mut c = catalog(Locale::Nb);
    c.products[1].names.fi = Some("Kivennäisvesi".into());
    for (locale, name) in [(Locale::Fi, "Kivennäisvesi"), (Locale::Sv, "Water")] {
        let c = c.clone();
        let page = open(move || {
            view! { <IdleScreen catalog=fixed(Some(c)) locale=fixed(locale) on_pick=Callback::new(|_| ()) /> }
        });
        assert!(page.text("product-water").contains(name), "{locale:?}");
    }
}

/// Presses the keypad's key `k` (its `data-k`).
fn key<M: leptos::tachys::view::Mountable>(page: &Page<M>, k: &str) {
    let el: web_sys::HtmlElement = page
        .root
        .query_selector(&format!("[data-k='{k}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no key {k} in {}", page.root.inner_html()))
        .unchecked_into();
    el.click();
}

#[wasm_bindgen_test]
fn the_keypad_buys_by_slot_number_and_says_why_it_cannot() {
    let style = with_style();
    let picked = RwSignal::new(Vec::<String>::new());
    let page = open(move || {
        let on_pick = Callback::new(move |id| picked.update(|p| p.push(id)));
        let (catalog, _) = signal(Some(big_catalog()));
        let locale = RwSignal::new(Locale::En);
        // As the App wires it: the handler on the root, the pad beside the screen.
        view! {
            <div class="app" on:click=keypad::on_key(catalog, locale, on_pick)>
                <IdleScreen catalog=fixed(Some(big_catalog())) locale=fixed(Locale::En) on_pick=on_pick />
                {keypad::pad()}
            </div>
        }
    });
    page.tap("keypad-open");
    // Rows A–F and the digits, every key inside the window and big enough.
    assert_eq!(page.count("keypad", "button[data-k]"), 6 + 10 + 3);
    assert_unclipped(&page.root);
    for k in ["F", "9"] {
        key(&page, k);
    }
    assert_eq!(page.text("typed"), "F9");
    key(&page, "ok");
    assert_eq!(picked.get_untracked(), ["p58"], "F9 is the 59th product");
    assert_eq!(
        page.count("keypad", "button"),
        0,
        "the pad closes on a purchase"
    );

    page.tap("keypad-open");
    for k in ["F", "1", "0", "ok"] {
        key(&page, k);
    }
    assert_eq!(page.text("keypad-said"), "F10: Sold out");
    for k in ["A", "1", "2", "del", "del", "0", "ok"] {
        key(&page, k);
    }
    assert_eq!(page.text("keypad-said"), "No product has the number A0");
    assert_eq!(picked.get_untracked(), ["p58"], "nothing more was bought");
    key(&page, "close");
    assert_eq!(page.count("keypad", "button"), 0);
    style.remove();
}
