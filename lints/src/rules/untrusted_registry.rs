//! ## What it does
//! When the configuration lists `allowed-registries`, flags image references whose
//! registry and repository match none of them. Entries are a registry (`ghcr.io`), a
//! repository prefix (`docker.io/library`, `gcr.io/distroless`) or a glob
//! (`*.dkr.ecr.*.amazonaws.com`). Docker Hub names are normalised (`alpine` is
//! `docker.io/library/alpine`).
//!
//! ## Why is this bad?
//! CIS Docker Benchmark 4.2 asks for trusted base images only. An allow-list turns the
//! platform team's list of vetted sources into a check every build runs.
//!
//! ## Example
//! ```dockerfile
//! FROM someone/random-image:1.0
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM registry.example.com/base/python:3.12
//! ```
//!
//! ## Fix safety
//! No fix: moving to a vetted image is a decision.
//!
//! ## References
//! CIS Docker Benchmark 4.2; hadolint DL3026.

use crate::config::Profile;
use crate::context::glob_match;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::ImageRef;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};

/// Metadata of HF205.
pub static META: RuleMeta = RuleMeta {
    code: "HF205",
    name: "untrusted-registry",
    summary: "Image from a registry outside the configured allow-list",
    default_severity: Severity::Error,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.2"],
        hadolint: &["DL3026"],
        ..Sources::NONE
    },
    doc: include_str!("untrusted_registry.rs"),
};

/// HF205: registry allow-list.
#[derive(Default)]
pub struct UntrustedRegistry;

/// `registry/repository` as Docker resolves it (`alpine` → `docker.io/library/alpine`).
pub fn full_name(reference: &ImageRef) -> String {
    let registry = match reference.registry.as_deref() {
        None | Some("index.docker.io" | "registry-1.docker.io") => "docker.io",
        Some(other) => other,
    };
    if registry == "docker.io" && !reference.repository.contains('/') {
        format!("docker.io/library/{}", reference.repository)
    } else {
        format!("{registry}/{}", reference.repository)
    }
}

/// Whether `name` (from [`full_name`]) is allowed by one entry.
pub fn allowed_by(entry: &str, name: &str) -> bool {
    let entry = entry.trim().trim_end_matches('/');
    let entry = entry
        .strip_prefix("index.docker.io")
        .map_or_else(|| entry.to_string(), |rest| format!("docker.io{rest}"));
    name == entry
        || name.starts_with(&format!("{entry}/"))
        || glob_match(&entry, name)
        || glob_match(&format!("{entry}/**"), name)
}

impl Rule for UntrustedRegistry {
    fn check(&mut self, _: &Context<'_>, _: InstructionRef<'_>, _: &mut Vec<Diagnostic>) {}

    fn finish(&mut self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let allowed = &cx.config.allowed_registries;
        if allowed.is_empty() {
            return;
        }
        for image in cx.model.image_uses() {
            if image.reference.unresolved || image.reference.repository.is_empty() {
                continue;
            }
            let name = full_name(&image.reference);
            if !allowed.iter().any(|entry| allowed_by(entry, &name)) {
                out.push(META.diagnostic(
                    image.span,
                    format!("Image `{name}` is not from an allowed registry"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{allowed_by, full_name};
    use crate::config::Config;
    use crate::model::ImageRef;
    use crate::rules::testing::{findings_with, only};

    #[test]
    fn names() {
        assert_eq!(
            full_name(&ImageRef::parse("alpine:3")),
            "docker.io/library/alpine"
        );
        assert_eq!(full_name(&ImageRef::parse("ghcr.io/a/b")), "ghcr.io/a/b");
        assert!(allowed_by("docker.io/library", "docker.io/library/alpine"));
        assert!(!allowed_by("docker.io/lib", "docker.io/library/alpine"));
        assert!(allowed_by(
            "*.amazonaws.com",
            "1.dkr.ecr.x.amazonaws.com/app"
        ));
    }

    #[test]
    fn only_with_policy() {
        let source = "FROM alpine:3\nFROM ghcr.io/x/y:1\n";
        assert!(findings_with(&only("HF205"), source, None).is_empty());
        let config = Config {
            allowed_registries: vec!["ghcr.io".to_string()],
            ..only("HF205")
        };
        assert_eq!(findings_with(&config, source, None).len(), 1);
    }
}
