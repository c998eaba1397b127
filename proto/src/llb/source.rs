//! Source ops: images, local directories, git repositories, HTTP files (`client/llb/source.go`).

use std::collections::{BTreeMap, BTreeSet};

use super::{OpBuilder, OpOptions, Output, build_vertex, caps, clean_path, go_json_strings};
use crate::ops;

/// How an image reference is resolved (`image.resolvemode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResolveMode {
    /// Daemon default; no attribute is written.
    #[default]
    Default,
    /// Always check the registry (`pull`).
    Pull,
    /// Prefer the local image store (`local`), what buildx asks for with the docker driver.
    Local,
}

/// How a local source detects changes (`local.differ`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Differ {
    /// Transfer everything (`none`).
    None,
    /// Compare metadata only (`metadata`).
    Metadata,
}

/// A raw source op: any identifier with any attributes. The typed builders below produce these;
/// use it directly for schemes they do not cover (e.g. `oci-layout://`).
#[derive(Clone, Debug)]
pub struct Source {
    identifier: String,
    attrs: BTreeMap<String, String>,
    caps: BTreeSet<&'static str>,
    options: OpOptions,
}

impl Source {
    /// A source op with `identifier` and no attributes.
    pub fn new(identifier: impl Into<String>) -> Self {
        Self {
            identifier: identifier.into(),
            attrs: BTreeMap::new(),
            caps: BTreeSet::new(),
            options: OpOptions::default(),
        }
    }

    /// Sets an attribute.
    #[must_use]
    pub fn attr(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.attrs.insert(key.into(), value.into());
        self
    }

    fn require(&mut self, cap: &'static str) {
        self.caps.insert(cap);
    }

    /// Builds the op. Only `docker-image://` and `oci-layout://` sources keep a platform.
    pub fn build(self) -> Output {
        let keep_platform = self.identifier.starts_with("docker-image://")
            || self.identifier.starts_with("oci-layout://");
        let body = ops::op::Op::Source(ops::SourceOp {
            identifier: self.identifier,
            attrs: self.attrs,
        });
        Output::new(
            build_vertex(body, Vec::new(), keep_platform, self.options, &self.caps),
            0,
        )
    }
}

impl OpBuilder for Source {
    fn options_mut(&mut self) -> &mut OpOptions {
        &mut self.options
    }
}

macro_rules! source_builder {
    ($name:ident) => {
        impl OpBuilder for $name {
            fn options_mut(&mut self) -> &mut OpOptions {
                &mut self.0.options
            }
        }

        impl $name {
            /// Sets an attribute the typed setters do not cover.
            #[must_use]
            pub fn attr(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
                self.0 = self.0.attr(key, value);
                self
            }
        }
    };
}

/// `docker-image://<ref>`: a container image as the root filesystem.
#[derive(Clone, Debug)]
pub struct Image(Source);

source_builder!(Image);

impl Image {
    /// An image source for an already normalized reference
    /// (`docker.io/library/alpine:3.20`, optionally `@sha256:…`).
    pub fn new(reference: &str) -> Self {
        let mut source = Source::new(format!("docker-image://{reference}"));
        source.require(caps::SOURCE_IMAGE);
        Self(source)
    }

    /// Sets `image.resolvemode`; `pull` also declares its cap, as BuildKit's client does.
    #[must_use]
    pub fn resolve_mode(mut self, mode: ResolveMode) -> Self {
        let value = match mode {
            ResolveMode::Default => {
                self.0.attrs.remove("image.resolvemode");
                return self;
            }
            ResolveMode::Pull => {
                self.0.require(caps::SOURCE_IMAGE_RESOLVE_MODE);
                "pull"
            }
            ResolveMode::Local => "local",
        };
        self.attr("image.resolvemode", value)
    }

    /// Sets `image.recordtype` (e.g. `internal` for images the frontend itself needs).
    #[must_use]
    pub fn record_type(self, record_type: &str) -> Self {
        self.attr("image.recordtype", record_type)
    }

    /// Sets `image.layerlimit`.
    #[must_use]
    pub fn layer_limit(mut self, limit: u32) -> Self {
        self.0.require(caps::SOURCE_IMAGE_LAYER_LIMIT);
        self.attr("image.layerlimit", limit.to_string())
    }

    /// Sets `image.checksum` (cap after v0.13).
    #[must_use]
    pub fn checksum(mut self, digest: &str) -> Self {
        self.0.require(caps::SOURCE_IMAGE_CHECKSUM);
        self.attr("image.checksum", digest)
    }

    /// Builds the op.
    pub fn build(self) -> Output {
        self.0.build()
    }
}

/// `local://<name>`: a directory of the client (build context, Dockerfile directory).
#[derive(Clone, Debug)]
pub struct Local {
    source: Source,
    unique_id: String,
}

impl OpBuilder for Local {
    fn options_mut(&mut self) -> &mut OpOptions {
        &mut self.source.options
    }
}

impl Local {
    /// A local source named `name` (`context`, `dockerfile`, …).
    pub fn new(name: &str) -> Self {
        let mut source = Source::new(format!("local://{name}"));
        source.require(caps::SOURCE_LOCAL);
        Self {
            source,
            unique_id: String::new(),
        }
    }

    fn set(mut self, key: &str, value: String, cap: &'static str) -> Self {
        self.source.require(cap);
        self.source.attrs.insert(key.to_owned(), value);
        self
    }

    /// Sets `local.session`, the client session holding the directory.
    #[must_use]
    pub fn session_id(self, id: &str) -> Self {
        self.set(
            "local.session",
            id.to_owned(),
            caps::SOURCE_LOCAL_SESSION_ID,
        )
    }

    /// Sets `local.unique`, used only when there is no session id.
    #[must_use]
    pub fn unique_id(mut self, id: &str) -> Self {
        id.clone_into(&mut self.unique_id);
        self
    }

    /// Sets `local.includepattern` (JSON array).
    #[must_use]
    pub fn include_patterns<S: AsRef<str>>(self, patterns: &[S]) -> Self {
        self.set(
            "local.includepattern",
            go_json_strings(patterns),
            caps::SOURCE_LOCAL_INCLUDE_PATTERNS,
        )
    }

    /// Sets `local.excludepatterns` (JSON array, `.dockerignore` syntax).
    #[must_use]
    pub fn exclude_patterns<S: AsRef<str>>(self, patterns: &[S]) -> Self {
        self.set(
            "local.excludepatterns",
            go_json_strings(patterns),
            caps::SOURCE_LOCAL_EXCLUDE_PATTERNS,
        )
    }

    /// Sets `local.followpaths` (JSON array): only these paths are transferred.
    #[must_use]
    pub fn follow_paths<S: AsRef<str>>(self, paths: &[S]) -> Self {
        self.set(
            "local.followpaths",
            go_json_strings(paths),
            caps::SOURCE_LOCAL_FOLLOW_PATHS,
        )
    }

    /// Sets `local.sharedkeyhint`, which lets transfers of the same directory share cache.
    #[must_use]
    pub fn shared_key_hint(self, hint: &str) -> Self {
        self.set(
            "local.sharedkeyhint",
            hint.to_owned(),
            caps::SOURCE_LOCAL_SHARED_KEY_HINT,
        )
    }

    /// Sets `local.differ`; `required` also declares its cap.
    #[must_use]
    pub fn differ(mut self, differ: Differ, required: bool) -> Self {
        if required {
            self.source.require(caps::SOURCE_LOCAL_DIFFER);
        }
        let value = match differ {
            Differ::None => "none",
            Differ::Metadata => "metadata",
        };
        self.source
            .attrs
            .insert("local.differ".to_owned(), value.to_owned());
        self
    }

    /// Sets an attribute the typed setters do not cover.
    #[must_use]
    pub fn attr(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.source = self.source.attr(key, value);
        self
    }

    /// Builds the op. Without a session id, BuildKit's client writes `local.unique`; so do we.
    pub fn build(mut self) -> Output {
        if !self.source.attrs.contains_key("local.session") {
            self.source
                .attrs
                .insert("local.unique".to_owned(), self.unique_id);
            self.source.require(caps::SOURCE_LOCAL_UNIQUE);
        }
        self.source.build()
    }
}

/// `git://<host>/<path>[#<ref>[:<subdir>]]`: a git checkout.
#[derive(Clone, Debug)]
pub struct Git(Source);

source_builder!(Git);

impl Git {
    /// A git source for `remote` (`https://…`, `ssh://…`, `git@host:path`, or a bare
    /// `host/path`, taken as https) and an optional fragment `ref[:subdir]`.
    ///
    /// Like BuildKit, the identifier keeps only host and path, so https and ssh remotes of the
    /// same repository share cache; the full URL goes into `git.fullurl`. The default auth
    /// secret names `GIT_AUTH_TOKEN` / `GIT_AUTH_HEADER` are always written.
    pub fn new(remote: &str, fragment: Option<&str>) -> Self {
        let parsed = GitRemote::parse(remote);
        let mut identifier = format!(
            "git://{}{}",
            parsed.host,
            clean_path(&format!("/{}", parsed.path))
        );
        if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
            identifier.push('#');
            identifier.push_str(fragment);
        }
        let mut source = Source::new(identifier)
            .attr("git.authtokensecret", "GIT_AUTH_TOKEN")
            .attr("git.authheadersecret", "GIT_AUTH_HEADER")
            .attr("git.fullurl", parsed.full_url);
        source.require(caps::SOURCE_GIT);
        source.require(caps::SOURCE_GIT_FULL_URL);
        if fragment.is_some_and(|f| f.contains(':')) {
            source.require(caps::SOURCE_GIT_SUBDIR);
        }
        if parsed.ssh {
            source = source.attr("git.mountsshsock", "default");
            source.require(caps::SOURCE_GIT_KNOWN_SSH_HOSTS);
            source.require(caps::SOURCE_GIT_MOUNT_SSH_SOCK);
        }
        Self(source)
    }

    /// Keeps the `.git` directory (`git.keepgitdir`).
    #[must_use]
    pub fn keep_git_dir(mut self) -> Self {
        self.0.require(caps::SOURCE_GIT_KEEP_DIR);
        self.attr("git.keepgitdir", "true")
    }

    /// Names the secret holding an auth token (declares `source.git.httpauth`).
    #[must_use]
    pub fn auth_token_secret(mut self, secret: &str) -> Self {
        self.0.require(caps::SOURCE_GIT_HTTP_AUTH);
        self.attr("git.authtokensecret", secret)
    }

    /// Names the secret holding an auth header (declares `source.git.httpauth`).
    #[must_use]
    pub fn auth_header_secret(mut self, secret: &str) -> Self {
        self.0.require(caps::SOURCE_GIT_HTTP_AUTH);
        self.attr("git.authheadersecret", secret)
    }

    /// Sets `git.knownsshhosts` (ssh remotes).
    #[must_use]
    pub fn known_ssh_hosts(mut self, hosts: &str) -> Self {
        self.0.require(caps::SOURCE_GIT_KNOWN_SSH_HOSTS);
        self.attr("git.knownsshhosts", hosts)
    }

    /// Sets `git.mountsshsock`, the SSH agent id used for ssh remotes.
    #[must_use]
    pub fn mount_ssh_sock(mut self, id: &str) -> Self {
        self.0.require(caps::SOURCE_GIT_MOUNT_SSH_SOCK);
        self.attr("git.mountsshsock", id)
    }

    /// Sets `git.checksum`, the expected commit (cap after v0.13).
    #[must_use]
    pub fn checksum(mut self, commit: &str) -> Self {
        self.0.require(caps::SOURCE_GIT_CHECKSUM);
        self.attr("git.checksum", commit)
    }

    /// Builds the op.
    pub fn build(self) -> Output {
        self.0.build()
    }
}

/// The parts of a git remote BuildKit's identifier uses (a small `gitutil.ParseURL`).
struct GitRemote {
    host: String,
    path: String,
    full_url: String,
    ssh: bool,
}

impl GitRemote {
    fn parse(remote: &str) -> Self {
        for (scheme, ssh) in [
            ("https://", false),
            ("http://", false),
            ("git://", false),
            ("ssh://", true),
        ] {
            if let Some(rest) = remote.strip_prefix(scheme) {
                let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
                let host = authority
                    .rsplit_once('@')
                    .map_or(authority, |(_, host)| host);
                return Self {
                    host: host.to_owned(),
                    path: path.to_owned(),
                    full_url: remote.to_owned(),
                    ssh,
                };
            }
        }
        // scp-like `user@host:path`
        if let Some((user_host, path)) = remote.split_once(':')
            && let Some((user, host)) = user_host.split_once('@')
        {
            let plain = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            };
            if plain(user) && plain(host) && !path.starts_with("//") {
                return Self {
                    host: host.to_owned(),
                    path: path.to_owned(),
                    full_url: remote.to_owned(),
                    ssh: true,
                };
            }
        }
        Self::parse(&format!("https://{remote}"))
    }
}

/// An HTTP(S) file: the identifier is the URL itself.
#[derive(Clone, Debug)]
pub struct Http(Source);

source_builder!(Http);

impl Http {
    /// A download of `url`.
    pub fn new(url: &str) -> Self {
        let mut source = Source::new(url);
        source.require(caps::SOURCE_HTTP);
        Self(source)
    }

    /// Sets `http.checksum` (`sha256:…`); the download fails on mismatch.
    #[must_use]
    pub fn checksum(mut self, digest: &str) -> Self {
        self.0.require(caps::SOURCE_HTTP_CHECKSUM);
        self.attr("http.checksum", digest)
    }

    /// Sets `http.filename`, the name of the file in the output.
    #[must_use]
    pub fn filename(self, name: &str) -> Self {
        self.attr("http.filename", name)
    }

    /// Sets `http.perm` (written in octal with a leading 0, as BuildKit does); 0 leaves it unset.
    #[must_use]
    pub fn perm(mut self, mode: u32) -> Self {
        if mode == 0 {
            return self;
        }
        self.0.require(caps::SOURCE_HTTP_PERM);
        self.attr("http.perm", format!("0{mode:o}"))
    }

    /// Sets `http.uid`; 0 leaves it unset.
    #[must_use]
    pub fn uid(mut self, uid: u32) -> Self {
        if uid == 0 {
            return self;
        }
        self.0.require(caps::SOURCE_HTTP_UID_GID);
        self.attr("http.uid", uid.to_string())
    }

    /// Sets `http.gid`; 0 leaves it unset.
    #[must_use]
    pub fn gid(mut self, gid: u32) -> Self {
        if gid == 0 {
            return self;
        }
        self.0.require(caps::SOURCE_HTTP_UID_GID);
        self.attr("http.gid", gid.to_string())
    }

    /// Builds the op.
    pub fn build(self) -> Output {
        self.0.build()
    }
}
