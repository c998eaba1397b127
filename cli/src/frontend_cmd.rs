//! `hardfile frontend`: the BuildKit frontend entrypoint of the hardfile image.
//!
//! BuildKit starts it with the gateway gRPC connection on stdin/stdout and the build options
//! in `BUILDKIT_FRONTEND_OPT_*`; stdout therefore belongs to the protocol and nothing here
//! prints to it. Logs go to stderr, filtered by `HARDFILE_LOG` (default `warn`).

use std::process::ExitCode;

use anyhow::Context;
use hardfile_frontend::Outcome;

/// Arguments of `hardfile frontend` (none: everything comes from BuildKit).
#[derive(clap::Args)]
pub struct FrontendArgs {}

/// Serves one build over stdin/stdout. Exit 0 when the result was returned, 1 when the build
/// failed (the error has already reached BuildKit), 2 when BuildKit could not be reached.
pub fn run(_args: &FrontendArgs) -> anyhow::Result<ExitCode> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HARDFILE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Ignore a second initialisation (only possible in tests).
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .try_init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let outcome = runtime
        .block_on(hardfile_frontend::run_stdio())
        .context("BuildKit gateway")?;
    Ok(match outcome {
        Outcome::Built => ExitCode::SUCCESS,
        Outcome::Failed(_) => ExitCode::from(1),
    })
}
