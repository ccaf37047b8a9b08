//! The catalog: touch a product to buy it. Sold-out products stay visible,
//! marked with an icon and a word, and cannot be touched.

use crate::i18n::tr;
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
    let tiles = move || {
        let products = catalog.with(|c| c.as_ref().map(|c| c.products.clone()).unwrap_or_default());
        products
            .into_iter()
            .map(|p| tile(p, locale, on_pick))
            .collect_view()
    };
    view! {
        <main class="screen idle" data-testid="screen-idle">
            <header class="idle-head">
                <h1>{tr(locale, |s| s.choose)}</h1>
                <p class="sub">{tr(locale, |s| s.pay_with)}</p>
            </header>
            <ul class="grid" data-testid="catalog">{tiles}</ul>
        </main>
    }
}

/// One product: a big touch target with name and price, or marked sold out.
fn tile(p: wire::Product, locale: Memo<Locale>, on_pick: Callback<String>) -> impl IntoView {
    let price = p.price;
    let id = p.id.clone();
    view! {
        <li>
            <button
                type="button"
                class="product"
                class:sold-out=!p.available
                data-testid=format!("product-{}", p.id)
                disabled=!p.available
                on:click=move |_| on_pick.run(id.clone())
            >
                <span class="name">{p.name}</span>
                <span class="price">{Signal::derive(move || money::format(price, locale.get()))}</span>
                {(!p.available)
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
