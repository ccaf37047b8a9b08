//! The command line (clap): serve in the configured role, or run one of the
//! operator's or the fleet's commands and exit. Usage errors exit 2 with what
//! was expected; a command that fails exits 1 with why.

mod fleet;

use crate::config::Config;
use crate::operator;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// vendscreen-server: a vending machine's Vipps MobilePay QR checkout.
#[derive(Debug, Parser)]
#[command(
    name = "vendscreen-server",
    version,
    about = "A vending machine's Vipps MobilePay QR checkout: the display's server, a fleet's \
             hub or a machine's edge (server.role)",
    long_about = None
)]
pub struct Cli {
    /// A TOML configuration file; every key can also be set as VENDSCREEN_<SECTION>_<KEY>.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serves in the configured role until Ctrl-C or SIGTERM (the default).
    Serve,
    /// The operator's tools: purchases waiting for a person, refunds, sales.
    ///
    /// They work on store.url's PostgreSQL when it is set (a hub; run with the
    /// hub's configuration), else on store.path's SQLite file (a standalone
    /// machine; run beside its server, with the same configuration).
    #[command(subcommand)]
    Operator(operator::Command),
    /// Fleet mode: the hub's machines (run beside the hub, on its store.url).
    #[command(subcommand)]
    Fleet(fleet::FleetCommand),
}

/// Parses the command line (exits 2 on a usage error, 0 after `--help`) and runs it.
pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    let path = cli.config.as_deref();
    let config = match &cli.command {
        Some(Command::Fleet(_)) => Config::load_unchecked(path),
        _ => Config::load(path),
    };
    let config = match config {
        Ok(config) => config,
        Err(e) => return failed(&e.to_string(), ExitCode::from(2)),
    };
    let done = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => return serve(config).await,
        Command::Operator(command) => operator::run(&command, &config).await,
        Command::Fleet(command) => fleet::run(&command, &config).await,
    };
    match done {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(why) => failed(&why, ExitCode::FAILURE),
    }
}

async fn serve(config: Config) -> ExitCode {
    crate::telemetry::init();
    match crate::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => failed(&format!("{e:#}"), ExitCode::FAILURE),
    }
}

fn failed(why: &str, code: ExitCode) -> ExitCode {
    eprintln!("vendscreen-server: {why}");
    code
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("vendscreen-server").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn commands_parse_and_mistakes_say_what_was_expected() {
        assert!(parse(&[]).unwrap().command.is_none());
        let c = parse(&["operator", "resolve", "vm-1-000002", "--config", "x.toml"]).unwrap();
        assert_eq!(c.config.as_deref(), Some("x.toml"));
        let refund = parse(&["operator", "refund", "R", "--amount", "0"]).unwrap_err();
        assert_eq!(refund.exit_code(), 2);
        assert!(parse(&["operator", "sales", "--from", "2026-12-01"]).is_err());
        let bad_day = parse(&[
            "operator",
            "sales",
            "--from",
            "monday",
            "--to",
            "2026-12-01",
        ]);
        assert!(bad_day.unwrap_err().to_string().contains("YYYY-MM-DD"));
        let add = parse(&["fleet", "machine", "add", "--pos-id", "vm-1"]).unwrap_err();
        assert!(add.to_string().contains("--catalog"), "{add}");
        assert!(parse(&["delete"])
            .unwrap_err()
            .to_string()
            .contains("delete"));
    }
}
