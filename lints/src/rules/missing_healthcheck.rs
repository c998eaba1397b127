//! ## What it does
//! Flags an exported image with no `HEALTHCHECK` in its final stage (or the stages it is
//! built `FROM`). An image that only carries files — its chain starts `FROM scratch` and sets
//! no `CMD` or `ENTRYPOINT`, such as a `--output` artifact stage or a helper image used
//! through `COPY --from` — runs nothing that could be probed, and is not flagged.
//!
//! ## Why is this bad?
//! Without a health check, Docker and Swarm only know whether the process exists, not
//! whether it serves; a hung application keeps receiving traffic. CIS Docker Benchmark
//! 4.6 asks every image to define one. (On Kubernetes, probes in the pod spec play this
//! role; lower this rule's severity there.) A base image may define one that this
//! Dockerfile inherits: the BuildKit frontend sees the base configuration, the CLI does not.
//!
//! ## Example
//! ```dockerfile
//! FROM nginx:1.27
//! COPY site/ /usr/share/nginx/html/
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM nginx:1.27
//! COPY site/ /usr/share/nginx/html/
//! HEALTHCHECK --interval=30s --timeout=3s CMD ["curl", "-fsS", "http://localhost/"]
//! ```
//!
//! ## Fix safety
//! No automatic fix: the probe depends on the application.
//!
//! ## References
//! CIS Docker Benchmark 4.6 (and 5.27 at runtime); hadolint DL3057; Trivy DS-0026;
//! Checkov CKV_DOCKER_2; dockle CIS-DI-0006.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::helpers::{carries_files_only, stage_anchor, stage_instructions, target_chain};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::Keyword;

/// Metadata of HF801.
pub static META: RuleMeta = RuleMeta {
    code: "HF801",
    name: "missing-healthcheck",
    summary: "The exported image has no HEALTHCHECK",
    default_severity: Severity::Warning,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.6"],
        hadolint: &["DL3057"],
        trivy: &["DS-0026"],
        checkov: &["CKV_DOCKER_2"],
        ..Sources::NONE
    },
    doc: include_str!("missing_healthcheck.rs"),
};

/// HF801: no HEALTHCHECK in the exported image.
#[derive(Default)]
pub struct MissingHealthcheck;

impl Rule for MissingHealthcheck {
    fn check(&mut self, _: &Context<'_>, _: InstructionRef<'_>, _: &mut Vec<Diagnostic>) {}

    fn finish(&mut self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let chain = target_chain(cx);
        let Some(target) = chain.first() else {
            return;
        };
        if carries_files_only(cx, target) {
            return;
        }
        let has = chain.iter().any(|stage| {
            stage_instructions(cx, stage).any(|(_, i)| i.keyword == Keyword::Healthcheck)
        });
        if !has {
            out.push(
                META.diagnostic(
                    stage_anchor(cx, target),
                    "The exported image has no HEALTHCHECK",
                )
                .with_help("Add `HEALTHCHECK CMD [\"<probe>\"]` to the final stage"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn final_stage_only() {
        assert_flags("HF801", "FROM a:1\nCMD [\"x\"]\n", 1);
        assert_clean("HF801", "FROM a:1\nHEALTHCHECK CMD [\"x\"]\n");
        assert_clean("HF801", "FROM a:1\nHEALTHCHECK NONE\n");
        assert_clean("HF801", "FROM a:1 AS b\nHEALTHCHECK CMD x\nFROM b\n");
        assert_flags("HF801", "FROM a:1 AS b\nHEALTHCHECK CMD x\nFROM c:1\n", 1);
    }

    #[test]
    fn file_only_scratch_images_run_nothing_to_probe() {
        assert_clean(
            "HF801",
            "FROM a:1 AS build\nRUN make\nFROM scratch AS out\nCOPY --from=build /out /\n",
        );
        // A scratch image that runs a program is still judged.
        assert_flags(
            "HF801",
            "FROM a:1 AS build\nRUN make\nFROM scratch\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n",
            1,
        );
    }
}
