//! hardfile's BuildKit frontend.
//!
//! BuildKit starts the frontend image's entrypoint (selected by `# syntax=<image>`) with the
//! gateway gRPC connection on stdin/stdout. [`run_stdio`] connects, pings, reads the options
//! from the environment, runs a [`Frontend`] and hands its result or error back through `Return`.
//!
//! stdout is the protocol channel: nothing in this crate may print to it; log with `tracing`
//! (the binary routes it to stderr).

#![deny(clippy::print_stdout)]

pub mod bridge;
pub mod caps;
pub mod convert;
pub mod dockerfile_frontend;
pub mod dockerfile_source;
pub mod errors;
pub mod image;
pub mod options;
pub mod result;
pub mod subrequests;

use std::future::Future;

use tokio::io::{AsyncRead, AsyncWrite};

pub use crate::bridge::{Gateway, ImageConfigRequest, ResolvedImage, Solve, Solved, Warning};
pub use crate::caps::Caps;
pub use crate::dockerfile_source::{LoadedDockerfile, load_dockerfile};
pub use crate::errors::{FrontendError, GatewayError, SourceRange, SourceSnippet};
pub use crate::options::{Options, OptionsError};
pub use crate::result::{BuildResult, ResultRefs};

/// A build: what the frontend does between `Ping` and `Return`.
pub trait Frontend {
    /// Builds (or answers the subrequest in `options.request_id`). The result or error is sent
    /// to BuildKit by the caller; implementations must not call `Return` themselves.
    fn build(
        &self,
        gateway: &mut Gateway,
        options: &Options,
    ) -> impl Future<Output = Result<BuildResult, FrontendError>> + Send;
}

/// The frontend could not talk to BuildKit at all (as opposed to a failed build, which is
/// reported to BuildKit through `Return`).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// No gateway connection, or `Ping` failed.
    #[error("cannot start the gateway session: {0}")]
    Connect(#[source] GatewayError),
    /// The build finished but its result could not be delivered.
    #[error("cannot return the build result: {0}")]
    Return(#[source] GatewayError),
}

/// How a session ended once `Return` was delivered.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A result was returned.
    Built,
    /// An error was returned; this is what BuildKit received.
    Failed(bollard_buildkit_proto::google::rpc::Status),
}

/// The process entry point: the gateway on stdin/stdout, options from the environment, and the
/// Dockerfile frontend ([`dockerfile_frontend::DockerfileFrontend`]).
pub async fn run_stdio() -> Result<Outcome, RunError> {
    run_stdio_with(&dockerfile_frontend::DockerfileFrontend).await
}

/// Like [`run_stdio`] with another frontend.
pub async fn run_stdio_with<F: Frontend + Sync>(frontend: &F) -> Result<Outcome, RunError> {
    // Read the environment first, but report bad options through `Return` so the user sees them.
    let options = Options::from_env();
    let mut gateway = Gateway::connect_stdio().await.map_err(RunError::Connect)?;
    serve(frontend, &mut gateway, options).await
}

/// Runs `frontend` over any stream (tests use `tokio::io::duplex`).
pub async fn run_over<F, IO>(
    frontend: &F,
    io: IO,
    options: Result<Options, OptionsError>,
) -> Result<Outcome, RunError>
where
    F: Frontend + Sync,
    IO: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let mut gateway = Gateway::connect(io).await.map_err(RunError::Connect)?;
    serve(frontend, &mut gateway, options).await
}

/// Runs `frontend` on a connected gateway and sends its result or error with `Return`.
pub async fn serve<F: Frontend + Sync>(
    frontend: &F,
    gateway: &mut Gateway,
    options: Result<Options, OptionsError>,
) -> Result<Outcome, RunError> {
    let built = match options {
        Ok(options) => {
            tracing::info!(
                filename = %options.filename,
                target = options.target.as_deref().unwrap_or(""),
                request = options.request_id.as_deref().unwrap_or(""),
                "frontend build"
            );
            frontend.build(gateway, &options).await
        }
        Err(error) => Err(FrontendError::Options(error)),
    };
    match built {
        Ok(result) => {
            gateway
                .return_result(&result)
                .await
                .map_err(RunError::Return)?;
            Ok(Outcome::Built)
        }
        Err(error) => {
            tracing::warn!(%error, "build failed");
            let status = errors::to_rpc_status(&error);
            gateway
                .return_error(status.clone())
                .await
                .map_err(RunError::Return)?;
            Ok(Outcome::Failed(status))
        }
    }
}

/// The frontend until the Dockerfile conversion lands: loads the Dockerfile through the gateway
/// and answers with an error located at its first instruction.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOnlyFrontend;

impl Frontend for LoadOnlyFrontend {
    async fn build(
        &self,
        gateway: &mut Gateway,
        options: &Options,
    ) -> Result<BuildResult, FrontendError> {
        if let Some(name) = &options.request_id {
            return Err(FrontendError::UnsupportedSubrequest { name: name.clone() });
        }
        let dockerfile = load_dockerfile(gateway, options).await?;
        let line = first_instruction_line(&dockerfile.data);
        Err(FrontendError::located(
            "hardfile cannot convert this Dockerfile to LLB yet",
            dockerfile.snippet(SourceRange::per_line(line, line)),
        ))
    }
}

/// 1-based line of the first instruction (not blank, not a comment); 1 for an empty file.
fn first_instruction_line(data: &[u8]) -> u32 {
    let text = String::from_utf8_lossy(data);
    text.lines()
        .position(|line| {
            let line = line.trim();
            !line.is_empty() && !line.starts_with('#')
        })
        .map_or(1, |index| u32::try_from(index + 1).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::first_instruction_line;

    #[test]
    fn first_instruction_skips_directives_and_blanks() {
        assert_eq!(first_instruction_line(b"# syntax=x\n\nFROM alpine\n"), 3);
        assert_eq!(first_instruction_line(b""), 1);
        assert_eq!(first_instruction_line(b"FROM scratch"), 1);
    }
}
