//! Suppressions: hardfile's own comments and the peers' pragmas, mapped onto rules.
//!
//! | written as | silences |
//! |---|---|
//! | `# hardfile ignore=HF101,root-user -- reason` | those rules on the next instruction |
//! | `# hardfile global ignore=HF101 -- reason` | those rules in the whole file |
//! | `# check=skip=A,B;error=true` (parser directive) | BuildKit checks A, B in the file; `error=true` makes the BuildKit-mapped rules errors |
//! | build argument `BUILDKIT_DOCKERFILE_CHECK=skip=A` | as the directive, and takes precedence over it |
//! | `# check=skip=A // reason` above an instruction | A on that instruction (BuildKit ≥ 1.19) |
//! | `# hadolint ignore=DL3002` / `# hadolint global ignore=…` | the rules mapped from those codes |
//! | `#checkov:skip=CKV_DOCKER_3:reason` | the rules mapped from that ID in the whole file |
//!
//! Codes are resolved with [`crate::rules::select_in`]. Rules listed in
//! [`Config::locked`](crate::config::Config::locked) cannot be silenced this way, and
//! nothing is silenced when `disable_inline_suppressions` is set (the build argument still
//! counts: it is build configuration, not an in-file comment).

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::rules::{self, RuleMeta};
use crate::syntax::{Dockerfile, Span};

/// Where a suppression came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuppressionKind {
    /// `# hardfile ignore=` (next instruction).
    Hardfile,
    /// `# hardfile global ignore=`.
    HardfileGlobal,
    /// BuildKit's `# check=` parser directive.
    BuildkitDirective,
    /// BuildKit's `# check=skip=` comment above an instruction.
    BuildkitInstruction,
    /// The `BUILDKIT_DOCKERFILE_CHECK` build argument.
    BuildkitBuildArg,
    /// `# hadolint ignore=`.
    Hadolint,
    /// `# hadolint global ignore=`.
    HadolintGlobal,
    /// `#checkov:skip=`.
    Checkov,
}

impl SuppressionKind {
    /// Whether this suppression is written in the Dockerfile (and so subject to locks).
    pub const fn is_inline(self) -> bool {
        !matches!(self, SuppressionKind::BuildkitBuildArg)
    }
}

/// One suppression.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Suppression {
    /// Its syntax.
    pub kind: SuppressionKind,
    /// The codes as written.
    pub codes: Vec<String>,
    /// The rules they resolve to (`all` resolves to every BuildKit-mapped rule for BuildKit
    /// syntax, every rule for ours).
    #[serde(skip)]
    pub rules: Vec<&'static RuleMeta>,
    /// Codes that name no rule.
    pub unknown: Vec<String>,
    /// Rules it names that the configuration locks (these stay reported).
    #[serde(skip)]
    pub locked: Vec<&'static RuleMeta>,
    /// The reason given, if any.
    pub reason: Option<String>,
    /// The comment (or directive); empty for the build argument.
    pub span: Span,
    /// The instruction it applies to; `None` for the whole file.
    pub scope: Option<Span>,
    /// BuildKit's `error=true`.
    pub error: bool,
}

/// Every suppression of a file, ready to match findings.
#[derive(Clone, Debug, Default)]
pub struct Suppressions {
    /// All suppressions in file order (the build argument last).
    pub items: Vec<Suppression>,
}

impl Suppressions {
    /// Reads every suppression of `file` (and `BUILDKIT_DOCKERFILE_CHECK` from the build
    /// arguments).
    pub fn collect(file: &Dockerfile, config: &Config) -> Suppressions {
        let mut items = Vec::new();
        let build_arg = config.build_args.get("BUILDKIT_DOCKERFILE_CHECK");
        if build_arg.is_none()
            && let Some(directive) = file.directive("check")
        {
            items.push(buildkit_check(
                &directive.value,
                SuppressionKind::BuildkitDirective,
                directive.span,
                None,
                config,
            ));
        }
        for (i, comment) in file.comments.iter().enumerate() {
            if let Some(mut s) = parse_comment(&comment.text, comment.span, config) {
                if s.reason.is_none()
                    && let Some(above) = i.checked_sub(1).and_then(|j| file.comments.get(j))
                    && directly_above(&file.source, above.span, comment.span)
                    && parse_comment(&above.text, above.span, config).is_none()
                    && !above.text.is_empty()
                {
                    s.reason = Some(above.text.clone());
                }
                if s.scope.is_some() {
                    s.scope = file
                        .instructions
                        .iter()
                        .find(|i| i.span.start >= comment.span.end)
                        .map(|i| i.span);
                    if s.scope.is_none() {
                        continue;
                    }
                }
                items.push(s);
            }
        }
        if let Some(value) = build_arg {
            items.push(buildkit_check(
                value,
                SuppressionKind::BuildkitBuildArg,
                Span::empty(0),
                None,
                config,
            ));
        }
        if config.disable_inline_suppressions {
            items.retain(|s| !s.kind.is_inline());
        }
        for s in &mut items {
            if s.kind.is_inline() {
                let (locked, free): (Vec<_>, Vec<_>) = s.rules.iter().partition(|m| {
                    config
                        .locked
                        .iter()
                        .any(|l| m.matches(l, &config.cis_version))
                });
                s.rules = free;
                s.locked = locked;
            }
        }
        Suppressions { items }
    }

    /// The suppression silencing `diagnostic`, if any (syntax errors are never silenced).
    pub fn find(&self, diagnostic: &Diagnostic) -> Option<&Suppression> {
        if diagnostic.code == crate::check::SYNTAX_ERROR_CODE {
            return None;
        }
        self.items.iter().find(|s| {
            s.rules.iter().any(|m| m.code == diagnostic.code)
                && s.scope.is_none_or(|scope| {
                    scope.start <= diagnostic.span.start && diagnostic.span.start <= scope.end
                })
        })
    }

    /// Whether BuildKit's `error=true` applies to `diagnostic`.
    pub fn promotes_to_error(&self, diagnostic: &Diagnostic) -> bool {
        let Some(setting) = self.items.iter().rev().find(|s| {
            matches!(
                s.kind,
                SuppressionKind::BuildkitDirective | SuppressionKind::BuildkitBuildArg
            )
        }) else {
            return false;
        };
        setting.error
            && rules::by_code(diagnostic.code).is_some_and(|m| !m.sources.buildkit.is_empty())
    }
}

/// Whether `above` is the comment on the line right before `below`.
fn directly_above(source: &str, above: Span, below: Span) -> bool {
    source.get(above.end..below.start).is_some_and(|between| {
        let between = between.trim_start_matches('\r');
        between.starts_with('\n') && between[1..].trim_matches([' ', '\t']).is_empty()
    })
}

/// Splits `codes -- reason` / `codes // reason` / `codes # reason`.
fn split_reason(text: &str) -> (&str, Option<String>) {
    for separator in [" -- ", " // ", " # ", "--", "//"] {
        if let Some((codes, reason)) = text.split_once(separator) {
            let reason = reason.trim();
            return (
                codes.trim(),
                (!reason.is_empty()).then(|| reason.to_string()),
            );
        }
    }
    (text.trim(), None)
}

fn list(codes: &str) -> Vec<String> {
    codes
        .split([',', ' '])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

fn resolve(
    codes: &[String],
    all_means: fn(&RuleMeta) -> bool,
    config: &Config,
) -> (Vec<&'static RuleMeta>, Vec<String>) {
    let mut found: Vec<&'static RuleMeta> = Vec::new();
    let mut unknown = Vec::new();
    for code in codes {
        let matched: Vec<&'static RuleMeta> = if code.eq_ignore_ascii_case("all") {
            rules::registry()
                .iter()
                .copied()
                .filter(|m| all_means(m))
                .collect()
        } else {
            rules::select_in(code, &config.cis_version)
        };
        if matched.is_empty() {
            unknown.push(code.clone());
        }
        for m in matched {
            if !found.iter().any(|f| f.code == m.code) {
                found.push(m);
            }
        }
    }
    (found, unknown)
}

fn any_rule(_: &RuleMeta) -> bool {
    true
}

fn buildkit_rule(meta: &RuleMeta) -> bool {
    !meta.sources.buildkit.is_empty()
}

/// `skip=A,B;error=true;experimental=C` as BuildKit reads it (`// reason` allowed after).
fn buildkit_check(
    value: &str,
    kind: SuppressionKind,
    span: Span,
    scope: Option<Span>,
    config: &Config,
) -> Suppression {
    let (settings, reason) = split_reason(value);
    let mut codes = Vec::new();
    let mut error = false;
    for part in settings.split(';') {
        let Some((key, val)) = part.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "skip" => codes.extend(list(val)),
            "error" => error = val.trim().eq_ignore_ascii_case("true"),
            _ => {}
        }
    }
    let (rules, unknown) = resolve(&codes, buildkit_rule, config);
    Suppression {
        kind,
        codes,
        rules,
        unknown,
        locked: Vec::new(),
        reason,
        span,
        scope,
        error,
    }
}

/// Recognises one comment (the text after `#`, trimmed). Next-instruction suppressions
/// come back with a placeholder `scope` that the caller resolves.
fn parse_comment(text: &str, span: Span, config: &Config) -> Option<Suppression> {
    let placeholder = Some(Span::empty(0));
    let lower = text.to_ascii_lowercase();
    let make = |kind, rest: &str, scope: Option<Span>, all_means: fn(&RuleMeta) -> bool| {
        let (codes, reason) = split_reason(rest);
        let codes = list(codes);
        let (rules, unknown) = resolve(&codes, all_means, config);
        Suppression {
            kind,
            codes,
            rules,
            unknown,
            locked: Vec::new(),
            reason,
            span,
            scope,
            error: false,
        }
    };
    for (tool, kind, global_kind) in [
        (
            "hardfile",
            SuppressionKind::Hardfile,
            SuppressionKind::HardfileGlobal,
        ),
        (
            "hadolint",
            SuppressionKind::Hadolint,
            SuppressionKind::HadolintGlobal,
        ),
    ] {
        let Some(rest) = lower.strip_prefix(tool) else {
            continue;
        };
        let offset = text.len() - rest.len();
        let rest_text = text[offset..].trim_start_matches(':').trim_start();
        let (global, after) = match rest_text.to_ascii_lowercase().strip_prefix("global") {
            Some(_) => (true, rest_text["global".len()..].trim_start()),
            None => (false, rest_text),
        };
        let after_lower = after.to_ascii_lowercase();
        let value = after_lower.strip_prefix("ignore")?.trim_start();
        let value = value.strip_prefix('=')?;
        let value = &after[after.len() - value.len()..];
        return Some(if global {
            make(global_kind, value, None, any_rule)
        } else {
            make(kind, value, placeholder, any_rule)
        });
    }
    if let Some(rest) = lower.strip_prefix("checkov:skip=") {
        let rest = &text[text.len() - rest.len()..];
        let (code, reason) = match rest.split_once(':') {
            Some((code, reason)) => (code.trim(), Some(reason.trim().to_string())),
            None => (rest.trim(), None),
        };
        let codes = vec![code.to_string()];
        let (rules, unknown) = resolve(&codes, any_rule, config);
        return Some(Suppression {
            kind: SuppressionKind::Checkov,
            codes,
            rules,
            unknown,
            locked: Vec::new(),
            reason: reason.filter(|r| !r.is_empty()),
            span,
            scope: None,
            error: false,
        });
    }
    if let Some(rest) = lower.strip_prefix("check=") {
        let rest = &text[text.len() - rest.len()..];
        return Some(buildkit_check(
            rest,
            SuppressionKind::BuildkitInstruction,
            span,
            placeholder,
            config,
        ));
    }
    None
}
