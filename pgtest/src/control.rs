//! Making, starting and stopping a throwaway cluster with PostgreSQL's own
//! programs: `initdb`, `pg_ctl`. Every step runs as the cluster's owner.

use crate::binaries::Binaries;
use anyhow::{bail, Context as _, Result};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

/// How long `pg_ctl` may wait for the server to start or stop.
const PG_CTL_WAIT_S: &str = "60";

/// Tried ports: a free port may be taken between our look and the server's
/// bind, so a start that cannot bind tries another.
const PORT_TRIES: usize = 5;

/// A new empty directory owned by the cluster's owner, under the temporary
/// directory if that user may enter it (a root-only `$TMPDIR` it may not),
/// else under `/tmp`.
pub(crate) async fn make_dir(binaries: &Binaries) -> Result<PathBuf> {
    let mut last_error = None;
    for base in [std::env::temp_dir(), PathBuf::from("/tmp")] {
        let mut mktemp = binaries.as_owner("mktemp", Path::new("/"));
        mktemp
            .arg("-d")
            .arg("-p")
            .arg(&base)
            .arg("vendscreen-pg.XXXXXX");
        match run(mktemp).await {
            Ok(out) => return Ok(PathBuf::from(String::from_utf8(out.stdout)?.trim_end())),
            Err(err) => last_error = Some(err),
        }
    }
    Err(last_error.expect("tried at least one base")).context("making the cluster's directory")
}

/// `initdb` into `dir/data`: trust auth (loopback and the socket in `dir`
/// only), superuser `postgres`, UTF-8 with the C locale, no fsync.
pub(crate) async fn initdb(binaries: &Binaries, dir: &Path) -> Result<()> {
    let mut initdb = binaries.pg("initdb", dir);
    initdb.arg("-D").arg(dir.join("data"));
    initdb.args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"]);
    initdb.args(["--no-sync", "--no-instructions"]);
    run(initdb).await.context("initdb")?;
    Ok(())
}

/// Starts the cluster on a free loopback port and returns the port.
pub(crate) async fn start_on_free_port(binaries: &Binaries, dir: &Path) -> Result<u16> {
    for _ in 0..PORT_TRIES {
        let port = free_port()?;
        configure(dir, port)?;
        match start(binaries, dir).await {
            Ok(()) => return Ok(port),
            Err(_) if log_tail(dir).contains("could not bind") => continue,
            Err(err) => return Err(err),
        }
    }
    bail!(
        "no free port after {PORT_TRIES} tries; server log:\n{}",
        log_tail(dir)
    )
}

/// `pg_ctl start -w`, its output in `dir/log`.
pub(crate) async fn start(binaries: &Binaries, dir: &Path) -> Result<()> {
    let mut pg_ctl = binaries.pg("pg_ctl", dir);
    pg_ctl.args(["start", "-w", "-s", "-t", PG_CTL_WAIT_S]);
    pg_ctl
        .arg("-D")
        .arg(dir.join("data"))
        .arg("-l")
        .arg(dir.join("log"));
    // The server inherits pg_ctl's stdio: never a pipe we would wait on.
    pg_ctl
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let status = tokio::process::Command::from(pg_ctl).status().await?;
    if !status.success() {
        bail!("pg_ctl start: {status}; server log:\n{}", log_tail(dir));
    }
    Ok(())
}

/// `pg_ctl stop -m immediate -w`: the server is killed as in a crash (no
/// checkpoint); the next start runs crash recovery.
pub(crate) async fn stop_immediate(binaries: &Binaries, dir: &Path) -> Result<()> {
    let mut pg_ctl = binaries.pg("pg_ctl", dir);
    pg_ctl.args(["stop", "-m", "immediate", "-w", "-s", "-t", PG_CTL_WAIT_S]);
    pg_ctl.arg("-D").arg(dir.join("data"));
    run(pg_ctl).await.context("pg_ctl stop -m immediate")?;
    Ok(())
}

/// Settings appended to `postgresql.conf` (a later line wins, so a retry on
/// another port appends again). `fsync` is off: a test cluster dies with
/// its test, and the OS keeps what was written across an immediate
/// restart. `synchronous_commit` stays on: off, a commit returns before its
/// WAL leaves PostgreSQL's memory, and an immediate restart loses it (the
/// restart test saw exactly that).
fn configure(dir: &Path, port: u16) -> Result<()> {
    let socket_dir = dir.display().to_string().replace('\'', "''");
    let mut conf = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("data/postgresql.conf"))
        .context("opening postgresql.conf")?;
    writeln!(
        conf,
        "\n# vendscreen-pgtest\nlisten_addresses = '127.0.0.1'\nport = {port}\n\
         unix_socket_directories = '{socket_dir}'\nfsync = off\n\
         full_page_writes = off\nmax_connections = 200"
    )?;
    Ok(())
}

fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

async fn run(command: std::process::Command) -> Result<Output> {
    let mut command = tokio::process::Command::from(command);
    let out = command.stdin(Stdio::null()).output().await?;
    if !out.status.success() {
        bail!(
            "{:?}: {}\n{}",
            command.as_std().get_program(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        );
    }
    Ok(out)
}

/// The end of the server's log, for error messages.
fn log_tail(dir: &Path) -> String {
    let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
