//! `dispenser.kind = "command"`: runs the program with the slot and reference
//! as `$1` and `$2` (and as `VENDSCREEN_VEND_SLOT` / `VENDSCREEN_VEND_REFERENCE`);
//! exit 0 means vended, any other exit means failed, no exit in time means
//! unknown. The program runs with a cleared environment (no secret reaches
//! it), no stdin, and in a process group of its own, which is killed whole
//! when the program fails or times out: nothing it started may vend after the
//! payment was released.

use super::VendOutcome;
use rustix::process::{kill_process_group, Pid, Signal};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;
use tokio::process::{Child, Command};

/// What the program may see of the server's environment; everything else
/// (the ePayment secrets above all) stays behind.
const KEPT_VARIABLES: [&str; 5] = ["PATH", "HOME", "LANG", "TZ", "TMPDIR"];

#[derive(Clone)]
pub struct CommandDispenser {
    program: String,
    timeout: Duration,
}

impl CommandDispenser {
    pub fn new(program: String, timeout: Duration) -> Self {
        CommandDispenser { program, timeout }
    }

    pub async fn vend(&self, slot: &str, reference: &str) -> VendOutcome {
        // Configuration refuses such slots; a reference is checked here too.
        if [slot, reference]
            .iter()
            .any(|a| a.is_empty() || a.starts_with('-'))
        {
            tracing::error!(slot, %reference, "refusing to pass an argument that reads as an option");
            return VendOutcome::Failed;
        }
        let mut child = match self.command(slot, reference).spawn() {
            Ok(child) => Group::new(child),
            Err(e) => {
                tracing::error!(program = %self.program, error = %e, "dispenser command could not start");
                return VendOutcome::Failed;
            }
        };
        match tokio::time::timeout(self.timeout, child.wait()).await {
            Ok(Ok(status)) if status.success() => child.done(VendOutcome::Vended),
            Ok(Ok(_)) => child.done(VendOutcome::Failed),
            Ok(Err(e)) => {
                tracing::error!(program = %self.program, error = %e, "dispenser command lost");
                VendOutcome::TimedOut
            }
            Err(_) => {
                tracing::warn!(program = %self.program, %reference, "vend timed out; ending its process group");
                VendOutcome::TimedOut
            }
        }
    }

    fn command(&self, slot: &str, reference: &str) -> Command {
        let mut command = Command::new(&self.program);
        command
            .env_clear()
            .envs(std::env::vars().filter(|(k, _)| kept(k)))
            .env("VENDSCREEN_VEND_SLOT", slot)
            .env("VENDSCREEN_VEND_REFERENCE", reference)
            .arg(slot)
            .arg(reference)
            .stdin(Stdio::null())
            .process_group(0)
            .kill_on_drop(true);
        command
    }
}

fn kept(name: &str) -> bool {
    KEPT_VARIABLES.contains(&name) || name.starts_with("LC_")
}

/// A running vend program and its process group, ended whole when dropped
/// unless it exited with success (what it left running then is its business).
struct Group {
    child: Child,
    pgid: Option<Pid>,
}

impl Group {
    fn new(child: Child) -> Self {
        // `process_group(0)`: the group's id is the child's pid.
        let pgid = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .and_then(Pid::from_raw);
        Group { child, pgid }
    }

    async fn wait(&mut self) -> std::io::Result<ExitStatus> {
        self.child.wait().await
    }

    fn done(mut self, outcome: VendOutcome) -> VendOutcome {
        if outcome == VendOutcome::Vended {
            self.pgid = None;
        }
        outcome
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if let Some(pgid) = self.pgid {
            // ESRCH (all gone already) is the good case; nothing to report.
            let _ = kill_process_group(pgid, Signal::KILL);
        }
        // kill_on_drop reaps the direct child in the background.
    }
}
