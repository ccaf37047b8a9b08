//! The pay screen: the product's picture, name and price, the QR with three
//! pictured steps that show how to pay, the countdown and Cancel. When the
//! stream has been lost for long, or time is up, the QR is dimmed so nobody
//! pays into a screen that cannot see the result.

use crate::components::{picture, Alert, CancelButton, Countdown, PaymentQr};
use crate::connection::Link;
use crate::countdown::parse_rfc3339_ms;
use crate::i18n::tr;
use crate::money;
use leptos::prelude::*;
use vendscreen_protocol::{self as wire, Locale};

/// Scan to pay.
#[component]
pub fn PayScreen(
    #[prop(into)] session: Memo<Option<wire::Session>>,
    /// The catalog, for the product's picture and its name in `locale`.
    #[prop(into)]
    catalog: Memo<Option<wire::Catalog>>,
    #[prop(into)] locale: Memo<Locale>,
    #[prop(into)] now: Signal<Option<i64>>,
    #[prop(into)] link: Signal<Link>,
    /// Cancel pressed and not yet settled.
    #[prop(into)]
    cancelling: Signal<bool>,
    on_cancel: Callback<()>,
    /// The machine's QR error correction (from the catalog).
    #[prop(default = crate::qr::DEFAULT_EC)]
    ec: crate::qr::EcLevel,
) -> impl IntoView {
    let deadline =
        Signal::derive(move || session.with(|s| parse_rfc3339_ms(&s.as_ref()?.expires_at)));
    // Texts are `Signal<String>`s, not closures: one shared render path (size).
    let price = Signal::derive(move || {
        session.with(|s| {
            s.as_ref()
                .map(|s| money::format(s.amount, locale.get()))
                .unwrap_or_default()
        })
    });
    // The product bought, as the catalog had it when the QR appeared.
    let item = session.with_untracked(|s| {
        let id = &s.as_ref()?.product.id;
        catalog.with_untracked(|c| c.as_ref()?.products.iter().find(|p| &p.id == id).cloned())
    });
    let image = item.as_ref().and_then(|p| p.image.clone());
    let name = match item {
        Some(p) => Signal::derive(move || p.name_in(locale.get()).to_owned()),
        None => super::product_name(session),
    };
    let lost = Signal::derive(move || link.get() == Link::Lost);
    let timed_out =
        Signal::derive(move || matches!((deadline.get(), now.get()), (Some(d), Some(n)) if n >= d));
    // A string signal, the type every text uses (one render path less).
    let qr_class = Signal::derive(move || {
        if lost.get() || timed_out.get() {
            "pay-qr dimmed"
        } else {
            "pay-qr"
        }
        .to_owned()
    });
    view! {
        <main class="screen pay" data-testid="screen-pay">
            <section class="pay-info">
                {image.map(picture)}
                <h1 class="product" data-testid="pay-product">{name}</h1>
                <p class="price" data-testid="price">{price}</p>
                <Countdown deadline=deadline now=now locale=locale />
                <CancelButton locale=locale cancelling=cancelling on_cancel=on_cancel />
            </section>
            <section class=qr_class>
                <PaymentQr session=session label=tr(locale, |s| s.qr_alt) ec=ec />
                <Alert
                    when=lost
                    class="qr-notice"
                    testid="qr-notice"
                    icon="⚠ "
                    text=tr(locale, |s| s.cannot_confirm)
                />
                // The pictograms are style/main.css's, files fetched when a
                // pay screen first shows: not part of the first load.
                <ol class="howto" data-testid="howto">
                    <li>{tr(locale, |s| s.step_open)}</li>
                    <li>{tr(locale, |s| s.step_scan)}</li>
                    <li>{tr(locale, |s| s.step_approve)}</li>
                </ol>
            </section>
        </main>
    }
}
