//! `vendscreen-server [--config PATH]`: reads the configuration, starts tracing, runs.
//! `vendscreen-server [--config PATH] operator list | resolve REFERENCE`: the
//! purchases waiting for a person (see `operator.rs`).

use std::process::ExitCode;
use vendscreen_server::config::Config;
use vendscreen_server::operator;

#[tokio::main]
async fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let path = match args.iter().position(|a| a == "--config") {
        Some(i) if i + 1 < args.len() => Some(args.drain(i..i + 2).nth(1).unwrap_or_default()),
        Some(_) => return usage("--config needs a path"),
        None => None,
    };
    let config = match Config::load(path.as_deref()) {
        Ok(config) => config,
        Err(e) => return usage(&e.to_string()),
    };
    match args.split_first() {
        None => serve(config).await,
        Some((first, rest)) if first == "operator" => match operator::Command::parse(rest) {
            Ok(command) => match operator::run(&command, &config).await {
                Ok(text) => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("vendscreen-server: {e}");
                    ExitCode::FAILURE
                }
            },
            Err(e) => usage(&e),
        },
        Some((other, _)) => usage(&format!("unknown argument `{other}`")),
    }
}

async fn serve(config: Config) -> ExitCode {
    vendscreen_server::telemetry::init();
    match vendscreen_server::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vendscreen-server: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn usage(why: &str) -> ExitCode {
    eprintln!("vendscreen-server: {why}");
    ExitCode::from(2)
}
