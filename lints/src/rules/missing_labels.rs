//! ## What it does
//! Flags an exported image that lacks a label from the configured `required-labels`
//! (default: `org.opencontainers.image.source` and `org.opencontainers.image.revision`).
//! Labels of the target stage and of the stages it is built `FROM` count; base-image
//! labels are not visible to the CLI.
//!
//! ## Why is this bad?
//! Without source and revision, nobody can trace an image back to the code it was built
//! from — needed to decide whether it is trusted (CIS 4.2) and whether it must be rebuilt
//! for a patch (CIS 4.4).
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! COPY app /app
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! ARG GIT_COMMIT=unknown
//! LABEL org.opencontainers.image.source="https://github.com/example/app" \
//!       org.opencontainers.image.revision=$GIT_COMMIT
//! COPY app /app
//! ```
//!
//! ## Fix safety
//! No fix in the Dockerfile: the BuildKit frontend can add these labels from the build's
//! Git context.
//!
//! ## References
//! CIS Docker Benchmark 4.2, 4.4 (evidence); hadolint DL3049 (required labels).

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::helpers::{stage_anchor, stage_instructions, target_chain};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, Keyword};

/// Metadata of HF804.
pub static META: RuleMeta = RuleMeta {
    code: "HF804",
    name: "missing-labels",
    summary: "The exported image lacks required (OCI traceability) labels",
    default_severity: Severity::Info,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.2", "4.4"],
        hadolint: &["DL3049"],
        ..Sources::NONE
    },
    doc: include_str!("missing_labels.rs"),
};

/// HF804: required labels.
#[derive(Default)]
pub struct MissingLabels;

impl Rule for MissingLabels {
    fn check(&mut self, _: &Context<'_>, _: InstructionRef<'_>, _: &mut Vec<Diagnostic>) {}

    fn finish(&mut self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let chain = target_chain(cx);
        let Some(target) = chain.first() else {
            return;
        };
        let mut present = Vec::new();
        for stage in &chain {
            for (index, instruction) in stage_instructions(cx, stage) {
                if instruction.keyword != Keyword::Label {
                    continue;
                }
                if let Args::Pairs(pairs) = &instruction.args {
                    for pair in pairs {
                        let key = cx
                            .expand(index, &pair.key.value)
                            .unwrap_or_else(|| pair.key.value.clone());
                        present.push(key);
                    }
                }
            }
        }
        let missing: Vec<&str> = cx
            .config
            .required_labels
            .iter()
            .filter(|l| !present.iter().any(|p| p == *l))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            out.push(META.diagnostic(
                stage_anchor(cx, target),
                format!(
                    "The exported image lacks the label(s) {}",
                    missing.join(", ")
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn labels() {
        assert_flags(
            "HF804",
            "FROM a:1\nLABEL org.opencontainers.image.source=x\n",
            1,
        );
        assert_clean(
            "HF804",
            "FROM a:1 AS b\nLABEL \"org.opencontainers.image.source\"=x\nFROM b\nLABEL org.opencontainers.image.revision=y\n",
        );
    }
}
