//! ## What it does
//! Flags `RUN --security=insecure`, `RUN --network=host` and `RUN --device`.
//!
//! ## Why is this bad?
//! These flags drop the build sandbox: `--security=insecure` runs the step as a
//! privileged container, `--network=host` gives it the builder's network (cloud metadata
//! endpoints, internal services), `--device` exposes host devices. A compromised
//! dependency fetched in that step owns the builder. They need BuildKit entitlements for a
//! reason; the analogues of CIS Docker Benchmark 2.14/2.17 for the daemon.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! RUN --network=host wget -q http://10.0.0.1/tool
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM alpine:3.20
//! RUN wget -q https://tools.example.com/tool
//! ```
//!
//! ## Fix safety
//! No fix: the step probably depends on the extra privilege.
//!
//! ## References
//! CIS Docker Benchmark 2.14, 2.17 (daemon analogues), 5.4.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::Keyword;

/// Metadata of HF603.
pub static META: RuleMeta = RuleMeta {
    code: "HF603",
    name: "insecure-run",
    summary: "RUN --security=insecure, --network=host or --device",
    default_severity: Severity::Error,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: &[("1.6.0", &["5.4"])],
        ..Sources::NONE
    },
    doc: include_str!("insecure_run.rs"),
};

/// HF603: privileged RUN flags.
#[derive(Default)]
pub struct InsecureRun;

impl Rule for InsecureRun {
    fn check(&mut self, _: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        let instruction = at.instruction;
        if instruction.keyword != Keyword::Run {
            return;
        }
        for flag in &instruction.flags {
            let value = flag.value.as_deref().unwrap_or("").to_ascii_lowercase();
            let message = match flag.name.as_str() {
                "security" if value == "insecure" => {
                    "RUN --security=insecure runs the step privileged"
                }
                "network" if value == "host" => {
                    "RUN --network=host gives the step the builder's network"
                }
                "device" => "RUN --device exposes a host device to the step",
                _ => continue,
            };
            out.push(META.diagnostic(flag.span, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn flags() {
        assert_flags(
            "HF603",
            "FROM a:1\nRUN --security=insecure --network=host x\n",
            2,
        );
        assert_clean(
            "HF603",
            "FROM a:1\nRUN --network=none x\nRUN --mount=type=cache,target=/c x\n",
        );
    }
}
