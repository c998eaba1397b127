//! ## What it does
//! Flags `apt` used in a `RUN` (`apt install`, `apt update`, …).
//!
//! ## Why is this bad?
//! `apt` is the interactive front end: its output is meant for terminals and its command
//! line is not promised to stay stable ("WARNING: apt does not have a stable CLI
//! interface"). Scripts, and so Dockerfiles, should use `apt-get` and `apt-cache`.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12
//! RUN apt update && apt install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Use instead
//! ```dockerfile
//! FROM debian:12
//! RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Fix safety
//! Safe for `update`, `install`, `remove`, `purge`, `autoremove` and `clean`, which
//! `apt-get` does the same way; other subcommands (`upgrade` installs new dependencies with
//! `apt` but not with `apt-get`; `search`, `list`, `show` do not exist there) are reported
//! without a fix.
//!
//! ## References
//! hadolint DL3027; Checkov CKV_DOCKER_9.

use crate::config::Profile;
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rules::run_scripts::run_scripts;
use crate::rules::{
    Context, FixAvailability, InstructionRef, Rule, RuleMeta, RuleStatus, Scope, Sources,
};
use crate::syntax::Keyword;

/// Metadata of HF709.
pub static META: RuleMeta = RuleMeta {
    code: "HF709",
    name: "apt-instead-of-apt-get",
    summary: "`apt` used in RUN; use `apt-get`",
    default_severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    status: RuleStatus::Stable,
    scope: Scope::Instruction,
    profile: Profile::Cis,
    sources: Sources {
        hadolint: &["DL3027"],
        checkov: &["CKV_DOCKER_9"],
        ..Sources::NONE
    },
    doc: include_str!("apt_instead_of_apt_get.rs"),
};

/// HF709: apt.
#[derive(Default)]
pub struct AptInsteadOfAptGet;

impl Rule for AptInsteadOfAptGet {
    fn check(&mut self, cx: &Context<'_>, at: InstructionRef<'_>, out: &mut Vec<Diagnostic>) {
        if at.keyword() != Keyword::Run {
            return;
        }
        for run in run_scripts(cx, &at) {
            for command in run.commands() {
                let Some(program) = command.program.as_ref().filter(|_| command.is("apt")) else {
                    continue;
                };
                let same = command.is_subcommand(&[
                    "update",
                    "install",
                    "remove",
                    "purge",
                    "autoremove",
                    "clean",
                ]);
                let fix = (same && !at.onbuild)
                    .then(|| run.exact_span(cx.source(), program.span))
                    .flatten()
                    .filter(|span| span.text(cx.source()).is_some_and(|t| t.ends_with("apt")))
                    .map(|span| Fix::safe("Use apt-get", vec![Edit::insert(span.end, "-get")]));
                out.push(
                    META.diagnostic(
                        run.span(command.span),
                        "Use `apt-get` instead of `apt` in scripts",
                    )
                    .with_optional_fix(fix),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_clean, assert_fix, assert_flags};

    #[test]
    fn flags_apt() {
        assert_flags("HF709", "FROM a:1\nRUN apt update && apt install -y x\n", 2);
        assert_flags("HF709", "FROM a:1\nRUN apt search x\n", 1);
        assert_clean(
            "HF709",
            "FROM a:1\nRUN apt-get update && apt-cache policy x\n",
        );
    }

    #[test]
    fn fix_renames() {
        assert_fix(
            "HF709",
            "FROM a:1\nRUN apt update && \\\n    /usr/bin/apt install -y x && apt upgrade -y\n",
            "FROM a:1\nRUN apt-get update && \\\n    /usr/bin/apt-get install -y x && apt upgrade -y\n",
            false,
        );
    }
}
