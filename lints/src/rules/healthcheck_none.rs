//! ## What it does
//! Flags `HEALTHCHECK NONE` in the exported stage.
//!
//! ## Why is this bad?
//! `HEALTHCHECK NONE` switches off the health check a base image defines. docker-bench-security
//! passes it (the field is not nil), but the container is no longer health-checked, which
//! is what CIS Docker Benchmark 4.6 asks for.
//!
//! ## Example
//! ```dockerfile
//! FROM nginx:1.27
//! HEALTHCHECK NONE
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM nginx:1.27
//! HEALTHCHECK CMD ["curl", "-fsS", "http://localhost/"]
//! ```
//!
//! ## Fix safety
//! Unsafe: the fix deletes `HEALTHCHECK NONE`, so the base image's health check (if any)
//! applies again; it may not suit this application.
//!
//! ## References
//! CIS Docker Benchmark 4.6.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::{Args, Keyword};

/// Metadata of HF802.
pub static META: RuleMeta = RuleMeta {
    code: "HF802",
    name: "healthcheck-none",
    summary: "HEALTHCHECK NONE disables health checking in the exported image",
    default_severity: Severity::Warning,
    fix: FixAvailability::Always,
    status: RuleStatus::Stable,
    scope: Scope::Image,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.6"],
        ..Sources::NONE
    },
    doc: include_str!("healthcheck_none.rs"),
};

/// HF802: `HEALTHCHECK NONE` in the exported image.
#[derive(Default)]
pub struct HealthcheckNone;

impl Rule for HealthcheckNone {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        let Args::Healthcheck { kind, .. } = &instruction.args else {
            return;
        };
        if instruction.keyword != Keyword::Healthcheck
            || !kind.value.eq_ignore_ascii_case("none")
            || !at.stage.is_some_and(|s| cx.is_target(s))
        {
            return;
        }
        out.push(
            META.diagnostic(
                instruction.span,
                "HEALTHCHECK NONE disables health checking",
            )
            .with_fix(Fix::unsafe_edit(
                "Remove HEALTHCHECK NONE",
                vec![cx.delete_instruction(instruction)],
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn none_in_target() {
        assert_flags("HF802", "FROM a:1\nHEALTHCHECK NONE\n", 1);
        assert_clean("HF802", "FROM a:1 AS x\nHEALTHCHECK NONE\nFROM b:1\n");
        assert_fix(
            "HF802",
            "FROM a:1\nHEALTHCHECK NONE\nCMD x\n",
            "FROM a:1\nCMD x\n",
            true,
        );
    }
}
