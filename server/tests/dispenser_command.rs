//! Item 7 of issue 10: the command dispenser. Its program sees no secret, reads
//! no stdin, cannot take a slot or reference for an option, and on a time-out
//! everything it started is ended, so nothing drops after the payment was released.
//!
//! A test binary of its own: it puts secrets into its own environment (as an
//! operator's `VENDSCREEN_EPAYMENT_*` variables would be), once, before any
//! thread could be reading it.

#[path = "support/wait.rs"]
mod wait;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::Duration;
use vendscreen_server::config::{Config, DispenserConfig, DispenserKind};
use vendscreen_server::dispenser::{Dispenser, VendOutcome};
use wait::wait_until;

const SECRET: &str = "client-secret-that-must-stay-home";
const KEY: &str = "subscription-key-that-must-stay-home";

fn with_secrets_in_the_environment() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::env::set_var("VENDSCREEN_EPAYMENT_CLIENT_SECRET", SECRET);
        std::env::set_var("VENDSCREEN_EPAYMENT_SUBSCRIPTION_KEY", KEY);
    });
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A `command` dispenser running `script` (a shell script written to `dir`).
fn dispenser(dir: &Path, script: &str, timeout_s: u64) -> Dispenser {
    let path: PathBuf = dir.join("vend.sh");
    std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    Dispenser::from_config(&DispenserConfig {
        kind: DispenserKind::Command,
        command: Some(path.display().to_string()),
        timeout_s,
        ..Config::default().dispenser
    })
}

#[test]
fn the_vend_program_gets_its_arguments_but_no_secret_and_no_stdin() {
    with_secrets_in_the_environment();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let script = format!(
        "env > '{d}/env'\nreadlink /proc/$$/fd/0 > '{d}/stdin'\necho \"$1 $2\" > '{d}/args'"
    );
    let vend = dispenser(dir.path(), &script, 5);
    let outcome = runtime().block_on(vend.vend("A1", "vm-042-000007"));
    assert_eq!(outcome, VendOutcome::Vended);
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let env = read("env");
    assert!(!env.contains(SECRET) && !env.contains(KEY), "{env}");
    assert!(!env.contains("VENDSCREEN_EPAYMENT"), "{env}");
    assert!(env.lines().any(|l| l.starts_with("PATH=")), "{env}");
    assert!(env.contains("VENDSCREEN_VEND_SLOT=A1\n"), "{env}");
    assert!(
        env.contains("VENDSCREEN_VEND_REFERENCE=vm-042-000007\n"),
        "{env}"
    );
    assert_eq!(read("stdin").trim(), "/dev/null");
    assert_eq!(read("args").trim(), "A1 vm-042-000007");
}

fn alive(pid: i32) -> bool {
    // A zombie has ended: only its exit status waits to be read.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| !s.contains(") Z "))
        .unwrap_or(false)
}

#[test]
fn a_timed_out_vend_ends_everything_the_program_started() {
    with_secrets_in_the_environment();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    // A wrapper whose real vend program would drop the item after we gave up.
    let script = format!(
        "sh -c 'echo $$ > \"{d}/pid\"; sleep 30; touch \"{d}/late\"' &\n\
         while [ ! -s '{d}/pid' ]; do sleep 0.01; done\nsleep 30"
    );
    let vend = dispenser(dir.path(), &script, 1);
    let outcome = runtime().block_on(vend.vend("A1", "vm-042-000008"));
    assert_eq!(outcome, VendOutcome::TimedOut);
    let pid: i32 = std::fs::read_to_string(dir.path().join("pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let gone = wait_until(
        "the vend's child to end",
        Duration::from_secs(5),
        async || Ok::<_, std::convert::Infallible>((!alive(pid)).then_some(())),
    );
    let survived = runtime().block_on(gone).is_err();
    if survived {
        // Do not leave it behind, whatever the verdict.
        let _ = std::process::Command::new("kill")
            .arg(pid.to_string())
            .status();
    }
    assert!(!survived, "the wrapper's child outlived the time-out");
}

#[test]
fn a_slot_or_reference_that_looks_like_an_option_is_never_passed() {
    with_secrets_in_the_environment();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let vend = dispenser(dir.path(), &format!("touch '{d}/ran'"), 5);
    let rt = runtime();
    assert_eq!(
        rt.block_on(vend.vend("--help", "vm-042-000009")),
        VendOutcome::Failed
    );
    assert_eq!(rt.block_on(vend.vend("A1", "-rf")), VendOutcome::Failed);
    assert!(!dir.path().join("ran").exists());
}

#[test]
fn a_slot_that_could_be_read_as_an_option_is_a_configuration_error() {
    let toml = "[dispenser]\nkind = \"command\"\ncommand = \"/usr/local/bin/vend\"\n\
        [epayment]\nclient_id = \"id\"\nclient_secret = \"s\"\nsubscription_key = \"k\"\nmsn = \"1\"\n\
        [machine]\npos_id = \"vm-field-1\"\n\
        [[products]]\nid = \"cola\"\nname = \"Cola\"\nprice = 3500\nslot = \"-A1\"\n";
    let error = Config::from_sources(toml, [])
        .expect_err("slot -A1")
        .to_string();
    assert!(error.contains("slot"), "{error}");
}
