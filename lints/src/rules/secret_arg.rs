//! ## What it does
//! Flags `ARG` with a secret-like name (the same name rule as HF401), with or without a
//! default. A literal default is never shown in any output.
//!
//! ## Why is this bad?
//! Build arguments are not secret: their values are recorded in the image history of
//! every `RUN` that uses them and in max-mode provenance attestations, and a default
//! sits in the Dockerfile itself. CIS Docker Benchmark 4.10.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! ARG NPM_TOKEN
//! RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > ~/.npmrc && npm ci
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! # syntax=docker/dockerfile:1.10
//! FROM alpine:3.20
//! RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
//! ```
//!
//! ## Fix safety
//! No automatic fix: each consumer must move to a secret mount.
//!
//! ## References
//! CIS Docker Benchmark 4.10; BuildKit SecretsUsedInArgOrEnv; hadolint DL3064; Trivy
//! DS-0031.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::secrets::is_secret_name;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, Keyword};

/// Metadata of HF402.
pub static META: RuleMeta = RuleMeta {
    code: "HF402",
    name: "secret-arg",
    summary: "ARG with a secret-like name (build args are recorded in history)",
    default_severity: Severity::Warning,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.10"],
        hadolint: &["DL3064"],
        buildkit: &["SecretsUsedInArgOrEnv"],
        trivy: &["DS-0031"],
        ..Sources::NONE
    },
    doc: include_str!("secret_arg.rs"),
};

/// HF402: secret-like ARG.
#[derive(Default)]
pub struct SecretArg;

impl Rule for SecretArg {
    fn check(&mut self, _: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        if instruction.keyword != Keyword::Arg {
            return;
        }
        let Args::Words(words) = &instruction.args else {
            return;
        };
        for word in words {
            let name = word.value.split('=').next().unwrap_or("");
            if !is_secret_name(name) {
                continue;
            }
            let span = crate::syntax::Span::new(
                word.span.start,
                (word.span.start + name.len()).min(word.span.end),
            );
            out.push(
                META.diagnostic(
                    span,
                    format!("ARG `{name}` looks like a secret; build arguments are recorded in the image history"),
                )
                .with_help("Pass secrets with `RUN --mount=type=secret` instead"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn arg_names() {
        let found = assert_flags("HF402", "FROM a:1\nARG GITHUB_TOKEN=ghp_secretvalue\n", 1);
        assert!(!found[0].message.contains("secretvalue"));
        assert_flags("HF402", "ARG DB_PASSWORD\nFROM a:1\n", 1);
        assert_clean("HF402", "FROM a:1\nARG VERSION=1\nARG PUBLIC_KEY\n");
    }
}
