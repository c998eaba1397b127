//! The rule framework and the registry of every rule.
//!
//! # Codes
//! `HF` + three digits, never reused. The first digit is the area:
//!
//! | codes | area |
//! |---|---|
//! | `HF000` | syntax errors (from the parser, not a rule) |
//! | `HF1xx` | user and privilege (CIS 4.1) |
//! | `HF2xx` | supply chain: base images, remote sources, verification (CIS 4.2, 4.5, 4.11, 4.12) |
//! | `HF3xx` | packages (CIS 4.3, 4.4, 4.7) |
//! | `HF4xx` | secrets (CIS 4.10) |
//! | `HF5xx` | filesystem: ADD/COPY, modes, paths (CIS 4.8, 4.9) |
//! | `HF6xx` | network and runtime (CIS 5.x an image controls) |
//! | `HF7xx` | RUN / shell hygiene |
//! | `HF8xx` | HEALTHCHECK, CMD/ENTRYPOINT and metadata (CIS 4.6) |
//! | `HF9xx` | governance (suppressions) and BuildKit's static build checks |
//!
//! # Writing a rule
//! One file per rule in this folder. Its `//!` doc comment is the user documentation, with
//! the headings What it does / Why is this bad / Example / Use instead / Fix safety /
//! References; [`RuleMeta::documentation`] extracts it from the file itself (`include_str!`),
//! so `hardfile explain` cannot drift from the code. The file declares `pub static META:
//! RuleMeta` and a `Default` type implementing [`Rule`], then adds one line to
//! [`register!`] below.
//!
//! A rule is a fold: [`Rule::check`] sees every instruction in file order (and, for
//! [`Scope::Instruction`] rules, the body of every `ONBUILD` — through one wrapper in
//! [`crate::check`], never per rule), and [`Rule::finish`] judges what the fold collected.
//! Each file gets a fresh rule value.

use std::sync::OnceLock;

use crate::config::{Config, DEFAULT_CIS_VERSION, Profile};
use crate::context::BuildContext;
use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::model::{Model, Stage};
use crate::shell::ScriptCache;
use crate::syntax::{Dockerfile, Instruction, Keyword, Span};

/// Whether a rule can fix what it finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    /// Every finding carries a fix.
    Always,
    /// Some findings carry a fix.
    Sometimes,
    /// No finding carries a fix.
    Never,
}

/// Whether a rule is on by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleStatus {
    /// Part of the default set.
    Stable,
    /// Only when selected explicitly.
    Preview,
}

/// What a rule judges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Each instruction on its own; `ONBUILD` bodies are checked too.
    Instruction,
    /// The exported image (target stage and the stages it copies from); `ONBUILD` bodies,
    /// which only affect images built *from* this one, are not shown to the rule.
    Image,
}

/// The CIS items and peer rules a rule corresponds to.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Sources {
    /// CIS Docker Benchmark items per benchmark version: `[("1.6.0", &["4.1"]), …]`.
    pub cis: &'static [(&'static str, &'static [&'static str])],
    /// hadolint codes (`DL3002`).
    pub hadolint: &'static [&'static str],
    /// BuildKit build-check names (`SecretsUsedInArgOrEnv`).
    pub buildkit: &'static [&'static str],
    /// Trivy misconfiguration IDs (`DS-0002`).
    pub trivy: &'static [&'static str],
    /// Checkov IDs (`CKV_DOCKER_8`).
    pub checkov: &'static [&'static str],
}

impl Sources {
    /// No sources.
    pub const NONE: Sources = Sources {
        cis: &[],
        hadolint: &[],
        buildkit: &[],
        trivy: &[],
        checkov: &[],
    };

    /// The CIS items for `version` (empty when the rule maps to none in that version).
    pub fn cis_items(&self, version: &str) -> &'static [&'static str] {
        self.cis
            .iter()
            .find(|(v, _)| *v == version)
            .map_or(&[], |(_, items)| items)
    }

    /// Every peer code, in the order hadolint, BuildKit, Trivy, Checkov.
    pub fn peer_codes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.hadolint
            .iter()
            .chain(self.buildkit)
            .chain(self.trivy)
            .chain(self.checkov)
            .copied()
    }
}

/// The same CIS items in every benchmark version hardfile knows (4.1–4.11 are unchanged
/// since v1.4.0; use an explicit table for anything that differs).
#[macro_export]
macro_rules! cis_all {
    ($($item:literal),* $(,)?) => {
        &[
            ("1.6.0", &[$($item),*]),
            ("1.5.0", &[$($item),*]),
            ("1.4.0", &[$($item),*]),
        ]
    };
}

/// A rule's metadata: everything `hardfile rules` prints and selectors match.
#[derive(Debug, serde::Serialize)]
pub struct RuleMeta {
    /// Stable code, `HF` + three digits.
    pub code: &'static str,
    /// Kebab-case name that reads as "allow <name>".
    pub name: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Severity before configuration.
    pub default_severity: Severity,
    /// Whether findings carry fixes.
    pub fix: FixAvailability,
    /// Stable or preview.
    pub status: RuleStatus,
    /// Per instruction or per exported image.
    pub scope: Scope,
    /// The least strict profile that enables the rule by default (`Cis` also covers `dev`).
    pub profile: Profile,
    /// CIS items and peer codes.
    pub sources: Sources,
    /// The rule's source file; [`RuleMeta::documentation`] extracts its `//!` comment.
    #[serde(skip)]
    pub doc: &'static str,
}

impl RuleMeta {
    /// The rule's documentation: its file's `//!` comment, as Markdown.
    pub fn documentation(&self) -> String {
        let mut out = String::new();
        for line in self.doc.lines() {
            let trimmed = line.trim_start();
            let Some(rest) = trimmed.strip_prefix("//!") else {
                if trimmed.is_empty() || out.is_empty() {
                    continue;
                }
                break;
            };
            out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            out.push('\n');
        }
        out
    }

    /// A finding of this rule at its default severity (configuration adjusts it later).
    pub fn diagnostic(&'static self, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.code, self.name, self.default_severity, span, message)
    }

    /// Whether `selector` names this rule (see [`select`]); `cis:` items follow `cis_version`.
    pub fn matches(&self, selector: &str, cis_version: &str) -> bool {
        let selector = selector.trim();
        if selector.is_empty() {
            return false;
        }
        if selector.eq_ignore_ascii_case("all") {
            return true;
        }
        if let Some((prefix, item)) = selector.split_once(':') {
            let prefix = prefix.to_ascii_lowercase();
            let version = match prefix.as_str() {
                "cis" => cis_version,
                other => match other.strip_prefix("cis-") {
                    Some(v) => v.trim_start_matches('v'),
                    None => return false,
                },
            };
            let item = item.trim();
            return self
                .sources
                .cis_items(version)
                .iter()
                .any(|i| *i == item || i.starts_with(&format!("{item}.")));
        }
        if self.code.eq_ignore_ascii_case(selector) || self.name.eq_ignore_ascii_case(selector) {
            return true;
        }
        // Code prefixes (`HF1`, `HF10`) select an area, as in ruff.
        if selector.len() >= 3
            && selector.len() < self.code.len()
            && self.code.starts_with(&selector.to_ascii_uppercase())
        {
            return true;
        }
        let wanted = normalize_peer(selector);
        self.sources
            .peer_codes()
            .any(|peer| normalize_peer(peer) == wanted)
    }
}

/// Peer codes compare case-insensitively, ignoring `-`/`_` and Trivy's zero padding
/// (`DS-0002` = `DS002` = `ds2`).
fn normalize_peer(code: &str) -> String {
    let upper: String = code
        .chars()
        .filter(|c| *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if let Some(number) = upper.strip_prefix("DS")
        && let Ok(n) = number.parse::<u32>()
    {
        return format!("DS{n}");
    }
    upper
}

/// A reference to the instruction a rule is looking at.
#[derive(Clone, Copy, Debug)]
pub struct InstructionRef<'a> {
    /// Index into `Dockerfile::instructions` (of the ONBUILD, for an ONBUILD body).
    pub index: usize,
    /// The instruction to check: the top-level one, or the body of an `ONBUILD`.
    pub instruction: &'a Instruction,
    /// Whether `instruction` is the body of an `ONBUILD`.
    pub onbuild: bool,
    /// The stage it belongs to (`None` before the first FROM).
    pub stage: Option<usize>,
}

impl InstructionRef<'_> {
    /// The keyword of the instruction checked.
    pub fn keyword(&self) -> Keyword {
        self.instruction.keyword
    }
}

/// What a rule can look at: the file, its model, the configuration, the build context.
pub struct Context<'a> {
    /// The parsed file.
    pub file: &'a Dockerfile,
    /// The semantic model (stages, state, expansion).
    pub model: &'a Model,
    /// The configuration.
    pub config: &'a Config,
    /// The build context, when the caller can read it.
    pub build_context: Option<&'a dyn BuildContext>,
    exported: Vec<usize>,
    run_scripts: OnceLock<run_scripts::Cache>,
    script_cache: Option<&'a ScriptCache>,
}

impl<'a> Context<'a> {
    /// Bundles what rules see.
    pub fn new(
        file: &'a Dockerfile,
        model: &'a Model,
        config: &'a Config,
        build_context: Option<&'a dyn BuildContext>,
    ) -> Self {
        Self {
            file,
            model,
            config,
            build_context,
            exported: model.exported_stages(),
            run_scripts: OnceLock::new(),
            script_cache: None,
        }
    }

    /// Takes parsed RUN scripts from `cache` and leaves new ones there (see
    /// [`ScriptCache`]).
    #[must_use]
    pub fn with_script_cache(mut self, cache: &'a ScriptCache) -> Self {
        self.script_cache = Some(cache);
        self
    }

    /// The cache RUN scripts are parsed through, if any.
    pub fn script_cache(&self) -> Option<&'a ScriptCache> {
        self.script_cache
    }

    /// The source text.
    pub fn source(&self) -> &'a str {
        &self.file.source
    }

    /// The text of `span` (empty when out of bounds).
    pub fn text(&self, span: Span) -> &'a str {
        span.text(&self.file.source).unwrap_or("")
    }

    /// The exported (target) stage.
    pub fn target(&self) -> Option<&'a Stage> {
        self.model.target()
    }

    /// Whether `stage` is the target or a stage it depends on.
    pub fn is_exported(&self, stage: usize) -> bool {
        self.exported.contains(&stage)
    }

    /// Whether `stage` is the target stage itself.
    pub fn is_target(&self, stage: usize) -> bool {
        self.model.target().is_some_and(|t| t.index == stage)
    }

    /// Whether the instruction belongs to an exported stage.
    pub fn in_exported_stage(&self, at: &InstructionRef<'_>) -> bool {
        at.stage.is_some_and(|s| self.is_exported(s))
    }

    /// Expands `text` as BuildKit would at instruction `index`; `None` on an expansion error.
    pub fn expand(&self, index: usize, text: &str) -> Option<String> {
        self.model.expand(index, text).ok()
    }

    /// The range covering the whole lines of `span` plus the line break after it: deleting
    /// it removes an instruction without leaving a blank line.
    pub fn full_lines(&self, span: Span) -> Span {
        let source = self.source();
        let start = source[..span.start.min(source.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let end = match source[span.end.min(source.len())..].find('\n') {
            Some(i) => span.end + i + 1,
            None => source.len(),
        };
        Span::new(start, end)
    }

    /// An edit deleting a top-level instruction with its lines.
    pub fn delete_instruction(&self, instruction: &Instruction) -> Edit {
        Edit::delete(self.full_lines(instruction.span))
    }

    /// The indentation before `offset` on its line.
    pub fn indent_at(&self, offset: usize) -> &'a str {
        let source = self.source();
        let start = source[..offset.min(source.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let line = &source[start..offset.min(source.len())];
        &line[..line.len() - line.trim_start().len()]
    }

    /// The line break the file uses (`\r\n` or `\n`).
    pub fn newline(&self) -> &'static str {
        if self.source().contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }
}

/// A rule: a fold over the instructions of one file.
pub trait Rule {
    /// Looks at one instruction (or ONBUILD body); push findings to `out`.
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>);

    /// Called once after the last instruction.
    fn finish(&mut self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let _ = (cx, out);
    }
}

/// A registered rule: its metadata and how to make a fresh instance.
#[derive(Clone, Copy)]
pub struct RuleEntry {
    /// The metadata.
    pub meta: &'static RuleMeta,
    /// A fresh, empty fold.
    pub new: fn() -> Box<dyn Rule>,
}

fn make<R: Rule + Default + 'static>() -> Box<dyn Rule> {
    Box::new(R::default())
}

/// Declares the rule modules and the registry, one line per rule.
macro_rules! register {
    ($($module:ident :: $rule:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Every rule, in code order.
        static ENTRIES: &[RuleEntry] = &[
            $(RuleEntry { meta: &$module::META, new: make::<$module::$rule> },)*
        ];
    };
}

#[rustfmt::skip]
register! {
    root_user::RootUser,
    missing_user::MissingUser,
    non_numeric_user::NonNumericUser,
    sudo::Sudo,
    add_url_without_checksum::AddUrlWithoutChecksum,
    add_git_unpinned::AddGitUnpinned,
    latest_tag::LatestTag,
    unpinned_digest::UnpinnedDigest,
    content_trust_disabled::ContentTrustDisabled,
    untrusted_registry::UntrustedRegistry,
    secret_env::SecretEnv,
    secret_arg::SecretArg,
    literal_credential::LiteralCredential,
    credential_file::CredentialFile,
    add_local_file::AddLocalFile,
    copy_whole_filesystem::CopyWholeFilesystem,
    system_path::SystemPath,
    ssh_exposed::SshExposed,
    privileged_port::PrivilegedPort,
    insecure_run::InsecureRun,
    shell_form_command::ShellFormCommand,
    missing_healthcheck::MissingHealthcheck,
    healthcheck_none::HealthcheckNone,
    multiple_instructions::MultipleInstructions,
    missing_labels::MissingLabels,
    maintainer_deprecated::MaintainerDeprecated,
    unjustified_suppression::UnjustifiedSuppression,
    lone_package_update::LonePackageUpdate,
    install_recommends::InstallRecommends,
    apt_lists_left::AptListsLeft,
    apk_cache_left::ApkCacheLeft,
    pip_cache_left::PipCacheLeft,
    rpm_cache_left::RpmCacheLeft,
    distro_upgrade::DistroUpgrade,
    remote_script_execution::RemoteScriptExecution,
    unverified_download::UnverifiedDownload,
    tls_verification_disabled::TlsVerificationDisabled,
    package_signature_disabled::PackageSignatureDisabled,
    plain_http_source::PlainHttpSource,
    image_build_tools::ImageBuildTools,
    credential_in_run::CredentialInRun,
    setuid_added::SetuidAdded,
    world_writable::WorldWritable,
    file_capability::FileCapability,
    missing_pipefail::MissingPipefail,
    cd_in_run::CdInRun,
    apt_instead_of_apt_get::AptInsteadOfAptGet,
    missing_assume_yes::MissingAssumeYes,
    useradd_log_init::UseraddLogInit,
    stage_name_casing::StageNameCasing,
    from_as_casing::FromAsCasing,
    duplicate_stage_name::DuplicateStageName,
    consistent_instruction_casing::ConsistentInstructionCasing,
    workdir_relative_path::WorkdirRelativePath,
    reserved_stage_name::ReservedStageName,
    legacy_key_value_format::LegacyKeyValueFormat,
    from_arg_checks::FromArgChecks,
    no_empty_continuation::NoEmptyContinuation,
    redundant_target_platform::RedundantTargetPlatform,
}

/// Every rule with its constructor, sorted by code.
pub fn entries() -> &'static [RuleEntry] {
    static SORTED: OnceLock<Vec<RuleEntry>> = OnceLock::new();
    SORTED.get_or_init(|| {
        let mut entries = ENTRIES.to_vec();
        entries.sort_by_key(|e| e.meta.code);
        entries
    })
}

/// Every rule's metadata, sorted by code.
pub fn registry() -> &'static [&'static RuleMeta] {
    static METAS: OnceLock<Vec<&'static RuleMeta>> = OnceLock::new();
    METAS.get_or_init(|| entries().iter().map(|e| e.meta).collect())
}

/// The rule with this exact code or name.
pub fn by_code(code_or_name: &str) -> Option<&'static RuleMeta> {
    registry().iter().copied().find(|m| {
        m.code.eq_ignore_ascii_case(code_or_name) || m.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// The rules a selector names: a code (`HF101`), a code prefix (`HF1`), a name
/// (`root-user`), a peer code (`DL3002`, `CKV_DOCKER_3`, `DS-0002`, `SecretsUsedInArgOrEnv`),
/// a CIS item (`cis:4.1` in the default benchmark version, `cis-1.5.0:4.1`) or `all`.
pub fn select(selector: &str) -> Vec<&'static RuleMeta> {
    select_in(selector, DEFAULT_CIS_VERSION)
}

/// [`select`] with `cis:` items read in benchmark `cis_version`.
pub fn select_in(selector: &str, cis_version: &str) -> Vec<&'static RuleMeta> {
    registry()
        .iter()
        .copied()
        .filter(|m| m.matches(selector, cis_version))
        .collect()
}

/// The rules a configuration enables, with their effective severities.
pub fn enabled(config: &Config) -> Vec<(RuleEntry, Severity)> {
    let matches_any = |meta: &RuleMeta, selectors: &[String]| {
        selectors
            .iter()
            .any(|s| meta.matches(s, &config.cis_version))
    };
    let profile = match config.profile {
        Profile::Dev => Profile::Cis,
        other => other,
    };
    entries()
        .iter()
        .filter(|e| {
            let meta = e.meta;
            let chosen = if config.select.is_empty() {
                meta.status == RuleStatus::Stable && meta.profile <= profile
            } else {
                matches_any(meta, &config.select)
            };
            (chosen || matches_any(meta, &config.extend_select))
                && !matches_any(meta, &config.ignore)
        })
        .map(|e| (*e, severity_for(e.meta, config)))
        .collect()
}

/// A rule's severity after profile and overrides (`dev` caps everything at warning;
/// an override by code or name beats one by peer code or CIS item).
pub fn severity_for(meta: &RuleMeta, config: &Config) -> Severity {
    let mut severity = meta.default_severity;
    if config.profile == Profile::Dev {
        severity = severity.min(Severity::Warning);
    }
    let mut exact = None;
    for (selector, value) in &config.severity {
        if meta.code.eq_ignore_ascii_case(selector) || meta.name.eq_ignore_ascii_case(selector) {
            exact = Some(*value);
        } else if meta.matches(selector, &config.cis_version) {
            severity = *value;
        }
    }
    exact.unwrap_or(severity)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let metas = registry();
        for (i, meta) in metas.iter().enumerate() {
            assert!(
                meta.code.len() == 5
                    && meta.code.starts_with("HF")
                    && meta.code[2..].chars().all(|c| c.is_ascii_digit()),
                "{}",
                meta.code
            );
            assert!(
                meta.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                meta.name
            );
            for other in &metas[i + 1..] {
                assert_ne!(meta.code, other.code);
                assert_ne!(meta.name, other.name);
            }
        }
    }

    #[test]
    fn every_rule_is_documented_with_all_headings() {
        for meta in registry() {
            let doc = meta.documentation();
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
                "## Fix safety",
                "## References",
            ] {
                assert!(doc.contains(heading), "{} lacks {heading}", meta.code);
            }
            assert!(!meta.summary.is_empty());
            for (version, _) in meta.sources.cis {
                assert!(
                    crate::config::CIS_VERSIONS.contains(version),
                    "{}",
                    meta.code
                );
            }
        }
    }
}

/// Quotes `value` as a double-quoted Dockerfile word (ENV/LABEL): `"`, `$` and the escape
/// token are escaped, so word expansion gives `value` back.
pub fn quote(value: &str, escape: char) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '$' || c == escape {
            out.push(escape);
        }
        out.push(c);
    }
    out.push('"');
    out
}

pub mod file_modes;
pub mod helpers;
pub mod packages;
pub mod run_scripts;
pub mod secrets;

#[cfg(test)]
#[allow(dead_code)]
pub(crate) mod testing;
