//! ## What it does
//! Flags image references (`FROM`, `COPY --from=<image>`, `RUN --mount=from=<image>`)
//! without a tag or with the `latest` tag, unless pinned by digest.
//!
//! ## Why is this bad?
//! `latest` (which is also what no tag means) moves: the same Dockerfile builds on a
//! different base tomorrow, possibly a new major version, and nobody can say which base
//! an image was built from. CIS Docker Benchmark 4.2 asks for trusted, known base images.
//!
//! ## Example
//! ```dockerfile
//! FROM ubuntu
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM ubuntu:24.04
//! ```
//!
//! ## Fix safety
//! No fix: choosing the version is a decision (the digest-pinning lock fix comes later).
//!
//! ## References
//! CIS Docker Benchmark 4.2 (5.28 at runtime); hadolint DL3006, DL3007; Trivy DS-0001;
//! Checkov CKV_DOCKER_7; dockle DKL-DI-0006.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};

/// Metadata of HF203.
pub static META: RuleMeta = RuleMeta {
    code: "HF203",
    name: "latest-tag",
    summary: "Image reference without a tag or with the latest tag",
    default_severity: Severity::Warning,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.2"],
        hadolint: &["DL3006", "DL3007"],
        trivy: &["DS-0001"],
        checkov: &["CKV_DOCKER_7"],
        ..Sources::NONE
    },
    doc: include_str!("latest_tag.rs"),
};

/// HF203: untagged or `latest` images.
#[derive(Default)]
pub struct LatestTag;

impl Rule for LatestTag {
    fn check(&mut self, _: &Context<'_>, _: InstructionRef<'_>, _: &mut Vec<Diagnostic>) {}

    fn finish(&mut self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for image in cx.model.image_uses() {
            let reference = &image.reference;
            if reference.unresolved || reference.digest.is_some() || reference.repository.is_empty()
            {
                continue;
            }
            let message = match reference.tag.as_deref() {
                None => format!(
                    "Image `{}` has no tag: it means `latest`",
                    reference.original
                ),
                Some("latest") => format!(
                    "Image `{}` uses the moving `latest` tag",
                    reference.original
                ),
                Some(_) => continue,
            };
            out.push(
                META.diagnostic(image.span, message)
                    .with_help("Pin a version tag (and a digest in the prod profile)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn tags() {
        assert_flags("HF203", "FROM ubuntu\n", 1);
        assert_flags(
            "HF203",
            "FROM ubuntu:latest AS a\nCOPY --from=nginx /x /y\n",
            2,
        );
        assert_clean("HF203", "FROM ubuntu:24.04\nFROM scratch\n");
        assert_clean("HF203", "FROM ubuntu@sha256:abc\n");
        assert_clean("HF203", "FROM a:1 AS b\nFROM b\n");
        assert_clean("HF203", "ARG V\nFROM ubuntu:$V\n");
    }
}
