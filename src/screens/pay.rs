//! The pay screen: product, price, QR, countdown and Cancel. When the stream
//! has been lost for long, or time is up, the QR is dimmed so nobody pays into
//! a screen that cannot see the result.

use crate::components::{Alert, CancelButton, Countdown, PaymentQr};
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
    let lost = Signal::derive(move || link.get() == Link::Lost);
    let timed_out =
        Signal::derive(move || matches!((deadline.get(), now.get()), (Some(d), Some(n)) if n >= d));
    view! {
        <main class="screen pay" data-testid="screen-pay">
            <section class="pay-info">
                <h1 class="product" data-testid="pay-product">{super::product_name(session)}</h1>
                <p class="price" data-testid="price">{price}</p>
                <Countdown deadline=deadline now=now locale=locale />
                <CancelButton locale=locale cancelling=cancelling on_cancel=on_cancel />
            </section>
            <section class="pay-qr" class:dimmed=move || lost.get() || timed_out.get()>
                <p class="scan">{tr(locale, |s| s.scan)}</p>
                <PaymentQr session=session label=tr(locale, |s| s.qr_alt) ec=ec />
                <Alert
                    when=lost
                    class="qr-notice"
                    testid="qr-notice"
                    icon="⚠ "
                    text=tr(locale, |s| s.cannot_confirm)
                />
            </section>
        </main>
    }
}
