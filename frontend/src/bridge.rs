//! The gateway connection: gRPC over the process's stdin/stdout, and a typed client.
//!
//! BuildKit starts the frontend with an HTTP/2 (prior knowledge, no TLS) connection on stdin
//! (read) and stdout (write) and serves `LLBBridge` on the other end; we are the gRPC client.
//! The pipe pair can be connected exactly once: tonic's `Channel` calls its connector again to
//! reconnect, so the connector hands the stream out once and fails afterwards instead of reusing
//! half-consumed pipes.

use std::collections::BTreeMap;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bollard_buildkit_proto::fsutil::types::Stat;
use bollard_buildkit_proto::google::rpc::Status as RpcStatus;
use bollard_buildkit_proto::moby::buildkit::v1::frontend::{
    self as gw, CacheOptionsEntry, llb_bridge_client::LlbBridgeClient,
    result::Result as PbResultRefs,
};
use bollard_buildkit_proto::pb;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tonic::transport::{Channel, Endpoint, Uri};

use crate::caps::{self, Caps};
use crate::errors::{GatewayError, SourceRange};
use crate::options::{CacheImport, ResolveMode};
use crate::result::BuildResult;

/// Largest gRPC message either side may send (BuildKit's server limit; tonic decodes only 4 MiB
/// by default, which large `ReadFile` or `Solve` messages exceed).
pub const MAX_MESSAGE_SIZE: usize = 16 << 20;

/// How long to wait for `Ping`, as BuildKit's Go client does.
pub const PING_TIMEOUT: Duration = Duration::from_secs(15);

/// A reader and a writer joined into one bidirectional stream.
pub struct JoinedStream<R, W> {
    reader: R,
    writer: W,
}

impl<R, W> JoinedStream<R, W> {
    /// Joins `reader` (what the peer sends) and `writer` (what we send).
    pub fn new(reader: R, writer: W) -> Self {
        Self { reader, writer }
    }
}

impl<R: AsyncRead + Unpin, W: Unpin> AsyncRead for JoinedStream<R, W> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().reader).poll_read(cx, buf)
    }
}

impl<R: Unpin, W: AsyncWrite + Unpin> AsyncWrite for JoinedStream<R, W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().writer).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().writer).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().writer).poll_shutdown(cx)
    }
}

/// The process's stdin/stdout as one stream.
pub type StdioStream =
    JoinedStream<Box<dyn AsyncRead + Send + Unpin>, Box<dyn AsyncWrite + Send + Unpin>>;

/// Opens stdin/stdout for the gateway connection.
///
/// BuildKit passes pipes; they are driven by epoll through duplicated descriptors. Anything else
/// (a terminal, a file) falls back to tokio's blocking-thread stdio.
pub fn stdio_stream() -> io::Result<StdioStream> {
    let reader: Box<dyn AsyncRead + Send + Unpin> = match pipe_reader() {
        Ok(reader) => Box::new(reader),
        Err(err) => {
            tracing::debug!("stdin is not a pipe ({err}); using blocking stdio");
            Box::new(tokio::io::stdin())
        }
    };
    let writer: Box<dyn AsyncWrite + Send + Unpin> = match pipe_writer() {
        Ok(writer) => Box::new(writer),
        Err(err) => {
            tracing::debug!("stdout is not a pipe ({err}); using blocking stdio");
            Box::new(tokio::io::stdout())
        }
    };
    Ok(JoinedStream::new(reader, writer))
}

#[cfg(unix)]
fn pipe_reader() -> io::Result<tokio::net::unix::pipe::Receiver> {
    use std::os::fd::AsFd as _;
    let fd = io::stdin().as_fd().try_clone_to_owned()?;
    tokio::net::unix::pipe::Receiver::from_owned_fd(fd)
}

#[cfg(unix)]
fn pipe_writer() -> io::Result<tokio::net::unix::pipe::Sender> {
    use std::os::fd::AsFd as _;
    let fd = io::stdout().as_fd().try_clone_to_owned()?;
    tokio::net::unix::pipe::Sender::from_owned_fd(fd)
}

#[cfg(not(unix))]
fn pipe_reader() -> io::Result<tokio::io::Stdin> {
    Err(io::Error::other("pipes need unix"))
}

#[cfg(not(unix))]
fn pipe_writer() -> io::Result<tokio::io::Stdout> {
    Err(io::Error::other("pipes need unix"))
}

/// A tonic channel over `io`, which is handed to the HTTP/2 client exactly once.
pub async fn connect_channel<IO>(io: IO) -> Result<Channel, GatewayError>
where
    IO: AsyncRead + AsyncWrite + Send + Unpin + 'static,
{
    let slot = Arc::new(Mutex::new(Some(io)));
    let connector = tower::service_fn(move |_: Uri| {
        let taken = slot.lock().ok().and_then(|mut slot| slot.take());
        async move {
            taken.map(TokioIo::new).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotConnected,
                    "the gateway connection was lost and cannot be reopened",
                )
            })
        }
    });
    // The authority is never resolved; the connector ignores it.
    Endpoint::from_static("http://localhost")
        .connect_with_connector(connector)
        .await
        .map_err(GatewayError::Connect)
}

/// An image config lookup (`ResolveImageConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageConfigRequest {
    /// The image reference, normalized (`docker.io/library/alpine:3.20`).
    pub reference: String,
    /// Platform whose manifest to pick from an index.
    pub platform: Option<pb::Platform>,
    /// Resolve mode (sent only when the daemon has `resolveimage.resolvemode`).
    pub resolve_mode: ResolveMode,
    /// Progress line shown to the user (`[internal] load metadata for …`).
    pub log_name: String,
    /// Client session (used for OCI layout stores).
    pub session_id: String,
}

impl ImageConfigRequest {
    /// A lookup of `reference` with the conventional log name.
    pub fn new(reference: impl Into<String>) -> Self {
        let reference = reference.into();
        Self {
            log_name: format!("[internal] load metadata for {reference}"),
            reference,
            ..Self::default()
        }
    }
}

/// The answer to an [`ImageConfigRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedImage {
    /// The reference the daemon resolved (may differ after source policies).
    pub reference: String,
    /// Manifest (or index) digest.
    pub digest: String,
    /// The image config JSON.
    pub config: Vec<u8>,
}

/// A `Solve` call: a definition, or another frontend.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Solve {
    /// The LLB to solve.
    pub definition: Option<pb::Definition>,
    /// Another frontend to call instead (`dockerfile.v0`, `gateway.v0`).
    pub frontend: Option<String>,
    /// That frontend's options.
    pub frontend_options: BTreeMap<String, String>,
    /// That frontend's inputs.
    pub frontend_inputs: BTreeMap<String, pb::Definition>,
    /// Caches to import (sent when the daemon has `importcaches`).
    pub cache_imports: Vec<CacheImport>,
    /// Force evaluation now (sent when the daemon has `gateway.solve.evaluate`).
    pub evaluate: bool,
}

impl Solve {
    /// Solves `definition`.
    pub fn definition(definition: pb::Definition) -> Self {
        Self {
            definition: Some(definition),
            ..Self::default()
        }
    }

    /// Calls frontend `name` with `options`.
    pub fn frontend(name: impl Into<String>, options: BTreeMap<String, String>) -> Self {
        Self {
            frontend: Some(name.into()),
            frontend_options: options,
            ..Self::default()
        }
    }

    /// Imports these caches.
    #[must_use]
    pub fn with_cache_imports(mut self, imports: Vec<CacheImport>) -> Self {
        self.cache_imports = imports;
        self
    }

    /// Asks the daemon to evaluate the result before answering.
    #[must_use]
    pub fn evaluated(mut self) -> Self {
        self.evaluate = true;
        self
    }
}

/// The answer to a [`Solve`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Solved {
    /// The single reference, if the result has one (`None` for an empty result).
    pub reference: Option<String>,
    /// Per-key references of a map result (`None` entries are empty results).
    pub refs: BTreeMap<String, Option<String>>,
    /// Metadata the solve produced (e.g. a sub-frontend's image config).
    pub metadata: BTreeMap<String, Vec<u8>>,
}

/// A warning shown under a vertex of the build (`Warn`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Warning {
    /// Digest of a vertex of this build (the Dockerfile-loading source op works).
    pub vertex: String,
    /// Level; BuildKit coerces 0 to 1.
    pub level: i64,
    /// One line: `<Rule>: <message> (line N)`.
    pub short: String,
    /// Longer description, one entry per paragraph.
    pub detail: Vec<String>,
    /// Documentation link.
    pub url: String,
    /// The file the ranges refer to.
    pub source: Option<pb::SourceInfo>,
    /// Ranges in that file.
    pub ranges: Vec<SourceRange>,
}

/// A typed client of BuildKit's `LLBBridge` that knows the daemon's capabilities.
#[derive(Debug, Clone)]
pub struct Gateway {
    client: LlbBridgeClient<Channel>,
    caps: Caps,
    returned: bool,
}

impl Gateway {
    /// Connects over this process's stdin/stdout and pings.
    pub async fn connect_stdio() -> Result<Self, GatewayError> {
        let stream = stdio_stream().map_err(GatewayError::Transport)?;
        Self::connect(stream).await
    }

    /// Connects over any stream (tests use `tokio::io::duplex`) and pings.
    pub async fn connect<IO>(io: IO) -> Result<Self, GatewayError>
    where
        IO: AsyncRead + AsyncWrite + Send + Unpin + 'static,
    {
        let channel = connect_channel(io).await?;
        let mut gateway = Self::from_channel(channel);
        gateway.ping().await?;
        Ok(gateway)
    }

    /// Wraps an existing channel, with the 16 MiB limits. Caps stay empty until [`Self::ping`].
    pub fn from_channel(channel: Channel) -> Self {
        let client = LlbBridgeClient::new(channel)
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE);
        Self {
            client,
            caps: Caps::default(),
            returned: false,
        }
    }

    /// The capabilities from the last `Ping`.
    pub fn caps(&self) -> &Caps {
        &self.caps
    }

    /// `Ping`: (re)reads the daemon's capabilities and workers.
    pub async fn ping(&mut self) -> Result<&Caps, GatewayError> {
        let call = self.client.ping(gw::PingRequest {});
        let pong = tokio::time::timeout(PING_TIMEOUT, call)
            .await
            .map_err(|_| GatewayError::Timeout {
                call: "Ping",
                seconds: PING_TIMEOUT.as_secs(),
            })?
            .map_err(|status| GatewayError::rpc("Ping", &status))?
            .into_inner();
        self.caps = Caps::from_pong(&pong);
        tracing::debug!(
            frontend_caps = self.caps.enabled_frontend().count(),
            llb_caps = self.caps.enabled_llb().count(),
            "gateway ping"
        );
        Ok(&self.caps)
    }

    fn require(&self, cap: &str) -> Result<(), GatewayError> {
        match self.caps.unavailable_reason(cap) {
            None => Ok(()),
            Some(reason) => Err(GatewayError::Unsupported {
                cap: cap.to_owned(),
                reason,
            }),
        }
    }

    /// `ReadFile`: the bytes of `path` in the solved reference `reference`, or a slice of them.
    pub async fn read_file(
        &mut self,
        reference: &str,
        path: &str,
        range: Option<gw::FileRange>,
    ) -> Result<Vec<u8>, GatewayError> {
        let request = gw::ReadFileRequest {
            r#ref: reference.to_owned(),
            file_path: path.to_owned(),
            range,
            mount_index: 0,
        };
        let response = self
            .client
            .read_file(request)
            .await
            .map_err(|status| GatewayError::rpc("ReadFile", &status))?;
        Ok(response.into_inner().data)
    }

    /// `ReadDir`: entries of `path` in `reference`, optionally filtered by a glob.
    pub async fn read_dir(
        &mut self,
        reference: &str,
        path: &str,
        include_pattern: Option<&str>,
    ) -> Result<Vec<Stat>, GatewayError> {
        self.require(caps::frontend::READ_DIR)?;
        let request = gw::ReadDirRequest {
            r#ref: reference.to_owned(),
            dir_path: path.to_owned(),
            include_pattern: include_pattern.unwrap_or_default().to_owned(),
            mount_index: 0,
        };
        let response = self
            .client
            .read_dir(request)
            .await
            .map_err(|status| GatewayError::rpc("ReadDir", &status))?;
        Ok(response.into_inner().entries)
    }

    /// `StatFile`: metadata of `path` in `reference`.
    pub async fn stat_file(&mut self, reference: &str, path: &str) -> Result<Stat, GatewayError> {
        self.require(caps::frontend::STAT_FILE)?;
        let request = gw::StatFileRequest {
            r#ref: reference.to_owned(),
            path: path.to_owned(),
            mount_index: 0,
        };
        let response = self
            .client
            .stat_file(request)
            .await
            .map_err(|status| GatewayError::rpc("StatFile", &status))?;
        response.into_inner().stat.ok_or(GatewayError::Protocol {
            call: "StatFile",
            detail: "no stat in the answer".to_owned(),
        })
    }

    /// `ResolveImageConfig`: digest and config of an image.
    pub async fn resolve_image_config(
        &mut self,
        request: ImageConfigRequest,
    ) -> Result<ResolvedImage, GatewayError> {
        let resolve_mode = if self.caps.has(caps::frontend::RESOLVE_IMAGE_RESOLVE_MODE) {
            request.resolve_mode.as_str().to_owned()
        } else {
            String::new()
        };
        let wire = gw::ResolveImageConfigRequest {
            r#ref: request.reference.clone(),
            platform: request.platform,
            resolve_mode,
            log_name: request.log_name,
            session_id: request.session_id,
            ..gw::ResolveImageConfigRequest::default()
        };
        let response = self
            .client
            .resolve_image_config(wire)
            .await
            .map_err(|status| GatewayError::rpc("ResolveImageConfig", &status))?
            .into_inner();
        Ok(ResolvedImage {
            reference: if response.r#ref.is_empty() {
                request.reference
            } else {
                response.r#ref
            },
            digest: response.digest,
            config: response.config,
        })
    }

    /// `Solve`. Like BuildKit's Go client, refuses a definition that declares an LLB capability
    /// the daemon lacks before sending it, so the user gets a clear error.
    pub async fn solve(&mut self, solve: Solve) -> Result<Solved, GatewayError> {
        if let Some(definition) = &solve.definition {
            for metadata in definition.metadata.values() {
                for cap in metadata.caps.keys() {
                    if !self.caps.has_llb(cap) {
                        return Err(GatewayError::Unsupported {
                            cap: cap.clone(),
                            reason: self
                                .caps
                                .unavailable_reason(cap)
                                .unwrap_or_else(|| format!("capability {cap} is not supported")),
                        });
                    }
                }
            }
        }
        let cache_imports = if self.caps.has(caps::frontend::IMPORT_CACHES) {
            solve
                .cache_imports
                .into_iter()
                .map(|import| CacheOptionsEntry {
                    r#type: import.kind,
                    attrs: import.attrs.into_iter().collect(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let request = gw::SolveRequest {
            definition: solve.definition,
            frontend: solve.frontend.unwrap_or_default(),
            frontend_opt: solve.frontend_options.into_iter().collect(),
            frontend_inputs: solve.frontend_inputs.into_iter().collect(),
            allow_result_return: true,
            allow_result_array_ref: true,
            cache_imports,
            evaluate: solve.evaluate && self.caps.has(caps::frontend::GATEWAY_SOLVE_EVALUATE),
            // Daemons without `Return` expected an exporter attribute on inline returns.
            exporter_attr: if self.caps.has(caps::frontend::RETURN) {
                Vec::new()
            } else {
                b"{}".to_vec()
            },
            ..gw::SolveRequest::default()
        };
        let response = self
            .client
            .solve(request)
            .await
            .map_err(|status| GatewayError::rpc("Solve", &status))?
            .into_inner();
        Ok(solved_from_pb(response))
    }

    /// `Warn`: shows a warning under a vertex. Returns `false` without calling when the daemon
    /// cannot show warnings (no `gateway.warnings`).
    pub async fn warn(&mut self, warning: Warning) -> Result<bool, GatewayError> {
        if !self.caps.has(caps::frontend::GATEWAY_WARNINGS) {
            return Ok(false);
        }
        let request = gw::WarnRequest {
            digest: warning.vertex,
            level: warning.level.max(1),
            short: warning.short.into_bytes(),
            detail: warning.detail.into_iter().map(String::into_bytes).collect(),
            url: warning.url,
            info: warning.source,
            ranges: warning.ranges.into_iter().map(SourceRange::to_pb).collect(),
        };
        self.client
            .warn(request)
            .await
            .map_err(|status| GatewayError::rpc("Warn", &status))?;
        Ok(true)
    }

    /// `Inputs`: definitions the client passed as frontend inputs (empty without the cap).
    pub async fn inputs(&mut self) -> Result<BTreeMap<String, pb::Definition>, GatewayError> {
        if !self.caps.has(caps::frontend::FRONTEND_INPUTS) {
            return Ok(BTreeMap::new());
        }
        let response = self
            .client
            .inputs(gw::InputsRequest {})
            .await
            .map_err(|status| GatewayError::rpc("Inputs", &status))?;
        Ok(response.into_inner().definitions.into_iter().collect())
    }

    /// `Return` with a result. May be called once.
    pub async fn return_result(&mut self, result: &BuildResult) -> Result<(), GatewayError> {
        let wire = result.to_pb(self.caps.has(caps::frontend::PROTO_REF_ARRAY));
        self.send_return(gw::ReturnRequest {
            result: Some(wire),
            error: None,
        })
        .await
    }

    /// `Return` with an error status (see [`crate::errors::to_rpc_status`]). May be called once.
    pub async fn return_error(&mut self, status: RpcStatus) -> Result<(), GatewayError> {
        self.send_return(gw::ReturnRequest {
            result: None,
            error: Some(status),
        })
        .await
    }

    async fn send_return(&mut self, request: gw::ReturnRequest) -> Result<(), GatewayError> {
        if self.returned {
            return Err(GatewayError::AlreadyReturned);
        }
        self.returned = true;
        self.client
            .r#return(request)
            .await
            .map_err(|status| GatewayError::rpc("Return", &status))?;
        Ok(())
    }
}

fn solved_from_pb(response: gw::SolveResponse) -> Solved {
    let non_empty = |id: String| (!id.is_empty()).then_some(id);
    let Some(result) = response.result else {
        return Solved {
            reference: non_empty(response.r#ref),
            ..Solved::default()
        };
    };
    let mut solved = Solved {
        metadata: result.metadata.into_iter().collect(),
        ..Solved::default()
    };
    match result.result {
        Some(PbResultRefs::Ref(reference)) => solved.reference = non_empty(reference.id),
        Some(PbResultRefs::RefDeprecated(id)) => solved.reference = non_empty(id),
        Some(PbResultRefs::Refs(map)) => {
            solved.refs = map
                .refs
                .into_iter()
                .map(|(key, reference)| (key, non_empty(reference.id)))
                .collect();
        }
        Some(PbResultRefs::RefsDeprecated(map)) => {
            solved.refs = map
                .refs
                .into_iter()
                .map(|(key, id)| (key, non_empty(id)))
                .collect();
        }
        None => solved.reference = non_empty(response.r#ref),
    }
    solved
}
