//! `vendscreen-server operator …`: the person responsible for the machines
//! sees the purchases the engine could not settle by itself and marks them
//! dealt with (`list`, `resolve`), gives money back (`refund`) and reads the
//! sales (`sales`). It works on the store directly: a standalone machine's
//! SQLite file beside its running server (WAL allows it), or a hub's
//! PostgreSQL; no admin endpoint faces the network, and access to the
//! machine (or the database) is the authorization.

mod period;
mod refund;
mod sales;

pub use refund::RefundArgs;
pub use sales::{Format, SalesArgs};

use crate::config::{Config, Role};
use crate::store::{PgStore, SqliteStore, Store};
use std::fmt::Write as _;
use std::sync::Arc;
use time::OffsetDateTime;

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum Command {
    /// Purchases waiting for a person: a vend whose outcome was unknown
    /// (released, never captured), a capture or release Vipps refused or
    /// kept failing, or an approval neither captured nor released for too long.
    List,
    /// Takes a purchase off that list once you have checked the slot and the payment.
    Resolve {
        /// The purchase's reference (shown small on the customer's screen).
        reference: String,
    },
    Refund(RefundArgs),
    Sales(SalesArgs),
}

/// Runs `command` against the configured store; the text to print, or why not.
pub async fn run(command: &Command, config: &Config) -> Result<String, String> {
    let store = open_store(config).await?;
    match command {
        Command::List => list(store.as_ref()).await,
        Command::Resolve { reference } => resolve(store.as_ref(), reference).await,
        Command::Refund(args) => refund::run(store.as_ref(), config, args).await,
        Command::Sales(args) => sales::run(store.as_ref(), args).await,
    }
}

/// The hub's PostgreSQL when `store.url` is set (a hub's configuration, or
/// just `VENDSCREEN_STORE_URL`), else the standalone machine's SQLite file.
pub async fn open_store(config: &Config) -> Result<Arc<dyn Store>, String> {
    if config.server.role == Role::Edge {
        return Err(
            "an edge keeps only its vend journal: run operator commands beside \
                    the hub, with its store.url (VENDSCREEN_STORE_URL)"
                .into(),
        );
    }
    match &config.store.url {
        Some(url) => {
            let store = PgStore::connect(url.expose(), 2).await;
            let store = store.map_err(|e| format!("the hub's database (store.url): {e}"))?;
            Ok(Arc::new(store))
        }
        None => {
            let path = &config.store.path;
            let store = SqliteStore::open(path, &config.machine.pos_id)
                .map_err(|e| format!("the store at {}: {e}", path.display()))?;
            Ok(Arc::new(store))
        }
    }
}

async fn resolve(store: &dyn Store, reference: &str) -> Result<String, String> {
    let now = OffsetDateTime::now_utc();
    match store.resolve_operator(reference, now).await {
        Ok(true) => Ok(format!("{reference}: resolved\n")),
        Ok(false) => Err(format!("{reference}: not waiting for an operator")),
        Err(e) => Err(e.to_string()),
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
         never captured), a capture or release Vipps refused or kept failing, or an approval \
         neither captured nor released for too long. Check the slot and the payment, then \
         resolve.\n",
        waiting.len()
    );
    for r in waiting {
        let _ = writeln!(
            out,
            "{}  {}  {}  {} {}  created {}  ({})",
            r.reference,
            r.status.phase().as_str(),
            r.product_name,
            major(r.amount.value),
            r.amount.currency.code(),
            crate::store::rfc3339(r.created_at),
            r.operator.map(|o| o.explain()).unwrap_or_default(),
        );
    }
    Ok(out)
}

/// Minor units as a decimal in major units, `3550` → `35.50` (every
/// currency the machine sells in has two decimals).
pub fn major(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    format!("{sign}{}.{:02}", minor / 100, minor % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_print_in_major_units() {
        assert_eq!(major(3550), "35.50");
        assert_eq!(major(5), "0.05");
        assert_eq!(major(0), "0.00");
        assert_eq!(major(-1205), "-12.05");
    }
}
