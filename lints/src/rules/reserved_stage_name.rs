//! ## What it does
//! Flags stages named `scratch` or `context`.
//!
//! ## Why is this bad?
//! `scratch` is the empty image and `context` names the build context in
//! `COPY --from=context` / named contexts; a stage with either name is ambiguous and
//! BuildKit rejects or misreads references to it.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20 AS scratch
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20 AS base
//! ```
//!
//! ## Fix safety
//! No fix: references must be renamed too.
//!
//! ## References
//! BuildKit ReservedStageName; hadolint DL3063.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, Keyword};

/// Metadata of HF907.
pub static META: RuleMeta = RuleMeta {
    code: "HF907",
    name: "reserved-stage-name",
    summary: "Stage named like a reserved word (scratch, context)",
    default_severity: Severity::Error,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        hadolint: &["DL3063"],
        buildkit: &["ReservedStageName"],
        ..Sources::NONE
    },
    doc: include_str!("reserved_stage_name.rs"),
};

/// HF907: reserved stage names.
#[derive(Default)]
pub struct ReservedStageName;

impl Rule for ReservedStageName {
    fn check(&mut self, _: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        let Args::Words(words) = &instruction.args else {
            return;
        };
        if instruction.keyword != Keyword::From
            || words.len() != 3
            || !words[1].value.eq_ignore_ascii_case("as")
        {
            return;
        }
        let name = &words[2];
        let lower = name.value.to_ascii_lowercase();
        if lower == "scratch" || lower == "context" {
            out.push(META.diagnostic(
                name.span,
                format!(
                    "`{}` is a reserved name and cannot name a stage",
                    name.value
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn reserved() {
        assert_flags("HF907", "FROM a:1 AS Scratch\n", 1);
        assert_clean("HF907", "FROM scratch AS base\n");
    }
}
