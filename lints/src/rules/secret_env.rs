//! ## What it does
//! Flags `ENV` that sets a secret-like name (BuildKit's `SecretsUsedInArgOrEnv` token rule
//! — `…_PASSWORD`, `…_TOKEN`, `…_SECRET`, `API_KEY`, … — plus known names) to a non-empty
//! value. The value is never shown in any output.
//!
//! ## Why is this bad?
//! `ENV` values are stored in the image configuration: anyone who can pull the image can
//! read them with `docker inspect`, and every container inherits them. CIS Docker
//! Benchmark 4.10: secrets must not be stored in Dockerfiles or images.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! ENV DB_PASSWORD=hunter2
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! # syntax=docker/dockerfile:1.10
//! FROM alpine:3.20
//! RUN --mount=type=secret,id=db_password,env=DB_PASSWORD ./migrate
//! ```
//!
//! ## Fix safety
//! No automatic fix: the value must be rotated and provided at build time through a
//! secret mount, or at run time by the orchestrator.
//!
//! ## References
//! CIS Docker Benchmark 4.10; BuildKit SecretsUsedInArgOrEnv; hadolint DL3064; Trivy
//! DS-0031; dockle CIS-DI-0010.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::secrets::{is_placeholder, is_secret_name};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, Keyword};

/// Metadata of HF401.
pub static META: RuleMeta = RuleMeta {
    code: "HF401",
    name: "secret-env",
    summary: "ENV stores a secret-like value in the image",
    default_severity: Severity::Error,
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
    doc: include_str!("secret_env.rs"),
};

/// HF401: secret-like ENV.
#[derive(Default)]
pub struct SecretEnv;

impl Rule for SecretEnv {
    fn check(&mut self, _: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        if instruction.keyword != Keyword::Env {
            return;
        }
        let Args::Pairs(pairs) = &instruction.args else {
            return;
        };
        for pair in pairs {
            let name = pair.key.value.trim_matches(['"', '\'']);
            if is_secret_name(name) && !is_placeholder(&pair.value.value) {
                out.push(
                    META.diagnostic(
                        pair.key.span,
                        format!(
                            "ENV `{name}` stores a secret-like value in the image (value redacted)"
                        ),
                    )
                    .with_help(
                        "Use a build secret (`RUN --mount=type=secret`) or inject it at run time",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn env_names() {
        let found = assert_flags("HF401", "FROM a:1\nENV DB_PASSWORD=hunter2 A=b\n", 1);
        assert!(!found[0].message.contains("hunter2"));
        assert_flags("HF401", "FROM a:1\nENV API_TOKEN $TOKEN\n", 1);
        assert_clean(
            "HF401",
            "FROM a:1\nENV DB_PASSWORD=\"\"\nENV GPG_KEY=ABCD\n",
        );
        assert_flags("HF401", "FROM a:1\nONBUILD ENV SECRET=x\n", 1);
    }
}
