//! The catalog: touch a product to buy it. Sold-out products stay visible,
//! marked with an icon and a word, and cannot be touched. A catalog larger
//! than the screen is split into pages with big previous/next buttons and a
//! page indicator: nothing hides behind an overflow or a swipe.

use crate::components::{keypad, picture};
use crate::i18n::{tr, Strings};
use crate::layout;
use crate::money;
use leptos::prelude::*;
use vendscreen_protocol::{self as wire, Locale};

/// The idle/attract screen.
#[component]
pub fn IdleScreen(
    #[prop(into)] catalog: Memo<Option<wire::Catalog>>,
    #[prop(into)] locale: Memo<Locale>,
    /// Called with the product id the customer touched.
    on_pick: Callback<String>,
) -> impl IntoView {
    // Plain closures, not memos: cheap to recompute, and every new memo
    // type costs the first load bytes.
    let count = move || catalog.with(|c| c.as_ref().map_or(0, |c| c.products.len()));
    // Read once per visit to the idle screen (it is mounted anew after
    // every purchase): a kiosk's screen does not change shape while idle.
    let (w, h) = viewport();
    let grid = move || layout::grid(count(), w, h);
    let page = RwSignal::new(0usize);
    let pages = move || grid().pages(count());
    let tiles = move || {
        let g = grid();
        // A catalog update may shrink it under the page shown.
        let first = page.get().min(pages() - 1) * g.per_page();
        let products = catalog.with(|c| c.as_ref().map(|c| c.products.clone()).unwrap_or_default());
        let tiles = products
            .into_iter()
            .skip(first)
            .take(g.per_page())
            .map(|p| tile(p, locale, on_pick))
            .collect_view();
        // Classes, not a `style` with CSS variables: a plain string class
        // reuses code the wasm has anyway; style/main.css maps c1…c8, r1…r8.
        view! {
            <ul class=format!("grid c{} r{}", g.cols, g.rows) data-testid="catalog">
                {tiles}
            </ul>
        }
    };
    // Both arrows are one function with the same closure types: one copy in
    // the wasm. `aria-disabled` rather than `disabled`: a string
    // attribute reuses code the wasm has anyway (each new kind of reactive
    // attribute costs first-load bytes).
    let arrow = move |step: isize,
                      glyph: &'static str,
                      testid: &'static str,
                      label: fn(&Strings) -> &'static str| {
        let to = move || {
            let to = page.get().min(pages() - 1) as isize + step;
            (to >= 0 && (to as usize) < pages()).then_some(to as usize)
        };
        view! {
            <button
                type="button"
                class="page-btn"
                data-testid=testid
                aria-label=tr(locale, label)
                aria-disabled=Signal::derive(move || to().is_none().to_string())
                on:click=move |_| {
                    if let Some(to) = to() {
                        page.set(to)
                    }
                }
            >
                {glyph}
            </button>
        }
    };
    let arrows = move || {
        (pages() > 1).then(|| {
            view! {
                {arrow(-1, "◀", "page-prev", |s| s.prev)}
                <span class="page-no" data-testid="page-indicator">
                    {Signal::derive(move || format!("{} / {}", page.get().min(pages() - 1) + 1, pages()))}
                </span>
                {arrow(1, "▶", "page-next", |s| s.next)}
            }
        })
    };
    view! {
        <main class="screen idle" data-testid="screen-idle">
            <header class="idle-head">
                <h1>{tr(locale, |s| s.choose)}</h1>
                <p class="sub">{tr(locale, |s| s.pay_with)}</p>
            </header>
            {tiles}
            // Under the tiles: the pages' arrows, and the keypad's button.
            <nav class="pager">{arrows} {keypad::open_button(locale)}</nav>
        </main>
    }
}

/// The window's size in CSS pixels (a portrait kiosk's if unknown).
fn viewport() -> (f64, f64) {
    let size = |v: Result<wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64());
    web_sys::window()
        .and_then(|w| Some((size(w.inner_width())?, size(w.inner_height())?)))
        .unwrap_or((1080.0, 1920.0))
}

/// One product: a big touch target with its slot, picture (if any), name and
/// price, or marked sold out.
fn tile(p: wire::Product, locale: Memo<Locale>, on_pick: Callback<String>) -> impl IntoView {
    let price = p.price;
    let id = p.id.clone();
    let (available, image) = (p.available, p.image.clone());
    view! {
        <li>
            <button
                type="button"
                class=if available { "product" } else { "product sold-out" }
                data-testid=format!("product-{}", id)
                disabled=!available
                on:click=move |_| on_pick.run(id.clone())
            >
                <span class="slot" data-testid="slot">{p.slot.clone()}</span>
                {image.map(picture)}
                <span class="name">{Signal::derive(move || p.name_in(locale.get()).to_owned())}</span>
                <span class="price">{Signal::derive(move || money::format(price, locale.get()))}</span>
                {(!available)
                    .then(|| {
                        view! {
                            <span class="badge" data-testid="sold-out">
                                <span aria-hidden="true">"✕ "</span>
                                {tr(locale, |s| s.sold_out)}
                            </span>
                        }
                    })}
            </button>
        </li>
    }
}
