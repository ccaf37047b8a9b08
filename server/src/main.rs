//! `vendscreen-server`: the command line is in `cli` (`--help` lists it).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    vendscreen_server::cli::main().await
}
