//! Hub replicas as real processes of the server binary, each started with a
//! crash point of its own; one that dies (at its crash point, or killed) is
//! started again on the same port without one, as a supervisor would.

use crate::ports::free_port;
use crate::wait::wait_for;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_vendscreen-server");

pub struct Replicas {
    pub ports: Vec<u16>,
    /// Deaths so far (each followed by a restart).
    deaths: Arc<AtomicU32>,
    logs: PathBuf,
}

impl Replicas {
    /// Ports for `n` replicas (known before they start: the webhook
    /// fan-out points at them).
    pub fn ports(n: usize) -> Vec<u16> {
        (0..n).map(|_| free_port()).collect()
    }

    /// One replica per port, the i-th dying at `crash_at[i]` (`None`: never)
    /// `times` times before it is started without a crash point; each
    /// supervised.
    pub async fn start(
        env: Vec<(String, String)>,
        ports: Vec<u16>,
        crash_at: &[Option<&'static str>],
        times: u32,
        logs: &Path,
    ) -> Replicas {
        let deaths = Arc::new(AtomicU32::new(0));
        for (i, (port, point)) in ports.iter().zip(crash_at).enumerate() {
            let replica = Replica {
                env: env.clone(),
                port: *port,
                log: logs.join(format!("hub-{i}.log")),
                crash_at: *point,
                times,
            };
            let first = replica.spawn(replica.crash_at);
            replica.wait_until_ready().await;
            tokio::spawn(replica.supervise(first, deaths.clone()));
        }
        Replicas {
            ports,
            deaths,
            logs: logs.to_path_buf(),
        }
    }

    pub fn addrs(&self) -> Vec<SocketAddr> {
        let addr = |p: &u16| SocketAddr::from(([127, 0, 0, 1], *p));
        self.ports.iter().map(addr).collect()
    }

    pub fn deaths(&self) -> u32 {
        self.deaths.load(Ordering::SeqCst)
    }

    /// Every replica's log, for a failure's message.
    pub fn log_tails(&self) -> String {
        let mut out = String::new();
        for (i, _) in self.ports.iter().enumerate() {
            let path = self.logs.join(format!("hub-{i}.log"));
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(30).collect();
            out += &format!("--- hub-{i} (last lines)\n");
            for line in tail.into_iter().rev() {
                out += line;
                out += "\n";
            }
        }
        out
    }
}

struct Replica {
    env: Vec<(String, String)>,
    port: u16,
    log: PathBuf,
    crash_at: Option<&'static str>,
    /// How many times it is started with its crash point.
    times: u32,
}

impl Replica {
    fn spawn(&self, crash_at: Option<&str>) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let mut cmd = Command::new(BIN);
        cmd.envs(self.env.iter().cloned())
            .env(
                "VENDSCREEN_SERVER_LISTEN",
                format!("127.0.0.1:{}", self.port),
            )
            .env("RUST_LOG", "vendscreen_server=info")
            .stdout(Stdio::null())
            .stderr(log)
            .kill_on_drop(true);
        if let Some(point) = crash_at {
            cmd.env("VENDSCREEN_CRASH_AT", point);
        }
        cmd.spawn().unwrap()
    }

    async fn wait_until_ready(&self) {
        let port = self.port;
        let what = format!("hub replica on {port} to be ready");
        wait_for(&what, Duration::from_secs(60), async || ready(port).await).await;
    }

    /// Waits for the replica to die and starts it again at once, for as
    /// long as the test runs (the task is dropped with the runtime). Until
    /// it is ready, the machines' links skip it (it refuses connections).
    async fn supervise(self, mut child: Child, deaths: Arc<AtomicU32>) {
        let mut died = 0;
        loop {
            let _ = child.wait().await;
            deaths.fetch_add(1, Ordering::SeqCst);
            died += 1;
            let point = if died < self.times {
                self.crash_at
            } else {
                None
            };
            child = self.spawn(point);
        }
    }
}

/// Whether the replica on `port` says it is ready (its database answers).
async fn ready(port: u16) -> Option<()> {
    let r = reqwest::get(format!("http://127.0.0.1:{port}/readyz")).await;
    r.ok()?.status().is_success().then_some(())
}
