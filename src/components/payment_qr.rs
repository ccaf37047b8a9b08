//! `<PaymentQr/>`: the session's QR, black on a white card whatever the theme,
//! one crisp `<path>` scaled by the viewBox to a physical size set in CSS.

use crate::qr::{self, EcLevel};
use leptos::prelude::*;

/// The QR for `qr_url`, or the provider's `qr_image` when the server runs in
/// QR-image mode (an `<img>`: never injected as markup).
#[component]
pub fn PaymentQr(
    #[prop(into)] qr_url: Signal<Option<String>>,
    #[prop(into)] qr_image: Signal<Option<String>>,
    /// What a screen reader says for the code.
    #[prop(into)]
    label: Signal<String>,
    /// Error correction; `qr::DEFAULT_EC` when not given.
    #[prop(optional)]
    ec: Option<EcLevel>,
) -> impl IntoView {
    let ec = ec.unwrap_or(qr::DEFAULT_EC);
    // Encoding is the costly part: redo it only when the URL changes.
    let svg = crate::memo::memo(move |_| qr_url.get().and_then(|u| qr::encode(&u, ec)));
    let code = move || match (svg.get(), qr_image.get()) {
        (Some(q), _) => view! {
            <svg
                class="qr"
                data-testid="qr"
                xmlns="http://www.w3.org/2000/svg"
                viewBox=format!("0 0 {0} {0}", q.size)
                shape-rendering="crispEdges"
                role="img"
                aria-label=label
            >
                <path d=q.path fill="#000"></path>
            </svg>
        }
        .into_any(),
        (None, Some(src)) => {
            view! { <img class="qr" data-testid="qr" src=src alt=label /> }.into_any()
        }
        _ => view! { <div class="qr qr-missing" aria-hidden="true"></div> }.into_any(),
    };
    view! { <div class="qr-card" data-testid="qr-card">{code}</div> }
}
