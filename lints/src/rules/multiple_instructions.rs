//! ## What it does
//! Flags a stage with more than one `CMD`, `ENTRYPOINT` or `HEALTHCHECK`.
//!
//! ## Why is this bad?
//! Only the last of each takes effect; the earlier ones are dead code that readers (and
//! reviewers checking CIS 4.6) mistake for the real configuration.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! HEALTHCHECK CMD ["true"]
//! HEALTHCHECK CMD ["wget", "-q", "-O-", "http://localhost/"]
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! HEALTHCHECK CMD ["wget", "-q", "-O-", "http://localhost/"]
//! ```
//!
//! ## Fix safety
//! Safe: the fix deletes the earlier instructions, which BuildKit overrides anyway (an
//! `ENTRYPOINT` resets an inherited `CMD` only when the stage sets no `CMD` before it, and
//! removing an earlier duplicate keeps a later one in place, so the image config is equal).
//!
//! ## References
//! CIS Docker Benchmark 4.6; BuildKit MultipleInstructionsDisallowed; hadolint DL3012,
//! DL4003, DL4004; Trivy DS-0016, DS-0007, DS-0023.

use std::collections::HashMap;

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::Keyword;

/// Metadata of HF803.
pub static META: RuleMeta = RuleMeta {
    code: "HF803",
    name: "multiple-instructions",
    summary: "More than one CMD, ENTRYPOINT or HEALTHCHECK in a stage",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.6"],
        hadolint: &["DL3012", "DL4003", "DL4004"],
        buildkit: &["MultipleInstructionsDisallowed"],
        trivy: &["DS-0016", "DS-0007", "DS-0023"],
        ..Sources::NONE
    },
    doc: include_str!("multiple_instructions.rs"),
};

/// HF803: repeated CMD/ENTRYPOINT/HEALTHCHECK.
#[derive(Default)]
pub struct MultipleInstructions {
    /// (stage, keyword) → instruction indices, in order.
    seen: HashMap<(usize, &'static str), Vec<usize>>,
}

impl Rule for MultipleInstructions {
    fn check(&mut self, _: &Context<'_>, at: InstructionRef<'_>, _: &mut Vec<Diagnostic>) {
        let keyword = at.keyword();
        if at.onbuild
            || !matches!(
                keyword,
                Keyword::Cmd | Keyword::Entrypoint | Keyword::Healthcheck
            )
        {
            return;
        }
        let Some(stage) = at.stage else {
            return;
        };
        self.seen
            .entry((stage, keyword.as_str()))
            .or_default()
            .push(at.index);
    }

    fn finish(&mut self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for ((_, keyword), indices) in &self.seen {
            let Some((&last, earlier)) = indices.split_last() else {
                continue;
            };
            let Some(last_span) = cx.file.instructions.get(last).map(|i| i.span) else {
                continue;
            };
            for &index in earlier {
                let Some(instruction) = cx.file.instructions.get(index) else {
                    continue;
                };
                out.push(
                    META.diagnostic(
                        instruction.span,
                        format!("Multiple {keyword} instructions in one stage; only the last takes effect"),
                    )
                    .with_related(last_span, format!("this {keyword} overrides it"))
                    .with_fix(Fix::safe(
                        format!("Remove the overridden {keyword}"),
                        vec![cx.delete_instruction(instruction)],
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn duplicates_per_stage() {
        assert_flags("HF803", "FROM a:1\nCMD a\nCMD b\nCMD c\n", 2);
        assert_clean("HF803", "FROM a:1\nCMD a\nFROM b:1\nCMD b\n");
        assert_clean("HF803", "FROM a:1\nCMD a\nENTRYPOINT b\nHEALTHCHECK NONE\n");
        assert_fix(
            "HF803",
            "FROM a:1\nHEALTHCHECK CMD a\n# keep\nHEALTHCHECK --interval=5s \\\n  CMD b\n",
            "FROM a:1\n# keep\nHEALTHCHECK --interval=5s \\\n  CMD b\n",
            false,
        );
    }
}
