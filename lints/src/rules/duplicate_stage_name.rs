//! ## What it does
//! Flags a stage name used by more than one stage.
//!
//! ## Why is this bad?
//! BuildKit refuses the file (`duplicate stage name`); older builders silently used one
//! of them, so `COPY --from` may copy from the wrong stage.
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.23 AS build
//! FROM node:22 AS build
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM golang:1.23 AS build-go
//! FROM node:22 AS build-web
//! ```
//!
//! ## Fix safety
//! No fix: which references mean which stage is the author's call.
//!
//! ## References
//! BuildKit DuplicateStageName; hadolint DL3024; Trivy DS-0012; Checkov CKV_DOCKER_11.

use std::collections::HashMap;

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, Keyword, Span};

/// Metadata of HF904.
pub static META: RuleMeta = RuleMeta {
    code: "HF904",
    name: "duplicate-stage-name",
    summary: "Two stages have the same name",
    default_severity: Severity::Error,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        hadolint: &["DL3024"],
        buildkit: &["DuplicateStageName"],
        trivy: &["DS-0012"],
        checkov: &["CKV_DOCKER_11"],
        ..Sources::NONE
    },
    doc: include_str!("duplicate_stage_name.rs"),
};

/// HF904: duplicate stage names.
#[derive(Default)]
pub struct DuplicateStageName {
    seen: HashMap<String, Span>,
}

impl Rule for DuplicateStageName {
    fn check(&mut self, _: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        let Args::Words(words) = &instruction.args else {
            return;
        };
        if at.onbuild
            || instruction.keyword != Keyword::From
            || words.len() != 3
            || !words[1].value.eq_ignore_ascii_case("as")
        {
            return;
        }
        let name = &words[2];
        let key = name.value.to_ascii_lowercase();
        if let Some(first) = self.seen.get(&key) {
            out.push(
                META.diagnostic(name.span, format!("Duplicate stage name `{}`", name.value))
                    .with_related(*first, "first defined here"),
            );
        } else {
            self.seen.insert(key, name.span);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn duplicates() {
        assert_flags("HF904", "FROM a:1 AS b\nFROM c:1 AS B\n", 1);
        assert_clean("HF904", "FROM a:1 AS b\nFROM c:1 AS c\n");
    }
}
