//! Where PostgreSQL's programs are, and how to run them as a user that
//! `initdb` accepts: root is refused, so as root they run as `postgres`.

use anyhow::{bail, Context as _, Result};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The directory holding `initdb`, `pg_ctl`, `postgres` and `psql`.
#[derive(Debug, Clone)]
pub(crate) struct Binaries {
    dir: PathBuf,
    as_postgres: bool,
}

impl Binaries {
    /// Debian's newest `/usr/lib/postgresql/<version>/bin`, else the directory
    /// of an `initdb` on `PATH` (symlinks followed, so `pg_ctl` finds its
    /// `postgres` beside it).
    pub(crate) fn find() -> Result<Binaries> {
        let dir = debian_bin_dir()
            .or_else(path_bin_dir)
            .context("no PostgreSQL server binaries: no initdb under /usr/lib/postgresql/*/bin nor on PATH (scripts/setup installs Debian's postgresql)")?;
        let as_postgres = running_as_root();
        if as_postgres && !user_exists("postgres") {
            bail!("running as root, and there is no `postgres` user to run initdb as (Debian's postgresql package creates it)");
        }
        Ok(Binaries { dir, as_postgres })
    }

    /// `psql` beside the server binaries, or on `PATH`.
    pub(crate) fn psql() -> Option<PathBuf> {
        let beside = debian_bin_dir()
            .or_else(path_bin_dir)
            .map(|dir| dir.join("psql"));
        beside.filter(|p| p.is_file()).or_else(|| on_path("psql"))
    }

    pub(crate) fn program(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// `program`, through `runuser -u postgres --` when we are root, started
    /// in `cwd` (a directory `postgres` may enter).
    pub(crate) fn as_owner(&self, program: impl AsRef<OsStr>, cwd: &Path) -> Command {
        let mut command = if self.as_postgres {
            let mut runuser = Command::new("runuser");
            runuser.args(["-u", "postgres", "--"]).arg(program);
            runuser
        } else {
            Command::new(program)
        };
        command.current_dir(cwd);
        command
    }

    /// One of PostgreSQL's programs (`initdb`, `pg_ctl`), as the owner.
    pub(crate) fn pg(&self, name: &str, cwd: &Path) -> Command {
        self.as_owner(self.program(name), cwd)
    }

    /// The words that run a program as the cluster's owner (empty when we
    /// are that user already): the watchdog's shell script starts with them.
    pub(crate) fn runas_prefix(&self) -> Vec<String> {
        if self.as_postgres {
            ["runuser", "-u", "postgres", "--"]
                .map(String::from)
                .to_vec()
        } else {
            Vec::new()
        }
    }
}

fn debian_bin_dir() -> Option<PathBuf> {
    let versions = std::fs::read_dir("/usr/lib/postgresql").ok()?;
    versions
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .max_by_key(|(version, _)| *version)
        .map(|(_, bin)| bin)
}

fn path_bin_dir() -> Option<PathBuf> {
    let initdb = std::fs::canonicalize(on_path("initdb")?).ok()?;
    initdb.parent().map(Path::to_path_buf)
}

fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn user_exists(name: &str) -> bool {
    Command::new("id")
        .arg(name)
        .output()
        .is_ok_and(|out| out.status.success())
}
