//! LLB capability ids (`solver/pb/caps.go`), declared in `OpMetadata.caps`.
//!
//! BuildKit refuses a definition whose ops declare a cap it does not support, so builders declare
//! exactly the caps their features need. Ids marked "after v0.13" are unknown to Docker 26.1's
//! engine: the frontend must check the Ping caps before using those features.

/// Image source ops.
pub const SOURCE_IMAGE: &str = "source.image";
/// `image.resolvemode=pull` on an image source.
pub const SOURCE_IMAGE_RESOLVE_MODE: &str = "source.image.resolvemode";
/// `image.layerlimit` on an image source.
pub const SOURCE_IMAGE_LAYER_LIMIT: &str = "source.image.layerlimit";
/// `image.checksum` on an image source (after v0.13).
pub const SOURCE_IMAGE_CHECKSUM: &str = "source.image.checksum";
/// Local source ops.
pub const SOURCE_LOCAL: &str = "source.local";
/// `local.unique` on a local source.
pub const SOURCE_LOCAL_UNIQUE: &str = "source.local.unique";
/// `local.session` on a local source.
pub const SOURCE_LOCAL_SESSION_ID: &str = "source.local.sessionid";
/// `local.includepattern` on a local source.
pub const SOURCE_LOCAL_INCLUDE_PATTERNS: &str = "source.local.includepatterns";
/// `local.followpaths` on a local source.
pub const SOURCE_LOCAL_FOLLOW_PATHS: &str = "source.local.followpaths";
/// `local.excludepatterns` on a local source.
pub const SOURCE_LOCAL_EXCLUDE_PATTERNS: &str = "source.local.excludepatterns";
/// `local.sharedkeyhint` on a local source.
pub const SOURCE_LOCAL_SHARED_KEY_HINT: &str = "source.local.sharedkeyhint";
/// A required `local.differ` on a local source.
pub const SOURCE_LOCAL_DIFFER: &str = "source.local.differ";
/// Git source ops.
pub const SOURCE_GIT: &str = "source.git";
/// `git.keepgitdir`.
pub const SOURCE_GIT_KEEP_DIR: &str = "source.git.keepgitdir";
/// `git.fullurl`.
pub const SOURCE_GIT_FULL_URL: &str = "source.git.fullurl";
/// Git HTTP auth secrets.
pub const SOURCE_GIT_HTTP_AUTH: &str = "source.git.httpauth";
/// `git.knownsshhosts`.
pub const SOURCE_GIT_KNOWN_SSH_HOSTS: &str = "source.git.knownsshhosts";
/// `git.mountsshsock`.
pub const SOURCE_GIT_MOUNT_SSH_SOCK: &str = "source.git.mountsshsock";
/// A `:subdir` in the git fragment.
pub const SOURCE_GIT_SUBDIR: &str = "source.git.subdir";
/// `git.checksum` (after v0.13).
pub const SOURCE_GIT_CHECKSUM: &str = "source.git.checksum";
/// HTTP source ops.
pub const SOURCE_HTTP: &str = "source.http";
/// `http.checksum`.
pub const SOURCE_HTTP_CHECKSUM: &str = "source.http.checksum";
/// `http.perm`.
pub const SOURCE_HTTP_PERM: &str = "source.http.perm";
/// `http.uid` / `http.gid`; the misspelling is BuildKit's real cap id.
pub const SOURCE_HTTP_UID_GID: &str = "soruce.http.uidgid";
/// OCI layout source ops.
pub const SOURCE_OCI_LAYOUT: &str = "source.ocilayout";

/// Every exec op.
pub const EXEC_META_BASE: &str = "exec.meta.base";
/// `Meta.cgroup_parent`.
pub const EXEC_META_CGROUP_PARENT: &str = "exec.meta.cgroup.parent";
/// A network mode other than sandbox.
pub const EXEC_META_NETWORK: &str = "exec.meta.network";
/// `Meta.proxy_env`.
pub const EXEC_META_PROXY: &str = "exec.meta.proxyenv";
/// A security mode other than sandbox.
pub const EXEC_META_SECURITY: &str = "exec.meta.security";
/// The daemon adds a default `PATH` itself.
pub const EXEC_META_SETS_DEFAULT_PATH: &str = "exec.meta.setsdefaultpath";
/// `Meta.ulimit`.
pub const EXEC_META_ULIMIT: &str = "exec.meta.ulimit";
/// Declared in v0.13 but never registered there: never list it in an op's caps for that engine.
pub const EXEC_META_REMOVE_MOUNT_STUBS_RECURSIVE: &str = "exec.meta.removemountstubs.recursive";
/// Bind mounts from another op's output.
pub const EXEC_MOUNT_BIND: &str = "exec.mount.bind";
/// A read-write bind mount whose changes are discarded.
pub const EXEC_MOUNT_BIND_READ_WRITE_NO_OUTPUT: &str = "exec.mount.bind.readwrite-nooutput";
/// Cache mounts.
pub const EXEC_MOUNT_CACHE: &str = "exec.mount.cache";
/// Cache mount sharing modes.
pub const EXEC_MOUNT_CACHE_SHARING: &str = "exec.mount.cache.sharing";
/// A mount selector (subpath of the source).
pub const EXEC_MOUNT_SELECTOR: &str = "exec.mount.selector";
/// Tmpfs mounts.
pub const EXEC_MOUNT_TMPFS: &str = "exec.mount.tmpfs";
/// Tmpfs size limits.
pub const EXEC_MOUNT_TMPFS_SIZE: &str = "exec.mount.tmpfs.size";
/// Secret mounts.
pub const EXEC_MOUNT_SECRET: &str = "exec.mount.secret";
/// SSH agent mounts.
pub const EXEC_MOUNT_SSH: &str = "exec.mount.ssh";
/// A non-default content cache mode on a mount.
pub const EXEC_MOUNT_CONTENT_CACHE: &str = "exec.mount.cache.content";
/// Secrets exposed as environment variables.
pub const EXEC_SECRET_ENV: &str = "exec.secretenv";
/// `Meta.valid_exit_codes` (after v0.13).
pub const EXEC_VALID_EXIT_CODE: &str = "exec.validexitcode";

/// Every file op.
pub const FILE_BASE: &str = "file.base";
/// Wildcards in `rm`.
pub const FILE_RM_WILDCARD: &str = "file.rm.wildcard";
/// Include/exclude patterns on copy.
pub const FILE_COPY_INCLUDE_EXCLUDE_PATTERNS: &str = "file.copy.includeexcludepatterns";
/// `required_paths` on copy (after v0.13).
pub const FILE_COPY_REQUIRED_PATHS: &str = "file.copy.requiredpaths";
/// `always_replace_existing_dest_paths` on copy (after v0.13).
pub const FILE_COPY_ALWAYS_REPLACE_EXISTING_DEST_PATHS: &str =
    "file.copy.alwaysreplaceexistingdestpaths";
/// Symbolic `mode_str` on copy (after v0.13).
pub const FILE_COPY_MODE_STRING: &str = "file.copy.modestring";
/// Symlink creation (after v0.13).
pub const FILE_SYMLINK_CREATE: &str = "file.symlink.create";

/// Worker constraints on ops (declared by the terminal op).
pub const CONSTRAINTS: &str = "constraints";
/// Platforms on ops (declared by the terminal op).
pub const PLATFORM: &str = "platform";
/// `OpMetadata.ignore_cache` used somewhere in the definition.
pub const META_IGNORE_CACHE: &str = "meta.ignorecache";
/// `OpMetadata.description` used somewhere in the definition.
pub const META_DESCRIPTION: &str = "meta.description";
/// `OpMetadata.export_cache` used somewhere in the definition.
pub const META_EXPORT_CACHE: &str = "meta.exportcache";
/// Merge ops (disabled on Docker's classic image store).
pub const MERGE_OP: &str = "mergeop";
/// Diff ops (disabled on Docker's classic image store).
pub const DIFF_OP: &str = "diffop";
