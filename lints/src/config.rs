//! What a run of the rules is told: profile, rule selection, severities and policy.
//!
//! Layers, weakest first: [`Config::default`] < `.hardfile.toml` ([`Config::discover`],
//! [`Config::from_toml_str`]) < `HARDFILE_*` environment variables ([`Config::apply_env`]) <
//! command-line flags (the CLI sets fields directly). In-file comments can only suppress
//! findings (see [`crate::suppress`]), never rules listed in [`Config::locked`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::Severity;

/// How a build treats findings (see `DESIGN.md`, "Profiles").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Inner loop: every finding is at most a warning.
    Dev,
    /// CI default: CIS-mapped rules at their default severities.
    #[default]
    Cis,
    /// Release images: adds digest pinning and other strict rules.
    Prod,
}

impl Profile {
    /// Parses `dev`, `cis`, `prod` (`strict` is an alias of `prod`).
    pub fn parse(text: &str) -> Option<Profile> {
        match text.trim().to_ascii_lowercase().as_str() {
            "dev" => Some(Profile::Dev),
            "cis" => Some(Profile::Cis),
            "prod" | "strict" => Some(Profile::Prod),
            _ => None,
        }
    }

    /// Lower-case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Profile::Dev => "dev",
            Profile::Cis => "cis",
            Profile::Prod => "prod",
        }
    }
}

/// What is known about a fact the Dockerfile alone cannot tell (the base image's user).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Knowledge {
    /// Nobody said: the CLI reports "unknown" instead of guessing.
    #[default]
    Unknown,
    /// Known to be root (uid 0 or empty `Config.User`).
    Root,
    /// Known to be a non-root user.
    NonRoot,
}

impl Knowledge {
    /// Parses `root`, `non-root`/`nonroot`, `unknown`.
    pub fn parse(text: &str) -> Option<Knowledge> {
        match text.trim().to_ascii_lowercase().as_str() {
            "unknown" | "" => Some(Knowledge::Unknown),
            "root" | "0" => Some(Knowledge::Root),
            "non-root" | "nonroot" | "non_root" => Some(Knowledge::NonRoot),
            _ => None,
        }
    }
}

/// CIS Docker Benchmark versions whose section-4 mapping hardfile knows.
pub const CIS_VERSIONS: [&str; 3] = ["1.6.0", "1.5.0", "1.4.0"];

/// The default CIS Docker Benchmark version.
pub const DEFAULT_CIS_VERSION: &str = "1.6.0";

/// The default UID and GID used by fixes that add a `USER` (distroless `nonroot`).
pub const DEFAULT_UID: u32 = 65532;

/// Everything that changes what the rules report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// `dev`, `cis` (default) or `prod`.
    pub profile: Profile,
    /// When non-empty, only these rules run (selectors: code, name, peer code, `cis:4.1`).
    pub select: Vec<String>,
    /// Rules added to the default set (e.g. preview or `prod`-only rules).
    pub extend_select: Vec<String>,
    /// Rules switched off.
    pub ignore: Vec<String>,
    /// Severity per selector, applied after the profile.
    pub severity: BTreeMap<String, Severity>,
    /// Registries (and optionally repository prefixes) images may come from; empty = any.
    pub allowed_registries: Vec<String>,
    /// UID written by fixes that add `USER`.
    pub uid: u32,
    /// GID written by fixes that add `USER`.
    pub gid: u32,
    /// Labels every exported image must carry (default: OCI `source` and `revision`).
    pub required_labels: Vec<String>,
    /// CIS benchmark version used for `cis:` selectors and reports.
    pub cis_version: String,
    /// Rules that in-file comments cannot disable.
    pub locked: Vec<String>,
    /// Whether in-file suppression comments are ignored altogether.
    pub disable_inline_suppressions: bool,
    /// What is known about the base image's user.
    pub base_user: Knowledge,
    /// Build arguments (`--build-arg`), used for expansion and `BUILDKIT_DOCKERFILE_CHECK`.
    pub build_args: BTreeMap<String, String>,
    /// The build target (`--target`); `None` = the last stage.
    pub target: Option<String>,
    /// The file this configuration was read from, if any.
    pub source: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            profile: Profile::Cis,
            select: Vec::new(),
            extend_select: Vec::new(),
            ignore: Vec::new(),
            severity: BTreeMap::new(),
            allowed_registries: Vec::new(),
            uid: DEFAULT_UID,
            gid: DEFAULT_UID,
            required_labels: vec![
                "org.opencontainers.image.source".to_string(),
                "org.opencontainers.image.revision".to_string(),
            ],
            cis_version: DEFAULT_CIS_VERSION.to_string(),
            locked: Vec::new(),
            disable_inline_suppressions: false,
            base_user: Knowledge::Unknown,
            build_args: BTreeMap::new(),
            target: None,
            source: None,
        }
    }
}

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The TOML text is malformed or has unknown keys.
    #[error("invalid configuration{}: {message}", path.as_ref().map(|p| format!(" in {}", p.display())).unwrap_or_default())]
    Toml {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// The parser's message.
        message: String,
    },
    /// A value is out of range.
    #[error("invalid value for {key}: {value:?} ({expected})")]
    Value {
        /// The key or variable.
        key: String,
        /// The value given.
        value: String,
        /// What would have been accepted.
        expected: &'static str,
    },
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The file format of `.hardfile.toml`; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileConfig {
    profile: Option<String>,
    select: Option<Vec<String>>,
    extend_select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    severity: Option<BTreeMap<String, String>>,
    allowed_registries: Option<Vec<String>>,
    uid: Option<u32>,
    gid: Option<u32>,
    required_labels: Option<Vec<String>>,
    cis_version: Option<String>,
    locked: Option<Vec<String>>,
    disable_inline_suppressions: Option<bool>,
    base_user: Option<String>,
    build_args: Option<BTreeMap<String, String>>,
    target: Option<String>,
}

/// The name of the configuration file looked up by [`Config::discover`].
pub const CONFIG_FILE_NAME: &str = ".hardfile.toml";

impl Config {
    /// Reads a configuration from TOML text, on top of the defaults.
    pub fn from_toml_str(text: &str) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        config.merge_toml(text, None)?;
        Ok(config)
    }

    /// Applies TOML text on top of this configuration.
    pub fn merge_toml(&mut self, text: &str, path: Option<&Path>) -> Result<(), ConfigError> {
        let file: FileConfig = toml::from_str(text).map_err(|e| ConfigError::Toml {
            path: path.map(Path::to_path_buf),
            message: e.message().to_string(),
        })?;
        if let Some(profile) = file.profile {
            self.profile = parse_profile("profile", &profile)?;
        }
        set(&mut self.select, file.select);
        set(&mut self.extend_select, file.extend_select);
        set(&mut self.ignore, file.ignore);
        for (selector, severity) in file.severity.unwrap_or_default() {
            let parsed = parse_severity(&format!("severity.{selector}"), &severity)?;
            self.severity.insert(selector, parsed);
        }
        set(&mut self.allowed_registries, file.allowed_registries);
        if let Some(uid) = file.uid {
            self.uid = uid;
            if file.gid.is_none() {
                self.gid = uid;
            }
        }
        if let Some(gid) = file.gid {
            self.gid = gid;
        }
        set(&mut self.required_labels, file.required_labels);
        if let Some(version) = file.cis_version {
            self.cis_version = parse_cis_version("cis-version", &version)?;
        }
        set(&mut self.locked, file.locked);
        if let Some(disable) = file.disable_inline_suppressions {
            self.disable_inline_suppressions = disable;
        }
        if let Some(user) = file.base_user {
            self.base_user = parse_knowledge("base-user", &user)?;
        }
        if let Some(args) = file.build_args {
            self.build_args.extend(args);
        }
        if let Some(target) = file.target {
            self.target = Some(target);
        }
        if let Some(path) = path {
            self.source = Some(path.to_path_buf());
        }
        Ok(())
    }

    /// Finds `.hardfile.toml` in the Dockerfile's directory or the nearest parent that has
    /// one, and reads it on top of the defaults. No file: the defaults.
    pub fn discover(dockerfile_path: &Path) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        if let Some(path) = Self::find_file(dockerfile_path) {
            let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Io {
                path: path.clone(),
                source,
            })?;
            config.merge_toml(&text, Some(&path))?;
        }
        Ok(config)
    }

    /// The `.hardfile.toml` that [`Config::discover`] would read.
    pub fn find_file(dockerfile_path: &Path) -> Option<PathBuf> {
        let start = if dockerfile_path.is_dir() {
            dockerfile_path.to_path_buf()
        } else {
            let parent = dockerfile_path.parent().unwrap_or(Path::new(""));
            if parent.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                parent.to_path_buf()
            }
        };
        let start = start.canonicalize().unwrap_or(start);
        start
            .ancestors()
            .map(|dir| dir.join(CONFIG_FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    /// Applies `HARDFILE_*` variables (pass `std::env::vars()`): `PROFILE`, `SELECT`,
    /// `EXTEND_SELECT`, `IGNORE`, `ALLOWED_REGISTRIES`, `UID`, `GID`, `REQUIRED_LABELS`,
    /// `CIS_VERSION`, `LOCKED`, `BASE_USER`, `DISABLE_INLINE_SUPPRESSIONS`, `TARGET`; lists are
    /// comma-separated. Other variables are ignored.
    pub fn apply_env<I, K, V>(&mut self, vars: I) -> Result<(), ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        for (key, value) in vars {
            let (key, value) = (key.as_ref(), value.as_ref());
            let Some(name) = key.strip_prefix("HARDFILE_") else {
                continue;
            };
            match name {
                "PROFILE" => self.profile = parse_profile(key, value)?,
                "SELECT" => self.select = split_list(value),
                "EXTEND_SELECT" => self.extend_select = split_list(value),
                "IGNORE" => self.ignore = split_list(value),
                "ALLOWED_REGISTRIES" => self.allowed_registries = split_list(value),
                "REQUIRED_LABELS" => self.required_labels = split_list(value),
                "LOCKED" => self.locked = split_list(value),
                "UID" => {
                    self.uid = parse_u32(key, value)?;
                    self.gid = self.uid;
                }
                "GID" => self.gid = parse_u32(key, value)?,
                "CIS_VERSION" => self.cis_version = parse_cis_version(key, value)?,
                "BASE_USER" => self.base_user = parse_knowledge(key, value)?,
                "DISABLE_INLINE_SUPPRESSIONS" => {
                    self.disable_inline_suppressions = parse_bool(key, value)?;
                }
                "TARGET" => self.target = Some(value.to_string()).filter(|t| !t.is_empty()),
                _ => {}
            }
        }
        Ok(())
    }

    /// The UID:GID pair fixes write.
    pub fn user_spec(&self) -> String {
        format!("{}:{}", self.uid, self.gid)
    }
}

fn set(slot: &mut Vec<String>, value: Option<Vec<String>>) {
    if let Some(value) = value {
        *slot = value;
    }
}

fn split_list(value: &str) -> Vec<String> {
    value
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_profile(key: &str, value: &str) -> Result<Profile, ConfigError> {
    Profile::parse(value).ok_or_else(|| ConfigError::Value {
        key: key.to_string(),
        value: value.to_string(),
        expected: "dev, cis or prod",
    })
}

fn parse_severity(key: &str, value: &str) -> Result<Severity, ConfigError> {
    Severity::parse(value).ok_or_else(|| ConfigError::Value {
        key: key.to_string(),
        value: value.to_string(),
        expected: "info, warning or error",
    })
}

fn parse_knowledge(key: &str, value: &str) -> Result<Knowledge, ConfigError> {
    Knowledge::parse(value).ok_or_else(|| ConfigError::Value {
        key: key.to_string(),
        value: value.to_string(),
        expected: "root, non-root or unknown",
    })
}

fn parse_cis_version(key: &str, value: &str) -> Result<String, ConfigError> {
    let value = value.trim().trim_start_matches('v');
    if CIS_VERSIONS.contains(&value) {
        Ok(value.to_string())
    } else {
        Err(ConfigError::Value {
            key: key.to_string(),
            value: value.to_string(),
            expected: "1.6.0, 1.5.0 or 1.4.0",
        })
    }
}

fn parse_u32(key: &str, value: &str) -> Result<u32, ConfigError> {
    value.trim().parse().map_err(|_| ConfigError::Value {
        key: key.to_string(),
        value: value.to_string(),
        expected: "a number",
    })
}

fn parse_bool(key: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(ConfigError::Value {
            key: key.to_string(),
            value: value.to_string(),
            expected: "true or false",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_layers_over_defaults() {
        let config = Config::from_toml_str(
            "profile = \"prod\"\nuid = 10001\nignore = [\"DL3008\"]\n[severity]\nHF101 = \"warning\"\n",
        )
        .expect("valid config");
        assert_eq!(config.profile, Profile::Prod);
        assert_eq!(config.user_spec(), "10001:10001");
        assert_eq!(config.ignore, ["DL3008"]);
        assert_eq!(config.severity["HF101"], Severity::Warning);
        assert_eq!(config.cis_version, "1.6.0");
    }

    #[test]
    fn unknown_keys_are_errors() {
        assert!(Config::from_toml_str("profle = \"dev\"").is_err());
        assert!(Config::from_toml_str("profile = \"lax\"").is_err());
    }

    #[test]
    fn env_overrides() {
        let mut config = Config::default();
        config
            .apply_env([
                ("HARDFILE_PROFILE", "dev"),
                ("HARDFILE_IGNORE", "HF101, HF102"),
                ("HARDFILE_BASE_USER", "non-root"),
                ("PATH", "/bin"),
            ])
            .expect("valid variables");
        assert_eq!(config.profile, Profile::Dev);
        assert_eq!(config.ignore, ["HF101", "HF102"]);
        assert_eq!(config.base_user, Knowledge::NonRoot);
        assert!(config.apply_env([("HARDFILE_UID", "x")]).is_err());
    }
}
