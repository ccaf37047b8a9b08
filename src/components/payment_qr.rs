//! `<PaymentQr/>`: the session's QR, black on a white card whatever the theme,
//! one crisp `<path>` scaled by the viewBox to a physical size set in CSS.

use crate::qr::{self, EcLevel};
use leptos::prelude::*;
use vendscreen_protocol as wire;

/// The QR for the session's `qrUrl`, or the provider's `qrImage` when the
/// server runs in QR-image mode (an `<img>`: never injected as markup).
#[component]
pub fn PaymentQr(
    /// Read through the session itself rather than two string signals: one
    /// signal type less to compile (see BENCHMARKS.md, first load).
    #[prop(into)]
    session: Memo<Option<wire::Session>>,
    /// What a screen reader says for the code.
    #[prop(into)]
    label: Signal<String>,
    /// Error correction; `qr::DEFAULT_EC` when not given.
    #[prop(optional)]
    ec: Option<EcLevel>,
) -> impl IntoView {
    let ec = ec.unwrap_or(qr::DEFAULT_EC);
    // Encoding is the costly part; the memo re-encodes only when the session
    // changes (a few times per purchase) and re-renders only when the code does.
    let svg = crate::memo::memo(move |_| {
        session.with(|s| qr::encode(s.as_ref()?.qr_url.as_deref()?, ec))
    });
    let code = move || {
        let image = || session.with(|s| s.as_ref()?.qr_image.clone());
        match (svg.get(), image()) {
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
        }
    };
    view! { <div class="qr-card" data-testid="qr-card">{code}</div> }
}
