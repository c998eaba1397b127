//! ## What it does
//! Flags stage names that are not lower case (`FROM golang:1.23 AS Builder`).
//!
//! ## Why is this bad?
//! BuildKit compares stage names case-insensitively, so `Builder` and `builder` are the
//! same stage; mixed case suggests otherwise and reads inconsistently.
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.23 AS Builder
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM golang:1.23 AS builder
//! ```
//!
//! ## Fix safety
//! Safe: the fix lower-cases the name where it is defined; references keep working
//! because names are case-insensitive.
//!
//! ## References
//! BuildKit StageNameCasing.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, Keyword};

/// Metadata of HF902.
pub static META: RuleMeta = RuleMeta {
    code: "HF902",
    name: "stage-name-casing",
    summary: "Stage names should be lower case",
    default_severity: Severity::Info,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        buildkit: &["StageNameCasing"],
        ..Sources::NONE
    },
    doc: include_str!("stage_name_casing.rs"),
};

/// HF902: stage name casing.
#[derive(Default)]
pub struct StageNameCasing;

impl Rule for StageNameCasing {
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
        if name.value.contains('$') || name.value == name.value.to_ascii_lowercase() {
            return;
        }
        let lower = name.value.to_ascii_lowercase();
        out.push(
            META.diagnostic(
                name.span,
                format!("Stage name `{}` should be lower case", name.value),
            )
            .with_fix(Fix::safe(
                format!("Rename the stage to `{lower}`"),
                vec![Edit::replace(name.span, lower.clone())],
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn casing() {
        assert_flags("HF902", "FROM a:1 AS Build\n", 1);
        assert_clean("HF902", "FROM a:1 AS build\nFROM a:1\n");
        assert_fix(
            "HF902",
            "FROM a:1 AS Build\nFROM b:1\nCOPY --from=Build /x /x\n",
            "FROM a:1 AS build\nFROM b:1\nCOPY --from=Build /x /x\n",
            false,
        );
    }
}
