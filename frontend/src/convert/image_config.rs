//! The image config the Dockerfile frontend hands to the exporter, and the config-only
//! instructions (ENV, LABEL, USER, CMD, ENTRYPOINT, EXPOSE, VOLUME, STOPSIGNAL, SHELL,
//! HEALTHCHECK, ONBUILD, MAINTAINER, ARG).
//!
//! The JSON shape is `dockerspec.DockerOCIImage` as Go's `encoding/json` writes it (field names,
//! `omitempty` rules), and every history entry is worded exactly as BuildKit v0.13's
//! `dockerfile2llb` words it, because `docker history` shows it.

// `ExposedPorts` and `Volumes` are Go `map[string]struct{}`; the empty values are the format.
#![allow(clippy::zero_sized_map_values)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hardfile_lints::syntax::go_quote;
use hardfile_lints::syntax::{Args, Instruction};
use serde::{Deserialize, Serialize};

use super::{Cmd, ConvertError, Converter, StageState, arg_words, is_non_env_arg};

/// `history[].comment` of every entry the Dockerfile frontend writes.
pub const HISTORY_COMMENT: &str = "buildkit.dockerfile.v0";

/// `PATH` a Linux stage gets when its base image sets none.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Go writes `null` for nil slices and maps; read it as empty.
fn nullable<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde passes a reference
fn is_false(value: &bool) -> bool {
    !*value
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde passes a reference
fn is_zero(value: &i64) -> bool {
    *value == 0
}

/// `struct{}` values of `ExposedPorts` and `Volumes`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Empty {}

/// `Healthcheck` of the image config; durations in nanoseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Healthcheck {
    /// `["NONE"]`, `["CMD", …]` or `["CMD-SHELL", command]`.
    #[serde(
        rename = "Test",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub test: Vec<String>,
    /// Time between checks.
    #[serde(
        rename = "Interval",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero"
    )]
    pub interval: i64,
    /// Time before a check counts as hung.
    #[serde(
        rename = "Timeout",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero"
    )]
    pub timeout: i64,
    /// Grace period after start.
    #[serde(
        rename = "StartPeriod",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero"
    )]
    pub start_period: i64,
    /// Time between checks during the start period.
    #[serde(
        rename = "StartInterval",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero"
    )]
    pub start_interval: i64,
    /// Failures before unhealthy.
    #[serde(
        rename = "Retries",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_zero"
    )]
    pub retries: i64,
}

/// The `config` object (`DockerOCIImageConfig`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerConfig {
    /// `User`.
    #[serde(
        rename = "User",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub user: String,
    /// `ExposedPorts` (`"80/tcp": {}`).
    #[serde(
        rename = "ExposedPorts",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub exposed_ports: BTreeMap<String, Empty>,
    /// `Env` (`KEY=value`).
    #[serde(
        rename = "Env",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub env: Vec<String>,
    /// `Entrypoint`.
    #[serde(
        rename = "Entrypoint",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub entrypoint: Vec<String>,
    /// `Cmd`.
    #[serde(
        rename = "Cmd",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cmd: Vec<String>,
    /// `Volumes`.
    #[serde(
        rename = "Volumes",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub volumes: BTreeMap<String, Empty>,
    /// `WorkingDir`.
    #[serde(
        rename = "WorkingDir",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub working_dir: String,
    /// `Labels`.
    #[serde(
        rename = "Labels",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    /// `StopSignal`.
    #[serde(
        rename = "StopSignal",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub stop_signal: String,
    /// `ArgsEscaped` (Windows legacy; BuildKit sets it for every CMD).
    #[serde(
        rename = "ArgsEscaped",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_false"
    )]
    pub args_escaped: bool,
    /// `Healthcheck`.
    #[serde(
        rename = "Healthcheck",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub healthcheck: Option<Healthcheck>,
    /// `OnBuild` triggers.
    #[serde(
        rename = "OnBuild",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub on_build: Vec<String>,
    /// `Shell`.
    #[serde(
        rename = "Shell",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub shell: Vec<String>,
}

/// `rootfs`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootFs {
    /// Always `layers`.
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub kind: String,
    /// Layer digests (`null` when unknown; the exporter fills them).
    #[serde(default)]
    pub diff_ids: Option<Vec<String>>,
}

/// One `history` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// RFC 3339 time, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The instruction, as BuildKit words it.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub created_by: String,
    /// Author.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub author: String,
    /// `buildkit.dockerfile.v0` for our entries.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub comment: String,
    /// The step produced no layer.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "is_false"
    )]
    pub empty_layer: bool,
}

/// The image config (`dockerspec.DockerOCIImage`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DockerImage {
    /// Creation time; cleared for base images, filled by the exporter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// `MAINTAINER`.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub author: String,
    /// CPU architecture.
    #[serde(default, deserialize_with = "nullable")]
    pub architecture: String,
    /// Operating system.
    #[serde(default, deserialize_with = "nullable")]
    pub os: String,
    /// OS version (Windows).
    #[serde(
        rename = "os.version",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub os_version: String,
    /// OS features (Windows).
    #[serde(
        rename = "os.features",
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub os_features: Vec<String>,
    /// CPU variant.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "String::is_empty"
    )]
    pub variant: String,
    /// The runtime config.
    #[serde(default, deserialize_with = "nullable")]
    pub config: ContainerConfig,
    /// Layers.
    #[serde(default, deserialize_with = "nullable")]
    pub rootfs: RootFs,
    /// Build history.
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub history: Vec<History>,
}

impl DockerImage {
    /// BuildKit's `emptyImage`: what `FROM scratch` starts from.
    pub fn empty(os: &str, architecture: &str, variant: &str) -> Self {
        Self {
            architecture: architecture.to_owned(),
            os: os.to_owned(),
            variant: variant.to_owned(),
            config: ContainerConfig {
                working_dir: "/".to_owned(),
                env: vec![format!("PATH={DEFAULT_PATH}")],
                ..ContainerConfig::default()
            },
            rootfs: RootFs {
                kind: "layers".to_owned(),
                diff_ids: None,
            },
            ..Self::default()
        }
    }

    /// Whether an `ENV` named `key` is set.
    pub fn has_env(&self, key: &str) -> bool {
        self.config
            .env
            .iter()
            .any(|entry| split_env(entry).0 == key)
    }

    /// BuildKit's `addEnv`: replaces `key` in place, else appends.
    pub fn add_env(&mut self, key: &str, value: &str) {
        let entry = format!("{key}={value}");
        match self
            .config
            .env
            .iter_mut()
            .find(|existing| split_env(existing).0 == key)
        {
            Some(existing) => *existing = entry,
            None => self.config.env.push(entry),
        }
    }

    /// Appends a history entry (`commitToHistory`); `buildkit_suffix` adds ` # buildkit`, as
    /// BuildKit does for steps that ran an op.
    pub fn commit(
        &mut self,
        message: impl Into<String>,
        with_layer: bool,
        buildkit_suffix: bool,
        created: Option<&str>,
    ) {
        let mut created_by = message.into();
        if buildkit_suffix {
            created_by.push_str(" # buildkit");
        }
        self.history.push(History {
            created: created.map(str::to_owned),
            created_by,
            author: String::new(),
            comment: HISTORY_COMMENT.to_owned(),
            empty_layer: !with_layer,
        });
    }

    /// The shell for shell-form commands: the image's `Shell`, else `/bin/sh -c`.
    pub fn shell(&self) -> Vec<String> {
        if self.config.shell.is_empty() {
            if self.os == "windows" {
                vec!["cmd".into(), "/S".into(), "/C".into()]
            } else {
                vec!["/bin/sh".into(), "-c".into()]
            }
        } else {
            self.config.shell.clone()
        }
    }

    /// BuildKit's `withShell`: the shell plus the words joined by spaces.
    pub fn with_shell(&self, args: &[String]) -> Vec<String> {
        let mut out = self.shell();
        out.push(args.join(" "));
        out
    }

    /// The JSON BuildKit's `json.Marshal` would write.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// Splits `KEY=value` at the first `=` (a missing `=` gives an empty value).
pub fn split_env(entry: &str) -> (&str, &str) {
    entry.split_once('=').unwrap_or((entry, ""))
}

/// Go's `fmt.Sprintf("%q", []string{…})`: `["a" "b"]`.
pub fn go_quote_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| go_quote(item)).collect();
    format!("[{}]", quoted.join(" "))
}

/// Go's `fmt.Sprintf("%v", []string{…})`: `[a b]`.
pub fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// Go's `time.Duration.String()`.
pub fn go_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".to_owned();
    }
    let negative = nanos < 0;
    let mut u = nanos.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        // Sub-second: ns, µs or ms with a fraction.
        let (unit, scale) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&fraction(u, scale));
        out.push_str(unit);
    } else {
        let hours = u / 3_600_000_000_000;
        u -= hours * 3_600_000_000_000;
        let minutes = u / 60_000_000_000;
        u -= minutes * 60_000_000_000;
        if hours > 0 {
            let _ = write!(out, "{hours}h");
        }
        if hours > 0 || minutes > 0 {
            let _ = write!(out, "{minutes}m");
        }
        out.push_str(&fraction(u, 1_000_000_000));
        out.push('s');
    }
    if negative {
        out.insert(0, '-');
    }
    out
}

fn fraction(value: u64, scale: u64) -> String {
    let whole = value / scale;
    let mut rest = value % scale;
    if rest == 0 {
        return whole.to_string();
    }
    let mut digits = String::new();
    let mut s = scale / 10;
    while s > 0 && rest > 0 {
        digits.push(char::from(b'0' + u8::try_from(rest / s).unwrap_or(0)));
        rest %= s;
        s /= 10;
    }
    format!("{whole}.{digits}")
}

/// Go's `%q` of an `int`: a quoted character literal (`'\x03'`), which is what BuildKit's
/// HEALTHCHECK history shows for `Retries`.
pub fn go_quote_rune(value: i64) -> String {
    let Some(c) = u32::try_from(value).ok().and_then(char::from_u32) else {
        return "'\u{FFFD}'".to_owned();
    };
    let body = match c {
        '\u{7}' => "\\a".to_owned(),
        '\u{8}' => "\\b".to_owned(),
        '\u{c}' => "\\f".to_owned(),
        '\n' => "\\n".to_owned(),
        '\r' => "\\r".to_owned(),
        '\t' => "\\t".to_owned(),
        '\u{b}' => "\\v".to_owned(),
        '\\' => "\\\\".to_owned(),
        '\'' => "\\'".to_owned(),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => format!("\\x{:02x}", c as u32),
        c => c.to_string(),
    };
    format!("'{body}'")
}

/// The `created_by` of a HEALTHCHECK: `fmt.Sprintf("HEALTHCHECK %q", &HealthcheckConfig{…})`.
pub fn healthcheck_history(health: &Healthcheck) -> String {
    format!(
        "HEALTHCHECK &{{{} {} {} {} {} {}}}",
        go_quote_list(&health.test),
        go_quote(&go_duration(health.interval)),
        go_quote(&go_duration(health.timeout)),
        go_quote(&go_duration(health.start_period)),
        go_quote(&go_duration(health.start_interval)),
        go_quote_rune(health.retries),
    )
}

// ---------------------------------------------------------------------------------------------
// Config-only instructions (`dispatchEnv`, `dispatchArg`, `dispatchLabel`, … in BuildKit).

/// The command line of CMD, ENTRYPOINT and RUN: exec-form items, or the shell-form text, and
/// whether the shell is prepended.
pub(crate) fn command_line(instruction: &Instruction) -> (Vec<String>, bool) {
    match &instruction.args {
        Args::Exec { items, .. } => (items.iter().map(|w| w.value.clone()).collect(), false),
        Args::Empty => (Vec::new(), true),
        _ => (vec![arg_words(instruction).join(" ")], true),
    }
}

/// Go's `time.ParseDuration` for HEALTHCHECK flags, in nanoseconds (0 when absent).
fn health_interval(instruction: &Instruction, name: &str) -> Result<i64, ConvertError> {
    let Some(value) = instruction.flag(name).and_then(|f| f.value.clone()) else {
        return Ok(0);
    };
    if value.is_empty() {
        return Ok(0);
    }
    let duration = hardfile_lints::syntax::validate::parse_go_duration(&value)
        .ok_or_else(|| ConvertError::new(format!("time: invalid duration {}", go_quote(&value))))?;
    let nanos = i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX);
    if nanos == 0 {
        return Ok(0);
    }
    if nanos < 1_000_000 {
        return Err(ConvertError::new(format!(
            "Interval {} cannot be less than 1ms",
            go_quote(name)
        )));
    }
    Ok(nanos)
}

/// `signal.ParseSignal`: a number or a known name, with or without `SIG`.
fn valid_signal(text: &str) -> bool {
    const NAMES: [&str; 34] = [
        "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT",
        "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM",
        "TRAP", "TSTP", "TTIN", "TTOU", "UNUSED", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU",
    ];
    if let Ok(number) = text.parse::<u32>() {
        return number != 0;
    }
    let name = text.strip_prefix("SIG").unwrap_or(text);
    if NAMES.contains(&name) || name == "XFSZ" {
        return true;
    }
    // RTMIN, RTMIN+n, RTMAX-n
    name.starts_with("RTMIN") || name.starts_with("RTMAX")
}

/// `nat.ParsePortSpecs` for EXPOSE: `port[/proto]`, ranges expanded, protocol lower-cased.
fn expose_ports(spec: &str) -> Result<Vec<String>, ConvertError> {
    let parts: Vec<&str> = spec.split(':').collect();
    let container = parts.last().copied().unwrap_or_default();
    let split: Vec<&str> = container.split('/').collect();
    let (proto, port) = if container.is_empty() || split[0].is_empty() {
        (String::new(), String::new())
    } else if split.len() == 1 || split[1].is_empty() {
        ("tcp".to_owned(), split[0].to_owned())
    } else {
        (split[1].to_ascii_lowercase(), split[0].to_owned())
    };
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(ConvertError::new(format!("invalid proto: {proto}")));
    }
    let invalid = || ConvertError::new(format!("invalid containerPort: {port}"));
    let (start, end) = if let Some((a, b)) = port.split_once('-') {
        (
            a.parse::<u16>().map_err(|_| invalid())?,
            b.parse::<u16>().map_err(|_| invalid())?,
        )
    } else {
        let p = port.parse::<u16>().map_err(|_| invalid())?;
        (p, p)
    };
    if end < start {
        return Err(invalid());
    }
    Ok((start..=end).map(|p| format!("{p}/{proto}")).collect())
}

// Every dispatcher has the same fallible signature, even those that cannot fail.
#[allow(clippy::unnecessary_wraps, clippy::unused_self)]
impl Converter<'_> {
    pub(crate) fn dispatch_env(
        &mut self,
        state: &mut StageState,
        cmd: &Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let Args::Pairs(pairs) = &cmd.instruction.args else {
            return Err(ConvertError::new("ENV requires at least one argument"));
        };
        let mut expanded = Vec::with_capacity(pairs.len());
        for pair in pairs {
            expanded.push((
                self.expand(state, &pair.key.value)?,
                self.expand(state, &pair.value.value)?,
            ));
        }
        let mut message = String::from("ENV");
        for (key, value) in &expanded {
            let _ = write!(message, " {key}={value}");
            state.add_env(key, value);
            state.image.add_env(key, value);
        }
        let epoch = self.epoch().map(str::to_owned);
        state.image.commit(message, false, false, epoch.as_deref());
        Ok(())
    }

    pub(crate) fn dispatch_label(
        &mut self,
        state: &mut StageState,
        cmd: &Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let Args::Pairs(pairs) = &cmd.instruction.args else {
            return Err(ConvertError::new("LABEL requires at least one argument"));
        };
        let mut expanded = Vec::with_capacity(pairs.len());
        for pair in pairs {
            expanded.push((
                self.expand(state, &pair.key.value)?,
                self.expand(state, &pair.value.value)?,
            ));
        }
        let mut message = String::from("LABEL");
        for (key, value) in expanded {
            let _ = write!(message, " {key}={value}");
            state.image.config.labels.insert(key, value);
        }
        let epoch = self.epoch().map(str::to_owned);
        state.image.commit(message, false, false, epoch.as_deref());
        Ok(())
    }

    pub(crate) fn dispatch_arg(
        &mut self,
        state: &mut StageState,
        cmd: &Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let words = arg_words(cmd.instruction);
        if words.is_empty() {
            return Err(ConvertError::new("ARG requires at least one argument"));
        }
        // Expand every key and default first (the instruction's `Expand`), then apply.
        let mut args = Vec::with_capacity(words.len());
        for word in &words {
            let (key, default) = match word.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (word.as_str(), None),
            };
            let key = self.expand(state, key)?;
            let default = match default {
                Some(d) => Some(self.expand(state, d)?),
                None => None,
            };
            args.push((key, default));
        }
        let mut commits = Vec::with_capacity(args.len());
        for (key, default) in args {
            let mut commit = key.clone();
            if let Some(d) = &default {
                commit.push('=');
                commit.push_str(d);
            }
            commits.push(commit);
            let mut value = self.options().build_args.get(&key).cloned().or(default);
            if value.is_none() {
                for (meta_key, meta_value) in &self.plan.meta_args {
                    if *meta_key == key {
                        value.clone_from(meta_value);
                    }
                }
            }
            if let Some(v) = &value
                && !is_non_env_arg(&key)
            {
                state.add_env(&key, v);
            }
            state.build_args.push((key, value));
        }
        let epoch = self.epoch().map(str::to_owned);
        state.image.commit(
            format!("ARG {}", commits.join(" ")),
            false,
            false,
            epoch.as_deref(),
        );
        Ok(())
    }

    pub(crate) fn dispatch_user(
        &mut self,
        state: &mut StageState,
        cmd: &Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let words = arg_words(cmd.instruction);
        if words.len() != 1 {
            return Err(ConvertError::new("USER requires exactly one argument"));
        }
        let user = self.expand(state, &words[0])?;
        state.user.clone_from(&user);
        state.image.config.user.clone_from(&user);
        let epoch = self.epoch().map(str::to_owned);
        state
            .image
            .commit(format!("USER {user}"), false, false, epoch.as_deref());
        Ok(())
    }

    pub(crate) fn dispatch_maintainer(
        &mut self,
        state: &mut StageState,
        cmd: &Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let words = arg_words(cmd.instruction);
        if words.len() != 1 {
            return Err(ConvertError::new(
                "MAINTAINER requires exactly one argument",
            ));
        }
        state.image.author.clone_from(&words[0]);
        let epoch = self.epoch().map(str::to_owned);
        state.image.commit(
            format!("MAINTAINER {}", words[0]),
            false,
            false,
            epoch.as_deref(),
        );
        Ok(())
    }

    pub(crate) fn dispatch_cmd(
        &mut self,
        state: &mut StageState,
        cmd: &Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let (mut args, shell) = command_line(cmd.instruction);
        if shell {
            args = state.image.with_shell(&args);
        }
        let message = format!("CMD {}", go_quote_list(&args));
        state.image.config.cmd = args;
        state.image.config.args_escaped = true;
        state.cmd_set = true;
        let epoch = self.epoch().map(str::to_owned);
        state.image.commit(message, false, false, epoch.as_deref());
        Ok(())
    }

    pub(crate) fn dispatch_entrypoint(
        &mut self,
        state: &mut StageState,
        cmd: &Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let (mut args, shell) = command_line(cmd.instruction);
        if shell {
            args = state.image.with_shell(&args);
        }
        let message = format!("ENTRYPOINT {}", go_quote_list(&args));
        state.image.config.entrypoint = args;
        if !state.cmd_set {
            state.image.config.cmd.clear();
        }
        let epoch = self.epoch().map(str::to_owned);
        state.image.commit(message, false, false, epoch.as_deref());
        Ok(())
    }

    pub(crate) fn dispatch_expose(
        &mut self,
        state: &mut StageState,
        cmd: &Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let words = arg_words(cmd.instruction);
        if words.is_empty() {
            return Err(ConvertError::new("EXPOSE requires at least one argument"));
        }
        let mut ports = BTreeMap::new();
        for word in &words {
            let expanded = self
                .lexer
                .process_words(word, &state.env)
                .map_err(|e| ConvertError::new(e.to_string()))?;
            for spec in expanded {
                for port in expose_ports(&spec)? {
                    ports.insert(port, Empty {});
                }
            }
        }
        let shown: Vec<String> = ports.keys().map(|p| format!("{p}:{{}}")).collect();
        state.image.config.exposed_ports.extend(ports);
        let epoch = self.epoch().map(str::to_owned);
        state.image.commit(
            format!("EXPOSE map[{}]", shown.join(" ")),
            false,
            false,
            epoch.as_deref(),
        );
        Ok(())
    }

    pub(crate) fn dispatch_volume(
        &mut self,
        state: &mut StageState,
        cmd: &Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let words = arg_words(cmd.instruction);
        if words.is_empty() {
            return Err(ConvertError::new("VOLUME requires at least one argument"));
        }
        let mut volumes = Vec::with_capacity(words.len());
        for word in &words {
            let trimmed = word.trim();
            if trimmed.is_empty() {
                return Err(ConvertError::new(
                    "VOLUME specified can not be an empty string",
                ));
            }
            let volume = self.expand(state, trimmed)?;
            if volume.is_empty() {
                return Err(ConvertError::new(
                    "VOLUME specified can not be an empty string",
                ));
            }
            volumes.push(volume);
        }
        for volume in &volumes {
            state.image.config.volumes.insert(volume.clone(), Empty {});
        }
        let epoch = self.epoch().map(str::to_owned);
        state.image.commit(
            format!("VOLUME {}", go_list(&volumes)),
            false,
            false,
            epoch.as_deref(),
        );
        Ok(())
    }

    pub(crate) fn dispatch_stopsignal(
        &mut self,
        state: &mut StageState,
        cmd: &Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let words = arg_words(cmd.instruction);
        if words.len() != 1 {
            return Err(ConvertError::new(
                "STOPSIGNAL requires exactly one argument",
            ));
        }
        let signal = self.expand(state, &words[0])?;
        if !valid_signal(&signal) {
            return Err(ConvertError::new(format!("Invalid signal: {signal}")));
        }
        state.image.config.stop_signal.clone_from(&signal);
        let epoch = self.epoch().map(str::to_owned);
        state.image.commit(
            format!("STOPSIGNAL {signal}"),
            false,
            false,
            epoch.as_deref(),
        );
        Ok(())
    }

    pub(crate) fn dispatch_shell(
        &mut self,
        state: &mut StageState,
        cmd: &Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let Args::Exec { items, .. } = &cmd.instruction.args else {
            return Err(ConvertError::new(format!(
                "SHELL requires the arguments to be in JSON form: {}",
                cmd.instruction.original.trim()
            )));
        };
        let shell: Vec<String> = items.iter().map(|w| w.value.clone()).collect();
        if shell.is_empty() {
            return Err(ConvertError::new("SHELL requires at least one argument"));
        }
        let message = format!("SHELL {}", go_list(&shell));
        state.image.config.shell = shell;
        let epoch = self.epoch().map(str::to_owned);
        state.image.commit(message, false, false, epoch.as_deref());
        Ok(())
    }

    pub(crate) fn dispatch_healthcheck(
        &mut self,
        state: &mut StageState,
        cmd: &Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let instruction = cmd.instruction;
        let Args::Healthcheck { kind, command } = &instruction.args else {
            return Err(ConvertError::new(
                "HEALTHCHECK requires at least one argument",
            ));
        };
        let kind = kind.value.to_uppercase();
        let health = if kind == "NONE" {
            if !matches!(**command, Args::Empty) {
                return Err(ConvertError::new("HEALTHCHECK NONE takes no arguments"));
            }
            Healthcheck {
                test: vec!["NONE".to_owned()],
                ..Healthcheck::default()
            }
        } else if kind == "CMD" {
            let (mut test, label) = match &**command {
                Args::Exec { items, .. } => (
                    items.iter().map(|w| w.value.clone()).collect::<Vec<_>>(),
                    "CMD",
                ),
                Args::Rest(word) | Args::Invalid(word) => (vec![word.value.clone()], "CMD-SHELL"),
                Args::Words(words) => (
                    vec![
                        words
                            .iter()
                            .map(|w| w.value.as_str())
                            .collect::<Vec<_>>()
                            .join(" "),
                    ],
                    "CMD-SHELL",
                ),
                _ => (Vec::new(), "CMD-SHELL"),
            };
            if test.is_empty() {
                return Err(ConvertError::new("Missing command after HEALTHCHECK CMD"));
            }
            test.insert(0, label.to_owned());
            let retries = match instruction.flag("retries").and_then(|f| f.value.clone()) {
                Some(v) if !v.is_empty() => {
                    let n: i64 = v.parse().map_err(|_| {
                        ConvertError::new(format!(
                            "strconv.ParseInt: parsing {}: invalid syntax",
                            go_quote(&v)
                        ))
                    })?;
                    if n < 0 {
                        return Err(ConvertError::new(format!(
                            "--retries cannot be negative ({n})"
                        )));
                    }
                    n
                }
                _ => 0,
            };
            Healthcheck {
                test,
                interval: health_interval(instruction, "interval")?,
                timeout: health_interval(instruction, "timeout")?,
                start_period: health_interval(instruction, "start-period")?,
                start_interval: health_interval(instruction, "start-interval")?,
                retries,
            }
        } else {
            return Err(ConvertError::new(format!(
                "Unknown type {} in HEALTHCHECK (try CMD)",
                go_quote(&kind)
            )));
        };
        let message = healthcheck_history(&health);
        state.image.config.healthcheck = Some(health);
        let epoch = self.epoch().map(str::to_owned);
        state.image.commit(message, false, false, epoch.as_deref());
        Ok(())
    }

    pub(crate) fn dispatch_onbuild(
        &mut self,
        state: &mut StageState,
        cmd: &Cmd<'_>,
    ) -> Result<(), ConvertError> {
        let Some(inner) = cmd.instruction.onbuild_inner() else {
            return Err(ConvertError::new("ONBUILD requires at least one argument"));
        };
        match inner.keyword_text.to_uppercase().as_str() {
            "ONBUILD" => {
                return Err(ConvertError::new(
                    "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                ));
            }
            "MAINTAINER" | "FROM" => {
                return Err(ConvertError::new(format!(
                    "{} isn't allowed as an ONBUILD trigger",
                    inner.keyword_text.to_uppercase()
                )));
            }
            _ => {}
        }
        let original = &cmd.instruction.original;
        let trimmed = original.trim_start();
        let after_keyword = trimmed.get(7..).unwrap_or_default();
        let mut expression = after_keyword.trim_start().to_owned();
        for heredoc in &cmd.instruction.heredocs {
            expression.push('\n');
            expression.push_str(&heredoc.content);
            expression.push_str(&heredoc.name);
        }
        state.image.config.on_build.push(expression);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_like_go() {
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(5_000_000_000), "5s");
        assert_eq!(go_duration(90_000_000_000), "1m30s");
        assert_eq!(go_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(go_duration(1_500_000_000), "1.5s");
        assert_eq!(go_duration(1_500_000), "1.5ms");
    }

    #[test]
    fn healthcheck_history_like_go() {
        let health = Healthcheck {
            test: vec!["CMD-SHELL".into(), "true".into()],
            interval: 5_000_000_000,
            retries: 3,
            ..Healthcheck::default()
        };
        assert_eq!(
            healthcheck_history(&health),
            r#"HEALTHCHECK &{["CMD-SHELL" "true"] "5s" "0s" "0s" "0s" '\x03'}"#
        );
    }

    #[test]
    fn empty_image_json() {
        let image = DockerImage::empty("linux", "amd64", "");
        let json = String::from_utf8(image.to_json()).expect("utf8");
        assert_eq!(
            json,
            r#"{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":null}}"#
        );
    }
}
