//! Flags shared by the commands that run rules (`lint`, `fix`, `report`, `audit`), and how
//! they layer over `.hardfile.toml` and `HARDFILE_*` variables into one [`Config`].

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use hardfile_lints::config::{CIS_VERSIONS, Config, Knowledge, Profile};
use hardfile_lints::diagnostic::Severity;
use hardfile_lints::rules;

/// Configuration flags; each one beats the same setting from the environment and the file.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ConfigArgs {
    /// Profile: dev (never fails on rules), cis (default) or prod (stricter).
    #[arg(long, value_name = "dev|cis|prod")]
    pub profile: Option<String>,
    /// Run only these rules: code, name, peer code (DL3002, CKV_DOCKER_3, DS-0002) or
    /// CIS selector (cis:4.1); comma-separated or repeated.
    #[arg(long, value_delimiter = ',', value_name = "SELECTOR")]
    pub select: Vec<String>,
    /// Add rules to the default set (e.g. preview or prod-only rules).
    #[arg(long, value_delimiter = ',', value_name = "SELECTOR")]
    pub extend_select: Vec<String>,
    /// Switch rules off (same selectors as --select).
    #[arg(long, value_delimiter = ',', value_name = "SELECTOR")]
    pub ignore: Vec<String>,
    /// Override a severity: `--severity HF101=warning` (selector=info|warning|error).
    #[arg(long, value_name = "SELECTOR=LEVEL")]
    pub severity: Vec<String>,
    /// CIS Docker Benchmark version for `cis:` selectors and reports (1.6.0, 1.5.0, 1.4.0).
    #[arg(long, value_name = "VERSION")]
    pub cis_version: Option<String>,
    /// What the base image runs as: `user=root|nonroot|unknown`, or a JSON image config
    /// file (`docker inspect` output or an OCI image config).
    #[arg(long, value_name = "user=…|FILE")]
    pub base_config: Option<String>,
    /// A build argument, as `docker build --build-arg K=V`.
    #[arg(long, value_name = "K=V")]
    pub build_arg: Vec<String>,
    /// The build target stage (default: the last stage).
    #[arg(long)]
    pub target: Option<String>,
    /// Read this configuration file instead of discovering `.hardfile.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore `.hardfile.toml` files and `HARDFILE_*` variables.
    #[arg(long)]
    pub isolated: bool,
}

impl ConfigArgs {
    /// The configuration for the Dockerfile at `dockerfile` (a path, or the directory a
    /// stdin file is assumed to be in): file, then environment, then flags.
    pub fn resolve(&self, dockerfile: &Path) -> anyhow::Result<Config> {
        let mut config = if self.isolated {
            Config::default()
        } else if let Some(path) = &self.config {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let mut config = Config::default();
            config.merge_toml(&text, Some(path))?;
            config
        } else {
            Config::discover(dockerfile)?
        };
        if !self.isolated {
            config.apply_env(std::env::vars())?;
        }
        self.apply(&mut config)?;
        Ok(config)
    }

    /// Applies the flags on top of `config`.
    pub fn apply(&self, config: &mut Config) -> anyhow::Result<()> {
        if let Some(profile) = &self.profile {
            config.profile = Profile::parse(profile)
                .with_context(|| format!("invalid --profile {profile:?} (dev, cis or prod)"))?;
        }
        if !self.select.is_empty() {
            config.select.clone_from(&self.select);
        }
        config
            .extend_select
            .extend(self.extend_select.iter().cloned());
        config.ignore.extend(self.ignore.iter().cloned());
        for selector in self
            .select
            .iter()
            .chain(&self.extend_select)
            .chain(&self.ignore)
        {
            check_selector(selector, &config.cis_version)?;
        }
        for pair in &self.severity {
            let Some((selector, level)) = pair.split_once('=') else {
                bail!("invalid --severity {pair:?}: expected SELECTOR=info|warning|error");
            };
            let level = Severity::parse(level.trim()).with_context(|| {
                format!("invalid --severity {pair:?}: level must be info, warning or error")
            })?;
            check_selector(selector.trim(), &config.cis_version)?;
            config.severity.insert(selector.trim().to_string(), level);
        }
        if let Some(version) = &self.cis_version {
            let version = version.trim().trim_start_matches('v');
            if !CIS_VERSIONS.contains(&version) {
                bail!(
                    "invalid --cis-version {version:?} (one of {})",
                    CIS_VERSIONS.join(", ")
                );
            }
            config.cis_version = version.to_string();
        }
        if let Some(base) = &self.base_config {
            config.base_user = base_user(base)?;
        }
        for pair in &self.build_arg {
            match pair.split_once('=') {
                Some((key, value)) => config.build_args.insert(key.into(), value.into()),
                // As `docker build --build-arg K`: the value comes from the environment.
                None => match std::env::var(pair) {
                    Ok(value) => config.build_args.insert(pair.clone(), value),
                    Err(_) => continue,
                },
            };
        }
        if let Some(target) = &self.target {
            config.target = Some(target.clone());
        }
        Ok(())
    }
}

/// A selector that names no rule is a usage error (a typo would silently do nothing).
fn check_selector(selector: &str, cis_version: &str) -> anyhow::Result<()> {
    let selector = selector.trim();
    if selector.is_empty()
        || selector.eq_ignore_ascii_case("all")
        || selector.eq_ignore_ascii_case("HF000")
        || selector.to_ascii_lowercase().starts_with("cis")
        || !rules::select_in(selector, cis_version).is_empty()
    {
        return Ok(());
    }
    bail!("unknown rule selector {selector:?} (see `hardfile rules`)")
}

/// Reads `user=root|nonroot|unknown` or an image config JSON file.
fn base_user(value: &str) -> anyhow::Result<Knowledge> {
    if let Some(user) = value.strip_prefix("user=") {
        return Knowledge::parse(user).with_context(|| {
            format!("invalid --base-config {value:?} (root, nonroot or unknown)")
        });
    }
    let text = std::fs::read_to_string(value)
        .with_context(|| format!("cannot read base image config {value}"))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{value}: not a JSON image config"))?;
    // `docker inspect` prints an array of objects with `Config.User`; an OCI image config
    // has `config.User`.
    let object = json.as_array().and_then(|a| a.first()).unwrap_or(&json);
    let user = ["Config", "config"]
        .iter()
        .find_map(|key| object.get(key))
        .and_then(|c| c.get("User"))
        .or_else(|| object.get("User"))
        .map_or(Some(""), serde_json::Value::as_str)
        .with_context(|| format!("{value}: User is not a string"))?;
    let name = user.split(':').next().unwrap_or("").trim();
    Ok(if name.is_empty() || name == "0" || name == "root" {
        Knowledge::Root
    } else {
        Knowledge::NonRoot
    })
}

/// When to colour output.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour standard output.
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_defaults() {
        let args = ConfigArgs {
            profile: Some("prod".into()),
            severity: vec!["HF805=error".into()],
            cis_version: Some("v1.5.0".into()),
            base_config: Some("user=nonroot".into()),
            build_arg: vec!["A=1".into()],
            ..ConfigArgs::default()
        };
        let mut config = Config::default();
        args.apply(&mut config).expect("valid flags");
        assert_eq!(config.profile, Profile::Prod);
        assert_eq!(config.severity["HF805"], Severity::Error);
        assert_eq!(config.cis_version, "1.5.0");
        assert_eq!(config.base_user, Knowledge::NonRoot);
        assert_eq!(config.build_args["A"], "1");
    }

    #[test]
    fn bad_flags_are_errors() {
        for args in [
            ConfigArgs {
                profile: Some("lax".into()),
                ..ConfigArgs::default()
            },
            ConfigArgs {
                select: vec!["NOPE999".into()],
                ..ConfigArgs::default()
            },
            ConfigArgs {
                severity: vec!["HF805".into()],
                ..ConfigArgs::default()
            },
            ConfigArgs {
                cis_version: Some("2.0".into()),
                ..ConfigArgs::default()
            },
        ] {
            assert!(args.apply(&mut Config::default()).is_err());
        }
    }

    #[test]
    fn base_config_from_image_config() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.json");
        std::fs::write(&path, r#"[{"Config":{"User":"nonroot:nonroot"}}]"#).expect("write");
        let user = base_user(path.to_str().expect("utf-8")).expect("parses");
        assert_eq!(user, Knowledge::NonRoot);
        std::fs::write(&path, r#"{"config":{"Env":[]}}"#).expect("write");
        let user = base_user(path.to_str().expect("utf-8")).expect("parses");
        assert_eq!(user, Knowledge::Root);
    }
}
