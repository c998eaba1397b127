//! Capabilities the daemon announced in its `Ping` answer, gated in one place.
//!
//! BuildKit registers some capabilities with `enabled: false` (Docker's classic image store turns
//! off `mergeop` and `diffop`), and an old daemon silently ignores LLB fields it does not know.
//! Every feature that needs a capability therefore asks [`Caps::has`], which checks presence
//! **and** the `enabled` flag.

use std::collections::BTreeMap;

use bollard_buildkit_proto::moby::buildkit::v1::apicaps::ApiCap;
use bollard_buildkit_proto::moby::buildkit::v1::frontend::PongResponse;
use bollard_buildkit_proto::moby::buildkit::v1::types::WorkerRecord;

/// Names of gateway (frontend API) capabilities (`frontend/gateway/pb/caps.go`).
pub mod frontend {
    /// `Solve` with a definition.
    pub const SOLVE_BASE: &str = "solve.base";
    /// `Solve` may return results inline.
    pub const SOLVE_INLINE_RETURN: &str = "solve.inlinereturn";
    /// `ResolveImageConfig`.
    pub const RESOLVE_IMAGE: &str = "resolveimage";
    /// `ResolveImageConfig` honours `resolve_mode`.
    pub const RESOLVE_IMAGE_RESOLVE_MODE: &str = "resolveimage.resolvemode";
    /// `ReadFile`.
    pub const READ_FILE: &str = "readfile";
    /// `Return`.
    pub const RETURN: &str = "return";
    /// `Return` accepts a map of refs.
    pub const RETURN_MAP: &str = "returnmap";
    /// `ReadDir`.
    pub const READ_DIR: &str = "readdir";
    /// `StatFile`.
    pub const STAT_FILE: &str = "statfile";
    /// `SolveRequest.cache_imports`.
    pub const IMPORT_CACHES: &str = "importcaches";
    /// `Result.ref` / `Result.refs` (fields 3 and 4) instead of the deprecated string refs.
    pub const PROTO_REF_ARRAY: &str = "proto.refarray";
    /// `Ref.def` carries the definition of a returned reference.
    pub const REFERENCE_OUTPUT: &str = "reference.output";
    /// `Inputs`.
    pub const FRONTEND_INPUTS: &str = "frontend.inputs";
    /// `SolveResponse.result.metadata`.
    pub const GATEWAY_SOLVE_METADATA: &str = "gateway.solve.metadata";
    /// Containers and processes (`NewContainer`, `ExecProcess`).
    pub const GATEWAY_EXEC: &str = "gateway.exec";
    /// `frontend.caps` option checked by the daemon.
    pub const FRONTEND_CAPS: &str = "frontend.caps";
    /// `SolveRequest.evaluate`.
    pub const GATEWAY_SOLVE_EVALUATE: &str = "gateway.solve.evaluate";
    /// `Evaluate`.
    pub const GATEWAY_EVALUATE: &str = "gateway.evaluate";
    /// `Warn`.
    pub const GATEWAY_WARNINGS: &str = "gateway.warnings";
    /// `Result.attestations`.
    pub const REFERENCE_ATTESTATIONS: &str = "reference.attestations";
    /// `ResolveSourceMeta`.
    pub const SOURCE_META_RESOLVER: &str = "source.metaresolver";
}

/// Names of LLB capabilities (`solver/pb/caps.go`) the converter gates on.
pub mod llb {
    /// Image source ops.
    pub const SOURCE_IMAGE: &str = "source.image";
    /// `image.resolvemode` attribute.
    pub const SOURCE_IMAGE_RESOLVE_MODE: &str = "source.image.resolvemode";
    /// Local source ops.
    pub const SOURCE_LOCAL: &str = "source.local";
    /// `local.unique` attribute.
    pub const SOURCE_LOCAL_UNIQUE: &str = "source.local.unique";
    /// `local.session` attribute.
    pub const SOURCE_LOCAL_SESSION_ID: &str = "source.local.sessionid";
    /// `local.includepattern` attribute.
    pub const SOURCE_LOCAL_INCLUDE_PATTERNS: &str = "source.local.includepatterns";
    /// `local.followpaths` attribute.
    pub const SOURCE_LOCAL_FOLLOW_PATHS: &str = "source.local.followpaths";
    /// `local.excludepatterns` attribute.
    pub const SOURCE_LOCAL_EXCLUDE_PATTERNS: &str = "source.local.excludepatterns";
    /// `local.sharedkeyhint` attribute.
    pub const SOURCE_LOCAL_SHARED_KEY_HINT: &str = "source.local.sharedkeyhint";
    /// `local.differ` attribute.
    pub const SOURCE_LOCAL_DIFFER: &str = "source.local.differ";
    /// Git sources.
    pub const SOURCE_GIT: &str = "source.git";
    /// `git.keepgitdir`.
    pub const SOURCE_GIT_KEEP_DIR: &str = "source.git.keepgitdir";
    /// `git.fullurl`.
    pub const SOURCE_GIT_FULL_URL: &str = "source.git.fullurl";
    /// HTTP sources.
    pub const SOURCE_HTTP: &str = "source.http";
    /// `http.checksum`.
    pub const SOURCE_HTTP_CHECKSUM: &str = "source.http.checksum";
    /// `http.perm`.
    pub const SOURCE_HTTP_PERM: &str = "source.http.perm";
    /// `http.uid` / `http.gid` — the typo is BuildKit's own, and it is the real cap id.
    pub const SOURCE_HTTP_UID_GID: &str = "soruce.http.uidgid";
    /// Exec ops.
    pub const EXEC_META_BASE: &str = "exec.meta.base";
    /// `Meta.proxy_env`.
    pub const EXEC_META_PROXY: &str = "exec.meta.proxyenv";
    /// `ExecOp.network`.
    pub const EXEC_META_NETWORK: &str = "exec.meta.network";
    /// `ExecOp.security`.
    pub const EXEC_META_SECURITY: &str = "exec.meta.security";
    /// Default PATH set by the daemon when the image has none.
    pub const EXEC_META_SETS_DEFAULT_PATH: &str = "exec.meta.setsdefaultpath";
    /// `Meta.ulimit`.
    pub const EXEC_META_ULIMIT: &str = "exec.meta.ulimit";
    /// `Meta.cgroupParent`.
    pub const EXEC_META_CGROUP_PARENT: &str = "exec.meta.cgroup.parent";
    /// `Meta.removeMountStubsRecursive` (never registered in BuildKit 0.13).
    pub const EXEC_META_REMOVE_MOUNT_STUBS_RECURSIVE: &str = "exec.meta.removemountstubs.recursive";
    /// `ExecOp.secretenv`.
    pub const EXEC_SECRET_ENV: &str = "exec.secretenv";
    /// `Meta.validExitCodes`.
    pub const EXEC_VALID_EXIT_CODE: &str = "exec.validexitcode";
    /// Bind mounts.
    pub const EXEC_MOUNT_BIND: &str = "exec.mount.bind";
    /// Writable bind mounts without an output.
    pub const EXEC_MOUNT_BIND_READ_WRITE_NO_OUTPUT: &str = "exec.mount.bind.readwrite-nooutput";
    /// Cache mounts.
    pub const EXEC_MOUNT_CACHE: &str = "exec.mount.cache";
    /// Cache mount sharing modes.
    pub const EXEC_MOUNT_CACHE_SHARING: &str = "exec.mount.cache.sharing";
    /// Mount selectors.
    pub const EXEC_MOUNT_SELECTOR: &str = "exec.mount.selector";
    /// tmpfs mounts.
    pub const EXEC_MOUNT_TMPFS: &str = "exec.mount.tmpfs";
    /// tmpfs mount size.
    pub const EXEC_MOUNT_TMPFS_SIZE: &str = "exec.mount.tmpfs.size";
    /// Secret mounts.
    pub const EXEC_MOUNT_SECRET: &str = "exec.mount.secret";
    /// SSH agent mounts.
    pub const EXEC_MOUNT_SSH: &str = "exec.mount.ssh";
    /// File ops.
    pub const FILE_BASE: &str = "file.base";
    /// Copy include/exclude patterns.
    pub const FILE_COPY_INCLUDE_EXCLUDE_PATTERNS: &str = "file.copy.includeexcludepatterns";
    /// Copy `required_paths` (absent on BuildKit 0.13).
    pub const FILE_COPY_REQUIRED_PATHS: &str = "file.copy.requiredpaths";
    /// Symbolic copy modes (absent on BuildKit 0.13).
    pub const FILE_COPY_MODE_STRING: &str = "file.copy.modestring";
    /// Worker constraints on ops.
    pub const CONSTRAINTS: &str = "constraints";
    /// Platform on ops.
    pub const PLATFORM: &str = "platform";
    /// `OpMetadata.ignore_cache`.
    pub const META_IGNORE_CACHE: &str = "meta.ignorecache";
    /// `OpMetadata.description`.
    pub const META_DESCRIPTION: &str = "meta.description";
    /// `OpMetadata.export_cache`.
    pub const META_EXPORT_CACHE: &str = "meta.exportcache";
    /// Merge ops (disabled on Docker's classic image store).
    pub const MERGE_OP: &str = "mergeop";
    /// Diff ops (disabled on Docker's classic image store).
    pub const DIFF_OP: &str = "diffop";
    /// `SOURCE_DATE_EPOCH` handled by the exporter.
    pub const EXPORTER_SOURCE_DATE_EPOCH: &str = "exporter.sourcedateepoch";
    /// Source policies on solve requests.
    pub const SOURCE_POLICY: &str = "source.policy";
}

/// What the daemon said about one capability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapState {
    /// Whether the feature may be used.
    pub enabled: bool,
    /// Why it is disabled, for error messages (empty when enabled).
    pub disabled_reason: String,
}

/// The capabilities of the gateway and of the LLB solver, as announced by `Ping`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Caps {
    frontend: BTreeMap<String, CapState>,
    llb: BTreeMap<String, CapState>,
    workers: Vec<WorkerRecord>,
}

impl Caps {
    /// Reads the caps from a `Ping` answer. Empty lists mean a daemon older than capabilities;
    /// like BuildKit's Go client, assume its frozen default set then.
    pub fn from_pong(pong: &PongResponse) -> Self {
        let frontend = if pong.frontend_api_caps.is_empty() {
            defaults(DEFAULT_FRONTEND_CAPS)
        } else {
            collect(&pong.frontend_api_caps)
        };
        let llb = if pong.llb_caps.is_empty() {
            defaults(DEFAULT_LLB_CAPS)
        } else {
            collect(&pong.llb_caps)
        };
        Self {
            frontend,
            llb,
            workers: pong.workers.clone(),
        }
    }

    /// Builds caps where exactly `names` are present and enabled (frontend and LLB alike); for tests
    /// and offline conversion.
    pub fn with_enabled<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let states: BTreeMap<String, CapState> = names
            .into_iter()
            .map(|name| (name.to_owned(), enabled_state()))
            .collect();
        Self {
            frontend: states.clone(),
            llb: states,
            workers: Vec::new(),
        }
    }

    /// True when `name` (a gateway or an LLB capability) is present **and** enabled.
    pub fn has(&self, name: &str) -> bool {
        self.has_frontend(name) || self.has_llb(name)
    }

    /// True when the gateway capability `name` is present and enabled.
    pub fn has_frontend(&self, name: &str) -> bool {
        self.frontend.get(name).is_some_and(|state| state.enabled)
    }

    /// True when the LLB capability `name` is present and enabled.
    pub fn has_llb(&self, name: &str) -> bool {
        self.llb.get(name).is_some_and(|state| state.enabled)
    }

    /// Why `name` cannot be used: the daemon's reason when it is disabled, a generic one when absent,
    /// `None` when it is usable.
    pub fn unavailable_reason(&self, name: &str) -> Option<String> {
        if self.has(name) {
            return None;
        }
        let state = self.frontend.get(name).or_else(|| self.llb.get(name));
        Some(match state {
            Some(state) if !state.disabled_reason.is_empty() => {
                format!("capability {name} is disabled: {}", state.disabled_reason)
            }
            Some(_) => format!("capability {name} is disabled by the daemon"),
            None => format!("capability {name} is not supported by the daemon"),
        })
    }

    /// Enabled gateway capability ids, sorted.
    pub fn enabled_frontend(&self) -> impl Iterator<Item = &str> {
        enabled(&self.frontend)
    }

    /// Enabled LLB capability ids, sorted.
    pub fn enabled_llb(&self) -> impl Iterator<Item = &str> {
        enabled(&self.llb)
    }

    /// The workers the daemon reported (the first one's first platform is the build platform).
    pub fn workers(&self) -> &[WorkerRecord] {
        &self.workers
    }
}

fn enabled(states: &BTreeMap<String, CapState>) -> impl Iterator<Item = &str> {
    states
        .iter()
        .filter(|(_, state)| state.enabled)
        .map(|(name, _)| name.as_str())
}

fn enabled_state() -> CapState {
    CapState {
        enabled: true,
        disabled_reason: String::new(),
    }
}

fn collect(caps: &[ApiCap]) -> BTreeMap<String, CapState> {
    caps.iter()
        .map(|cap| {
            let reason = if cap.disabled_reason_msg.is_empty() {
                cap.disabled_reason.clone()
            } else {
                cap.disabled_reason_msg.clone()
            };
            (
                cap.id.clone(),
                CapState {
                    enabled: cap.enabled,
                    disabled_reason: reason,
                },
            )
        })
        .collect()
}

fn defaults(names: &[&str]) -> BTreeMap<String, CapState> {
    names
        .iter()
        .map(|name| ((*name).to_owned(), enabled_state()))
        .collect()
}

/// What BuildKit's Go client assumes for a daemon that sends no gateway caps.
const DEFAULT_FRONTEND_CAPS: &[&str] = &[
    frontend::SOLVE_BASE,
    frontend::SOLVE_INLINE_RETURN,
    frontend::RESOLVE_IMAGE,
    frontend::READ_FILE,
];

/// What BuildKit's Go client assumes for a daemon that sends no LLB caps.
const DEFAULT_LLB_CAPS: &[&str] = &[
    llb::SOURCE_IMAGE,
    llb::SOURCE_LOCAL,
    llb::SOURCE_LOCAL_UNIQUE,
    llb::SOURCE_LOCAL_SESSION_ID,
    llb::SOURCE_LOCAL_INCLUDE_PATTERNS,
    llb::SOURCE_LOCAL_FOLLOW_PATHS,
    llb::SOURCE_LOCAL_EXCLUDE_PATTERNS,
    llb::SOURCE_LOCAL_SHARED_KEY_HINT,
    llb::SOURCE_GIT,
    llb::SOURCE_GIT_KEEP_DIR,
    llb::SOURCE_GIT_FULL_URL,
    llb::SOURCE_HTTP,
    llb::SOURCE_HTTP_CHECKSUM,
    llb::SOURCE_HTTP_PERM,
    llb::SOURCE_HTTP_UID_GID,
    "source.buildop.llbfilename",
    llb::EXEC_META_BASE,
    llb::EXEC_META_PROXY,
    llb::EXEC_MOUNT_BIND,
    llb::EXEC_MOUNT_CACHE,
    llb::EXEC_MOUNT_CACHE_SHARING,
    llb::EXEC_MOUNT_SELECTOR,
    llb::EXEC_MOUNT_TMPFS,
    llb::EXEC_MOUNT_SECRET,
    llb::CONSTRAINTS,
    llb::PLATFORM,
    llb::META_IGNORE_CACHE,
    llb::META_DESCRIPTION,
    llb::META_EXPORT_CACHE,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(id: &str, enabled: bool, reason: &str) -> ApiCap {
        ApiCap {
            id: id.to_owned(),
            enabled,
            disabled_reason_msg: reason.to_owned(),
            ..ApiCap::default()
        }
    }

    #[test]
    fn has_requires_presence_and_enabled() {
        let pong = PongResponse {
            frontend_api_caps: vec![cap(frontend::READ_FILE, true, "")],
            llb_caps: vec![
                cap(llb::FILE_BASE, true, ""),
                cap(
                    llb::MERGE_OP,
                    false,
                    "only enabled with containerd image store backend",
                ),
            ],
            workers: Vec::new(),
        };
        let caps = Caps::from_pong(&pong);
        assert!(caps.has(frontend::READ_FILE));
        assert!(caps.has(llb::FILE_BASE));
        assert!(!caps.has(llb::MERGE_OP));
        assert!(!caps.has(llb::FILE_COPY_MODE_STRING));
        assert!(
            caps.unavailable_reason(llb::MERGE_OP)
                .is_some_and(|reason| reason.contains("containerd image store"))
        );
        assert!(caps.unavailable_reason(llb::FILE_BASE).is_none());
    }

    #[test]
    fn empty_pong_means_default_set() {
        let caps = Caps::from_pong(&PongResponse::default());
        assert!(caps.has(frontend::READ_FILE));
        assert!(caps.has(llb::SOURCE_LOCAL));
        assert!(!caps.has(frontend::GATEWAY_WARNINGS));
    }
}
