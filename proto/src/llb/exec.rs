//! Exec ops: run a process over a root filesystem and mounts (`client/llb/exec.go`).

use std::collections::BTreeSet;
use std::sync::Arc;

use super::{OpBuilder, OpOptions, Output, Vertex, build_vertex, caps, input_index};
use crate::ops;

/// A bind mount of another op's output (or of scratch).
#[derive(Clone, Debug, Default)]
pub struct BindMount {
    /// The mounted filesystem; `None` is scratch.
    pub source: Option<Output>,
    /// Subpath of the source to mount.
    pub selector: String,
    /// Mount read-only (no output).
    pub readonly: bool,
    /// Writable, but changes are thrown away (no output; `exec.mount.bind.readwrite-nooutput`).
    pub discard_output: bool,
    /// Content-based cache checksums for this mount.
    pub content_cache: ops::MountContentCache,
}

impl BindMount {
    /// A writable bind mount of `source`, whose changes become an output of the exec.
    pub fn new(source: Option<Output>) -> Self {
        Self {
            source,
            ..Self::default()
        }
    }

    /// A read-only bind mount of `source`.
    pub fn readonly(source: Option<Output>) -> Self {
        Self {
            source,
            readonly: true,
            ..Self::default()
        }
    }

    /// Mounts only `selector` of the source.
    #[must_use]
    pub fn selector(mut self, selector: impl Into<String>) -> Self {
        self.selector = selector.into();
        self
    }
}

/// A persistent cache directory shared between builds.
#[derive(Clone, Debug, Default)]
pub struct CacheMount {
    /// Cache id; mounts with the same id share content.
    pub id: String,
    /// Concurrent-use policy.
    pub sharing: ops::CacheSharingOpt,
    /// Initial content when the cache is empty; `None` is scratch.
    pub source: Option<Output>,
    /// Subpath of the source.
    pub selector: String,
}

impl CacheMount {
    /// A cache mount with `id` and `sharing`, starting empty.
    pub fn new(id: impl Into<String>, sharing: ops::CacheSharingOpt) -> Self {
        Self {
            id: id.into(),
            sharing,
            ..Self::default()
        }
    }
}

/// A tmpfs mount.
#[derive(Clone, Copy, Debug, Default)]
pub struct TmpfsMount {
    /// Size limit in bytes; 0 is the daemon default.
    pub size: i64,
}

/// A secret file from the client session.
#[derive(Clone, Debug)]
pub struct SecretMount {
    /// Secret id.
    pub id: String,
    /// Owner uid.
    pub uid: u32,
    /// Owner gid.
    pub gid: u32,
    /// File mode (default `0o400`).
    pub mode: u32,
    /// Do not fail when the client has no such secret.
    pub optional: bool,
}

impl SecretMount {
    /// A required secret `id`, mode `0o400`, owned by root.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            uid: 0,
            gid: 0,
            mode: 0o400,
            optional: false,
        }
    }
}

/// An SSH agent socket forwarded from the client.
#[derive(Clone, Debug)]
pub struct SshMount {
    /// Agent id (`default` unless the client named several).
    pub id: String,
    /// Owner uid.
    pub uid: u32,
    /// Owner gid.
    pub gid: u32,
    /// Socket mode (default `0o600`).
    pub mode: u32,
    /// Do not fail when the client forwards no such agent.
    pub optional: bool,
}

impl SshMount {
    /// A required agent `id`, mode `0o600`, owned by root.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            uid: 0,
            gid: 0,
            mode: 0o600,
            optional: false,
        }
    }
}

/// Any mount of an exec op other than its root.
#[derive(Clone, Debug)]
pub enum Mount {
    /// See [`BindMount`].
    Bind(BindMount),
    /// See [`CacheMount`].
    Cache(CacheMount),
    /// See [`TmpfsMount`].
    Tmpfs(TmpfsMount),
    /// See [`SecretMount`].
    Secret(SecretMount),
    /// See [`SshMount`].
    Ssh(SshMount),
}

impl From<BindMount> for Mount {
    fn from(mount: BindMount) -> Self {
        Self::Bind(mount)
    }
}

impl From<CacheMount> for Mount {
    fn from(mount: CacheMount) -> Self {
        Self::Cache(mount)
    }
}

impl From<TmpfsMount> for Mount {
    fn from(mount: TmpfsMount) -> Self {
        Self::Tmpfs(mount)
    }
}

impl From<SecretMount> for Mount {
    fn from(mount: SecretMount) -> Self {
        Self::Secret(mount)
    }
}

impl From<SshMount> for Mount {
    fn from(mount: SshMount) -> Self {
        Self::Ssh(mount)
    }
}

/// Builder of an exec op.
///
/// The root mount (`/`) is always writable and is output 0. Other mounts are sorted by
/// destination like BuildKit's client does; writable bind mounts get the next output indexes,
/// everything else has none. Secret and SSH mounts follow, in the order added.
#[derive(Clone, Debug)]
pub struct Exec {
    root: Option<Output>,
    meta: ops::Meta,
    network: ops::NetMode,
    security: ops::SecurityMode,
    mounts: Vec<(String, Mount)>,
    secret_env: Vec<ops::SecretEnv>,
    options: OpOptions,
}

impl OpBuilder for Exec {
    fn options_mut(&mut self) -> &mut OpOptions {
        &mut self.options
    }
}

impl Exec {
    /// Runs `args` over `root` (`None` is scratch), cwd `/`, with
    /// `removeMountStubsRecursive` set as BuildKit's client always does.
    pub fn new<I, S>(root: Option<Output>, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            root,
            meta: ops::Meta {
                args: args.into_iter().map(Into::into).collect(),
                cwd: "/".to_owned(),
                remove_mount_stubs_recursive: true,
                ..ops::Meta::default()
            },
            network: ops::NetMode::Unset,
            security: ops::SecurityMode::Sandbox,
            mounts: Vec::new(),
            secret_env: Vec::new(),
            options: OpOptions::default(),
        }
    }

    /// Sets `key=value`, replacing an earlier value of `key` (the new entry goes last).
    #[must_use]
    pub fn env(mut self, key: &str, value: &str) -> Self {
        let prefix = format!("{key}=");
        self.meta.env.retain(|entry| !entry.starts_with(&prefix));
        self.meta.env.push(format!("{key}={value}"));
        self
    }

    /// Replaces the whole environment with `KEY=value` entries.
    #[must_use]
    pub fn envs<I, S>(mut self, entries: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.meta.env = entries.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the working directory.
    #[must_use]
    pub fn cwd(mut self, cwd: impl Into<String>) -> Self {
        self.meta.cwd = cwd.into();
        self
    }

    /// Sets the user (`name`, `uid`, `uid:gid`, …).
    #[must_use]
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.meta.user = user.into();
        self
    }

    /// Sets the hostname.
    #[must_use]
    pub fn hostname(mut self, hostname: impl Into<String>) -> Self {
        self.meta.hostname = hostname.into();
        self
    }

    /// Adds an `/etc/hosts` entry.
    #[must_use]
    pub fn extra_host(mut self, host: impl Into<String>, ip: impl Into<String>) -> Self {
        self.meta.extra_hosts.push(ops::HostIp {
            host: host.into(),
            ip: ip.into(),
        });
        self
    }

    /// Adds a ulimit (`nofile`, soft, hard).
    #[must_use]
    pub fn ulimit(mut self, name: impl Into<String>, soft: i64, hard: i64) -> Self {
        self.meta.ulimit.push(ops::Ulimit {
            name: name.into(),
            soft,
            hard,
        });
        self
    }

    /// Sets the cgroup parent.
    #[must_use]
    pub fn cgroup_parent(mut self, parent: impl Into<String>) -> Self {
        self.meta.cgroup_parent = parent.into();
        self
    }

    /// Sets proxy variables that do not bust the cache.
    #[must_use]
    pub fn proxy_env(mut self, proxy: ops::ProxyEnv) -> Self {
        self.meta.proxy_env = Some(proxy);
        self
    }

    /// Sets whether mount stubs are removed recursively (default `true`).
    #[must_use]
    pub fn remove_mount_stubs_recursive(mut self, remove: bool) -> Self {
        self.meta.remove_mount_stubs_recursive = remove;
        self
    }

    /// Exit codes counted as success (cap after v0.13).
    #[must_use]
    pub fn valid_exit_codes(mut self, codes: Vec<i32>) -> Self {
        self.meta.valid_exit_codes = codes;
        self
    }

    /// Sets the network mode.
    #[must_use]
    pub fn network(mut self, network: ops::NetMode) -> Self {
        self.network = network;
        self
    }

    /// Sets the security mode.
    #[must_use]
    pub fn security(mut self, security: ops::SecurityMode) -> Self {
        self.security = security;
        self
    }

    /// Mounts `mount` at `dest`.
    #[must_use]
    pub fn mount(mut self, dest: impl Into<String>, mount: impl Into<Mount>) -> Self {
        self.mounts.push((dest.into(), mount.into()));
        self
    }

    /// Exposes secret `id` as environment variable `name`.
    #[must_use]
    pub fn secret_env(
        mut self,
        id: impl Into<String>,
        name: impl Into<String>,
        optional: bool,
    ) -> Self {
        self.secret_env.push(ops::SecretEnv {
            id: id.into(),
            name: name.into(),
            optional,
        });
        self
    }

    /// Builds the op.
    pub fn build(self) -> ExecOutputs {
        let Self {
            root,
            mut meta,
            network,
            security,
            mounts,
            secret_env,
            options,
        } = self;
        let mut caps: BTreeSet<&str> = BTreeSet::from([caps::EXEC_META_BASE]);

        // Filesystem mounts (root, bind, cache, tmpfs) are sorted by destination; secrets and
        // SSH sockets come after, in the order given, as in BuildKit's client.
        let mut fs_mounts = vec![("/".to_owned(), FsMount::Bind(BindMount::new(root)))];
        let mut secret_mounts = Vec::new();
        let mut ssh_mounts = Vec::new();
        for (dest, mount) in mounts {
            match mount {
                Mount::Secret(secret) => secret_mounts.push((dest, secret)),
                Mount::Ssh(ssh) => ssh_mounts.push((dest, ssh)),
                Mount::Bind(bind) => fs_mounts.push((dest, FsMount::Bind(bind))),
                Mount::Cache(cache) => fs_mounts.push((dest, FsMount::Cache(cache))),
                Mount::Tmpfs(tmpfs) => fs_mounts.push((dest, FsMount::Tmpfs(tmpfs))),
            }
        }
        fs_mounts.sort_by(|a, b| a.0.cmp(&b.0));

        if let Some((first_ssh, _)) = ssh_mounts.first()
            && !meta
                .env
                .iter()
                .any(|entry| entry.starts_with("SSH_AUTH_SOCK="))
        {
            meta.env.push(format!("SSH_AUTH_SOCK={first_ssh}"));
        }

        let mut inputs: Vec<Output> = Vec::new();
        let mut pb_mounts = Vec::new();
        let mut outputs = Vec::new();
        let mut next_output = 0_i64;
        for (dest, mount) in fs_mounts {
            let mut pb_mount = ops::Mount {
                dest: dest.clone(),
                input: -1,
                output: -1,
                ..ops::Mount::default()
            };
            let (source, selector) = match mount {
                FsMount::Bind(bind) => {
                    if bind.source.is_some() {
                        caps.insert(caps::EXEC_MOUNT_BIND);
                    }
                    if bind.content_cache != ops::MountContentCache::Default {
                        caps.insert(caps::EXEC_MOUNT_CONTENT_CACHE);
                    }
                    pb_mount.readonly = bind.readonly;
                    pb_mount.content_cache = bind.content_cache as i32;
                    if !bind.readonly {
                        if bind.discard_output {
                            caps.insert(caps::EXEC_MOUNT_BIND_READ_WRITE_NO_OUTPUT);
                        } else {
                            pb_mount.output = next_output;
                            outputs.push((dest, next_output));
                            next_output += 1;
                        }
                    }
                    (bind.source, bind.selector)
                }
                FsMount::Cache(cache) => {
                    caps.insert(caps::EXEC_MOUNT_CACHE);
                    caps.insert(caps::EXEC_MOUNT_CACHE_SHARING);
                    pb_mount.mount_type = ops::MountType::Cache as i32;
                    pb_mount.cache_opt = Some(ops::CacheOpt {
                        id: cache.id,
                        sharing: cache.sharing as i32,
                    });
                    (cache.source, cache.selector)
                }
                FsMount::Tmpfs(tmpfs) => {
                    caps.insert(caps::EXEC_MOUNT_TMPFS);
                    if tmpfs.size > 0 {
                        caps.insert(caps::EXEC_MOUNT_TMPFS_SIZE);
                    }
                    pb_mount.mount_type = ops::MountType::Tmpfs as i32;
                    pb_mount.tmpfs_opt = Some(ops::TmpfsOpt { size: tmpfs.size });
                    (None, String::new())
                }
            };
            if !selector.is_empty() {
                caps.insert(caps::EXEC_MOUNT_SELECTOR);
            }
            pb_mount.selector = selector;
            if let Some(source) = &source {
                pb_mount.input = input_index(&mut inputs, source);
            }
            pb_mounts.push(pb_mount);
        }

        if !secret_mounts.is_empty() {
            caps.insert(caps::EXEC_MOUNT_SECRET);
        }
        for (dest, secret) in secret_mounts {
            pb_mounts.push(ops::Mount {
                dest,
                input: -1,
                output: -1,
                mount_type: ops::MountType::Secret as i32,
                secret_opt: Some(ops::SecretOpt {
                    id: secret.id,
                    uid: secret.uid,
                    gid: secret.gid,
                    mode: secret.mode,
                    optional: secret.optional,
                }),
                ..ops::Mount::default()
            });
        }
        if !ssh_mounts.is_empty() {
            caps.insert(caps::EXEC_MOUNT_SSH);
        }
        for (dest, ssh) in ssh_mounts {
            pb_mounts.push(ops::Mount {
                dest,
                input: -1,
                output: -1,
                mount_type: ops::MountType::Ssh as i32,
                ssh_opt: Some(ops::SshOpt {
                    id: ssh.id,
                    uid: ssh.uid,
                    gid: ssh.gid,
                    mode: ssh.mode,
                    optional: ssh.optional,
                }),
                ..ops::Mount::default()
            });
        }
        if !secret_env.is_empty() {
            caps.insert(caps::EXEC_MOUNT_SECRET);
            caps.insert(caps::EXEC_SECRET_ENV);
        }

        if network != ops::NetMode::Unset {
            caps.insert(caps::EXEC_META_NETWORK);
        }
        if security != ops::SecurityMode::Sandbox {
            caps.insert(caps::EXEC_META_SECURITY);
        }
        if meta.proxy_env.is_some() {
            caps.insert(caps::EXEC_META_PROXY);
        }
        if !meta.ulimit.is_empty() {
            caps.insert(caps::EXEC_META_ULIMIT);
        }
        if !meta.cgroup_parent.is_empty() {
            caps.insert(caps::EXEC_META_CGROUP_PARENT);
        }
        if !meta.valid_exit_codes.is_empty() {
            caps.insert(caps::EXEC_VALID_EXIT_CODE);
        }
        // `removeMountStubsRecursive` is sent without its cap on purpose: v0.13 declares the cap
        // but never registers it, and older daemons simply ignore the field.

        let body = ops::op::Op::Exec(ops::ExecOp {
            meta: Some(meta),
            mounts: pb_mounts,
            network: network as i32,
            security: security as i32,
            secretenv: secret_env,
            cdi_devices: Vec::new(),
        });
        let vertex = build_vertex(body, inputs, true, options, &caps);
        ExecOutputs { vertex, outputs }
    }
}

/// The mounts that take part in the destination sort and may have inputs.
enum FsMount {
    Bind(BindMount),
    Cache(CacheMount),
    Tmpfs(TmpfsMount),
}

/// A built exec op and the outputs of its writable mounts.
#[derive(Clone, Debug)]
pub struct ExecOutputs {
    vertex: Arc<Vertex>,
    outputs: Vec<(String, i64)>,
}

impl ExecOutputs {
    /// The root filesystem after the command ran (output 0).
    pub fn root(&self) -> Output {
        Output::new(Arc::clone(&self.vertex), 0)
    }

    /// The writable mount at `dest` after the command ran, if it has an output.
    pub fn output(&self, dest: &str) -> Option<Output> {
        self.outputs
            .iter()
            .find(|(mounted, _)| mounted == dest)
            .map(|&(_, index)| Output::new(Arc::clone(&self.vertex), index))
    }

    /// The exec vertex.
    pub fn vertex(&self) -> &Arc<Vertex> {
        &self.vertex
    }
}
