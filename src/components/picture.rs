//! A product's picture: one element for the catalog's tiles and the pay
//! screen, so both draw it the same way (and the wasm holds its code once).

use leptos::prelude::*;

/// `<img>` of a product. Its box is sized by CSS, never by the picture:
/// nothing moves when it arrives, and the first paint never waits for it.
pub fn picture(src: String) -> impl IntoView {
    view! { <img class="pic" src=src loading="lazy" alt="" /> }
}
