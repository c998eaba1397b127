//! ## What it does
//! Flags empty lines inside a continued instruction.
//!
//! ## Why is this bad?
//! BuildKit skips them today but warns that they will become an error; an empty line in
//! the middle of a `RUN … \` chain also hides where the instruction really ends.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! RUN apk add --no-cache \
//!
//!     curl
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! RUN apk add --no-cache \
//!     curl
//! ```
//!
//! ## Fix safety
//! No fix yet.
//!
//! ## References
//! BuildKit NoEmptyContinuation.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::SyntaxSeverity;

/// Metadata of HF911.
pub static META: RuleMeta = RuleMeta {
    code: "HF911",
    name: "no-empty-continuation",
    summary: "Empty line inside a continued instruction",
    default_severity: Severity::Warning,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        buildkit: &["NoEmptyContinuation"],
        ..Sources::NONE
    },
    doc: include_str!("no_empty_continuation.rs"),
};

/// HF911: parser warnings about empty continuation lines.
#[derive(Default)]
pub struct NoEmptyContinuation;

impl Rule for NoEmptyContinuation {
    fn check(&mut self, _: &Context<'_>, _: InstructionRef<'_>, _: &mut Vec<Diagnostic>) {}

    fn finish(&mut self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for warning in &cx.file.diagnostics {
            if warning.severity == SyntaxSeverity::Warning
                && warning.message.starts_with("Empty continuation line")
            {
                out.push(META.diagnostic(warning.span, "Empty continuation line"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn empty_lines() {
        assert_flags("HF911", "FROM a:1\nRUN a \\\n\n  b\n", 1);
        assert_clean("HF911", "FROM a:1\nRUN a \\\n  b\n");
    }
}
