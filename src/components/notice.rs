//! `<NoticeBar/>`: why the customer's last touch did not do what they asked
//! (a purchase that could not start, a Cancel the server refused), above
//! whichever screen they are on, for as long as the App keeps the notice.

use crate::components::Alert;
use crate::i18n::t;
use crate::screen::Notice;
use leptos::prelude::*;
use vendscreen_protocol::Locale;

/// Shows `notice` while there is one.
#[component]
pub fn NoticeBar(
    #[prop(into)] notice: Signal<Option<Notice>>,
    #[prop(into)] locale: Memo<Locale>,
) -> impl IntoView {
    let text = Signal::derive(move || {
        let s = t(locale.get());
        let text = notice.get().map(|n| match n {
            Notice::Busy => s.notice_busy,
            Notice::Unavailable => s.notice_unavailable,
            Notice::NotForSale => s.notice_not_for_sale,
            Notice::CancelFailed => s.notice_cancel_failed,
        });
        text.unwrap_or_default().to_owned()
    });
    let when = Signal::derive(move || notice.get().is_some());
    view! { <Alert when=when class="notice" testid="notice" icon="ℹ " text=text /> }
}
