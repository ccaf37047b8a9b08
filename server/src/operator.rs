//! `vendscreen-server operator list` / `operator resolve REFERENCE`: the
//! person at the machine (or on it over SSH) sees the purchases the engine
//! could not settle by itself and marks them dealt with. It works on the
//! SQLite store directly, beside a running server (WAL allows it), so no
//! admin endpoint faces the network and machine access is the authorization.

use crate::config::Config;
use crate::store::{SqliteStore, Store};
use std::fmt::Write as _;
use time::OffsetDateTime;

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    List,
    Resolve(String),
}

impl Command {
    /// `args` after `operator` (with `--config PATH` already taken out).
    pub fn parse(args: &[String]) -> Result<Command, String> {
        match args {
            [list] if list == "list" => Ok(Command::List),
            [resolve, reference] if resolve == "resolve" => Ok(Command::Resolve(reference.clone())),
            _ => Err(
                "usage: vendscreen-server [--config PATH] operator list | resolve REFERENCE".into(),
            ),
        }
    }
}

/// Runs `command` against the configured store; the text to print, or why not.
pub async fn run(command: &Command, config: &Config) -> Result<String, String> {
    let store =
        SqliteStore::open(&config.store.path, &config.machine.pos_id).map_err(|e| e.to_string())?;
    match command {
        Command::List => list(&store).await,
        Command::Resolve(reference) => {
            let now = OffsetDateTime::now_utc();
            match store.resolve_operator(reference, now).await {
                Ok(true) => Ok(format!("{reference}: resolved\n")),
                Ok(false) => Err(format!("{reference}: not waiting for an operator")),
                Err(e) => Err(e.to_string()),
            }
        }
    }
}

async fn list(store: &dyn Store) -> Result<String, String> {
    let waiting = store
        .awaiting_operator(None)
        .await
        .map_err(|e| e.to_string())?;
    if waiting.is_empty() {
        return Ok("nothing waits for an operator\n".into());
    }
    let mut out = format!(
        "{} purchase(s) wait for an operator: a vend whose outcome was unknown (released, \
         never captured), or a capture or release Vipps refused or kept failing. Check the \
         slot and the payment, then resolve.\n",
        waiting.len()
    );
    for r in waiting {
        let _ = writeln!(
            out,
            "{}  {}  {}  {} {}  created {}  ({})",
            r.reference,
            r.status.phase().as_str(),
            r.product_name,
            r.amount.value,
            r.amount.currency.code(),
            crate::store::rfc3339(r.created_at),
            r.operator.map(|o| o.explain()).unwrap_or_default(),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_two_commands_and_nothing_else() {
        assert_eq!(Command::parse(&args(&["list"])), Ok(Command::List));
        assert_eq!(
            Command::parse(&args(&["resolve", "vm-1-000002"])),
            Ok(Command::Resolve("vm-1-000002".into()))
        );
        for bad in [&[][..], &["resolve"], &["list", "x"], &["delete", "x"]] {
            assert!(Command::parse(&args(bad)).unwrap_err().contains("usage"));
        }
    }
}
