//! Configuration: the workspace's `.hardfile.toml` under the editor's settings.
//!
//! Layers, weakest first: defaults < the `.hardfile.toml` nearest the document (or in the
//! first workspace folder, for unsaved documents) < `HARDFILE_*` variables < the client's settings
//! (`initializationOptions`, then `workspace/didChangeConfiguration`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use hardfile_lints::config::{CONFIG_FILE_NAME, Config, ConfigError, Profile};
use hardfile_lints::diagnostic::Severity;
use serde::Deserialize;

/// How the client receives diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticMode {
    /// The server publishes diagnostics (`textDocument/publishDiagnostics`).
    #[default]
    Push,
    /// The client asks for them (`textDocument/diagnostic`); the server does not push.
    Pull,
}

/// The client's settings: every key optional, camelCase or kebab-case.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    /// `dev`, `cis` or `prod`.
    pub profile: Option<String>,
    /// Only these rules run.
    pub select: Option<Vec<String>>,
    /// Rules added to the default set.
    #[serde(alias = "extend-select")]
    pub extend_select: Option<Vec<String>>,
    /// Rules switched off.
    pub ignore: Option<Vec<String>>,
    /// Severity per selector.
    pub severity: Option<BTreeMap<String, String>>,
    /// Push (default) or pull diagnostics.
    #[serde(alias = "diagnostic-mode")]
    pub diagnostic_mode: Option<DiagnosticMode>,
}

impl Settings {
    /// Reads settings from `initializationOptions` or `didChangeConfiguration` params:
    /// either the settings themselves or an object with a `hardfile` key holding them.
    /// Anything unreadable counts as no settings (and is logged).
    pub fn from_json(value: Option<&serde_json::Value>) -> Settings {
        let Some(value) = value else {
            return Settings::default();
        };
        let value = value.get("hardfile").unwrap_or(value);
        if value.is_null() {
            return Settings::default();
        }
        match serde_json::from_value(value.clone()) {
            Ok(settings) => settings,
            Err(err) => {
                tracing::warn!("ignoring unreadable settings: {err}");
                Settings::default()
            }
        }
    }

    /// Applies these settings on top of `config`. Invalid values are reported, not fatal.
    pub fn apply(&self, config: &mut Config) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(profile) = &self.profile {
            match Profile::parse(profile) {
                Some(p) => config.profile = p,
                None => problems.push(format!(
                    "invalid profile {profile:?} in settings (expected dev, cis or prod)"
                )),
            }
        }
        if let Some(select) = &self.select {
            config.select.clone_from(select);
        }
        if let Some(extend) = &self.extend_select {
            config.extend_select.clone_from(extend);
        }
        if let Some(ignore) = &self.ignore {
            config.ignore.extend(ignore.iter().cloned());
        }
        for (selector, value) in self.severity.iter().flatten() {
            match Severity::parse(value) {
                Some(s) => {
                    config.severity.insert(selector.clone(), s);
                }
                None => problems.push(format!(
                    "invalid severity {value:?} for {selector} in settings (expected info, warning or error)"
                )),
            }
        }
        problems
    }
}

/// Reads `.hardfile.toml` files, each once until it changes.
#[derive(Debug, Default)]
pub struct ConfigCache {
    files: HashMap<PathBuf, Result<Config, String>>,
}

/// A document's configuration and what went wrong building it.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The configuration to lint with.
    pub config: Config,
    /// Problems (unreadable file, invalid values); the defaults were used for those parts.
    pub problems: Vec<String>,
}

impl ConfigCache {
    /// Forgets every file read (after a watched-file or settings change).
    pub fn clear(&mut self) {
        self.files.clear();
    }

    /// The configuration for a document at `path` (`None`: not a file; `roots` is then
    /// searched), with `settings` on top.
    pub fn resolve(
        &mut self,
        path: Option<&Path>,
        roots: &[PathBuf],
        settings: &Settings,
    ) -> Resolved {
        let file = match path {
            Some(path) => Config::find_file(path),
            None => roots
                .iter()
                .map(|root| root.join(CONFIG_FILE_NAME))
                .find(|candidate| candidate.is_file()),
        };
        let mut problems = Vec::new();
        let mut config = match file {
            None => Config::default(),
            Some(file) => {
                let entry = self
                    .files
                    .entry(file.clone())
                    .or_insert_with(|| read(&file).map_err(|e| e.to_string()));
                match entry {
                    Ok(config) => config.clone(),
                    Err(message) => {
                        problems.push(message.clone());
                        Config::default()
                    }
                }
            }
        };
        // As the CLI does: file, then `HARDFILE_*` variables, then the editor's settings.
        if let Err(err) = config.apply_env(std::env::vars()) {
            problems.push(err.to_string());
        }
        problems.extend(settings.apply(&mut config));
        Resolved { config, problems }
    }
}

fn read(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut config = Config::default();
    config.merge_toml(&text, Some(path))?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_accept_nested_and_kebab_case() {
        let value = serde_json::json!({"hardfile": {"profile": "prod", "extend-select": ["HF1"], "severity": {"HF805": "error"}}});
        let settings = Settings::from_json(Some(&value));
        assert_eq!(settings.profile.as_deref(), Some("prod"));
        let mut config = Config::default();
        assert!(settings.apply(&mut config).is_empty());
        assert_eq!(config.profile, Profile::Prod);
        assert_eq!(config.extend_select, vec!["HF1".to_string()]);
        assert_eq!(config.severity.get("HF805"), Some(&Severity::Error));
    }

    #[test]
    fn bad_settings_are_reported_not_fatal() {
        let settings = Settings::from_json(Some(&serde_json::json!({"profile": "loose"})));
        let mut config = Config::default();
        assert_eq!(settings.apply(&mut config).len(), 1);
        assert_eq!(
            Settings::from_json(Some(&serde_json::json!(42))),
            Settings::default()
        );
    }
}
