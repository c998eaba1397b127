//! An in-process fake of BuildKit's `LLBBridge` gateway, for driving the frontend in tests.
//!
//! [`FakeGateway`] is a tonic `LlbBridge` server served over a `tokio::io::duplex` pipe with the
//! same 16 MiB message limits as BuildKit. It records every call, answers from configurable
//! state (capabilities, files, image configs, frontend inputs, scripted solve results, injected
//! failures) and mimics BuildKit where it matters: `Return` accepts only one result, and refs
//! come from earlier solves.
//!
//! ```ignore
//! let fake = FakeGateway::new();
//! fake.add_file("Dockerfile", "FROM alpine\n");
//! let outcome = fake.run(&LoadOnlyFrontend, options).await?;
//! let returned = fake.returned().expect("a Return");
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

use bollard_buildkit_proto::fsutil::types::Stat;
use bollard_buildkit_proto::google::rpc::Status as RpcStatus;
use bollard_buildkit_proto::moby::buildkit::v1::apicaps::ApiCap;
use bollard_buildkit_proto::moby::buildkit::v1::frontend::{
    self as gw,
    llb_bridge_server::{LlbBridge, LlbBridgeServer},
};
use bollard_buildkit_proto::moby::buildkit::v1::types::WorkerRecord;
use bollard_buildkit_proto::pb;
use hardfile_frontend::bridge::MAX_MESSAGE_SIZE;
use hardfile_frontend::errors::tonic_status_from_rpc;
use hardfile_frontend::{
    Frontend, Gateway, GatewayError, Options, OptionsError, Outcome, RunError,
};
use tokio::io::DuplexStream;
use tokio::task::JoinHandle;
use tonic::codegen::tokio_stream;
use tonic::{Request, Response, Status};

/// Gateway capabilities Docker 26.1.5 (BuildKit v0.13.2) reports, all enabled.
pub const DOCKER_26_FRONTEND_CAPS: &[&str] = &[
    "solve.base",
    "solve.inlinereturn",
    "resolveimage",
    "resolveimage.resolvemode",
    "readfile",
    "return",
    "returnmap",
    "readdir",
    "statfile",
    "importcaches",
    "proto.refarray",
    "reference.output",
    "frontend.inputs",
    "gateway.solve.metadata",
    "gateway.exec",
    "gateway.exec.extrahosts",
    "gateway.exec.secretenv",
    "gateway.exec.signals",
    "frontend.caps",
    "gateway.solve.evaluate",
    "gateway.evaluate",
    "gateway.warnings",
    "reference.attestations",
    "source.metaresolver",
];

/// LLB capabilities Docker 26.1.5 reports as enabled (BuildKit v0.13.2's list minus `mergeop`,
/// `diffop` and the never-registered `exec.meta.removemountstubs.recursive`).
pub const DOCKER_26_LLB_CAPS: &[&str] = &[
    "source.image",
    "source.image.resolvemode",
    "source.image.layerlimit",
    "source.local",
    "source.local.unique",
    "source.local.sessionid",
    "source.local.includepatterns",
    "source.local.followpaths",
    "source.local.excludepatterns",
    "source.local.sharedkeyhint",
    "source.local.differ",
    "source.git",
    "source.git.keepgitdir",
    "source.git.fullurl",
    "source.git.httpauth",
    "source.git.knownsshhosts",
    "source.git.mountsshsock",
    "source.git.subdir",
    "source.http",
    "source.http.checksum",
    "source.http.perm",
    "soruce.http.uidgid",
    "source.ocilayout",
    "source.buildop.llbfilename",
    "exec.meta.base",
    "exec.meta.cgroup.parent",
    "exec.meta.network",
    "exec.meta.proxyenv",
    "exec.meta.security",
    "exec.meta.setsdefaultpath",
    "exec.meta.ulimit",
    "exec.mount.bind",
    "exec.mount.bind.readwrite-nooutput",
    "exec.mount.cache",
    "exec.mount.cache.sharing",
    "exec.mount.selector",
    "exec.mount.tmpfs",
    "exec.mount.tmpfs.size",
    "exec.mount.secret",
    "exec.mount.ssh",
    "exec.mount.cache.content",
    "exec.cgroup",
    "exec.secretenv",
    "file.base",
    "file.rm.wildcard",
    "file.copy.includeexcludepatterns",
    "file.rm.nofollowsymlink",
    "constraints",
    "platform",
    "meta.ignorecache",
    "meta.description",
    "meta.exportcache",
    "cache.gha",
    "cache.azblob",
    "exporter.image.annotations",
    "exporter.image.attestations",
    "exporter.sourcedateepoch",
    "exporter.multiple",
    "source.policy",
];

/// Reason Docker gives for `mergeop`/`diffop` on the classic image store.
pub const CLASSIC_STORE_REASON: &str = "only enabled with containerd image store backend";

/// One recorded gateway call, with its request.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    /// `Ping`.
    Ping,
    /// `Solve`.
    Solve(gw::SolveRequest),
    /// `ReadFile`.
    ReadFile(gw::ReadFileRequest),
    /// `ReadDir`.
    ReadDir(gw::ReadDirRequest),
    /// `StatFile`.
    StatFile(gw::StatFileRequest),
    /// `ResolveImageConfig`.
    ResolveImageConfig(gw::ResolveImageConfigRequest),
    /// `Warn`.
    Warn(gw::WarnRequest),
    /// `Return`.
    Return(gw::ReturnRequest),
    /// `Inputs`.
    Inputs,
    /// Any other method, by name (answered `Unimplemented`).
    Other(&'static str),
}

impl Call {
    /// The gateway method name.
    pub fn method(&self) -> &'static str {
        match self {
            Self::Ping => "Ping",
            Self::Solve(_) => "Solve",
            Self::ReadFile(_) => "ReadFile",
            Self::ReadDir(_) => "ReadDir",
            Self::StatFile(_) => "StatFile",
            Self::ResolveImageConfig(_) => "ResolveImageConfig",
            Self::Warn(_) => "Warn",
            Self::Return(_) => "Return",
            Self::Inputs => "Inputs",
            Self::Other(name) => name,
        }
    }
}

/// What the next `Solve` answers.
#[derive(Debug, Clone, PartialEq)]
pub enum SolveScript {
    /// A single ref with this id.
    Ref(String),
    /// This exact response.
    Response(gw::SolveResponse),
    /// This error status (sent with its details, as BuildKit does).
    Fail(RpcStatus),
}

/// A configured image for `ResolveImageConfig`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeImage {
    /// Manifest digest.
    pub digest: String,
    /// Config JSON.
    pub config: Vec<u8>,
}

#[derive(Debug, Default)]
struct State {
    pong: gw::PongResponse,
    files: BTreeMap<String, Vec<u8>>,
    ref_files: BTreeMap<(String, String), Vec<u8>>,
    dirs: BTreeMap<String, Vec<Stat>>,
    images: BTreeMap<String, FakeImage>,
    inputs: BTreeMap<String, pb::Definition>,
    solve_script: VecDeque<SolveScript>,
    failures: BTreeMap<&'static str, RpcStatus>,
    calls: Vec<Call>,
    solved_refs: Vec<String>,
    returned: bool,
}

/// The fake gateway. Clones share state, so keep one to inspect calls after a run.
#[derive(Debug, Clone)]
pub struct FakeGateway {
    state: Arc<Mutex<State>>,
}

impl Default for FakeGateway {
    fn default() -> Self {
        Self::new()
    }
}

/// A `google.rpc.Status` with code Unknown, the way BuildKit reports most failures.
pub fn rpc_status(
    message: &str,
    details: Vec<bollard_buildkit_proto::google::protobuf::Any>,
) -> RpcStatus {
    RpcStatus {
        code: 2,
        message: message.to_owned(),
        details,
    }
}

fn cap(id: &str, enabled: bool, reason: &str) -> ApiCap {
    ApiCap {
        id: id.to_owned(),
        enabled,
        disabled_reason: if enabled {
            String::new()
        } else {
            "disabled".to_owned()
        },
        disabled_reason_msg: reason.to_owned(),
        ..ApiCap::default()
    }
}

fn docker_26_pong() -> gw::PongResponse {
    let mut llb_caps: Vec<ApiCap> = DOCKER_26_LLB_CAPS
        .iter()
        .map(|id| cap(id, true, ""))
        .collect();
    llb_caps.push(cap("mergeop", false, CLASSIC_STORE_REASON));
    llb_caps.push(cap("diffop", false, CLASSIC_STORE_REASON));
    gw::PongResponse {
        frontend_api_caps: DOCKER_26_FRONTEND_CAPS
            .iter()
            .map(|id| cap(id, true, ""))
            .collect(),
        llb_caps,
        workers: vec![WorkerRecord {
            id: "fake-worker".to_owned(),
            platforms: vec![pb::Platform {
                architecture: "amd64".to_owned(),
                os: "linux".to_owned(),
                ..pb::Platform::default()
            }],
            ..WorkerRecord::default()
        }],
    }
}

impl FakeGateway {
    /// A gateway that behaves like Docker 26.1.5's: its caps, one linux/amd64 worker, no files.
    pub fn new() -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                pong: docker_26_pong(),
                ..State::default()
            })),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the calls from the next assertion.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Replaces the `Ping` answer.
    pub fn set_pong(&self, pong: gw::PongResponse) {
        self.state().pong = pong;
    }

    /// Removes capability `id` (gateway or LLB) from the `Ping` answer.
    pub fn remove_cap(&self, id: &str) {
        let mut state = self.state();
        state.pong.frontend_api_caps.retain(|c| c.id != id);
        state.pong.llb_caps.retain(|c| c.id != id);
    }

    /// Marks capability `id` present but disabled, with `reason`.
    pub fn disable_cap(&self, id: &str, reason: &str) {
        let mut state = self.state();
        let pong = &mut state.pong;
        for caps in [&mut pong.frontend_api_caps, &mut pong.llb_caps] {
            for c in caps.iter_mut().filter(|c| c.id == id) {
                *c = cap(id, false, reason);
            }
        }
    }

    /// Adds (or enables) LLB capability `id`.
    pub fn enable_llb_cap(&self, id: &str) {
        let mut state = self.state();
        state.pong.llb_caps.retain(|c| c.id != id);
        state.pong.llb_caps.push(cap(id, true, ""));
    }

    /// Makes `path` readable from every ref.
    pub fn add_file(&self, path: &str, data: impl Into<Vec<u8>>) {
        self.state().files.insert(path.to_owned(), data.into());
    }

    /// Makes `path` readable from ref `reference` only (wins over [`Self::add_file`]).
    pub fn add_ref_file(&self, reference: &str, path: &str, data: impl Into<Vec<u8>>) {
        self.state()
            .ref_files
            .insert((reference.to_owned(), path.to_owned()), data.into());
    }

    /// Sets the `ReadDir` answer for `path` (any ref).
    pub fn add_dir(&self, path: &str, entries: Vec<Stat>) {
        self.state().dirs.insert(path.to_owned(), entries);
    }

    /// Makes `reference` resolvable by `ResolveImageConfig`.
    pub fn add_image(&self, reference: &str, digest: &str, config: impl Into<Vec<u8>>) {
        self.state().images.insert(
            reference.to_owned(),
            FakeImage {
                digest: digest.to_owned(),
                config: config.into(),
            },
        );
    }

    /// Adds a frontend input returned by `Inputs`.
    pub fn add_input(&self, name: &str, definition: pb::Definition) {
        self.state().inputs.insert(name.to_owned(), definition);
    }

    /// Scripts the next unscripted `Solve` answer (default: a fresh `ref-<n>`).
    pub fn push_solve(&self, script: SolveScript) {
        self.state().solve_script.push_back(script);
    }

    /// The next `Solve` fails with `status`.
    pub fn fail_next_solve(&self, status: RpcStatus) {
        self.push_solve(SolveScript::Fail(status));
    }

    /// Every call of `method` (`"ReadFile"`, `"ResolveImageConfig"`, …) fails with `status`.
    pub fn fail(&self, method: &'static str, status: RpcStatus) {
        self.state().failures.insert(method, status);
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    /// The method names of every call so far, in order.
    pub fn methods(&self) -> Vec<&'static str> {
        self.state().calls.iter().map(Call::method).collect()
    }

    /// The `Solve` requests so far.
    pub fn solves(&self) -> Vec<gw::SolveRequest> {
        self.filter(|call| match call {
            Call::Solve(request) => Some(request.clone()),
            _ => None,
        })
    }

    /// The `ReadFile` requests so far.
    pub fn read_files(&self) -> Vec<gw::ReadFileRequest> {
        self.filter(|call| match call {
            Call::ReadFile(request) => Some(request.clone()),
            _ => None,
        })
    }

    /// The `ResolveImageConfig` requests so far.
    pub fn resolves(&self) -> Vec<gw::ResolveImageConfigRequest> {
        self.filter(|call| match call {
            Call::ResolveImageConfig(request) => Some(request.clone()),
            _ => None,
        })
    }

    /// The `Warn` requests so far.
    pub fn warnings(&self) -> Vec<gw::WarnRequest> {
        self.filter(|call| match call {
            Call::Warn(request) => Some(request.clone()),
            _ => None,
        })
    }

    /// Every `Return` request (BuildKit accepts only the first).
    pub fn returns(&self) -> Vec<gw::ReturnRequest> {
        self.filter(|call| match call {
            Call::Return(request) => Some(request.clone()),
            _ => None,
        })
    }

    /// The first `Return` request, the one BuildKit would act on.
    pub fn returned(&self) -> Option<gw::ReturnRequest> {
        self.returns().into_iter().next()
    }

    /// The error status of the first `Return`, if it carried one.
    pub fn returned_error(&self) -> Option<RpcStatus> {
        self.returned().and_then(|request| request.error)
    }

    fn filter<T>(&self, pick: impl Fn(&Call) -> Option<T>) -> Vec<T> {
        self.state().calls.iter().filter_map(pick).collect()
    }

    fn record(&self, call: Call) {
        self.state().calls.push(call);
    }

    fn injected_failure(&self, method: &'static str) -> Result<(), Status> {
        match self.state().failures.get(method) {
            Some(status) => Err(tonic_status_from_rpc(status)),
            None => Ok(()),
        }
    }

    /// Serves the fake on one end of a new duplex pipe and returns the other end and the server
    /// task (abort it to simulate the daemon going away).
    pub fn serve(&self) -> (DuplexStream, JoinHandle<()>) {
        let (client, server) = tokio::io::duplex(1 << 20);
        let service = LlbBridgeServer::new(self.clone())
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE);
        let task = tokio::spawn(async move {
            let incoming = tokio_stream::once(Ok::<_, io::Error>(server));
            if let Err(error) = tonic::transport::Server::builder()
                .add_service(service)
                .serve_with_incoming(incoming)
                .await
            {
                tracing::warn!(%error, "fake gateway server stopped");
            }
        });
        (client, task)
    }

    /// Serves the fake and connects a [`Gateway`] to it (which pings).
    pub async fn connect(&self) -> Result<Gateway, GatewayError> {
        let (stream, _server) = self.serve();
        Gateway::connect(stream).await
    }

    /// Runs `frontend` against the fake with `options`, the way `hardfile frontend` runs it
    /// against BuildKit.
    pub async fn run<F: Frontend + Sync>(
        &self,
        frontend: &F,
        options: Result<Options, OptionsError>,
    ) -> Result<Outcome, RunError> {
        let (stream, _server) = self.serve();
        hardfile_frontend::run_over(frontend, stream, options).await
    }

    fn lookup_file(&self, reference: &str, path: &str) -> Option<Vec<u8>> {
        let state = self.state();
        let path = path.trim_start_matches('/');
        state
            .ref_files
            .get(&(reference.to_owned(), path.to_owned()))
            .or_else(|| state.files.get(path))
            .cloned()
    }

    fn check_ref(&self, reference: &str) -> Result<(), Status> {
        // An empty ref is scratch; anything else must come from an earlier Solve.
        if reference.is_empty() || self.state().solved_refs.iter().any(|r| r == reference) {
            Ok(())
        } else {
            Err(Status::not_found(format!("no such ref: {reference}")))
        }
    }
}

fn not_found(path: &str) -> Status {
    tonic_status_from_rpc(&rpc_status(
        &format!("open {path}: no such file or directory"),
        Vec::new(),
    ))
}

#[tonic::async_trait]
impl LlbBridge for FakeGateway {
    async fn resolve_image_config(
        &self,
        request: Request<gw::ResolveImageConfigRequest>,
    ) -> Result<Response<gw::ResolveImageConfigResponse>, Status> {
        let request = request.into_inner();
        self.record(Call::ResolveImageConfig(request.clone()));
        self.injected_failure("ResolveImageConfig")?;
        let image = self.state().images.get(&request.r#ref).cloned();
        match image {
            Some(image) => Ok(Response::new(gw::ResolveImageConfigResponse {
                digest: image.digest,
                config: image.config,
                r#ref: request.r#ref,
            })),
            None => Err(tonic_status_from_rpc(&rpc_status(
                &format!("{}: not found", request.r#ref),
                Vec::new(),
            ))),
        }
    }

    async fn resolve_source_meta(
        &self,
        _request: Request<gw::ResolveSourceMetaRequest>,
    ) -> Result<Response<gw::ResolveSourceMetaResponse>, Status> {
        self.record(Call::Other("ResolveSourceMeta"));
        Err(Status::unimplemented("ResolveSourceMeta is not faked"))
    }

    async fn solve(
        &self,
        request: Request<gw::SolveRequest>,
    ) -> Result<Response<gw::SolveResponse>, Status> {
        let request = request.into_inner();
        self.record(Call::Solve(request.clone()));
        self.injected_failure("Solve")?;
        let mut state = self.state();
        let script = state.solve_script.pop_front();
        let id = match script {
            Some(SolveScript::Fail(status)) => return Err(tonic_status_from_rpc(&status)),
            Some(SolveScript::Response(response)) => {
                if let Some(gw::result::Result::Ref(reference)) =
                    response.result.as_ref().and_then(|r| r.result.as_ref())
                {
                    state.solved_refs.push(reference.id.clone());
                }
                return Ok(Response::new(response));
            }
            Some(SolveScript::Ref(id)) => id,
            None => format!("ref-{}", state.solved_refs.len() + 1),
        };
        state.solved_refs.push(id.clone());
        Ok(Response::new(gw::SolveResponse {
            r#ref: String::new(),
            result: Some(gw::Result {
                result: Some(gw::result::Result::Ref(gw::Ref { id, def: None })),
                ..gw::Result::default()
            }),
        }))
    }

    async fn read_file(
        &self,
        request: Request<gw::ReadFileRequest>,
    ) -> Result<Response<gw::ReadFileResponse>, Status> {
        let request = request.into_inner();
        self.record(Call::ReadFile(request.clone()));
        self.injected_failure("ReadFile")?;
        self.check_ref(&request.r#ref)?;
        let data = self
            .lookup_file(&request.r#ref, &request.file_path)
            .ok_or_else(|| not_found(&request.file_path))?;
        let data = match request.range {
            Some(range) => {
                let start = usize::try_from(range.offset)
                    .unwrap_or(usize::MAX)
                    .min(data.len());
                let len = usize::try_from(range.length).unwrap_or(usize::MAX);
                data[start..start.saturating_add(len).min(data.len())].to_vec()
            }
            None => data,
        };
        Ok(Response::new(gw::ReadFileResponse { data }))
    }

    async fn read_dir(
        &self,
        request: Request<gw::ReadDirRequest>,
    ) -> Result<Response<gw::ReadDirResponse>, Status> {
        let request = request.into_inner();
        self.record(Call::ReadDir(request.clone()));
        self.injected_failure("ReadDir")?;
        self.check_ref(&request.r#ref)?;
        let entries = self
            .state()
            .dirs
            .get(request.dir_path.trim_start_matches('/'))
            .cloned()
            .ok_or_else(|| not_found(&request.dir_path))?;
        Ok(Response::new(gw::ReadDirResponse { entries }))
    }

    async fn stat_file(
        &self,
        request: Request<gw::StatFileRequest>,
    ) -> Result<Response<gw::StatFileResponse>, Status> {
        let request = request.into_inner();
        self.record(Call::StatFile(request.clone()));
        self.injected_failure("StatFile")?;
        self.check_ref(&request.r#ref)?;
        let data = self
            .lookup_file(&request.r#ref, &request.path)
            .ok_or_else(|| not_found(&request.path))?;
        Ok(Response::new(gw::StatFileResponse {
            stat: Some(Stat {
                path: request
                    .path
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
                mode: 0o100_644,
                size: i64::try_from(data.len()).unwrap_or(i64::MAX),
                ..Stat::default()
            }),
        }))
    }

    async fn evaluate(
        &self,
        _request: Request<gw::EvaluateRequest>,
    ) -> Result<Response<gw::EvaluateResponse>, Status> {
        self.record(Call::Other("Evaluate"));
        Ok(Response::new(gw::EvaluateResponse {}))
    }

    async fn ping(
        &self,
        _request: Request<gw::PingRequest>,
    ) -> Result<Response<gw::PongResponse>, Status> {
        self.record(Call::Ping);
        self.injected_failure("Ping")?;
        Ok(Response::new(self.state().pong.clone()))
    }

    async fn r#return(
        &self,
        request: Request<gw::ReturnRequest>,
    ) -> Result<Response<gw::ReturnResponse>, Status> {
        let request = request.into_inner();
        self.record(Call::Return(request.clone()));
        let mut state = self.state();
        if state.returned {
            return Err(Status::unknown("gateway result is already set"));
        }
        state.returned = true;
        drop(state);
        if let Some(gw::Result {
            result: Some(gw::result::Result::Ref(reference)),
            ..
        }) = &request.result
        {
            self.check_ref(&reference.id)?;
        }
        Ok(Response::new(gw::ReturnResponse {}))
    }

    async fn inputs(
        &self,
        _request: Request<gw::InputsRequest>,
    ) -> Result<Response<gw::InputsResponse>, Status> {
        self.record(Call::Inputs);
        self.injected_failure("Inputs")?;
        Ok(Response::new(gw::InputsResponse {
            definitions: self.state().inputs.clone().into_iter().collect(),
        }))
    }

    async fn new_container(
        &self,
        _request: Request<gw::NewContainerRequest>,
    ) -> Result<Response<gw::NewContainerResponse>, Status> {
        self.record(Call::Other("NewContainer"));
        Err(Status::unimplemented("NewContainer is not faked"))
    }

    async fn release_container(
        &self,
        _request: Request<gw::ReleaseContainerRequest>,
    ) -> Result<Response<gw::ReleaseContainerResponse>, Status> {
        self.record(Call::Other("ReleaseContainer"));
        Err(Status::unimplemented("ReleaseContainer is not faked"))
    }

    type ExecProcessStream = tokio_stream::Empty<Result<gw::ExecMessage, Status>>;

    async fn exec_process(
        &self,
        _request: Request<tonic::Streaming<gw::ExecMessage>>,
    ) -> Result<Response<Self::ExecProcessStream>, Status> {
        self.record(Call::Other("ExecProcess"));
        Err(Status::unimplemented("ExecProcess is not faked"))
    }

    async fn read_file_container(
        &self,
        _request: Request<gw::ReadFileRequest>,
    ) -> Result<Response<gw::ReadFileResponse>, Status> {
        self.record(Call::Other("ReadFileContainer"));
        Err(Status::unimplemented("ReadFileContainer is not faked"))
    }

    async fn read_dir_container(
        &self,
        _request: Request<gw::ReadDirRequest>,
    ) -> Result<Response<gw::ReadDirResponse>, Status> {
        self.record(Call::Other("ReadDirContainer"));
        Err(Status::unimplemented("ReadDirContainer is not faked"))
    }

    async fn stat_file_container(
        &self,
        _request: Request<gw::StatFileRequest>,
    ) -> Result<Response<gw::StatFileResponse>, Status> {
        self.record(Call::Other("StatFileContainer"));
        Err(Status::unimplemented("StatFileContainer is not faked"))
    }

    async fn warn(
        &self,
        request: Request<gw::WarnRequest>,
    ) -> Result<Response<gw::WarnResponse>, Status> {
        let request = request.into_inner();
        self.record(Call::Warn(request.clone()));
        self.injected_failure("Warn")?;
        // BuildKit requires every range to be set.
        if request
            .ranges
            .iter()
            .any(|r| r.start.is_none() || r.end.is_none())
        {
            return Err(Status::invalid_argument("invalid source range"));
        }
        Ok(Response::new(gw::WarnResponse {}))
    }
}
