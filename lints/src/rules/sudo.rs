//! ## What it does
//! Flags `sudo` in `RUN` commands (also inside `sh -c` strings and command
//! substitutions), found through the RUN command model, not by text search — `apt-get
//! install sudo` is not a use (HF3xx/tooling rules judge what is installed).
//!
//! ## Why is this bad?
//! `RUN` already runs as the current `USER`; `sudo` in a build means either the stage
//! runs as root anyway (so `sudo` is noise) or the image ships a sudo setup that lets the
//! runtime user become root again, defeating CIS Docker Benchmark 4.1. It also has
//! unpredictable TTY and signal behaviour.
//!
//! ## Example
//! ```dockerfile
//! FROM ubuntu:24.04
//! USER app
//! RUN sudo apt-get update
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM ubuntu:24.04
//! RUN apt-get update
//! USER app
//! ```
//!
//! ## Fix safety
//! No fix: removing `sudo` changes which user runs the command.
//!
//! ## References
//! CIS Docker Benchmark 4.1; hadolint DL3004; Trivy DS-0010; Checkov CKV2_DOCKER_1;
//! dockle DKL-DI-0001.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::rules::run_scripts::run_scripts;

/// Metadata of HF104.
pub static META: RuleMeta = RuleMeta {
    code: "HF104",
    name: "sudo",
    summary: "sudo used in RUN",
    default_severity: Severity::Warning,
    fix: FixAvailability::Never,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        cis: cis_all!["4.1"],
        hadolint: &["DL3004"],
        trivy: &["DS-0010"],
        checkov: &["CKV2_DOCKER_1"],
        ..Sources::NONE
    },
    doc: include_str!("sudo.rs"),
};

/// HF104: sudo in RUN.
#[derive(Default)]
pub struct Sudo;

impl Rule for Sudo {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        for run in run_scripts(cx, &at) {
            for command in run.commands() {
                let word = command
                    .wrappers
                    .iter()
                    .find(|w| w.name == "sudo")
                    .map(|w| w.word.span)
                    .or_else(|| command.is("sudo").then_some(command.span));
                let Some(span) = word else {
                    continue;
                };
                let span = if command.approximate {
                    run.fallback
                } else {
                    run.span(span)
                };
                out.push(META.diagnostic(span, "Avoid sudo in RUN; set USER instead"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_flags};

    #[test]
    fn sudo() {
        let found = assert_flags(
            "HF104",
            "FROM a:1\nRUN sudo apt-get update && sudo -u x ls\n",
            2,
        );
        assert_eq!(
            &"FROM a:1\nRUN sudo apt-get update"[found[0].span.start..found[0].span.end],
            "sudo"
        );
        assert_flags("HF104", "FROM a:1\nRUN sh -c 'sudo rm -rf /x'\n", 1);
        assert_clean(
            "HF104",
            "FROM a:1\nRUN apt-get install -y sudo && echo sudo\n",
        );
    }
}
