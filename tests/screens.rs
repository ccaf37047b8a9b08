#![cfg(target_arch = "wasm32")]
//! Every screen renders with its `data-testid`, in all five languages, and
//! says what it must (the money sentences above all). The catalog and the
//! language chips are exercised by tapping, as a customer would.

mod common;

use common::*;
use leptos::prelude::*;
use vendscreen::components::NoticeBar;
use vendscreen::i18n::t;
use vendscreen::screen::Notice;
use vendscreen::screens::*;
use vendscreen_protocol::{Locale, OutOfServiceReason, SessionState};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NOW: &str = "2025-03-01T12:00:00Z";
const LATER: &str = "2025-03-01T12:10:00Z";

fn paying(state: SessionState) -> Memo<Option<vendscreen_protocol::Session>> {
    fixed(Some(session(state, NOW, LATER)))
}

#[wasm_bindgen_test]
fn the_progress_screens_speak_every_language() {
    for l in Locale::ALL {
        let locale = fixed(l);
        let page = open(move || view! { <ConnectingScreen locale=locale /> });
        assert_eq!(page.text("screen-connecting"), t(l).connecting);
        let page = open(move || view! { <CreatingScreen locale=locale /> });
        assert_eq!(page.text("screen-creating"), t(l).creating);
        let page = open(
            move || view! { <AuthorizedScreen session=paying(SessionState::Authorized) locale=locale /> },
        );
        assert!(
            page.text("screen-authorized").contains(t(l).authorized),
            "{l:?}"
        );
        assert!(page.text("screen-authorized").contains("Cola Zero"));
        let page = open(
            move || view! { <DispensingScreen session=paying(SessionState::Dispensing) locale=locale /> },
        );
        assert!(
            page.text("screen-dispensing").contains(t(l).dispensing),
            "{l:?}"
        );
    }
}

#[wasm_bindgen_test]
fn out_of_service_says_why_and_that_no_money_was_taken() {
    for l in Locale::ALL {
        let page = open(move || {
            view! { <OutOfServiceScreen reason=Some(OutOfServiceReason::DispenserNotReady) locale=fixed(l) /> }
        });
        let text = page.text("screen-out-of-service");
        assert!(
            text.contains(t(l).out_of_service) && text.contains(t(l).no_money_taken),
            "{l:?}: {text}"
        );
        assert!(text.contains(t(l).reason_dispenser), "{l:?}: {text}");
    }
}

#[wasm_bindgen_test]
fn every_ending_has_its_screen_and_money_sentence_in_every_language() {
    let endings = [
        (SessionState::Completed, "screen-completed"),
        (SessionState::VendFailed, "screen-vendFailed"),
        (SessionState::Cancelled, "screen-cancelled"),
        (SessionState::Rejected, "screen-rejected"),
        (SessionState::Expired, "screen-expired"),
        (SessionState::Failed, "screen-failed"),
    ];
    for l in Locale::ALL {
        for (state, testid) in endings {
            let now = Signal::stored(vendscreen::countdown::parse_rfc3339_ms(NOW));
            let page = open(
                move || view! { <OutcomeScreen state=state session=paying(state) locale=fixed(l) now=now /> },
            );
            assert!(page.sees(testid), "{l:?} {state:?}");
            assert_eq!(
                page.text("money-line"),
                money_sentence(l, state),
                "{l:?} {state:?}"
            );
            if state == SessionState::Completed {
                assert_eq!(page.text("reference"), reference_line(l), "{l:?}");
                assert!(!page.sees("bank-hold"), "paid: no reservation to explain");
            } else {
                assert_eq!(page.text("bank-hold"), bank_hold(l), "{l:?} {state:?}");
            }
            // No idleAt: ten seconds after the session's server time.
            assert_eq!(
                page.text("idle-countdown"),
                t(l).back_in_secs(10),
                "{l:?} {state:?}"
            );
        }
    }
}

/// What each ending says about money, written out rather than read from the
/// translation table, so a wrong or missing translation fails here (amounts
/// keep a no-break space between number and currency).
fn money_sentence(l: Locale, state: SessionState) -> &'static str {
    use Locale::*;
    match (l, state) {
        (Nb | Da | Sv, SessionState::Completed) => "Betalt 35,00\u{a0}kr",
        (Fi, SessionState::Completed) => "Maksettu 35,00\u{a0}NOK",
        (En, SessionState::Completed) => "Paid NOK\u{a0}35.00",
        (Nb, SessionState::VendFailed) => "Du er ikke belastet – reservasjonen er frigitt.",
        (Da, SessionState::VendFailed) => "Du er ikke blevet trukket – reservationen er frigivet.",
        (Fi, SessionState::VendFailed) => "Sinua ei ole veloitettu – varaus on vapautettu.",
        (Sv, SessionState::VendFailed) => "Du har inte debiterats – reservationen har släppts.",
        (En, SessionState::VendFailed) => {
            "You have not been charged — the reservation is released."
        }
        (Nb, _) => "Du er ikke belastet.",
        (Da, _) => "Du er ikke blevet trukket.",
        (Fi, _) => "Sinua ei ole veloitettu.",
        (Sv, _) => "Du har inte debiterats.",
        (En, _) => "You have not been charged.",
    }
}

/// Under every "not charged": a reservation may show in the bank a while.
fn bank_hold(l: Locale) -> &'static str {
    match l {
        Locale::Nb => "En reservasjon kan fortsatt vises i banken din i noen dager. Den forsvinner av seg selv.",
        Locale::Da => "En reservation kan stadig ses i din bank i nogle dage. Den forsvinder af sig selv.",
        Locale::Fi => "Varaus voi vielä näkyä pankissasi muutaman päivän. Se poistuu itsestään.",
        Locale::Sv => "En reservation kan fortfarande synas i din bank i några dagar. Den försvinner av sig själv.",
        Locale::En => "A reservation may still show in your bank for a few days. It goes away by itself.",
    }
}

/// Under a paid purchase, small: the reference a complaint can name.
fn reference_line(l: Locale) -> &'static str {
    match l {
        Locale::Nb => "Referanse vend-0001",
        Locale::Da | Locale::En => "Reference vend-0001",
        Locale::Sv => "Referens vend-0001",
        Locale::Fi => "Viite vend-0001",
    }
}

#[wasm_bindgen_test]
fn the_catalog_marks_sold_out_products_and_sells_the_rest() {
    let picked = RwSignal::new(None::<String>);
    let page = open(move || {
        let catalog = fixed(Some(catalog(Locale::Nb)));
        let on_pick = Callback::new(move |id| picked.set(Some(id)));
        view! { <IdleScreen catalog=catalog locale=fixed(Locale::Nb) on_pick=on_pick /> }
    });
    assert!(page.text("product-cola").contains("35,00\u{a0}kr"));
    assert!(page.text("product-chips").contains("Utsolgt"));
    assert_eq!(page.attr("product-chips", "disabled").as_deref(), Some(""));
    assert_eq!(page.count("catalog", "[data-testid=sold-out]"), 1);
    page.tap("product-chips");
    assert_eq!(
        picked.get_untracked(),
        None,
        "a sold-out product cannot be bought"
    );
    page.tap("product-water");
    assert_eq!(picked.get_untracked().as_deref(), Some("water"));
}

#[wasm_bindgen_test]
fn a_failed_start_is_explained_on_the_catalog() {
    let page = open(move || {
        let catalog = fixed(Some(catalog(Locale::En)));
        view! {
            <IdleScreen catalog=catalog locale=fixed(Locale::En) on_pick=Callback::new(|_| ()) />
            <NoticeBar notice=Signal::stored(Some(Notice::Busy)) locale=fixed(Locale::En) />
        }
    });
    assert!(page.sees("screen-idle"));
    assert!(page.text("notice").contains(t(Locale::En).notice_busy));
}

#[wasm_bindgen_test]
async fn tapping_a_language_chip_switches_every_text() {
    let locale = RwSignal::new(Locale::Nb);
    let page = open(move || {
        let catalog = fixed(Some(catalog(Locale::Nb)));
        view! {
            <IdleScreen catalog=catalog locale=vendscreen::memo::relay(locale) on_pick=Callback::new(|_| ()) />
            <vendscreen::components::LanguageChips locale=locale />
        }
    });
    assert!(page.text("screen-idle").contains("Velg en vare"));
    assert_eq!(
        page.attr("lang-nb", "aria-pressed").as_deref(),
        Some("true")
    );
    page.tap("lang-en");
    wait_until("the catalog speaks English", 1_000, || {
        page.text("screen-idle").contains("Choose a product")
    })
    .await;
    assert!(page.text("product-cola").contains("NOK\u{a0}35.00"));
    assert!(page.text("product-chips").contains("Sold out"));
    assert_eq!(
        page.attr("lang-en", "aria-pressed").as_deref(),
        Some("true")
    );
    assert_eq!(
        page.attr("lang-nb", "aria-pressed").as_deref(),
        Some("false")
    );
    page.tap("lang-fi");
    wait_until("the catalog speaks Finnish", 1_000, || {
        page.text("screen-idle").contains("Valitse tuote")
    })
    .await;
}
