//! hardfile's language server: the findings, fixes and suppressions of `hardfile lint`, in
//! the editor, from the same `lints` crate as the CLI and the BuildKit frontend.
//!
//! Entry points: [`run_stdio`] (what `hardfile lsp` calls) and [`serve`], which runs the
//! server over any reader/writer pair (tests use in-memory pipes).
//!
//! stdout is the protocol: nothing here prints; logs go to stderr through `tracing`.

#![deny(clippy::print_stdout)]

pub mod analysis;
pub mod convert;
pub mod docs;
pub mod hover;
pub mod outline;
pub mod server;
pub mod settings;
pub mod transport;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tower_lsp_server::{LspService, Server};

pub use server::Backend;

/// The environment variable holding the log filter (`tracing` syntax, e.g. `debug` or
/// `hardfile_lsp=trace`); logs go to stderr. Default: `warn`.
pub const LOG_ENV: &str = "HARDFILE_LOG";

/// Serves the protocol on `input`/`output` until the client sends `exit` or closes
/// `input`. Malformed messages are answered with JSON-RPC errors and skipped (see
/// [`transport`]); the server never writes anything but protocol frames to `output`.
pub async fn serve<I, O>(input: I, output: O)
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    // Large enough for a whole diagnostics message of a big file, so it crosses in one go.
    const PIPE: usize = 1 << 20;
    let (to_server, server_input) = tokio::io::duplex(PIPE);
    let (server_output, from_server) = tokio::io::duplex(PIPE);
    let (frames, outgoing) = mpsc::channel(64);

    let outbox = std::sync::Arc::new(transport::Outbox::default());

    let writer = tokio::spawn(transport::write_all(outgoing, output));
    let pump = tokio::spawn(transport::pump(
        from_server,
        frames.clone(),
        std::sync::Arc::clone(&outbox),
    ));

    let guard = tokio::spawn(transport::guard(input, to_server, frames));
    let (service, socket) = LspService::new(move |client| Backend::with_outbox(client, outbox));
    Server::new(server_input, server_output, socket)
        .serve(service)
        .await;
    tracing::debug!("server stopped");
    // The server has stopped (after `exit`, or at the end of input): stop reading the
    // client, then let every frame already produced reach it.
    guard.abort();
    let _ = guard.await;
    let _ = pump.await;
    let _ = writer.await;
}

/// Runs the language server on stdin/stdout, blocking until the client sends `exit` or
/// closes stdin. Synchronous: it starts its own Tokio runtime, so callers need none. Logs go
/// to stderr, filtered by [`LOG_ENV`].
///
/// # Errors
/// When the runtime cannot be started.
pub fn run_stdio() -> std::io::Result<()> {
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // stdin's reader thread may still be blocked in a read; do not wait for it.
    runtime.shutdown_background();
    Ok(())
}

/// Sends `tracing` output to stderr (once; later calls and an existing subscriber win).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env(LOG_ENV)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
