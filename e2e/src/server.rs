//! The real `vendscreen-server` binary as a child process: configured purely
//! by `VENDSCREEN_*` variables, on a free port, with its own SQLite store, and
//! restartable on the same port and store (the open page then reconnects).

use crate::wait;
use anyhow::{bail, Context, Result};
use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tempfile::TempDir;
use tokio::process::{Child, Command};

/// How a test wants the machine to behave. `Default` is quick but realistic:
/// webhooks on, fast polling as a fallback, a short vend and a short ending.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub webhook_enabled: bool,
    pub poll_first_ms: u64,
    pub poll_interval_ms: u64,
    pub session_timeout_s: u64,
    pub outcome_display_s: u64,
    pub dispenser_ms: u64,
    /// Talk to Vipps at this base URL (another server's simulator) instead of
    /// the in-process one, so "Vipps" outlives a restart of the machine.
    pub vipps: Option<String>,
    /// A config file's text (e.g. `[[products]]` tables) to start with,
    /// instead of the demo catalog.
    pub config_toml: Option<String>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            webhook_enabled: true,
            poll_first_ms: 500,
            // The simulator allows 120 reads a minute per payment.
            poll_interval_ms: 1_000,
            session_timeout_s: 600,
            outcome_display_s: 2,
            dispenser_ms: 300,
            vipps: None,
            config_toml: None,
        }
    }
}

/// A running server; killed when dropped.
pub struct Server {
    pub options: ServerOptions,
    port: u16,
    dir: TempDir,
    child: Option<Child>,
    starts: u32,
}

impl Server {
    /// Starts the server with `options` on a free port and a fresh store.
    pub async fn start(options: ServerOptions) -> Result<Server> {
        let dir = tempfile::Builder::new()
            .prefix("vendscreen-e2e-")
            .tempdir()?;
        let port = free_port()?;
        let mut server = Server {
            options,
            port,
            dir,
            child: None,
            starts: 0,
        };
        server.spawn().await?;
        Ok(server)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Everything the server wrote (stdout and stderr), over all its starts.
    pub fn log(&self) -> String {
        (1..=self.starts)
            .map(|n| std::fs::read_to_string(self.log_path(n)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n--- restarted ---\n")
    }

    /// SIGKILL: no graceful shutdown, as when the power goes.
    pub async fn kill(&mut self) -> Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill().await.context("killing the server")?;
        }
        Ok(())
    }

    /// Starts it again on the same port and the same store.
    pub async fn restart(&mut self) -> Result<()> {
        self.kill().await?;
        self.spawn().await
    }

    async fn spawn(&mut self) -> Result<()> {
        let binary = binary_path();
        if !binary.exists() {
            bail!(
                "{} is missing: run `cargo build -p vendscreen-server` first",
                binary.display()
            );
        }
        self.starts += 1;
        let log = File::create(self.log_path(self.starts))?;
        let mut command = Command::new(&binary);
        if let Some(toml) = &self.options.config_toml {
            let path = self.dir.path().join("config.toml");
            std::fs::write(&path, toml)?;
            command.arg("--config").arg(path);
        }
        let child = command
            .envs(self.env())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            // Tracing writes to stdout, panics to stderr: one log for both.
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        self.child = Some(child);
        self.wait_until_ready().await
    }

    /// Serving, and (with webhooks) registered with the simulator, so no
    /// approval can slip between start-up and registration.
    async fn wait_until_ready(&mut self) -> Result<()> {
        let health = format!("{}/healthz", self.base_url());
        let http = reqwest::Client::new();
        wait::until(
            "the server to answer /healthz",
            Duration::from_secs(30),
            async || {
                if let Some(child) = self.child.as_mut() {
                    if let Some(status) = child.try_wait()? {
                        bail!("the server exited with {status}:\n{}", self.log());
                    }
                }
                let ok = http
                    .get(&health)
                    .send()
                    .await
                    .map(|r| r.status().is_success());
                Ok(ok.unwrap_or(false).then_some(()))
            },
        )
        .await?;
        if self.options.webhook_enabled {
            let log = self.log_path(self.starts);
            wait::until(
                "the webhook registration",
                Duration::from_secs(15),
                async || {
                    let text = std::fs::read_to_string(&log).unwrap_or_default();
                    Ok(text
                        .lines()
                        .any(|l| l.contains("webhook registered") || l.contains("reusing webhook"))
                        .then_some(()))
                },
            )
            .await
            .with_context(|| format!("the server's log:\n{}", self.log()))?;
        }
        Ok(())
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        let o = &self.options;
        let mut env = vec![
            (
                "VENDSCREEN_SERVER_LISTEN",
                format!("127.0.0.1:{}", self.port),
            ),
            ("VENDSCREEN_SERVER_DIST", dist_dir().display().to_string()),
            (
                "VENDSCREEN_STORE_PATH",
                self.dir.path().join("e2e.db").display().to_string(),
            ),
            ("VENDSCREEN_WEBHOOK_ENABLED", o.webhook_enabled.to_string()),
            (
                "VENDSCREEN_EPAYMENT_POLL_FIRST_MS",
                o.poll_first_ms.to_string(),
            ),
            (
                "VENDSCREEN_EPAYMENT_POLL_INTERVAL_MS",
                o.poll_interval_ms.to_string(),
            ),
            (
                "VENDSCREEN_MACHINE_SESSION_TIMEOUT_S",
                o.session_timeout_s.to_string(),
            ),
            (
                "VENDSCREEN_MACHINE_OUTCOME_DISPLAY_S",
                o.outcome_display_s.to_string(),
            ),
            (
                "VENDSCREEN_DISPENSER_SIMULATED_MS",
                o.dispenser_ms.to_string(),
            ),
        ];
        if let Some(base) = &o.vipps {
            env.push(("VENDSCREEN_EPAYMENT_BASE_URL", base.clone()));
            env.extend(SIMULATOR_CREDENTIALS.map(|(k, v)| (k, v.to_string())));
            // With credentials the server refuses the demo's posId.
            env.push(("VENDSCREEN_MACHINE_POS_ID", "vm-e2e-1".into()));
        }
        env
    }

    fn log_path(&self, start: u32) -> PathBuf {
        self.dir.path().join(format!("server-{start}.log"))
    }
}

/// What the simulator accepts (`SimulatorCredentials::default()` on the server).
const SIMULATOR_CREDENTIALS: [(&str, &str); 4] = [
    (
        "VENDSCREEN_EPAYMENT_CLIENT_ID",
        "fb492b5e-7907-4d83-bc20-c7fb60ca35de",
    ),
    (
        "VENDSCREEN_EPAYMENT_CLIENT_SECRET",
        "Y8Kteew6GE3ZmeycEt6egg==",
    ),
    (
        "VENDSCREEN_EPAYMENT_SUBSCRIPTION_KEY",
        "0f14ebcab0ec4b29ae0cb90d91b4a84a",
    ),
    ("VENDSCREEN_EPAYMENT_MSN", "123456"),
];

/// The built display; tests refuse to start without it.
pub fn dist_dir() -> PathBuf {
    crate::workspace_root().join("dist")
}

/// Fails with a clear message when the display was not built.
pub fn require_dist() -> Result<()> {
    let index = dist_dir().join("index.html");
    if !Path::new(&index).exists() {
        bail!(
            "{} is missing: build the display first (scripts/build-display)",
            index.display()
        );
    }
    Ok(())
}

/// `target/debug/vendscreen-server`, or the one `E2E_SERVER_BIN` names.
pub fn binary_path() -> PathBuf {
    std::env::var_os("E2E_SERVER_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::workspace_root().join("target/debug/vendscreen-server"))
}

/// A port for a child process (server, chromedriver) that nobody else is
/// handed meanwhile. Not `bind(0)`: the kernel may give that port to another
/// process before our child binds it. Below Linux's ephemeral range (32768+),
/// where `bind(0)` and outgoing connections never land; unique within this
/// process; free right now.
pub fn free_port() -> Result<u16> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = std::process::id().wrapping_mul(97);
    for _ in 0..12_000 {
        let n = start.wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed));
        let port = 20_000 + (n % 12_000) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    bail!("no free port in 20000..32000")
}

/// A real machine's catalog as a config file: 60 products in slots
/// A1…F10, every seventh sold out (the e2e catalog test and the tour).
pub fn sixty_products_toml() -> String {
    (0..60u8)
        .map(|i| {
            let slot = format!("{}{}", char::from(b'A' + i / 10), i % 10 + 1);
            let sold_out = if i % 7 == 3 { "available = false\n" } else { "" };
            format!(
                "[[products]]\nid = \"p{i}\"\nname = \"Product number {i}\"\nprice = {}\nslot = \"{slot}\"\n{sold_out}",
                1000 + u32::from(i)
            )
        })
        .collect()
}
