//! Frontend options: what BuildKit passes to the frontend process through its environment.
//!
//! BuildKit sets one `BUILDKIT_FRONTEND_OPT_<n>=<key>=<value>` variable per option (`<n>` is a
//! meaningless counter; the split is at the **first** `=` of the value, and an empty value is
//! meaningful), plus `BUILDKIT_SESSION_ID`, `BUILDKIT_WORKERS` and `BUILDKIT_EXPORTEDPRODUCT`.
//! Key semantics follow BuildKit's `frontend/dockerui/config.go`.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Deserialize;

/// Prefix of the environment variables that carry frontend options.
pub const FRONTEND_OPT_PREFIX: &str = "BUILDKIT_FRONTEND_OPT_";
/// Environment variable with the client session id.
pub const SESSION_ID_VAR: &str = "BUILDKIT_SESSION_ID";
/// Environment variable with the workers as JSON.
pub const WORKERS_VAR: &str = "BUILDKIT_WORKERS";
/// Environment variable with the product name used in capability error messages.
pub const EXPORTED_PRODUCT_VAR: &str = "BUILDKIT_EXPORTEDPRODUCT";

/// Default Dockerfile name inside the Dockerfile local.
pub const DEFAULT_FILENAME: &str = "Dockerfile";
/// Default name of the local source holding the Dockerfile.
pub const DEFAULT_DOCKERFILE_LOCAL: &str = "dockerfile";
/// Default name of the local source holding the build context.
pub const DEFAULT_CONTEXT_LOCAL: &str = "context";

const BUILD_ARG_PREFIX: &str = "build-arg:";
const LABEL_PREFIX: &str = "label:";
const NAMED_CONTEXT_PREFIX: &str = "context:";

/// An option value that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid frontend option {key}={value:?}: {reason}")]
pub struct OptionsError {
    /// The option key (or environment variable) at fault.
    pub key: String,
    /// Its value as received.
    pub value: String,
    /// What is wrong with it.
    pub reason: String,
}

impl OptionsError {
    fn new(key: &str, value: &str, reason: impl Into<String>) -> Self {
        Self {
            key: key.to_owned(),
            value: value.to_owned(),
            reason: reason.into(),
        }
    }
}

/// How base images are resolved (`image-resolve-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResolveMode {
    /// The daemon's default (registry, with its cache).
    #[default]
    Default,
    /// Always pull from the registry.
    Pull,
    /// Prefer the local image store (what buildx sends with the docker driver).
    Local,
}

impl ResolveMode {
    /// The wire value, as used by `ResolveImageConfig.resolve_mode` and `image.resolvemode`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Pull => "pull",
            Self::Local => "local",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        match value {
            "" | "default" => Some(Self::Default),
            "pull" => Some(Self::Pull),
            "local" => Some(Self::Local),
            _ => None,
        }
    }
}

/// Which stages must not use the cache (`no-cache`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoCache {
    /// `no-cache=` with an empty value: every stage.
    AllStages,
    /// `no-cache=a,b`: the named stages only.
    Stages(Vec<String>),
}

/// Default network mode for `RUN` (`force-network-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NetworkMode {
    /// The daemon's sandbox network.
    #[default]
    Sandbox,
    /// The host network (needs the `network.host` entitlement).
    Host,
    /// No network.
    None,
}

/// One `add-hosts` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraHost {
    /// Host name (lowercased, as BuildKit does).
    pub host: String,
    /// Its address.
    pub ip: IpAddr,
}

/// One `ulimit` entry (`nofile=1024:2048`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ulimit {
    /// Resource name (`nofile`, `nproc`, …).
    pub name: String,
    /// Soft limit.
    pub soft: i64,
    /// Hard limit (equals `soft` when only one value is given).
    pub hard: i64,
}

/// One cache import (`cache-imports` JSON entry, or a legacy `cache-from` registry ref).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CacheImport {
    /// Cache backend (`registry`, `local`, `gha`, …).
    #[serde(rename = "Type")]
    pub kind: String,
    /// Backend attributes.
    #[serde(rename = "Attrs", default)]
    pub attrs: BTreeMap<String, String>,
}

/// A platform as the daemon reports it for a worker.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct WorkerPlatform {
    /// CPU architecture (`amd64`).
    #[serde(default)]
    pub architecture: String,
    /// Operating system (`linux`).
    #[serde(default)]
    pub os: String,
    /// CPU variant (`v2`, `v7`).
    #[serde(default)]
    pub variant: String,
}

/// One entry of `BUILDKIT_WORKERS`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct Worker {
    /// Worker id.
    #[serde(default)]
    pub id: String,
    /// Worker labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Platforms the worker can run; the first is the build platform.
    #[serde(default)]
    pub platforms: Vec<WorkerPlatform>,
}

/// Everything the frontend was asked to do, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Dockerfile path inside the Dockerfile local (`filename`, default `Dockerfile`).
    pub filename: String,
    /// Stage to build (`target`); `None` means the last stage.
    pub target: Option<String>,
    /// Build arguments (`build-arg:<NAME>`), including the special ones below.
    pub build_args: BTreeMap<String, String>,
    /// Extra image labels (`label:<key>`).
    pub labels: BTreeMap<String, String>,
    /// Target platforms as given (`platform`, comma-separated); empty means the build platform.
    pub platforms: Vec<String>,
    /// Per-platform results requested (`multi-platform`, `build-arg:BUILDKIT_MULTI_PLATFORM`, or
    /// several platforms).
    pub multi_platform: bool,
    /// Stages that must not use the cache (`no-cache`).
    pub no_cache: Option<NoCache>,
    /// How base images are resolved (`image-resolve-mode`).
    pub image_resolve_mode: ResolveMode,
    /// Default network mode for `RUN` (`force-network-mode`).
    pub network_mode: NetworkMode,
    /// Extra `/etc/hosts` entries for `RUN` (`add-hosts`).
    pub add_hosts: Vec<ExtraHost>,
    /// `/dev/shm` size in bytes for `RUN` (`shm-size`).
    pub shm_size: Option<u64>,
    /// Resource limits for `RUN` (`ulimit`).
    pub ulimits: Vec<Ulimit>,
    /// cgroup parent for `RUN` (`cgroup-parent`).
    pub cgroup_parent: Option<String>,
    /// Hostname for `RUN` (`hostname`, or `build-arg:BUILDKIT_SANDBOX_HOSTNAME`).
    pub hostname: Option<String>,
    /// Caches to import (`cache-imports` JSON, then legacy `cache-from` refs).
    pub cache_imports: Vec<CacheImport>,
    /// Name of the local source holding the Dockerfile (`dockerfilekey`, default `dockerfile`).
    pub dockerfile_local: String,
    /// Whether `dockerfilekey` was given, which forces a local Dockerfile even with a remote context.
    pub dockerfile_local_forced: bool,
    /// Name of the local source holding the build context (always `context`).
    pub context_local: String,
    /// Name of the option holding a remote context URL (`contextkey`, default `context`).
    pub context_key: String,
    /// Remote build context (git or http URL) found under `context_key`.
    pub remote_context: Option<String>,
    /// Sub-directory of the remote context (`contextsubdir`).
    pub context_subdir: Option<String>,
    /// Named contexts (`context:<name>` and `context:<name>::<platform>`), key without the prefix.
    pub named_contexts: BTreeMap<String, String>,
    /// Subrequest to answer instead of building (`requestid`, e.g. `frontend.lint`).
    pub request_id: Option<String>,
    /// Our own image reference, added by BuildKit when it forwarded to us (`source`).
    pub source: Option<String>,
    /// The `# syntax=` directive text that selected us (`cmdline`).
    pub cmdline: Option<String>,
    /// Capabilities the client requires (`frontend.caps`, comma-separated, `+forward` kept).
    pub frontend_caps: Vec<String>,
    /// Reproducible-build timestamp (`build-arg:SOURCE_DATE_EPOCH`), unix seconds.
    pub source_date_epoch: Option<i64>,
    /// Syntax override (`build-arg:BUILDKIT_SYNTAX`).
    pub syntax: Option<String>,
    /// Profile chosen by the user (`build-arg:HARDFILE_PROFILE`).
    pub profile: Option<String>,
    /// Lint configuration override (`build-arg:BUILDKIT_DOCKERFILE_CHECK`).
    pub dockerfile_check: Option<String>,
    /// Cache mount namespace (`build-arg:BUILDKIT_CACHE_MOUNT_NS`).
    pub cache_mount_namespace: Option<String>,
    /// Client session id (`BUILDKIT_SESSION_ID`), for `local.session` and image resolution.
    pub session_id: String,
    /// Workers (`BUILDKIT_WORKERS`).
    pub workers: Vec<Worker>,
    /// Product name for capability error messages (`BUILDKIT_EXPORTEDPRODUCT`).
    pub exported_product: Option<String>,
    /// Keys this frontend does not interpret, kept as received.
    pub unknown: BTreeMap<String, String>,
    /// Every option as received, for forwarding to another frontend.
    pub raw: BTreeMap<String, String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            filename: DEFAULT_FILENAME.to_owned(),
            target: None,
            build_args: BTreeMap::new(),
            labels: BTreeMap::new(),
            platforms: Vec::new(),
            multi_platform: false,
            no_cache: None,
            image_resolve_mode: ResolveMode::Default,
            network_mode: NetworkMode::Sandbox,
            add_hosts: Vec::new(),
            shm_size: None,
            ulimits: Vec::new(),
            cgroup_parent: None,
            hostname: None,
            cache_imports: Vec::new(),
            dockerfile_local: DEFAULT_DOCKERFILE_LOCAL.to_owned(),
            dockerfile_local_forced: false,
            context_local: DEFAULT_CONTEXT_LOCAL.to_owned(),
            context_key: DEFAULT_CONTEXT_LOCAL.to_owned(),
            remote_context: None,
            context_subdir: None,
            named_contexts: BTreeMap::new(),
            request_id: None,
            source: None,
            cmdline: None,
            frontend_caps: Vec::new(),
            source_date_epoch: None,
            syntax: None,
            profile: None,
            dockerfile_check: None,
            cache_mount_namespace: None,
            session_id: String::new(),
            workers: Vec::new(),
            exported_product: None,
            unknown: BTreeMap::new(),
            raw: BTreeMap::new(),
        }
    }
}

impl Options {
    /// Reads the options from this process's environment.
    pub fn from_env() -> Result<Self, OptionsError> {
        Self::from_env_vars(std::env::vars_os().filter_map(|(key, value)| {
            // Non-UTF-8 variables cannot be ours (BuildKit writes Go strings), skip them.
            Some((key.into_string().ok()?, value.into_string().ok()?))
        }))
    }

    /// Reads the options from an explicit list of environment variables (tests, replays).
    pub fn from_env_vars<K, V>(vars: impl IntoIterator<Item = (K, V)>) -> Result<Self, OptionsError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut opts = BTreeMap::new();
        let mut session_id = String::new();
        let mut workers = Vec::new();
        let mut exported_product = None;
        for (key, value) in vars {
            let (key, value) = (key.as_ref(), value.as_ref());
            if key.starts_with(FRONTEND_OPT_PREFIX) {
                // Split at the first `=`: values (build args, JSON) may contain more.
                match value.split_once('=') {
                    Some((opt_key, opt_value)) => {
                        opts.insert(opt_key.to_owned(), opt_value.to_owned());
                    }
                    None => {
                        opts.insert(value.to_owned(), String::new());
                    }
                }
            } else if key == SESSION_ID_VAR {
                value.clone_into(&mut session_id);
            } else if key == WORKERS_VAR {
                if !value.is_empty() {
                    workers = serde_json::from_str(value)
                        .map_err(|err| OptionsError::new(key, value, err.to_string()))?;
                }
            } else if key == EXPORTED_PRODUCT_VAR && !value.is_empty() {
                exported_product = Some(value.to_owned());
            }
        }
        let mut options = Self::from_map(&opts)?;
        options.session_id = session_id;
        options.workers = workers;
        options.exported_product = exported_product;
        Ok(options)
    }

    /// Interprets a map of frontend options (keys as BuildKit sends them).
    pub fn from_map(opts: &BTreeMap<String, String>) -> Result<Self, OptionsError> {
        let mut options = Self {
            raw: opts.clone(),
            ..Self::default()
        };
        let mut multi_platform_flag: Option<(String, String)> = None;
        let mut cache_from: Option<String> = None;
        let mut sandbox_hostname: Option<String> = None;

        for (key, value) in opts {
            let key_str = key.as_str();
            if let Some(name) = key_str.strip_prefix(BUILD_ARG_PREFIX) {
                options.build_args.insert(name.to_owned(), value.clone());
                match name {
                    "SOURCE_DATE_EPOCH" if !value.is_empty() => {
                        let epoch = value.parse::<i64>().map_err(|err| {
                            OptionsError::new(key, value, format!("not unix seconds: {err}"))
                        })?;
                        options.source_date_epoch = Some(epoch);
                    }
                    "BUILDKIT_SYNTAX" => options.syntax = non_empty(value),
                    "HARDFILE_PROFILE" => options.profile = non_empty(value),
                    "BUILDKIT_DOCKERFILE_CHECK" => options.dockerfile_check = non_empty(value),
                    "BUILDKIT_CACHE_MOUNT_NS" => options.cache_mount_namespace = non_empty(value),
                    "BUILDKIT_SANDBOX_HOSTNAME" => sandbox_hostname = non_empty(value),
                    "BUILDKIT_MULTI_PLATFORM" if !value.is_empty() => {
                        multi_platform_flag = Some((key.clone(), value.clone()));
                    }
                    _ => {}
                }
                continue;
            }
            if let Some(label) = key_str.strip_prefix(LABEL_PREFIX) {
                options.labels.insert(label.to_owned(), value.clone());
                continue;
            }
            if let Some(name) = key_str.strip_prefix(NAMED_CONTEXT_PREFIX) {
                options
                    .named_contexts
                    .insert(name.to_owned(), value.clone());
                continue;
            }
            match key_str {
                "filename" => {
                    if !value.is_empty() {
                        value.clone_into(&mut options.filename);
                    }
                }
                "target" => options.target = non_empty(value),
                "platform" => {
                    options.platforms = split_list(value);
                    if options.platforms.iter().any(|p| !valid_platform(p)) {
                        return Err(OptionsError::new(key, value, "expected os/arch[/variant]"));
                    }
                }
                "multi-platform" => {
                    if multi_platform_flag.is_none() && !value.is_empty() {
                        multi_platform_flag = Some((key.clone(), value.clone()));
                    }
                }
                "no-cache" => {
                    options.no_cache = Some(if value.is_empty() {
                        NoCache::AllStages
                    } else {
                        NoCache::Stages(split_list(value))
                    });
                }
                "image-resolve-mode" => {
                    options.image_resolve_mode = ResolveMode::parse(value).ok_or_else(|| {
                        OptionsError::new(key, value, "expected default, pull or local")
                    })?;
                }
                "force-network-mode" => {
                    options.network_mode = match value.as_str() {
                        "" | "sandbox" => NetworkMode::Sandbox,
                        "host" => NetworkMode::Host,
                        "none" => NetworkMode::None,
                        _ => {
                            return Err(OptionsError::new(
                                key,
                                value,
                                "expected sandbox, host or none",
                            ));
                        }
                    };
                }
                "add-hosts" => options.add_hosts = parse_extra_hosts(key, value)?,
                "shm-size" => {
                    if !value.is_empty() {
                        let bytes = value.parse::<u64>().map_err(|err| {
                            OptionsError::new(key, value, format!("not a size in bytes: {err}"))
                        })?;
                        options.shm_size = Some(bytes);
                    }
                }
                "ulimit" => options.ulimits = parse_ulimits(key, value)?,
                "cgroup-parent" => options.cgroup_parent = non_empty(value),
                "hostname" => options.hostname = non_empty(value),
                "cache-imports" => {
                    if !value.is_empty() {
                        let imports: Vec<CacheImport> = serde_json::from_str(value)
                            .map_err(|err| OptionsError::new(key, value, err.to_string()))?;
                        options.cache_imports.extend(imports);
                    }
                }
                "cache-from" => cache_from = non_empty(value),
                "dockerfilekey" => {
                    if !value.is_empty() {
                        value.clone_into(&mut options.dockerfile_local);
                    }
                    options.dockerfile_local_forced = true;
                }
                "contextkey" => {
                    if !value.is_empty() {
                        value.clone_into(&mut options.context_key);
                    }
                }
                "context" | "contextsubdir" => {}
                "requestid" => options.request_id = non_empty(value),
                "source" => options.source = non_empty(value),
                "cmdline" => options.cmdline = non_empty(value),
                "frontend.caps" => options.frontend_caps = split_list(value),
                _ => {
                    options.unknown.insert(key.clone(), value.clone());
                }
            }
        }

        // The remote context lives under whatever key `contextkey` names; `context` by default.
        options.remote_context = opts.get(&options.context_key).and_then(|v| non_empty(v));
        if options.context_key != DEFAULT_CONTEXT_LOCAL {
            options.unknown.remove(&options.context_key);
        }
        options.context_subdir = opts.get("contextsubdir").and_then(|v| non_empty(v));

        if let Some(refs) = cache_from {
            options
                .cache_imports
                .extend(split_list(&refs).into_iter().map(|reference| CacheImport {
                    kind: "registry".to_owned(),
                    attrs: BTreeMap::from([("ref".to_owned(), reference)]),
                }));
        }
        if options.hostname.is_none() {
            options.hostname = sandbox_hostname;
        }

        let several_platforms = options.platforms.len() > 1;
        options.multi_platform = several_platforms;
        if let Some((key, value)) = multi_platform_flag {
            let requested = parse_bool(&value)
                .ok_or_else(|| OptionsError::new(&key, &value, "expected a boolean"))?;
            if !requested && several_platforms {
                return Err(OptionsError::new(
                    &key,
                    &value,
                    "returning multiple target platforms is not allowed",
                ));
            }
            options.multi_platform = requested;
        }
        Ok(options)
    }

    /// The value of build argument `name`, if given.
    pub fn build_arg(&self, name: &str) -> Option<&str> {
        self.build_args.get(name).map(String::as_str)
    }

    /// Whether the client asked for capability `cap` in `frontend.caps` (ignoring `+forward`).
    pub fn requires_cap(&self, cap: &str) -> bool {
        self.frontend_caps
            .iter()
            .any(|entry| entry.split('+').next() == Some(cap))
    }

    /// The build platform as `os/arch[/variant]`: the first platform of the first worker.
    pub fn build_platform(&self) -> Option<String> {
        let platform = self.workers.first()?.platforms.first()?;
        let mut out = format!("{}/{}", platform.os, platform.architecture);
        if !platform.variant.is_empty() {
            out.push('/');
            out.push_str(&platform.variant);
        }
        Some(out)
    }
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

fn valid_platform(platform: &str) -> bool {
    let parts: Vec<&str> = platform.split('/').collect();
    (1..=3).contains(&parts.len()) && parts.iter().all(|part| !part.is_empty())
}

/// Go's `strconv.ParseBool`.
fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

fn parse_extra_hosts(key: &str, value: &str) -> Result<Vec<ExtraHost>, OptionsError> {
    split_list(value)
        .iter()
        .map(|field| {
            let lower = field.to_lowercase();
            let (host, ip) = lower.split_once('=').ok_or_else(|| {
                OptionsError::new(key, value, format!("{field}: expected host=ip"))
            })?;
            let ip = ip.parse::<IpAddr>().map_err(|_| {
                OptionsError::new(key, value, format!("{field}: invalid IP address"))
            })?;
            Ok(ExtraHost {
                host: host.to_owned(),
                ip,
            })
        })
        .collect()
}

fn parse_ulimits(key: &str, value: &str) -> Result<Vec<Ulimit>, OptionsError> {
    split_list(value)
        .iter()
        .map(|field| {
            let bad = |reason: &str| OptionsError::new(key, value, format!("{field}: {reason}"));
            let (name, limits) = field
                .split_once('=')
                .ok_or_else(|| bad("expected name=soft[:hard]"))?;
            if name.is_empty() {
                return Err(bad("empty resource name"));
            }
            let (soft, hard) = match limits.split_once(':') {
                Some((soft, hard)) => (soft, hard),
                None => (limits, limits),
            };
            let soft = soft
                .parse::<i64>()
                .map_err(|_| bad("soft limit is not a number"))?;
            let hard = hard
                .parse::<i64>()
                .map_err(|_| bad("hard limit is not a number"))?;
            if soft > hard {
                return Err(bad("soft limit exceeds hard limit"));
            }
            Ok(Ulimit {
                name: name.to_owned(),
                soft,
                hard,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[&str]) -> Vec<(String, String)> {
        pairs
            .iter()
            .enumerate()
            .map(|(n, pair)| (format!("{FRONTEND_OPT_PREFIX}{n}"), (*pair).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_when_nothing_is_given() {
        let options = Options::from_env_vars(Vec::<(String, String)>::new()).expect("parse");
        assert_eq!(options.filename, "Dockerfile");
        assert_eq!(options.dockerfile_local, "dockerfile");
        assert_eq!(options.context_local, "context");
        assert_eq!(options.image_resolve_mode, ResolveMode::Default);
        assert!(options.no_cache.is_none());
        assert!(!options.multi_platform);
    }

    #[test]
    fn observed_buildx_options_parse() {
        let mut vars = env(&[
            "filename=build/Dockerfile.prod",
            "target=runtime",
            "build-arg:VERSION=1.2=3",
            "build-arg:SOURCE_DATE_EPOCH=1700000000",
            "build-arg:BUILDKIT_SYNTAX=example/hardfile:1",
            "build-arg:HARDFILE_PROFILE=prod",
            "label:org.opencontainers.image.title=demo",
            "platform=linux/amd64",
            "no-cache=",
            "image-resolve-mode=local",
            "add-hosts=h1=1.2.3.4,H2=::1",
            "shm-size=67108864",
            "ulimit=nofile=1024:2048,nproc=512",
            "force-network-mode=none",
            r#"cache-imports=[{"Type":"local","Attrs":{"src":"/cache"}}]"#,
            "cache-from=registry.example/app:cache",
            "requestid=frontend.lint",
            "source=example/hardfile:1",
            "cmdline=example/hardfile:1",
            "frontend.caps=moby.buildkit.frontend.subrequests+forward",
            "context:base=docker-image://alpine:3.20",
            "some-future-key=x",
        ]);
        vars.push((SESSION_ID_VAR.to_owned(), "sess-1".to_owned()));
        vars.push((
            WORKERS_VAR.to_owned(),
            r#"[{"id":"w0","labels":{"a":"b"},"platforms":[{"architecture":"amd64","os":"linux"}],"gcPolicy":[]}]"#
                .to_owned(),
        ));
        vars.push((EXPORTED_PRODUCT_VAR.to_owned(), "Docker".to_owned()));
        vars.push(("PATH".to_owned(), "/usr/bin".to_owned()));

        let o = Options::from_env_vars(vars).expect("parse");
        assert_eq!(o.filename, "build/Dockerfile.prod");
        assert_eq!(o.target.as_deref(), Some("runtime"));
        assert_eq!(o.build_arg("VERSION"), Some("1.2=3"));
        assert_eq!(o.source_date_epoch, Some(1_700_000_000));
        assert_eq!(o.syntax.as_deref(), Some("example/hardfile:1"));
        assert_eq!(o.profile.as_deref(), Some("prod"));
        assert_eq!(o.labels["org.opencontainers.image.title"], "demo");
        assert_eq!(o.platforms, ["linux/amd64"]);
        assert_eq!(o.no_cache, Some(NoCache::AllStages));
        assert_eq!(o.image_resolve_mode, ResolveMode::Local);
        assert_eq!(o.add_hosts.len(), 2);
        assert_eq!(o.add_hosts[1].host, "h2");
        assert_eq!(o.shm_size, Some(67_108_864));
        assert_eq!(
            o.ulimits,
            [
                Ulimit {
                    name: "nofile".into(),
                    soft: 1024,
                    hard: 2048
                },
                Ulimit {
                    name: "nproc".into(),
                    soft: 512,
                    hard: 512
                },
            ]
        );
        assert_eq!(o.network_mode, NetworkMode::None);
        assert_eq!(o.cache_imports.len(), 2);
        assert_eq!(o.cache_imports[0].attrs["src"], "/cache");
        assert_eq!(o.cache_imports[1].kind, "registry");
        assert_eq!(o.request_id.as_deref(), Some("frontend.lint"));
        assert_eq!(o.source.as_deref(), Some("example/hardfile:1"));
        assert!(o.requires_cap("moby.buildkit.frontend.subrequests"));
        assert_eq!(o.named_contexts["base"], "docker-image://alpine:3.20");
        assert_eq!(o.unknown["some-future-key"], "x");
        assert_eq!(o.session_id, "sess-1");
        assert_eq!(o.build_platform().as_deref(), Some("linux/amd64"));
        assert_eq!(o.exported_product.as_deref(), Some("Docker"));
        assert_eq!(o.raw.len(), 22);
    }

    #[test]
    fn no_cache_with_stages_and_multi_platform() {
        let o = Options::from_env_vars(env(&[
            "no-cache=build, test",
            "platform=linux/amd64,linux/arm64/v8",
        ]))
        .expect("parse");
        assert_eq!(
            o.no_cache,
            Some(NoCache::Stages(vec!["build".into(), "test".into()]))
        );
        assert!(o.multi_platform);

        let o =
            Options::from_env_vars(env(&["build-arg:BUILDKIT_MULTI_PLATFORM=1"])).expect("parse");
        assert!(o.multi_platform);

        let err = Options::from_env_vars(env(&[
            "platform=linux/amd64,linux/arm64",
            "multi-platform=false",
        ]))
        .expect_err("conflict");
        assert_eq!(err.key, "multi-platform");
    }

    #[test]
    fn remote_context_under_context_key() {
        let o = Options::from_env_vars(env(&[
            "contextkey=ctx",
            "ctx=https://github.com/example/repo.git",
            "contextsubdir=app",
            "dockerfilekey=df",
        ]))
        .expect("parse");
        assert_eq!(
            o.remote_context.as_deref(),
            Some("https://github.com/example/repo.git")
        );
        assert_eq!(o.context_subdir.as_deref(), Some("app"));
        assert_eq!(o.dockerfile_local, "df");
        assert!(o.dockerfile_local_forced);
        assert!(o.unknown.is_empty());
    }

    #[test]
    fn invalid_values_are_reported_with_their_key() {
        for (pair, key) in [
            ("image-resolve-mode=sometimes", "image-resolve-mode"),
            ("shm-size=64m", "shm-size"),
            ("ulimit=nofile", "ulimit"),
            ("ulimit=nofile=10:5", "ulimit"),
            ("add-hosts=h1:1.2.3.4", "add-hosts"),
            ("add-hosts=h1=not-an-ip", "add-hosts"),
            ("cache-imports=nope", "cache-imports"),
            (
                "build-arg:SOURCE_DATE_EPOCH=yesterday",
                "build-arg:SOURCE_DATE_EPOCH",
            ),
            ("force-network-mode=bridge", "force-network-mode"),
            ("platform=linux//amd64", "platform"),
        ] {
            let err = Options::from_env_vars(env(&[pair])).expect_err(pair);
            assert_eq!(err.key, key, "{pair}");
        }
        let err = Options::from_env_vars([(WORKERS_VAR, "{")]).expect_err("workers");
        assert_eq!(err.key, WORKERS_VAR);
    }
}
