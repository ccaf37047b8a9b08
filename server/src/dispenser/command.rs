//! `dispenser.kind = "command"`: runs the program with the slot and reference as
//! arguments; exit 0 means vended, any other exit means failed, no exit in
//! time means unknown (the child is killed).

use super::VendOutcome;
use std::time::Duration;
use tokio::process::Command;

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
        let child = Command::new(&self.program)
            .arg(slot)
            .arg(reference)
            .kill_on_drop(true)
            .status();
        match tokio::time::timeout(self.timeout, child).await {
            Ok(Ok(status)) if status.success() => VendOutcome::Vended,
            Ok(Ok(_)) => VendOutcome::Failed,
            Ok(Err(e)) => {
                tracing::error!(program = %self.program, error = %e, "dispenser command could not start");
                VendOutcome::Failed
            }
            Err(_) => VendOutcome::TimedOut,
        }
    }
}
