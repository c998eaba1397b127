//! ## What it does
//! Flags the `MAINTAINER` instruction.
//!
//! ## Why is this bad?
//! `MAINTAINER` has been deprecated since Docker 1.13. It writes the legacy `Author` field,
//! which OCI tooling ignores; image metadata belongs in labels, where scanners, registries
//! and provenance tools look for it.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! MAINTAINER Jane Doe <jane@example.com>
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! LABEL org.opencontainers.image.authors="Jane Doe <jane@example.com>"
//! ```
//!
//! ## Fix safety
//! The fix replaces the instruction with an `org.opencontainers.image.authors` label. It is
//! unsafe: the image loses its `Author` field, which a few old tools still read.
//!
//! ## References
//! hadolint DL4000, BuildKit MaintainerDeprecated, Trivy DS-0022, Checkov CKV_DOCKER_6.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rules::quote;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, Keyword};

/// Metadata of HF805.
pub static META: RuleMeta = RuleMeta {
    code: "HF805",
    name: "maintainer-deprecated",
    summary: "MAINTAINER is deprecated; use an OCI authors label",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        hadolint: &["DL4000"],
        buildkit: &["MaintainerDeprecated"],
        trivy: &["DS-0022"],
        checkov: &["CKV_DOCKER_6"],
        ..Sources::NONE
    },
    doc: include_str!("maintainer_deprecated.rs"),
};

/// HF805: `MAINTAINER` is deprecated.
#[derive(Default)]
pub struct MaintainerDeprecated;

impl Rule for MaintainerDeprecated {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        if instruction.keyword != Keyword::Maintainer {
            return;
        }
        let mut diagnostic = META.diagnostic(
            instruction.keyword_span,
            "MAINTAINER is deprecated; use the org.opencontainers.image.authors label",
        );
        if let Args::Rest(word) = &instruction.args {
            let label = format!(
                "LABEL org.opencontainers.image.authors={}",
                quote(&word.value, cx.file.escape)
            );
            diagnostic = diagnostic.with_fix(Fix::unsafe_edit(
                "Replace MAINTAINER with an authors label",
                vec![Edit::replace(instruction.span, label)],
            ));
        }
        out.push(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn flags_maintainer() {
        assert_flags(
            "HF805",
            "FROM alpine:3.20\nMAINTAINER Jane <j@example.com>\n",
            1,
        );
        assert_clean("HF805", "FROM alpine:3.20\nLABEL a=b\n");
        assert_fix(
            "HF805",
            "FROM a:1\nmaintainer Jane \"J\"\n",
            "FROM a:1\nLABEL org.opencontainers.image.authors=\"Jane \\\"J\\\"\"\n",
            true,
        );
    }
}
