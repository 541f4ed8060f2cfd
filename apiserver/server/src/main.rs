//! The `argo-apiserver` binary.

use clap::{Parser, Subcommand};

/// jemalloc rather than glibc's malloc. Under steady mixed load glibc's heap fragments
/// (long-lived cached objects leave the watch cache's ring in order, interleaved with
/// short-lived request and encoding buffers) and keeps freed pages resident: RSS climbed ~10 MiB
/// a minute while the live heap stayed flat. jemalloc returns freed pages by itself (decay).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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

// Parsed once at start; the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Serve the API over HTTPS (embedded store under ./data by default).
    Serve(argo_apiserver::options::ServeOptions),
    /// Generate the CA, serving and client certificates of an in-cluster install, and print
    /// caBundles.
    Certs(argo_apiserver::certs_cli::CertsArgs),
    /// Copy every Argo custom resource from a cluster with the CRDs into our storage
    /// (a dry run unless --apply).
    Migrate(argo_apiserver::migrate::MigrateOptions),
}

fn main() -> std::process::ExitCode {
    // Purge freed pages on jemalloc's own threads, so an idle server shrinks too (decay
    // otherwise runs only when the process allocates). Best effort: a refusal changes nothing
    // but how soon memory goes back.
    let _ = tikv_jemalloc_ctl::background_thread::write(true);
    let cli = Cli::parse();
    // `certs` needs neither logging nor a runtime, and its stdout (a caBundle) is often captured.
    if let Command::Certs(args) = cli.command {
        return match argo_apiserver::certs_cli::run(args) {
            Ok(out) => {
                print!("{out}");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("argo-apiserver certs: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
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
        Command::Serve(opts) => runtime
            .block_on(argo_apiserver::app::serve(opts, None))
            .map_err(|e| e.to_string()),
        Command::Migrate(opts) => runtime
            .block_on(argo_apiserver::migrate::run(opts))
            .map(|out| print!("{out}"))
            .map_err(|e| format!("migrate: {e}")),
        Command::Certs(_) => Ok(()),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("argo-apiserver: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
