//! ## What it does
//! In the `prod` profile, flags image references (`FROM`, `COPY --from=<image>`,
//! `RUN --mount=from=<image>`) that are not pinned by digest (`@sha256:…`).
//!
//! ## Why is this bad?
//! Tags are mutable: a registry (or whoever controls it) can point `python:3.12` at
//! different bytes at any time. Only a digest identifies exactly what the image was built
//! from, which release evidence for CIS Docker Benchmark 4.2 needs.
//!
//! ## Example
//! ```dockerfile
//! FROM python:3.12-slim
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM python:3.12-slim@sha256:2a6386ad2db20e7f55073f69a98d6da2cf9f168e05e7487d2670baeb9b7601c5
//! ```
//!
//! ## Fix safety
//! No fix here: the digest must be resolved from the registry (a later "lock" fix).
//! Keep a tool such as Renovate updating the digests.
//!
//! ## References
//! CIS Docker Benchmark 4.2 (5.28 at runtime).

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};

/// Metadata of HF204.
pub static META: RuleMeta = RuleMeta {
    code: "HF204",
    name: "unpinned-digest",
    summary: "Image reference not pinned by digest (prod profile)",
    default_severity: Severity::Error,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Prod,
    sources: Sources {
        cis: cis_all!["4.2"],
        ..Sources::NONE
    },
    doc: include_str!("unpinned_digest.rs"),
};

/// HF204: images without digest.
#[derive(Default)]
pub struct UnpinnedDigest;

impl Rule for UnpinnedDigest {
    fn check(&mut self, _: &Context<'_>, _: InstructionRef<'_>, _: &mut Vec<Diagnostic>) {}

    fn finish(&mut self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for image in cx.model.image_uses() {
            let reference = &image.reference;
            if reference.unresolved || reference.digest.is_some() || reference.repository.is_empty()
            {
                continue;
            }
            out.push(META.diagnostic(
                image.span,
                format!("Image `{}` is not pinned by digest", reference.original),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, Profile};
    use crate::rules::testing::{assert_clean, assert_flags, findings_with};

    #[test]
    fn digests() {
        assert_flags("HF204", "FROM python:3.12\n", 1);
        assert_clean("HF204", "FROM python:3.12@sha256:00\nFROM scratch\n");
        let cis = Config::default();
        assert!(
            findings_with(&cis, "FROM python:3.12\n", None)
                .iter()
                .all(|d| d.code != "HF204")
        );
        let prod = Config {
            profile: Profile::Prod,
            ..Config::default()
        };
        assert!(
            findings_with(&prod, "FROM python:3.12\n", None)
                .iter()
                .any(|d| d.code == "HF204")
        );
    }
}
