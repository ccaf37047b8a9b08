//! A PostgreSQL database of its own for every test, never a mock.
//!
//! Where `VENDSCREEN_TEST_DATABASE_URL` is set (a role with CREATEDB on a
//! running server, as `.ci/run` sets it), tests use that server; otherwise
//! the first test to ask starts a throwaway cluster from Debian's binaries,
//! shared by the rest of the test process and removed when it exits.
//!
//! Each set of migrations is run once per process into a template database;
//! each test then gets `CREATE DATABASE … TEMPLATE` of it, fast and
//! independent. Names carry the process id and a random tag, so concurrent
//! test processes on one server never meet, and the migrations' hash, so a
//! changed schema never reuses a stale template.
//!
//! ```no_run
//! # async fn example() {
//! const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/pg");
//! let db = vendscreen_pgtest::database(MIGRATIONS).await;
//! sqlx::query("SELECT 1").execute(db.pool()).await.unwrap();
//! let url_for_a_child_process = db.url();
//! # }
//! ```
//!
//! Fault tests that restart or stop PostgreSQL take a [`Cluster`] of their
//! own: `Cluster::throwaway().await`, even where a shared server is set.

mod binaries;
mod cluster;
mod control;
mod database;
mod server;
mod sweeper;
mod watchdog;

pub use cluster::Cluster;
pub use database::TestDatabase;

use anyhow::{Context as _, Result};
use server::Server;
use sqlx::migrate::Migrator;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// The variable naming a shared server; unset, a throwaway cluster is used.
pub const DATABASE_URL_VAR: &str = "VENDSCREEN_TEST_DATABASE_URL";

/// A new database with the migrations in directory `migrations` applied
/// (sqlx's layout: `<VERSION>_<DESCRIPTION>.sql`).
///
/// # Panics
/// When no server can be had or the migrations fail; the message says why.
pub async fn database(migrations: impl AsRef<Path>) -> TestDatabase {
    let migrator = load(migrations.as_ref()).await;
    database_from(&migrator).await
}

/// A new database with `migrator`'s migrations applied (for migrations
/// embedded in a binary rather than read from a directory).
pub async fn database_from(migrator: &Migrator) -> TestDatabase {
    expect(server().await.database(Some(migrator)).await)
}

/// A new, empty database: for a program under test that runs its own
/// migrations at start.
pub async fn blank_database() -> TestDatabase {
    expect(server().await.database(None).await)
}

/// The server every test in this process shares, chosen on first use.
async fn server() -> Arc<Server> {
    static SERVER: OnceCell<Arc<Server>> = OnceCell::const_new();
    let chosen = SERVER.get_or_try_init(|| async {
        match std::env::var(DATABASE_URL_VAR) {
            Ok(url) => shared_server(&url),
            Err(_) => throwaway_server().await,
        }
    });
    expect(chosen.await).clone()
}

fn shared_server(url: &str) -> Result<Arc<Server>> {
    let admin = url::Url::parse(url).with_context(|| format!("{DATABASE_URL_VAR} is not a URL"))?;
    Ok(Arc::new(Server::new(admin, true)?))
}

async fn throwaway_server() -> Result<Arc<Server>> {
    // Never dropped: its watchdog removes it when the process exits.
    static CLUSTER: OnceCell<Cluster> = OnceCell::const_new();
    let cluster = CLUSTER.get_or_try_init(Cluster::start_new).await?;
    Ok(Arc::clone(cluster.server()))
}

async fn load(dir: &Path) -> Migrator {
    let migrator = Migrator::new(dir.to_path_buf()).await;
    expect(migrator.with_context(|| format!("reading migrations from {}", dir.display())))
}

fn expect<T>(result: Result<T>) -> T {
    result.unwrap_or_else(|err| panic!("vendscreen-pgtest: {err:#}"))
}
