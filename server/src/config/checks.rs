//! Checks that keep the machine's boundaries (issue 10): no simulator beside a
//! dispenser that vends real goods, no slot or reference a vend program could
//! read as an option, and no simulator listener without a simulator.

use super::{Config, ConfigError, DispenserKind};

pub fn exposure(config: &Config) -> Result<(), ConfigError> {
    simulator_beside_real_goods(config)?;
    command_arguments(config)?;
    if config.simulator.listen.is_some() && !config.uses_simulator() {
        return invalid(
            "simulator.listen is set, but the simulator does not run: epayment credentials are set"
                .into(),
        );
    }
    Ok(())
}

/// The simulator approves any payment for whoever asks; beside a real
/// dispenser that is a free-vend switch (an environment file that failed to
/// load leaves the credentials unset and starts it).
fn simulator_beside_real_goods(config: &Config) -> Result<(), ConfigError> {
    let kind = match config.dispenser.kind {
        DispenserKind::Simulated => return Ok(()),
        DispenserKind::Http => "http",
        DispenserKind::Command => "command",
    };
    if !config.uses_simulator() {
        return Ok(());
    }
    invalid(format!(
        "dispenser.kind = \"{kind}\" vends real goods, but the epayment credentials \
         (epayment.client_id, client_secret, subscription_key, msn; VENDSCREEN_EPAYMENT_*) \
         are unset, which starts the built-in payment simulator: anyone reaching it could \
         approve a payment and take the goods. Set the epayment credentials, or \
         dispenser.kind = \"simulated\" for a demo"
    ))
}

/// A vend program gets the slot and reference as `$1` and `$2`: neither may
/// start with `-`, or `vend --help` is one product away.
fn command_arguments(config: &Config) -> Result<(), ConfigError> {
    if config.dispenser.kind != DispenserKind::Command {
        return Ok(());
    }
    for p in &config.products {
        if !plain_argument(&p.slot) {
            return invalid(format!(
                "product {:?}: slot {:?} must start with a letter or digit and hold only \
                 letters, digits, `.`, `_` and `-` (it is the vend program's first argument)",
                p.id, p.slot
            ));
        }
    }
    if !config
        .machine
        .pos_id
        .starts_with(|c: char| c.is_ascii_alphanumeric())
    {
        return invalid(
            "machine.pos_id must start with a letter or digit (references, which start \
             with it, are the vend program's second argument)"
                .into(),
        );
    }
    Ok(())
}

/// `^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`.
pub fn plain_argument(s: &str) -> bool {
    s.len() <= 32
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn invalid(message: String) -> Result<(), ConfigError> {
    Err(ConfigError::Invalid(message))
}
