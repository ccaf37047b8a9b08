//! Minor units to the text a customer reads ("35,00 kr", "NOK 35.00", "3,50 €"),
//! per language and currency, CLDR-like. Pure and tested natively.
//!
//! Spaces inside an amount are no-break spaces (U+00A0) so "kr" never wraps
//! onto its own line on a large kiosk font.

use vendscreen_protocol as wire;
use wire::{Currency, Locale};

const NBSP: char = '\u{a0}';

/// How one language writes numbers and where the currency goes.
struct Style {
    decimal: char,
    group: char,
    /// True: "35,00 kr"; false: "NOK 35.00" / "€3.50".
    symbol_after: bool,
}

fn style(locale: Locale) -> Style {
    match locale {
        Locale::En => Style {
            decimal: '.',
            group: ',',
            symbol_after: false,
        },
        Locale::Da => Style {
            decimal: ',',
            group: '.',
            symbol_after: true,
        },
        Locale::Nb | Locale::Sv | Locale::Fi => Style {
            decimal: ',',
            group: NBSP,
            symbol_after: true,
        },
    }
}

/// The currency as this language names it. Scandinavian languages say "kr"
/// for any krone (the machine only ever prices in its own currency);
/// Finnish and English spell kroner out, as CLDR does.
fn symbol(locale: Locale, currency: Currency) -> &'static str {
    match (currency, locale) {
        (Currency::Eur, _) => "€",
        (Currency::Nok | Currency::Dkk, Locale::Nb | Locale::Da | Locale::Sv) => "kr",
        (c, _) => c.code(),
    }
}

/// `money` formatted for a reader of `locale`.
pub fn format(money: wire::Money, locale: Locale) -> String {
    let st = style(locale);
    let sym = symbol(locale, money.currency);
    let sign = if money.value < 0 { "-" } else { "" };
    let abs = money.value.unsigned_abs();
    let number = format!(
        "{}{}{:02}",
        grouped(abs / 100, st.group),
        st.decimal,
        abs % 100
    );
    if st.symbol_after {
        format!("{sign}{number}{NBSP}{sym}")
    } else if sym == "€" {
        format!("{sign}€{number}")
    } else {
        format!("{sign}{sym}{NBSP}{number}")
    }
}

/// `1234567` → `1 234 567` with `sep` between groups of three.
fn grouped(n: u64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wire::Money;

    fn f(value: i64, currency: Currency, locale: Locale) -> String {
        format(Money::new(value, currency), locale).replace(NBSP, " ")
    }

    #[test]
    fn norwegian_kroner_in_every_language() {
        assert_eq!(f(3500, Currency::Nok, Locale::Nb), "35,00 kr");
        assert_eq!(f(3500, Currency::Nok, Locale::Da), "35,00 kr");
        assert_eq!(f(3500, Currency::Nok, Locale::Sv), "35,00 kr");
        assert_eq!(f(3500, Currency::Nok, Locale::Fi), "35,00 NOK");
        assert_eq!(f(3500, Currency::Nok, Locale::En), "NOK 35.00");
    }

    #[test]
    fn danish_kroner_and_euros() {
        assert_eq!(f(3500, Currency::Dkk, Locale::Da), "35,00 kr");
        assert_eq!(f(3500, Currency::Dkk, Locale::En), "DKK 35.00");
        assert_eq!(f(350, Currency::Eur, Locale::Fi), "3,50 €");
        assert_eq!(f(350, Currency::Eur, Locale::Sv), "3,50 €");
        assert_eq!(f(350, Currency::Eur, Locale::En), "€3.50");
    }

    #[test]
    fn groups_thousands_the_local_way() {
        assert_eq!(f(42_924, Currency::Nok, Locale::Nb), "429,24 kr");
        assert_eq!(f(123_456_789, Currency::Nok, Locale::Nb), "1 234 567,89 kr");
        assert_eq!(f(123_456_789, Currency::Dkk, Locale::Da), "1.234.567,89 kr");
        assert_eq!(f(100_000, Currency::Eur, Locale::En), "€1,000.00");
    }

    #[test]
    fn small_and_negative_amounts_keep_two_decimals() {
        assert_eq!(f(5, Currency::Nok, Locale::Nb), "0,05 kr");
        assert_eq!(f(0, Currency::Eur, Locale::En), "€0.00");
        assert_eq!(f(-250, Currency::Nok, Locale::En), "-NOK 2.50");
    }

    #[test]
    fn never_breaks_between_amount_and_currency() {
        let s = format(Money::new(3500, Currency::Nok), Locale::Nb);
        assert!(!s.contains(' '), "{s:?}");
    }
}
