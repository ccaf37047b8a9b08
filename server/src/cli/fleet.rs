//! `vendscreen-server fleet machine …`: the hub's machines, on its
//! PostgreSQL (`store.url`). A token is printed once, alone on the last line
//! of the output (scripts take it with `tail -n 1`); only its hash is kept.

use crate::config::{Config, MachineCatalog};
use crate::hub::token;
use crate::store::PgStore;
use clap::Subcommand;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum FleetCommand {
    /// The machines the hub serves, their tokens and catalogs.
    #[command(subcommand)]
    Machine(MachineCommand),
}

#[derive(Debug, Subcommand)]
pub enum MachineCommand {
    /// Adds a machine with its catalog; prints its token once, alone on the last line.
    Add {
        /// The machine's posId (the receipt's point of sale), e.g. vm-042.
        #[arg(long, value_name = "POS_ID")]
        pos_id: String,
        /// A TOML file with the standalone configuration's [machine] and [[products]].
        #[arg(long, value_name = "FILE")]
        catalog: PathBuf,
    },
    /// Lists the machines: enabled, catalog version, products, when last heard of.
    List,
    /// Refuses the machine's token from now on (its sales stay).
    Disable {
        #[arg(long, value_name = "POS_ID")]
        pos_id: String,
    },
    /// Accepts the machine's token again.
    Enable {
        #[arg(long, value_name = "POS_ID")]
        pos_id: String,
    },
    /// Gives the machine a new token (the old one is refused); prints it alone on the last line.
    RotateToken {
        #[arg(long, value_name = "POS_ID")]
        pos_id: String,
    },
    /// Replaces the machine's catalog; its edge hears of it on its stream.
    Catalog {
        #[arg(long, value_name = "POS_ID")]
        pos_id: String,
        /// A TOML file with the standalone configuration's [machine] and [[products]].
        #[arg(long, value_name = "FILE")]
        catalog: PathBuf,
    },
}

pub async fn run(command: &FleetCommand, config: &Config) -> Result<String, String> {
    let FleetCommand::Machine(command) = command;
    let url = config
        .store
        .url
        .as_ref()
        .ok_or("fleet commands need the hub's database: store.url (VENDSCREEN_STORE_URL)")?;
    let store = PgStore::connect(url.expose(), 2)
        .await
        .map_err(|e| format!("the hub's database (store.url): {e}"))?;
    let found = |ok: bool, pos_id: &str| ok.then_some(()).ok_or(format!("no machine {pos_id}"));
    let e = |e: crate::store::StoreError| e.to_string();
    match command {
        MachineCommand::Add { pos_id, catalog } => add(&store, pos_id, catalog).await,
        MachineCommand::List => list(&store).await,
        MachineCommand::Disable { pos_id } => {
            found(store.set_enabled(pos_id, false).await.map_err(e)?, pos_id)?;
            Ok(format!("{pos_id}: disabled; its token is refused\n"))
        }
        MachineCommand::Enable { pos_id } => {
            found(store.set_enabled(pos_id, true).await.map_err(e)?, pos_id)?;
            Ok(format!("{pos_id}: enabled\n"))
        }
        MachineCommand::RotateToken { pos_id } => {
            let secret = token::generate();
            found(
                store
                    .set_token(pos_id, &token::hash(&secret))
                    .await
                    .map_err(e)?,
                pos_id,
            )?;
            Ok(shown_once(
                pos_id,
                "its new token; the old one is refused",
                &secret,
            ))
        }
        MachineCommand::Catalog { pos_id, catalog } => {
            let catalog = read_catalog(catalog, pos_id)?;
            found(
                store
                    .set_catalog(pos_id, &catalog.to_json())
                    .await
                    .map_err(e)?,
                pos_id,
            )?;
            Ok(format!(
                "{pos_id}: catalog replaced ({} products)\n",
                catalog.products.len()
            ))
        }
    }
}

async fn add(store: &PgStore, pos_id: &str, file: &Path) -> Result<String, String> {
    if pos_id.trim().is_empty() {
        return Err("--pos-id must not be empty".into());
    }
    let catalog = read_catalog(file, pos_id)?;
    let secret = token::generate();
    let added = store
        .add_machine(pos_id, &token::hash(&secret), &catalog.to_json())
        .await
        .map_err(|e| e.to_string())?;
    if !added {
        return Err(format!(
            "machine {pos_id} exists already (fleet machine rotate-token or catalog change it)"
        ));
    }
    Ok(shown_once(pos_id, "added; its token", &secret))
}

/// The token alone on the last line, after a line saying what it is.
fn shown_once(pos_id: &str, what: &str, secret: &str) -> String {
    format!(
        "{pos_id}: {what} (shown once, only its hash is kept; set it as the machine's \
         hub.token / VENDSCREEN_HUB_TOKEN) follows:\n{secret}\n"
    )
}

/// Reads and checks a catalog file as strictly as a standalone configuration.
fn read_catalog(file: &Path, pos_id: &str) -> Result<MachineCatalog, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read catalog file {}: {e}", file.display()))?;
    MachineCatalog::from_toml(&text, pos_id)
        .map_err(|e| format!("catalog file {}: {e}", file.display()))
}

async fn list(store: &PgStore) -> Result<String, String> {
    let machines = store.machines().await.map_err(|e| e.to_string())?;
    if machines.is_empty() {
        return Ok("no machines yet (fleet machine add --pos-id … --catalog FILE)\n".into());
    }
    let mut out = String::new();
    for m in machines {
        let products = MachineCatalog::from_json(&m.catalog)
            .map(|c| c.products.len().to_string())
            .unwrap_or_else(|_| "?".into());
        let _ = writeln!(
            out,
            "{}  {}  catalog v{} ({products} products)  last seen {}  dispenser {}",
            m.pos_id,
            if m.enabled { "enabled" } else { "disabled" },
            m.catalog_version,
            m.last_seen
                .map(crate::store::rfc3339)
                .unwrap_or_else(|| "never".into()),
            if m.dispenser_ready {
                "ready"
            } else {
                "not ready"
            },
        );
    }
    Ok(out)
}
