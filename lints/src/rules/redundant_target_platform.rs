//! ## What it does
//! Flags `FROM --platform=$TARGETPLATFORM`.
//!
//! ## Why is this bad?
//! The target platform is already the default platform of every stage, so the flag only
//! adds noise (and suggests, wrongly, that it changes something).
//!
//! ## Example
//! ```dockerfile
//! FROM --platform=$TARGETPLATFORM alpine:3.20
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! ```
//!
//! ## Fix safety
//! Safe: the fix removes the flag; the stage's platform is the same.
//!
//! ## References
//! BuildKit RedundantTargetPlatform; hadolint DL3065.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rules::helpers::flag_removal_span;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::Keyword;

/// Metadata of HF912.
pub static META: RuleMeta = RuleMeta {
    code: "HF912",
    name: "redundant-target-platform",
    summary: "FROM --platform=$TARGETPLATFORM is the default",
    default_severity: Severity::Info,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        hadolint: &["DL3065"],
        buildkit: &["RedundantTargetPlatform"],
        ..Sources::NONE
    },
    doc: include_str!("redundant_target_platform.rs"),
};

/// HF912: redundant `--platform`.
#[derive(Default)]
pub struct RedundantTargetPlatform;

impl Rule for RedundantTargetPlatform {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        if instruction.keyword != Keyword::From {
            return;
        }
        let Some(flag) = instruction.flag("platform") else {
            return;
        };
        if !matches!(
            flag.value.as_deref(),
            Some("$TARGETPLATFORM" | "${TARGETPLATFORM}")
        ) {
            return;
        }
        out.push(
            META.diagnostic(
                flag.span,
                "`--platform=$TARGETPLATFORM` is the default and can be removed",
            )
            .with_fix(Fix::safe(
                "Remove the --platform flag",
                vec![Edit::delete(flag_removal_span(cx, flag.span))],
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn target_platform() {
        assert_flags("HF912", "FROM --platform=${TARGETPLATFORM} a:1\n", 1);
        assert_clean("HF912", "FROM --platform=$BUILDPLATFORM a:1\n");
        assert_fix(
            "HF912",
            "FROM --platform=$TARGETPLATFORM  a:1 AS b\n",
            "FROM a:1 AS b\n",
            false,
        );
    }
}
