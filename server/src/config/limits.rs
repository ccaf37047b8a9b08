//! The payment API's own limits, checked at start so that no purchase is
//! refused at the machine: a reference is `^[A-Za-z0-9-]{8,64}$` and is built
//! as `{posId}-{install tag}-{sequence}`; a payment description is 3–100
//! characters and is built as `{product name} – {machine name}`.

use super::{defaults::DEMO_POS_ID, ConfigError, MachineConfig, ProductConfig};

/// Longest posId: the rest of a reference (`-` + 6-letter tag + `-` + a
/// sequence number of up to 16 digits) must still fit in 64 characters.
pub const POS_ID_MAX: usize = 40;

/// The payment description of `product` on `machine`, as the app shows it.
pub fn description(product_name: &str, machine_name: &str) -> String {
    format!("{product_name} – {machine_name}")
}

pub fn check_machine(
    machine: &MachineConfig,
    products: &[ProductConfig],
    real_money: bool,
) -> Result<(), ConfigError> {
    let bad = |m: String| Err(ConfigError::Invalid(m));
    let id = &machine.pos_id;
    let shape = id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && id.starts_with(|c: char| c.is_ascii_alphanumeric());
    if id.is_empty() || id.len() > POS_ID_MAX || !shape {
        return bad(format!(
            "machine.pos_id {id:?}: 1–{POS_ID_MAX} letters, digits and '-', starting with a \
             letter or digit (it begins every payment reference)"
        ));
    }
    if real_money && id == DEMO_POS_ID {
        return bad(format!(
            "machine.pos_id is the demo's {DEMO_POS_ID:?} while ePayment credentials are set: \
             give each machine its own posId"
        ));
    }
    for p in products {
        // The description carries the name in the machine's language.
        let n = description(p.name_in(machine.locale), &machine.name)
            .chars()
            .count();
        if !(3..=100).contains(&n) {
            return bad(format!(
                "product {:?}: \"{{name}} – {{machine.name}}\" is {n} characters; the payment \
                 description must be 3–100",
                p.id
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    fn err(env: &[(&str, &str)]) -> String {
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        Config::from_sources("", env).unwrap_err().to_string()
    }

    const CREDENTIALS: [(&str, &str); 4] = [
        ("VENDSCREEN_EPAYMENT_CLIENT_ID", "id"),
        ("VENDSCREEN_EPAYMENT_CLIENT_SECRET", "s"),
        ("VENDSCREEN_EPAYMENT_SUBSCRIPTION_KEY", "k"),
        ("VENDSCREEN_EPAYMENT_MSN", "123456"),
    ];

    #[test]
    fn real_credentials_with_the_demo_pos_id_are_refused() {
        assert!(err(&CREDENTIALS).contains("demo"));
        let mut own = CREDENTIALS.to_vec();
        own.push(("VENDSCREEN_MACHINE_POS_ID", "oslo-s-4"));
        let env = own.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        assert!(Config::from_sources("", env).is_ok());
    }

    #[test]
    fn a_pos_id_that_cannot_begin_a_reference_is_refused() {
        let long = "a".repeat(41);
        for id in ["", "-vm", "vm 42", "vm_42", "vm/42", "æøå", long.as_str()] {
            assert!(
                err(&[("VENDSCREEN_MACHINE_POS_ID", id)]).contains("machine.pos_id"),
                "{id:?}"
            );
        }
    }

    #[test]
    fn a_description_outside_3_to_100_characters_is_refused() {
        let long = "x".repeat(100);
        assert!(err(&[("VENDSCREEN_MACHINE_NAME", &long)]).contains("3–100"));
        let toml = "[[products]]\nid = \"a\"\nname = \"A\"\nprice = 100\nslot = \"A1\"\n";
        let env = [("VENDSCREEN_MACHINE_NAME".to_string(), String::new())];
        assert!(
            Config::from_sources(toml, env).is_ok(),
            "'A – ' is 4 characters"
        );
    }
}
