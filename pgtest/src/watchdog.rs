//! Cleanup that outlives the test process: a small `sh` holding the read end
//! of a pipe whose write end only this process has. The pipe closes when the
//! process exits by any road (return, panic, SIGKILL), or when the
//! `Watchdog` is dropped; `read` then sees end-of-file and the script cleans
//! up. Drop and atexit handlers never run on SIGKILL; this does.

use anyhow::{Context as _, Result};
use std::os::unix::process::CommandExt as _;
use std::process::{Child, ChildStdin, Command, Stdio};

/// Runs `script` (with `args` as `$1…`) once this handle is dropped or the
/// process ends.
pub(crate) struct Watchdog {
    // Only held: dropping it closes the pipe, which starts the cleanup.
    stdin: Option<ChildStdin>,
    child: Option<Child>,
}

/// Waits for end-of-file on stdin, then runs the rest of the script.
/// INT and HUP are ignored so a Ctrl-C meant for the tests cannot stop the
/// cleanup halfway.
const PRELUDE: &str = "trap '' INT HUP\nread -r _ || :\n";

impl Watchdog {
    pub(crate) fn spawn(
        script: &str,
        args: &[String],
        env: Option<(&str, String)>,
    ) -> Result<Watchdog> {
        let mut command = Command::new("sh");
        command.envs(env);
        let mut child = command
            .arg("-c")
            .arg(format!("{PRELUDE}{script}"))
            .arg("vendscreen-pgtest-watchdog")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Anywhere `postgres` may stand (a test's cwd may be root's only).
            .current_dir("/")
            // Its own process group: a signal to the test's group (a CI
            // timeout's kill, a terminal's Ctrl-C) leaves it to clean up.
            .process_group(0)
            .spawn()
            .context("starting the cleanup watchdog (sh)")?;
        let stdin = child.stdin.take();
        Ok(Watchdog {
            stdin,
            child: Some(child),
        })
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.stdin.take());
        if let Some(mut child) = self.child.take() {
            // Reap it off the caller's thread: cleanup may take a moment.
            std::thread::spawn(move || child.wait());
        }
    }
}
