//! ## What it does
//! Flags instruction keywords whose casing differs from the file's majority (all upper or
//! all lower case); mixed-case keywords (`Run`) are always flagged.
//!
//! ## Why is this bad?
//! Keywords are case-insensitive, but a file that mixes `RUN` and `run` is harder to scan
//! and review.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! run echo hello
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! RUN echo hello
//! ```
//!
//! ## Fix safety
//! Safe: the fix rewrites the keyword in the majority casing.
//!
//! ## References
//! BuildKit ConsistentInstructionCasing.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Instruction, Keyword};

/// Metadata of HF905.
pub static META: RuleMeta = RuleMeta {
    code: "HF905",
    name: "consistent-instruction-casing",
    summary: "Instruction keywords should use one casing",
    default_severity: Severity::Info,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        buildkit: &["ConsistentInstructionCasing"],
        ..Sources::NONE
    },
    doc: include_str!("consistent_instruction_casing.rs"),
};

/// HF905: keyword casing.
#[derive(Default)]
pub struct ConsistentInstructionCasing;

fn all_keywords(instruction: &Instruction) -> Vec<&Instruction> {
    let mut out = vec![instruction];
    if let Some(inner) = instruction.onbuild_inner() {
        out.push(inner);
    }
    out
}

impl Rule for ConsistentInstructionCasing {
    fn check(&mut self, _: &Context<'_>, _: InstructionRef<'_>, _: &mut Vec<Diagnostic>) {}

    fn finish(&mut self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let keywords: Vec<&Instruction> = cx
            .file
            .instructions
            .iter()
            .flat_map(all_keywords)
            .filter(|i| i.keyword != Keyword::Unknown)
            .collect();
        let upper = keywords
            .iter()
            .filter(|i| i.keyword_text == i.keyword_text.to_ascii_uppercase())
            .count();
        let lower = keywords
            .iter()
            .filter(|i| i.keyword_text == i.keyword_text.to_ascii_lowercase())
            .count();
        let want_upper = upper >= lower;
        for instruction in keywords {
            let text = &instruction.keyword_text;
            let expected = if want_upper {
                text.to_ascii_uppercase()
            } else {
                text.to_ascii_lowercase()
            };
            if *text == expected {
                continue;
            }
            out.push(
                META.diagnostic(
                    instruction.keyword_span,
                    format!(
                        "`{text}` should be written `{expected}`, as most instructions in this file"
                    ),
                )
                .with_fix(Fix::safe(
                    format!("Write `{expected}`"),
                    vec![Edit::replace(instruction.keyword_span, expected.clone())],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn casing() {
        assert_flags("HF905", "FROM a:1\nrun x\nRun y\n", 2);
        assert_clean("HF905", "from a:1\nrun x\n");
        assert_fix(
            "HF905",
            "from a:1\nrun x\nRUN y\n",
            "from a:1\nrun x\nrun y\n",
            false,
        );
    }
}
