//! A throwaway PostgreSQL cluster in a temporary directory: the process-wide
//! one tests share where no server is configured, or one of a test's own to
//! restart and stop (fault tests must never do that to a shared server).

use crate::binaries::Binaries;
use crate::control;
use crate::database::TestDatabase;
use crate::server::Server;
use crate::watchdog::Watchdog;
use anyhow::{Context as _, Result};
use sqlx::migrate::Migrator;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use url::Url;

/// Stops the server (immediately) and removes its directory: run by the
/// watchdog when the `Cluster` drops or the process ends.
const STOP_AND_REMOVE: &str = r#"dir=$1 pg_ctl=$2; shift 2
"$@" "$pg_ctl" stop -D "$dir/data" -m immediate -w -t 60 >/dev/null 2>&1
rm -rf "$dir"
"#;

/// A PostgreSQL cluster of this process's own, on a free loopback port, with
/// `fsync` off. Dropping it (or the process ending, even by SIGKILL) stops
/// it and removes its directory.
pub struct Cluster {
    server: Arc<Server>,
    url: String,
    binaries: Binaries,
    dir: PathBuf,
    port: u16,
    _watchdog: Watchdog,
}

impl Cluster {
    /// Starts a new cluster (about a second: `initdb` is most of it).
    ///
    /// # Panics
    /// When no cluster can be made: no PostgreSQL binaries, or running as
    /// root with no `postgres` user; the message says which.
    pub async fn throwaway() -> Cluster {
        Cluster::start_new().await.unwrap_or_else(|err| {
            panic!("vendscreen-pgtest: no throwaway PostgreSQL cluster: {err:#}")
        })
    }

    pub(crate) async fn start_new() -> Result<Cluster> {
        let binaries = Binaries::find()?;
        let dir = control::make_dir(&binaries).await?;
        // The watchdog comes before the server, so even a start cut short
        // by a kill leaves nothing behind.
        let mut args = vec![
            dir.display().to_string(),
            binaries.program("pg_ctl").display().to_string(),
        ];
        args.extend(binaries.runas_prefix());
        let watchdog = Watchdog::spawn(STOP_AND_REMOVE, &args, None)?;
        control::initdb(&binaries, &dir).await?;
        let port = control::start_on_free_port(&binaries, &dir).await?;
        let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        let server = Server::new(Url::parse(&url)?, false)?;
        Ok(Cluster {
            server: Arc::new(server),
            url,
            binaries,
            dir,
            port,
            _watchdog: watchdog,
        })
    }

    pub(crate) fn server(&self) -> &Arc<Server> {
        &self.server
    }

    /// The superuser's URL (database `postgres`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The loopback port it listens on (kept across restarts).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The cluster's directory (`data/`, `log`, the socket).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A new database on this cluster with the migrations in `dir` applied
    /// (copied from a template migrated once per set of migrations).
    pub async fn database(&self, migrations: impl AsRef<Path>) -> TestDatabase {
        let migrator = crate::load(migrations.as_ref()).await;
        self.database_from(&migrator).await
    }

    /// A new database on this cluster with `migrator`'s migrations applied.
    pub async fn database_from(&self, migrator: &Migrator) -> TestDatabase {
        crate::expect(self.server.database(Some(migrator)).await)
    }

    /// A new, empty database on this cluster.
    pub async fn blank_database(&self) -> TestDatabase {
        crate::expect(self.server.database(None).await)
    }

    /// `pg_ctl stop -m immediate` then start again on the same port: every
    /// session is cut as in a crash, and the server runs crash recovery.
    pub async fn restart_immediate(&self) {
        self.stop_immediate().await;
        self.start().await;
    }

    /// Stops the server as in a crash; [`Cluster::start`] brings it back.
    pub async fn stop_immediate(&self) {
        let stopped = control::stop_immediate(&self.binaries, &self.dir).await;
        crate::expect(
            stopped.with_context(|| format!("stopping the cluster on port {}", self.port)),
        );
    }

    /// Starts a stopped server again (returns once it accepts connections).
    pub async fn start(&self) {
        let started = control::start(&self.binaries, &self.dir).await;
        crate::expect(
            started.with_context(|| format!("starting the cluster on port {}", self.port)),
        );
    }
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("url", &self.url)
            .field("dir", &self.dir)
            .finish()
    }
}
