//! The keypad: buy by the slot number a customer reads through the glass
//! front ("A1"). Its keys are the letters (and any other signs) the machine's
//! slots use and the ten digits; OK buys what the typed number names, or says in the
//! screen's language why it cannot (no such number, or sold out).
//!
//! Plain markup redrawn by one click handler that owns the typed number:
//! reactive views and signals for a pad of keys cost the first load about
//! 3 KB of wasm more (issue 14 measured it). Each key names itself in
//! `data-k`; what a press does is `press`, a pure function tested natively.

use crate::i18n::{t, tr, Strings};
use leptos::ev::MouseEvent;
use leptos::prelude::*;
use vendscreen_protocol::{self as wire, Locale};
use wasm_bindgen::JsCast;
use web_sys::Element;

/// A slot number is never longer: a stuck finger must not grow it forever.
const MAX_TYPED: usize = 4;

/// The button that opens the pad (the idle screen's pager row shows it).
pub fn open_button(locale: Memo<Locale>) -> impl IntoView {
    view! {
        <button type="button" class="keypad-btn" data-k="open" data-testid="keypad-open">
            {tr(locale, |s| s.keypad)}
        </button>
    }
}

/// The pad: empty until opened, then over the whole screen (so the language
/// cannot change under a message it shows). The App places it once; CSS
/// hides it on any screen but idle.
pub fn pad() -> impl IntoView {
    view! { <div class="keypad" data-testid="keypad"></div> }
}

/// The click handler for the App's root: it sees every click and acts on
/// those on a key (`data-k`). It owns the number typed so far.
pub fn on_key(
    catalog: ReadSignal<Option<wire::Catalog>>,
    locale: RwSignal<Locale>,
    on_pick: Callback<String>,
) -> impl FnMut(MouseEvent) + 'static {
    let mut typed = String::new();
    move |ev| {
        let Some((key, pad)) = pressed(&ev) else {
            return;
        };
        let s = t(locale.get_untracked());
        let (html, bought) = catalog.with_untracked(|c| {
            let products = c.as_ref().map_or(&[][..], |c| &c.products[..]);
            match press(&mut typed, &key, products, s) {
                Press::Buy(id) => (String::new(), Some(id)),
                Press::Close => (String::new(), None),
                Press::Show(said) => (pad_html(products, s, &typed, &said), None),
            }
        });
        pad.set_inner_html(&html);
        if let Some(id) = bought {
            on_pick.run(id)
        }
    }
}

/// The key under a click, and the pad.
fn pressed(ev: &MouseEvent) -> Option<(String, Element)> {
    let target = ev.target()?.dyn_into::<Element>().ok()?;
    let key = target.closest("[data-k]").ok()??.get_attribute("data-k")?;
    // The pad of the App this click is in (the handler sits on its root).
    let pad = target
        .closest(".app")
        .ok()??
        .query_selector(".keypad")
        .ok()??;
    Some((key, pad))
}

/// What a press leads to.
#[derive(Debug, PartialEq)]
pub enum Press {
    /// The pad, with this message under the typed number (empty: none).
    Show(String),
    /// This product is bought: the pad closes.
    Buy(String),
    Close,
}

/// What pressing `key` does to the `typed` number, given the catalog.
/// After OK or close the number starts again.
pub fn press(typed: &mut String, key: &str, products: &[wire::Product], s: &Strings) -> Press {
    let outcome = match key {
        "close" => Press::Close,
        "ok" if typed.is_empty() => return Press::Show(String::new()),
        "ok" => match products.iter().find(|p| p.slot.eq_ignore_ascii_case(typed)) {
            Some(p) if p.available => Press::Buy(p.id.clone()),
            Some(_) => Press::Show(format!("{typed}: {}", s.sold_out)),
            None => Press::Show(s.no_such_slot(typed)),
        },
        "open" => return Press::Show(String::new()),
        "del" => {
            typed.pop();
            return Press::Show(String::new());
        }
        digit_or_letter => {
            if typed.len() < MAX_TYPED {
                typed.push_str(digit_or_letter)
            }
            return Press::Show(String::new());
        }
    };
    typed.clear();
    outcome
}

/// The keys a catalog needs: every letter or sign its slots use (as the
/// glass front shows them, in capitals), then the ten digits.
pub fn keys(products: &[wire::Product]) -> String {
    let mut used = [false; 128];
    for b in products.iter().flat_map(|p| p.slot.bytes()) {
        if b.is_ascii() {
            used[usize::from(b.to_ascii_uppercase())] = true;
        }
    }
    // The signs a slot may hold where it is a vend program's argument
    // (config/checks.rs): nothing that would need escaping in markup.
    let signs = (b'-'..=b'Z').filter(|&b| {
        used[usize::from(b)]
            && !b.is_ascii_digit()
            && (b.is_ascii_uppercase() || b"-._".contains(&b))
    });
    signs.chain(*b"1234567890").map(char::from).collect()
}

/// The open pad: the typed number, a message, the keys. Only our own texts,
/// letters, digits and `-._` go in (`typed` is made of keys): nothing to
/// escape.
pub fn pad_html(products: &[wire::Product], s: &Strings, typed: &str, said: &str) -> String {
    let mut keys = String::new();
    for k in self::keys(products).chars() {
        keys += r#"<button data-k=""#;
        keys.push(k);
        keys += r#"">"#;
        keys.push(k);
        keys += "</button>";
    }
    format!(
        r#"<div class="pad" role="dialog" aria-label="{}"><output class="typed" data-testid="typed">{typed}</output><p class="said" role="alert" data-testid="keypad-said">{said}</p><div class="keys">{keys}<button data-k="del">⌫</button><button class="ok" data-k="ok">OK</button></div><button class="close" data-k="close" aria-label="{}" data-testid="keypad-close">✕</button></div>"#,
        s.keypad, s.cancel
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::t;

    fn product(id: &str, slot: &str, available: bool) -> wire::Product {
        wire::Product {
            id: id.into(),
            name: id.into(),
            price: wire::Money::new(1000, wire::Currency::Nok),
            available,
            slot: slot.into(),
            image: None,
            names: wire::Names::default(),
        }
    }

    fn machine() -> Vec<wire::Product> {
        vec![
            product("cola", "A1", true),
            product("water", "b10", true),
            product("crisps", "C2", false),
        ]
    }

    /// Presses `keys` in turn; what the last one led to.
    fn presses(typed: &mut String, keys: &[&str]) -> Press {
        let s = t(Locale::En);
        let mut last = Press::Close;
        for k in keys {
            last = press(typed, k, &machine(), s);
        }
        last
    }

    #[test]
    fn the_keys_are_the_slots_letters_in_capitals_then_the_digits() {
        assert_eq!(keys(&machine()), "ABC1234567890");
        let odd = vec![product("x", "k-2", true), product("y", "7.1", true)];
        assert_eq!(keys(&odd), "-.K1234567890");
        assert_eq!(keys(&[]), "1234567890");
    }

    #[test]
    fn a_typed_slot_number_buys_its_product_in_any_case() {
        let mut typed = String::new();
        assert_eq!(presses(&mut typed, &["A", "1"]), Press::Show(String::new()));
        assert_eq!(typed, "A1");
        assert_eq!(presses(&mut typed, &["ok"]), Press::Buy("cola".into()));
        assert_eq!(typed, "", "the next customer starts afresh");
        assert_eq!(
            presses(&mut typed, &["B", "1", "0", "ok"]),
            Press::Buy("water".into())
        );
    }

    #[test]
    fn a_sold_out_or_unknown_number_is_said_and_buys_nothing() {
        let mut typed = String::new();
        assert_eq!(
            presses(&mut typed, &["C", "2", "ok"]),
            Press::Show("C2: Sold out".into())
        );
        assert_eq!(
            presses(&mut typed, &["A", "9", "ok"]),
            Press::Show("No product has the number A9".into())
        );
        assert_eq!(typed, "");
        let fi = t(Locale::Fi);
        assert_eq!(
            press(&mut "Z1".into(), "ok", &machine(), fi),
            Press::Show("Numerolla Z1 ei ole tuotetta".into())
        );
        assert_eq!(
            presses(&mut typed, &["ok"]),
            Press::Show(String::new()),
            "nothing typed: nothing said"
        );
    }

    #[test]
    fn erase_takes_the_last_key_and_a_stuck_finger_stops_at_four() {
        let mut typed = String::new();
        presses(&mut typed, &["A", "1", "2", "del"]);
        assert_eq!(typed, "A1");
        presses(&mut typed, &["1", "1", "1", "1", "1"]);
        assert_eq!(typed, "A111");
        assert_eq!(presses(&mut typed, &["close"]), Press::Close);
        assert_eq!(typed, "");
    }

    #[test]
    fn the_pad_holds_every_key_the_number_and_the_message() {
        let html = pad_html(&machine(), t(Locale::En), "B1", "C2: Sold out");
        for k in keys(&machine()).chars() {
            assert!(html.contains(&format!(r#"data-k="{k}""#)), "{k}");
        }
        for k in ["del", "ok", "close"] {
            assert!(html.contains(&format!(r#"data-k="{k}""#)), "{k}");
        }
        assert!(html.contains(">B1</output>") && html.contains(">C2: Sold out</p>"));
    }
}
