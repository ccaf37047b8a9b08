//! The real `vendscreen-server` binary run as a command, as an operator
//! would: its exit code and what it printed.

/// What a run gave.
pub struct Ran {
    pub code: i32,
    pub out: String,
    pub err: String,
}

/// Runs `vendscreen-server ARGS` with `env` and nothing else from this
/// process's environment (no stray `VENDSCREEN_*` setting leaks in).
pub async fn run(env: &[(&str, &str)], args: &[&str]) -> Ran {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vendscreen-server"))
        .env_clear()
        .envs(env.iter().copied())
        .args(args)
        .output()
        .await
        .unwrap();
    Ran {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into(),
        err: String::from_utf8_lossy(&out.stderr).into(),
    }
}
