//! The `argo-apiserver` binary.

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "argo-apiserver",
    version,
    about = "The Argo resources (argoproj.io/v1alpha1) served as a Kubernetes API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API over HTTPS (embedded store under ./data by default).
    Serve(argo_apiserver::options::ServeOptions),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("argo-apiserver: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = match cli.command {
        Command::Serve(opts) => runtime.block_on(argo_apiserver::app::serve(opts, None)),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("argo-apiserver: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
